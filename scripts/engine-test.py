#!/usr/bin/env python3
"""engine-test.py [--engines podman,docker] [--programs P,...] [--log DIR]: every program
in a FROM scratch image under real container engines — Podman (rootful, daemonless) and
Docker (a dockerd this script starts in a private temporary directory, with its own
socket, data-root, exec-root and pidfile, and stops by its PID whatever happens).

For every program and engine it runs the matrix of issue 12 — the default run, every
`--ipc` mode (two runs sharing one IPC namespace at once for `container:OTHER`),
`--network none`, `--read-only`, `--user 65534:65534`, `--cap-drop ALL`, the default
seccomp profile given explicitly, `--pids-limit` too small and just enough, `--shm-size`
too small and just enough (pi-shm-sem), `--ipc none --tmpfs /dev/shm`, `stop` of a long
run (the program is PID 1), `--init`, and `kill -s INT/HUP/KILL` through the engine —
asserting the exit status, stdout and the one stderr line of each.

Neither engine is allowed to touch the host's network: dockerd runs with --bridge=none
--iptables=false --ip-forward=false, Podman with a private containers.conf whose
default network namespace is "none" (the programs need no network). Images, containers
and the engines' storage live in the temporary directory and go with it.

Exit status: 0 all cases passed, 1 a case failed, 77 no engine can run here (with the
reason). With --log DIR it writes DIR/containers.tsv (one line per case) and
DIR/container-facts.md (each engine's /dev/shm size, what its seccomp profile says of
the calls bareipc makes), which `make readme` turns into docs/containers.md's tables.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import manifest  # noqa: E402 (each program's facts)
from programs import meta, programs  # noqa: E402

PI = meta("digits") + "\n"
DEMO_OUT = {
    "pipe-single": "wrote 20 bytes into the pipe\nread back: hello through a pipe\n",
    "socketpair-single": "a -> b: hello from end a\nb -> a: b got it: hello from end a\n",
}
# The bareipc tool's ls in a container of its own: a fresh IPC namespace, an empty
# /dev/shm, the engine's mqueue mount — nothing to list but the header.
TOOL_OUT = "KIND      NAME/KEY                  ID        DETAILS\n"
LONG = ["-w", "4", "-n", "100000000000"]


def expected_output(program):
    """What a default run of `program` prints."""
    if program.startswith("pi-"):
        return PI
    return DEMO_OUT.get(program, TOOL_OUT)

SECCOMP = "/usr/share/containers/seccomp.json"
DOCKERFILE = os.path.join(ROOT, "Dockerfile")
BIN = os.environ.get("BAREIPC_BIN_DIR", os.path.join(ROOT, "bin"))


def sh(cmd, timeout=120, env=None, check=False):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


class Engine:
    def __init__(self, name, cli, env=None, run_opts=()):
        self.name, self.cli, self.env = name, cli, env
        # Options every container gets (Docker: no network, as it has no bridge here).
        self.run_opts = list(run_opts)

    def opts(self, case_opts):
        """run_opts, unless the case chooses a network itself, then the case's."""
        if any(o.startswith("--network") for o in case_opts):
            return list(case_opts)
        return self.run_opts + list(case_opts)

    def __call__(self, *args, timeout=120, check=False):
        return sh(self.cli + list(args), timeout=timeout, env=self.env, check=check)


def start_docker(tmp):
    """dockerd in tmp; returns (engine, pid) or raises with the reason."""
    dockerd = shutil.which("dockerd") or shutil.which("dockerd", path="/usr/sbin:/sbin")
    if not dockerd or not os.path.exists("/usr/bin/docker"):
        raise RuntimeError("dockerd or /usr/bin/docker is not installed (Debian: docker.io)")
    if os.geteuid() != 0:
        # (Rootless Docker is a daemon of the user's own, set up apart: not tried here.)
        raise RuntimeError("a daemon of its own needs root (the test starts dockerd itself)")
    d = os.path.join(tmp, "docker")
    os.makedirs(d)
    sock = os.path.join(d, "docker.sock")
    log = open(os.path.join(d, "dockerd.log"), "w")
    proc = subprocess.Popen(
        [dockerd, "--host", f"unix://{sock}", "--data-root", os.path.join(d, "data"),
         "--exec-root", os.path.join(d, "exec"), "--pidfile", os.path.join(d, "docker.pid"),
         "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false",
         "--storage-driver", "vfs"],
        stdout=log, stderr=log, start_new_session=True)
    engine = Engine("docker", ["/usr/bin/docker", "-H", f"unix://{sock}"],
                    env=dict(os.environ, DOCKER_BUILDKIT="1", DOCKER_CONFIG=d),
                    run_opts=["--network", "none"])
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"dockerd exited with {proc.returncode}: see {log.name}")
        if os.path.exists(sock) and engine("version").returncode == 0:
            return engine, proc
        time.sleep(0.1)
    stop_docker(proc)
    raise RuntimeError("dockerd did not answer within 30 s")


