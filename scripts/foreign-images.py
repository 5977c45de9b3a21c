#!/usr/bin/env python3
"""foreign-images.py [--engines podman,docker] [--markdown]: the FROM scratch image of each
other architecture (arm64, riscv64: what `make cross` built into bin/ARCH/), built from
the repository's Dockerfile with `--platform linux/ARCH` and run under Podman and Docker
on this host through qemu-user's binfmt_misc handlers — and every trace of that undone.

Building needs no emulation (the Dockerfile only copies). Running a foreign binary in a
container does: the kernel hands it to the interpreter registered in binfmt_misc, and a
FROM scratch container has no qemu of its own, so the handler must be registered with
the F flag (the kernel opens the interpreter once, at registration) and the interpreter
must be static (Debian's qemu-user is dynamic: its own loader would be looked up inside
the container). So this script:

1. downloads Debian's qemu-user-static package into a temporary directory and unpacks it
   there (`apt-get download`, `dpkg-deb -x`): nothing is installed;
2. mounts binfmt_misc if it is not mounted, and registers `bareipc-aarch64` and
   `bareipc-riscv64` (flags F) unless a handler for that machine exists already;
3. starts the engines as scripts/engine-test.py does (private storage; dockerd in the
   temporary directory, stopped by its PID), builds each architecture's image and runs
   every program once in it, checking stdout and the exit status; with Podman also makes
   all three (amd64 from bin/) in one multi-platform build, a manifest list;
4. whatever happens: removes the handlers it registered, unmounts binfmt_misc if it
   mounted it, stops dockerd, removes the temporary directory.

Prints one line per run, or with --markdown a table (programs × engine and architecture).
Exit status: 0 all ran, 1 a run failed, 77 it cannot run here (the reason is printed).
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
spec = importlib.util.spec_from_file_location("engine_test", os.path.join(HERE, "engine-test.py"))
et = importlib.util.module_from_spec(spec)
spec.loader.exec_module(et)

BINFMT = "/proc/sys/fs/binfmt_misc"
# (bin/ directory, TARGETARCH, qemu name, e_machine) — the ELF magic and mask are qemu's
# own (scripts/qemu-binfmt-conf.sh): a little-endian ELF64 executable or shared object
# for that machine.
ARCHES = [("aarch64", "arm64", "aarch64", b"\xb7\x00"), ("riscv64", "riscv64", "riscv64", b"\xf3\x00")]
MAGIC = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00"
MASK = b"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"


def escaped(b):
    return "".join(f"\\x{c:02x}" for c in b)


def handled(machine):
    """Whether an enabled handler already takes ELF64 executables of `machine`."""
    for name in os.listdir(BINFMT):
        if name in ("register", "status"):
            continue
        text = open(os.path.join(BINFMT, name)).read()
        if "enabled" in text and escaped(MAGIC + machine).replace("\\x", "") in text.replace(" ", ""):
            return True
    return False


def one_build_for_all(engine, tmp, progs):
    """One `podman build --platform linux/amd64,linux/arm64,linux/riscv64 --manifest`: the
    Dockerfile takes bin/${TARGETARCH}/ for each. Returns a line saying what it made."""
    ctx = os.path.join(tmp, "context-multi")
    dirs = [("bin", "amd64")] + [(os.path.join("bin", d), t) for d, t, _, _ in ARCHES]
    for src, targetarch in dirs:
        os.makedirs(os.path.join(ctx, "bin", targetarch))
        for p in progs:
            shutil.copy(os.path.join(ROOT, src, p), os.path.join(ctx, "bin", targetarch, p))
    platforms = ",".join(f"linux/{t}" for _, t in dirs)
    b = engine("build", "-q", "--platform", platforms, "--manifest", "bareipc-multi",
               "-f", et.DOCKERFILE, ctx, timeout=600)
    if b.returncode != 0:
        return f"{engine.name}: one build for {platforms} failed: {b.stderr.strip()[-200:]}"
    m = engine("manifest", "inspect", "bareipc-multi")
    archs = sorted(set(re.findall(r'"architecture":\s*"(\w+)"', m.stdout)))
    return (f"{engine.name}: one `build --platform {platforms} --manifest` made a manifest "
            f"list of {len(archs)} images ({', '.join(archs)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="podman,docker")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    progs = et.programs()
    for d, *_ in ARCHES:
        if not os.path.isdir(os.path.join(ROOT, "bin", d)):
            print(f"foreign-images: bin/{d}/ is missing: run make cross")
            return 77
    tmp = tempfile.mkdtemp(prefix="bareipc-foreign-")
    mounted, registered, dockerd = False, [], None
    results, failed, multi = {}, False, []
    try:
        r = subprocess.run(["apt-get", "download", "qemu-user-static"], cwd=tmp,
                           capture_output=True, text=True)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if r.returncode != 0 or not debs:
            print(f"foreign-images: apt-get download qemu-user-static: {r.stderr.strip()}")
            return 77
        subprocess.run(["dpkg-deb", "-x", os.path.join(tmp, debs[0]), os.path.join(tmp, "qemu")],
                       check=True)
        if not os.path.exists(os.path.join(BINFMT, "register")):
            subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT], check=True)
            mounted = True
        for _, _, qemu, machine in ARCHES:
            if handled(machine):
                continue
            static = os.path.join(tmp, "qemu", "usr", "bin", f"qemu-{qemu}-static")
            rule = f":bareipc-{qemu}:M::{escaped(MAGIC + machine)}:{escaped(MASK)}:{static}:F"
            with open(os.path.join(BINFMT, "register"), "w") as f:
                f.write(rule)
            registered.append(f"bareipc-{qemu}")
        engines = []
        for name in a.engines.split(","):
            try:
                if name == "docker":
                    engine, dockerd = et.start_docker(tmp)
                else:
                    engine = et.start_podman(tmp)
                engines.append(engine)
            except (RuntimeError, OSError) as e:
                print(f"foreign-images: {name}: {e}")
        for engine in engines:
            if engine.name == "podman":
                multi.append(one_build_for_all(engine, tmp, progs))
            for bindir, targetarch, _, _ in ARCHES:
                ctx = os.path.join(tmp, f"context-{engine.name}-{targetarch}")
                os.makedirs(os.path.join(ctx, "bin", targetarch))
                for p in progs:
                    shutil.copy(os.path.join(ROOT, "bin", bindir, p),
                                os.path.join(ctx, "bin", targetarch, p))
                image = f"bareipc-foreign-{targetarch}"
                platform = f"linux/{targetarch}"
                b = engine("build", "-q", "--platform", platform, "--build-arg",
                           f"TARGETARCH={targetarch}", "-t", image,
                           "-f", et.DOCKERFILE, ctx, timeout=300)
                arch = engine("image", "inspect", "-f", "{{.Architecture}}", image).stdout.strip()
                for p in progs:
                    if b.returncode != 0:
                        outcome = f"build failed: {b.stderr.strip().splitlines()[-1:]}"
                    else:
                        r = engine("run", "--rm", "--platform", platform, *engine.run_opts,
                                   image, p, timeout=120)
                        want = et.expected_output(p)
                        err = r.stderr.strip().replace(f"{p}: ", "")
                        if r.returncode == 0 and r.stdout == want:
                            outcome = "ok"
                        elif p == "pi-process-vm" and "process_vm_readv: ENOSYS" in err:
                            outcome = "exit 1: no process_vm_readv under qemu-user (one line)"
                        else:
                            outcome = f"exit {r.returncode}: {err or r.stdout.strip()}"
                            failed = True
                    results[(p, engine.name, targetarch)] = (outcome, arch)
                    if not a.markdown:
                        print(f"{engine.name} {targetarch} (image: {arch}) {p}: {outcome}")
    finally:
        for name in registered:
            with open(os.path.join(BINFMT, name), "w") as f:
                f.write("-1")
        if mounted:
            subprocess.run(["umount", BINFMT])
        if dockerd is not None:
            et.stop_docker(dockerd)
        shutil.rmtree(tmp, ignore_errors=True)
    if a.markdown:
        cols = sorted({(e, t) for _, e, t in results}, key=lambda c: (c[0] != "podman", c[1]))
        print("| program | " + " | ".join(f"{e} {t}" for e, t in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for p in progs:
            print(f"| `{p}` | " + " | ".join(results.get((p, e, t), ("—", ""))[0] for e, t in cols) + " |")
        arches = sorted({f"{e} {t}: {arch}" for (_, e, t), (_, arch) in results.items()})
        print("\nThe images' architecture as each engine records it: " + "; ".join(arches) + ".")
        for line in multi:
            print(f"\n{line[0].upper()}{line[1:]}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
