#!/usr/bin/env python3
"""test-summary.py begin | ran SUITE | gate-cross | summary: the record `make test` keeps of
what it ran and what it skipped, and the summary it ends with.

Everything that skips writes one line to $BAREIPC_SKIP_LOG (the Makefile points it at
target/test-log.tsv): the tests' `common::skip`, the container test, the engine test, and
this script's gates. `summary` prints every suite that ran and every skip with its reason
and what would make it run, and fails under CI=true when anything was skipped — so a
green CI run means everything ran, and a green run elsewhere says what it did not do.

  begin        empties the log
  ran SUITE    records that a suite ran
  gate-cross   exit 0 if the other architectures' tests can run here (their Rust targets,
               Debian's cross gcc, qemu-user); else records the skip and exits 1
  summary      prints the summary; exit 1 under CI=true if anything was skipped
"""
import os
import shutil
import subprocess
import sys

LOG = os.environ.get("BAREIPC_SKIP_LOG") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "target", "test-log.tsv")

# What makes a skipped suite run, by the words of its reason.
INSTALLS = [
    ("sandbox", "unprivileged user namespaces (kernel.unprivileged_userns_clone, "
                "user.max_user_namespaces, an AppArmor policy that allows them), or root"),
    ("namespaces", "unprivileged user namespaces (kernel.unprivileged_userns_clone, "
                   "user.max_user_namespaces, an AppArmor policy that allows them), or root"),
    ("not root", "root (sudo make test): another uid, the host's cgroups"),
    ("another user", "root (sudo make test): only root can run a command as another uid"),
    ("pids", "root, or a pids cgroup controller delegated to the user"),
    ("daemon", "root: the test starts a Docker daemon of its own"),
    ("other architectures", "the aarch64 and riscv64 Rust targets, Debian's cross gcc and "
                            "qemu-user (make deps)"),
    ("strace", "strace, and permission to ptrace (make deps)"),
    ("qemu", "qemu-user (make deps)"),
    ("PyPI", "network access to PyPI for the tool's interop test"),
    ("gcc", "gcc (make deps)"),
    ("engine", "Podman and Docker with runc (make deps)"),
]


def record(kind, suite, why=""):
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    with open(LOG, "a") as f:
        f.write(f"{kind}\t{suite}\t{why}\n")


def install_hint(why):
    for word, hint in INSTALLS:
        if word.lower() in why.lower():
            return hint
    return "see the reason"


def gate_cross():
    host = os.uname().machine
    targets = {"x86_64": "x86_64-unknown-linux-gnu", "aarch64": "aarch64-unknown-linux-gnu",
               "riscv64": "riscv64gc-unknown-linux-gnu"}
    missing = []
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True,
                                 text=True).stdout.strip()
    except OSError:
        sysroot = ""
    for arch, target in targets.items():
        if arch == host:
            continue
        if not os.path.isdir(os.path.join(sysroot, "lib", "rustlib", target, "lib")):
            missing.append(f"Rust target {target}")
        if not shutil.which(f"{arch}-linux-gnu-gcc"):
            missing.append(f"{arch}-linux-gnu-gcc")
        if not shutil.which(f"qemu-{arch}"):
            missing.append(f"qemu-{arch}")
    if missing:
        record("skip", "library on the other architectures (clippy, tests under qemu)",
               "no build for the other architectures here: missing " + ", ".join(missing))
        return 1
    return 0


def summary():
    lines = []
    if os.path.exists(LOG):
        lines = [l.rstrip("\n").split("\t") for l in open(LOG) if l.strip()]
    ran = [l[1] for l in lines if l[0] == "ran"]
    skips = [(l[1], l[2]) for l in lines if l[0] == "skip"]
    print("\nmake test: summary")
    for suite in ran:
        print(f"  ran      {suite}")
    seen = set()
    for suite, why in skips:
        if (suite, why) in seen:
            continue
        seen.add((suite, why))
        print(f"  SKIPPED  {suite}: {why}\n           needs: {install_hint(why)}")
    if not skips:
        print("  nothing skipped")
        return 0
    if os.environ.get("CI") == "true":
        print(f"make test: {len(seen)} skip(s), a failure under CI=true")
        return 1
    print(f"make test: passed, with {len(seen)} skip(s) above")
    return 0


def main():
    cmd = sys.argv[1:] or ["summary"]
    if cmd[0] == "begin":
        os.makedirs(os.path.dirname(LOG), exist_ok=True)
        open(LOG, "w").close()
        return 0
    if cmd[0] == "ran" and len(cmd) == 2:
        record("ran", cmd[1])
        return 0
    if cmd[0] == "gate-cross":
        return gate_cross()
    if cmd[0] == "summary":
        return summary()
    print(__doc__.strip().splitlines()[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