def stop_docker(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def end_rootless_pause(tmp):
    """Rootless Podman keeps a pause process (the holder of the user's namespaces) after
    it ends, its pid in the tmp_dir this test gave it: ended with the test."""
    for root, _, files in os.walk(tmp):
        if "pause.pid" in files and os.geteuid() != 0:
            try:
                with open(os.path.join(root, "pause.pid")) as f:
                    os.kill(int(f.read().strip()), signal.SIGKILL)
            except (OSError, ValueError):
                pass


def start_podman(tmp):
    if not shutil.which("podman"):
        raise RuntimeError("podman is not installed")
    d = os.path.join(tmp, "podman")
    os.makedirs(d)
    hard = sh(["bash", "-c", "ulimit -Hn"]).stdout.strip()
    conf = os.path.join(d, "containers.conf")
    with open(conf, "w") as f:
        # runc: crun 1.8 refuses this host's hybrid cgroup v1; nofile and nproc: root here
        # lacks CAP_SYS_RESOURCE, so the defaults (above the hard limits) cannot be set.
        f.write(f'[containers]\nnetns = "none"\n'
                f'default_ulimits = ["nofile={hard}:{hard}", "nproc=32768:32768"]\n'
                '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'
                # File locks in its own directories: the default ("shm") leaves
                # /dev/shm/libpod_lock on the host.
                'events_logger = "file"\nlock_type = "file"\n'
                f'tmp_dir = "{os.path.join(d, "tmp")}"\n')
    engine = Engine("podman", ["podman", "--root", os.path.join(d, "root"), "--runroot",
                               os.path.join(d, "run"), "--storage-driver", "vfs"],
                    env=dict(os.environ, CONTAINERS_CONF=conf))
    r = engine("info", "--format", "{{.Host.OCIRuntime.Name}}")
    if r.returncode != 0:
        raise RuntimeError(f"podman info: {r.stderr.strip()}")
    return engine


def build(engine, tmp, progs):
    """The image from the repository's Dockerfile, the binaries in DIR/amd64/."""
    ctx = os.path.join(tmp, f"context-{engine.name}")
    os.makedirs(os.path.join(ctx, "bin", "amd64"))
    for p in progs:
        shutil.copy(os.path.join(BIN, p), os.path.join(ctx, "bin", "amd64", p))
    shutil.copy(DOCKERFILE, os.path.join(ctx, "Dockerfile"))
    args = ["build", "-q", "-t", "bareipc-engine-test", ctx]
    if engine.name == "podman":
        args[1:1] = ["--build-arg", "TARGETARCH=amd64"]
    engine(*args, timeout=300, check=True)
    return "bareipc-engine-test"


class Case:
    def __init__(self, name, opts=(), args=(), status=0, out=None, err="", how="run",
                 limit_ms=None):
        self.name, self.opts, self.args = name, list(opts), list(args)
        self.status, self.out, self.err, self.how = status, out, err, how
        self.limit_ms = limit_ms
        # Engine name -> (status, stdout, stderr) where that engine differs.
        self.on = {}

    def expected(self, engine):
        """This case as `engine` should end it."""
        if engine not in self.on:
            return self
        c = Case(self.name, self.opts, self.args, *self.on[engine], self.how, self.limit_ms)
        return c


def cases_for(program):
    pi = program.startswith("pi-")
    good = expected_output(program)
    ok = lambda name, opts=(), args=(): Case(name, opts, args, 0, good)  # noqa: E731
    if not pi and program not in DEMO_OUT:
        # The tool: its ls where a container keeps it from the host's objects (--ipc
        # host, none or another container's would show or hide them).
        return [ok("default"), ok("--ipc private", ["--ipc", "private"]),
                ok("--read-only", ["--read-only"]), ok("--user 65534:65534", ["--user", "65534:65534"]),
                ok("--cap-drop ALL", ["--cap-drop", "ALL"]),
                ok("the default seccomp profile, given explicitly",
                   ["--security-opt", f"seccomp={SECCOMP}"])]
    c = [ok("default"),
         # A program that makes files (its manifest's [container]) fails in one line
         # without /dev/shm; the others need nothing of it.
         Case("--ipc none", ["--ipc", "none"], [], 1, "",
              manifest.load(program)["container"]["without_dev_shm"])
         if program in manifest.needing_files() else ok("--ipc none", ["--ipc", "none"]),
         ok("--ipc private", ["--ipc", "private"]),
         ok("--ipc shareable", ["--ipc", "shareable"]),
         ok("--ipc host", ["--ipc", "host"]),
         ok("--network none", ["--network", "none"]),
         ok("--read-only", ["--read-only"]),
         ok("--user 65534:65534", ["--user", "65534:65534"]),
         ok("--cap-drop ALL", ["--cap-drop", "ALL"]),
         ok("the default seccomp profile, given explicitly",
            ["--security-opt", f"seccomp={SECCOMP}"]),
         ok("--init", ["--init"]),
         ok("--ipc none --tmpfs /dev/shm", ["--ipc", "none", "--tmpfs", "/dev/shm"])]
    if pi:
        # The demos use no IPC namespace object, and end before a second run could join.
        c += [
            Case("--ipc container:OTHER (a run beside a long one in its IPC namespace, "
                 "which is then stopped)",
                 ["--ipc", "container:{other}"], [], 0, good, how="pair"),
            Case("--pids-limit 4, 10 workers", ["--pids-limit", "4"], ["-w", "10"], 1, "",
                 "fork: EAGAIN (Resource temporarily unavailable): process limit reached "
                 "(a cgroup's pids.max"),
            ok("--pids-limit 11, 10 workers (just enough)", ["--pids-limit", "11"],
               ["-w", "10"]),
            Case("stop of a long run (the program is PID 1)", [], LONG, 143, "",
                 "stopped by SIGTERM; workers stopped, objects removed", how="stop",
                 limit_ms=1000),
            Case("kill -s INT through the engine", [], LONG, 130, "", "stopped by SIGINT",
                 how="kill:INT"),
            Case("kill -s HUP through the engine", [], LONG, 129, "", "stopped by SIGHUP",
                 how="kill:HUP"),
            Case("kill -s KILL through the engine", [], LONG, 137, "", "", how="kill:KILL"),
        ]
    if program == "pi-process-vm":
        # Docker's built-in seccomp profile (20.10) allows process_vm_readv only with
        # CAP_SYS_PTRACE; containers-common's (Podman's, and the one given explicitly
        # here) allows it. Measured: refused, the run ends in one line.
        refused = (1, "", "process_vm_readv: EPERM (Operation not permitted): reading a "
                          "worker's memory is refused here")
        for case in c:
            explicit = "--security-opt" in case.opts
            if case.status == 0 and case.how in ("run", "pair") and not explicit:
                case.on["docker"] = refused
        c.append(ok("--cap-add SYS_PTRACE (what Docker's profile asks for process_vm_readv)",
                    ["--cap-add", "SYS_PTRACE"]))
    if program == "pi-shm-sem":
        c += [
            Case("--shm-size 4096 (one page; two needed)", ["--shm-size", "4096"], [], 1, "",
                 "fallocate: ENOSPC (No space left on device): /dev/shm is full "
                 "(a container's --shm-size)"),
            ok("--shm-size 8192 (just enough)", ["--shm-size", "8192"]),
        ]
    return c


# The cases in the matrix's order (pi-shm-sem has them all), for the log.
ORDER = []


def wait_running(engine, name):
    """Waits (at most 10 s) until container `name` runs."""
    for _ in range(200):
        if engine("inspect", "-f", "{{.State.Running}}", name).stdout.strip() == "true":
            return
        time.sleep(0.05)


def detached(engine, image, program, case, name):
    r = engine("run", "-d", "--name", name, *engine.opts(case.opts), image, program,
               *case.args)
    if r.returncode != 0:
        # Podman 4.3 can report "cannot start a container that has stopped" (exit 126)
        # for a container that ran and ended before its `run -d` finished, and "cannot
        # start an already running container" for one that runs (seen under
        # --pids-limit 4): the container exists and has started, and `wait` and `logs`
        # tell how. Anything else is an error.
        state = engine("inspect", "-f", "{{.State.Status}}", name).stdout.strip()
        if state not in ("exited", "stopped", "running"):
            engine("rm", "-f", name)
            raise RuntimeError(f"run -d: exit {r.returncode} (state {state or 'gone'!r}): "
                               f"{r.stderr.strip()}")


def finish(engine, name, since=None):
    """Waits for container `name`; returns (status, stdout, stderr) and removes it. With
    `since` (a time.time()), also the milliseconds from then to the container's end as
    the engine recorded it (State.FinishedAt), which leaves out the client's own latency."""
    status = int(engine("wait", name, timeout=120).stdout.strip().splitlines()[-1])
    logs = engine("logs", name)
    ms = None
    if since is not None:
        end = engine("inspect", "-f", "{{.State.FinishedAt}}", name).stdout.strip()
        ms = int((finished_at(end) - since) * 1000)
    engine("rm", "-f", name)
    if since is not None:
        return status, logs.stdout, logs.stderr, ms
    return status, logs.stdout, logs.stderr


def finished_at(text):
    """Seconds since the epoch of an engine's timestamp (RFC 3339 with nanoseconds, as
    Docker prints it, or Go's default format, as Podman 4.3 does)."""
    import datetime
    m = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d:?\d\d)?",
                 text)
    if not m:
        raise ValueError(f"unreadable FinishedAt: {text!r}")
    day, clock, frac, zone = m.groups()
    t = datetime.datetime.fromisoformat(f"{day}T{clock}+00:00").timestamp()
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hh, mm = int(zone[1:3]), int(zone[-2:])
        t -= sign * (hh * 3600 + mm * 60)
    return t + (int((frac or "0")[:9].ljust(9, "0")) / 1e9)


def run_case(engine, image, program, case, serial):
    name = f"bareipc-{engine.name}-{serial}"
    t0 = time.monotonic()
    # Detached, then `wait` and `logs`: `run --rm` attached can lose the output of a
    # container that ends at once (an engine race; seen with Podman 4.3 here).
    if case.how == "run":
        detached(engine, image, program, case, name)
        status, out, err = finish(engine, name)
        return status, out, err, int((time.monotonic() - t0) * 1000)
    if case.how == "pair":
        # A long run in a shareable IPC namespace; this case's run joins it while the long
        # one computes; then the long one is stopped, and must say so as usual.
        other = name + "-a"
        detached(engine, image, program, Case("", ["--ipc", "shareable"], LONG), other)
        wait_running(engine, other)
        case = Case(case.name, [o.replace("{other}", other) for o in case.opts], case.args)
        detached(engine, image, program, case, name)
        status, out, err = finish(engine, name)
        engine("stop", "-t", "10", other, timeout=60)
        s1, _, e1 = finish(engine, other)
        if s1 != 143 or "stopped by SIGTERM" not in e1 or len(e1.strip().splitlines()) != 1:
            err += f"\n(the long run it joined ended with {s1}: {e1.strip()!r})"
        return status, out, err, int((time.monotonic() - t0) * 1000)
    # A long run, then `stop` or `kill -s SIG` once its workers compute.
    detached(engine, image, program, case, name)
    wait_running(engine, name)
    time.sleep(0.5)
    since = time.time()
    if case.how == "stop":
        engine("stop", "-t", "10", name, timeout=60)
    else:
        engine("kill", "-s", case.how.split(":")[1], name, timeout=60)
    return finish(engine, name, since)


# What the engine's own Go runtime prints when it cannot start a thread inside the
# container's pids cgroup before the program runs (runc's init, under --pids-limit 4): a
# failure of the engine, not of the program, seen once in many runs — in the container's
# stderr, or (Docker: "cannot start a stopped process", the container never ran) from
# `run -d`. Such a case is run once more, and says so in its log line.
ENGINE_FLAKES = ("runtime/cgo: pthread_create failed", "runtime: failed to create new OS thread",
                 "cannot start a stopped process",
                 # Podman's `run -d` under --pids-limit 4, its container then in neither
                 # state that `detached` accepts (seen once in a fresh clone's make test):
                 # runc's `start` raced the engine's own.
                 "cannot start an already running container",
                 # The same under --pids-limit 4 with the container left 'initialized':
                 # runc's init never ran the program (seen once in a fresh clone's test).
                 "cannot start a container that has stopped")


def run_case_once_more_if_the_engine_failed(engine, image, program, case, serial):
    try:
        status, out, err, ms = run_case(engine, image, program, case, serial)
    except RuntimeError as e:
        if not any(f in str(e) for f in ENGINE_FLAKES):
            raise
        status, out, err, ms = -1, "", str(e), 0
    if any(f in err for f in ENGINE_FLAKES):
        print(f"engine-test: {engine.name} / {program} / {case.name}: the engine failed "
              f"({err.strip().splitlines()[0]}); once more", flush=True)
        status, out, err, ms = run_case(engine, image, program, case, f"{serial}-again")
    return status, out, err, ms


def check(case, status, out, err, ms):
    wrong = []
    if status != case.status:
        wrong.append(f"status {status} (want {case.status})")
    if case.out is not None and out != case.out:
        wrong.append(f"stdout {out!r} (want {case.out!r})")
    err = err.strip()
    if case.err:
        if case.err not in err or len(err.splitlines()) != 1:
            wrong.append(f"stderr {err!r} (want one line with {case.err!r})")
    elif err:
        wrong.append(f"stderr {err!r} (want none)")
    if case.limit_ms and ms > case.limit_ms:
        wrong.append(f"took {ms} ms (want under {case.limit_ms})")
    return wrong


def seccomp_facts():
    """What the seccomp profile says of each call bareipc makes, and of clone3."""
    calls = set()
    for line in open(os.path.join(ROOT, "tests", "syscall-profiles.txt")):
        if ":" in line and not line.startswith("#"):
            calls.update(re.findall(r"([a-z_0-9]+) (?:\d|W|\*)", line.split(":", 1)[1]))
    calls |= {"clone3", "fork", "getppid", "prlimit64", "getuid", "msgctl"}
    calls -= {"execve"}
    profile = json.load(open(SECCOMP))
    verdict = {}
    for rule in profile["syscalls"]:
        plain = not rule.get("args") and not rule.get("includes") and not rule.get("excludes")
        for n in rule["names"]:
            if n in calls and (plain or n not in verdict):
                if rule["action"] == "SCMP_ACT_ALLOW":
                    verdict[n] = "allowed" if plain else "allowed with conditions"
                elif rule["action"] == "SCMP_ACT_ERRNO":
                    verdict[n] = f"refused: errno {rule.get('errnoRet', 'EPERM')}"
    default = profile["defaultAction"]
    refused = sorted(n for n in calls if n not in verdict)
    allowed = sorted(n for n, v in verdict.items() if v == "allowed")
    lines = [f"- Profile: `{SECCOMP}` (containers-common, derived from Docker's); default "
             f"action `{default}`.",
             f"- Allowed without condition: {', '.join(f'`{n}`' for n in allowed)}."]
    for n in sorted(verdict):
        if verdict[n] != "allowed":
            lines.append(f"- `{n}`: {verdict[n]}.")
    if refused:
        lines.append(f"- Falling to the default action: {', '.join(refused)}.")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="podman,docker")
    ap.add_argument("--programs", default=",".join(programs()))
    ap.add_argument("--log")
    ap.add_argument("--jobs", type=int, default=4)
    a = ap.parse_args()
    progs = a.programs.split(",")
    for name in (c.name for p in ("pi-shm-sem", "pi-process-vm") for c in cases_for(p)):
        if name not in ORDER:
            ORDER.append(name)
    for p in progs:
        if not os.path.exists(os.path.join(BIN, p)):
            raise SystemExit(f"engine-test: bin/{p} is missing: run make all")
    tmp = tempfile.mkdtemp(prefix="bareipc-engines-")
    dockerd = None
    stopping = []

    def on_signal(sig, _frame):
        stopping.append(sig)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    rows, failures, facts, skipped = [], [], [], []
    try:
        engines = []
        for name in a.engines.split(","):
            try:
                if name == "docker":
                    engine, dockerd = start_docker(tmp)
                else:
                    engine = start_podman(tmp)
                engines.append(engine)
            except (RuntimeError, OSError) as e:
                skipped.append(f"{name}: {e}")
        if not engines:
            print("engine-test: no engine can run here: " + "; ".join(skipped))
            if os.environ.get("BAREIPC_SKIP_LOG"):
                with open(os.environ["BAREIPC_SKIP_LOG"], "a") as log:
                    for s in skipped:
                        log.write(f"skip\tcontainer test under an engine\tengine {s}\n")
            return 77
        for engine in engines:
            t = time.monotonic()
            image = build(engine, tmp, progs)
            # A container created, never started: its /dev/shm size is in its config.
            shm = engine("create", "--name", f"bareipc-{engine.name}-inspect",
                         *engine.run_opts, image, progs[0], check=True)
            cid = shm.stdout.strip().splitlines()[-1]
            size = engine("inspect", "-f", "{{.HostConfig.ShmSize}}", cid).stdout.strip()
            engine("rm", "-f", cid)
            facts.append(f"- {engine.name} "
                         f"{engine('version', '--format', '{{.Client.Version}}').stdout.strip()}"
                         f": `/dev/shm` is a tmpfs of {int(size) // 1024} KiB "
                         f"(`HostConfig.ShmSize` {size}).")
            work = [(p, c) for p in progs for c in cases_for(p)]
            # Rootless Podman without a delegated pids controller cannot apply
            # --pids-limit (it says so and runs without it): those cases are skipped.
            if engine.name == "podman":
                ctl = engine("info", "--format", "{{.Host.CgroupControllers}}").stdout
                if "pids" not in ctl:
                    n = len(work)
                    work = [(p, c) for p, c in work if "--pids-limit" not in c.opts]
                    skipped.append(f"podman: {n - len(work)} --pids-limit cases: no pids cgroup "
                                   f"controller for this user (controllers: {ctl.strip()})")
            with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
                futures = {pool.submit(run_case_once_more_if_the_engine_failed, engine,
                                       image, p, c, i): (p, c)
                           for i, (p, c) in enumerate(work)}
                for f in concurrent.futures.as_completed(futures):
                    p, c = futures[f]
                    try:
                        status, out, err, ms = f.result()
                        wrong = check(c.expected(engine.name), status, out, err, ms)
                    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
                        status, out, err, ms, wrong = -1, "", str(e), 0, [str(e)]
                    line = err.strip().splitlines()[0] if err.strip() else ""
                    rows.append((ORDER.index(c.name), p, engine.name, c.name, status, line, ms))
                    if wrong:
                        failures.append(f"{engine.name} / {p} / {c.name}: {'; '.join(wrong)}")
            engine("rmi", "-f", image)
            print(f"engine-test: {engine.name}: {len(work)} cases in "
                  f"{time.monotonic() - t:.0f} s", flush=True)
    except KeyboardInterrupt:
        failures.append(f"interrupted by signal {stopping[0] if stopping else 'SIGINT'}")
    finally:
        if dockerd is not None:
            stop_docker(dockerd)
        end_rootless_pause(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    facts += seccomp_facts()
    if a.log:
        os.makedirs(a.log, exist_ok=True)
        with open(os.path.join(a.log, "containers.tsv"), "w") as f:
            for r in sorted(rows):
                f.write("\t".join(str(x) for x in r[1:]) + "\n")
        with open(os.path.join(a.log, "container-facts.md"), "w") as f:
            f.write("\n".join(facts) + "\n")
    for s in skipped:
        print(f"engine-test: SKIP {s}")
        if os.environ.get("BAREIPC_SKIP_LOG"):
            with open(os.environ["BAREIPC_SKIP_LOG"], "a") as log:
                log.write(f"skip\tcontainer test under an engine\tengine {s}\n")
    for f in failures:
        print(f"engine-test: FAIL {f}")
    print(f"engine-test: {len(rows)} cases, {len(failures)} failed, "
          f"{time.monotonic() - started:.0f} s")
    if skipped and os.environ.get("CI") == "true":
        print("engine-test: a skipped engine is a failure under CI=true")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
