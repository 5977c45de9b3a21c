#!/usr/bin/env python3
"""reach.py [--engines podman,docker] [--no-engines] [--out FILE] [--check FILE]: which
mechanism crosses which boundary, measured — the reach matrix (results/reach.tsv).

For each of the seventeen mechanisms and each boundary, one message is sent from one
side to the other and looked for on the far side: `works` if it got through, `refused`
(with the error) if not, `n/a` where the mechanism has nothing the other side could name.
The named mechanisms are probed with the bareipc tool on both sides (bin/bareipc: the
objects made as the programs make them, mode 0600); the anonymous ones (a pipe, a socket
pair, an eventfd, a futex, a memfd, a file with no name, another process's memory) by a
run of their program (fork) and by a look at a running program's /proc/PID/fd from the
other side (which the programs close: they are undumpable).

Boundaries, in the order of the table:
  fork           a forked child (the program itself: `pi-X -w 2`)
  same-uid       an unrelated process, same uid and namespaces
  other-uid      an unrelated process of another uid (nobody)
  other-ipc-ns   another IPC namespace (unshare --ipc)
  other-net-ns   another network namespace, loopback up (unshare --net)
  shared-dir     another mount namespace sharing one directory (its own /dev/shm)
  podman-pod, ipc-container, ipc-private, net-container, pid-container, volume:
                 two containers of the image (scripts/engine-test.py's), under Podman and
                 Docker: one pod; --ipc container:A; default IPC; --network container:A;
                 --pid container:A; one volume mounted in both

The namespace cells run in the tests' sandbox (scripts/sandbox.sh); the engine cells
where an engine runs (as scripts/engine-test.py starts them). --out writes the table
(tab-separated: mechanism, boundary, outcome, how); --check compares the cells measured
here with a committed table and exits 1 naming each that differs. Exit 0 otherwise.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from programs import programs  # noqa: E402

TOOL = os.path.join(ROOT, "bin", "bareipc")
NAMESPACE_BOUNDARIES = ["fork", "same-uid", "other-uid", "other-ipc-ns", "other-net-ns",
                        "shared-dir"]
ENGINE_BOUNDARIES = ["podman-pod", "ipc-container", "ipc-private", "net-container",
                     "pid-container", "volume"]
BOUNDARIES = NAMESPACE_BOUNDARIES + ENGINE_BOUNDARIES
HEADER = "mechanism\tboundary\toutcome\thow"

# The named mechanisms' probes, as shell lines with $T (the tool) and $W (a directory
# both sides see): `setup` makes the object (side A), `listen` waits for the message in
# the background (A) and prints it, `ready` is true once it waits, `send` is side B's,
# `take` takes the message afterwards (A) where nothing listens. The message is "reach".
PROBES = {
    "posix-mq": dict(setup="$T mq create /reach-mq", send="$T mq send /reach-mq reach --timeout 1",
                     take="$T mq recv /reach-mq --timeout 1", want="0\treach"),
    "sysv-msg": dict(setup="$T msg create 0x7eac0001 >/dev/null",
                     send="$T msg send 0x7eac0001 1 reach --nowait",
                     take="$T msg recv 0x7eac0001 --nowait", want="1\treach"),
    "shm-sem": dict(setup="$T shm create /reach-shm --size 8",
                    send="$T shm write /reach-shm reach",
                    take="$T shm read /reach-shm --raw --length 5", want="reach"),
    "sysv-shm-sem": dict(setup="$T sysv-shm create 0x7eac0002 --size 8 >/dev/null",
                         send="$T sysv-shm write 0x7eac0002 reach",
                         take="$T sysv-shm read 0x7eac0002 --raw --length 5", want="reach"),
    "fifo": dict(setup="$T fifo create $W/fifo", listen="exec $T fifo read $W/fifo --timeout 2",
                 ready="ls -l /proc/$A/fd 2>/dev/null | grep -q fifo",
                 send="$T fifo write $W/fifo reach --timeout 1",
                 want="reach"),
    "unix": dict(listen="exec $T unix listen $W/sock --seqpacket --timeout 2", ready="grep \" $W/sock$\" /proc/net/unix | grep -q ' 00010000 '",
                 send="$T unix send $W/sock reach --seqpacket --timeout 1", want="reach"),
    "unix-dgram": dict(listen="exec $T unix listen @reach --dgram --timeout 2",
                       ready="grep -q ' @reach$' /proc/net/unix",
                       send="$T unix send @reach reach --dgram --timeout 1", want="reach"),
    "tcp": dict(listen="exec $T tcp listen 47001 --timeout 2", ready="grep -q ':B799 00000000:0000 0A' /proc/net/tcp",
                send="$T tcp send 47001 reach --timeout 1", want="reach"),
    "udp": dict(listen="exec $T udp listen 47002 --timeout 1", ready="grep -q ':B79A ' /proc/net/udp",
                send="$T udp send 47002 reach", want="reach"),
    "signal": dict(listen='trap "" 40; exec $T signal wait 40 --timeout 2',
                   ready="grep -q sigtimedwait /proc/$A/wchan",
                   send="$T signal send $A 40 7", want="\t7"),
}

# Side B's prefix for each namespace boundary (run inside the sandbox).
NOBODY = "setpriv --reuid=65534 --regid=65534 --clear-groups --"
PREFIX = {
    "same-uid": NOBODY,
    "other-uid": NOBODY,
    "other-ipc-ns": "unshare --ipc --",
    "other-net-ns": "unshare --net -- sh -c 'ip link set lo up && exec \"$@\"' sh",
    "shared-dir": "unshare --mount --propagation private -- "
                  "sh -c 'mount -t tmpfs -o mode=1777 none /dev/shm && exec \"$@\"' sh",
}


def mechanism(program):
    return program[len("pi-"):]


def sandbox(script, timeout=30):
    """Runs a bash script in the tests' sandbox: (status, stdout, stderr)."""
    r = subprocess.run([os.path.join(HERE, "sandbox.sh"), "bash", "-c", script],
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def cell_script(probe, prefix, a_as=""):
    """The shell lines of one cell: A's setup and listener (run under `a_as`), B's send
    under `prefix`, A's take; prints `B STATUS`, `E` and B's first stderr line, then what
    A got."""
    p = dict(probe)
    listen = "listen" in p
    return f"""
T={TOOL}; W=$(mktemp -d -p /tmp bareipc-reach-XXXXXX); chmod 1777 $W; cd $W; trap 'cd /; rm -rf $W' EXIT
export T W
{a_as} sh -c '{p.get('setup', 'true')}'
A=
if {'true' if listen else 'false'}; then
    {a_as} sh -c '{p.get('listen', 'true')}' >$W/got 2>$W/aerr & A=$!
    for i in $(seq 200); do {p.get('ready', 'true')} && break; sleep 0.01; done
fi
export A
{prefix} sh -c '{p['send']}' 2>$W/berr; b=$?
if [ -n "$A" ]; then wait $A; else {a_as} sh -c '{p.get('take', 'true')}' >$W/got 2>$W/aerr; fi
printf 'B %s\\n' $b; printf 'E %s\\n' "$(head -n 1 $W/berr)"; cat $W/got
"""


def errno_of(line):
    """`bareipc: CALL: ENAME (…)…` → `CALL: ENAME`."""
    parts = line.split(": ")
    return f"{parts[1]}: {parts[2].split(' ')[0]}" if len(parts) > 2 else line.strip()


def measure_namespaces(progs, root):
    cells = {}
    for program in progs:
        m = mechanism(program)
        # fork: the program itself.
        r = subprocess.run([os.path.join(ROOT, "bin", program), "-w", "2", "-n", "1000"],
                           capture_output=True, text=True, timeout=30)
        cells[(m, "fork")] = (("works", "a forked worker inherits it") if r.returncode == 0
                              else ("refused", r.stderr.strip()))
        for b in NAMESPACE_BOUNDARIES[1:]:
            if b == "other-uid" and not root:
                continue
            if m not in PROBES:
                cells[(m, b)] = anonymous(program, b)
                continue
            # Same uid: both sides without privileges (root passes every permission check).
            a_as = NOBODY if b == "same-uid" else ""
            status, out, err = sandbox(cell_script(PROBES[m], PREFIX[b], a_as))
            lines = out.split("\n")
            try:
                b_status = int(lines[0].split()[1])
            except (IndexError, ValueError):
                cells[(m, b)] = ("refused", f"the probe failed: {err.strip() or out.strip()}")
                continue
            b_err, got = lines[1][2:], "\n".join(lines[2:])
            want = PROBES[m]["want"]
            if b_status == 0 and want in got:
                cells[(m, b)] = ("works", HOW_WORKS.get((m, b), HOW_WORKS.get(b, "")))
            elif b_status != 0:
                cells[(m, b)] = ("refused", errno_of(b_err))
            else:
                cells[(m, b)] = ("refused", "sent, never received (another namespace's endpoint)")
    return cells


def anonymous(program, boundary):
    """An anonymous mechanism across a boundary other than fork: nothing to name. Where
    a process could reach it anyway (the same pid namespace), the look at a running
    program's /proc/PID/fd is measured."""
    if boundary not in ("same-uid", "other-uid"):
        return ("n/a", "no name: reached only by inheritance (fork) or by passing a descriptor")
    prefix = PREFIX[boundary]
    a_as = NOBODY if boundary == "same-uid" else ""
    script = f"""
{a_as} {ROOT}/bin/{program} -w 1 -n 1000000000000 >/dev/null 2>&1 & p=$!
sleep 0.2
{prefix} ls /proc/$p/fd >/dev/null 2>&1; s=$?
kill $p; wait $p 2>/dev/null
echo $s
"""
    _, out, _ = sandbox(script)
    lines = out.split("\n")
    if lines[0] == "0":
        return ("works", "through /proc/PID/fd")
    return ("refused", "no name; /proc/PID/fd: EACCES (the programs are undumpable)")


HOW_WORKS = {
    "same-uid": "by its name, key, path or port",
    "other-uid": "nothing checks the sender (the programs seal their results)",
    ("fifo", "other-uid"): "the FIFO's mode lets it",
    "other-ipc-ns": "not an IPC-namespace object",
    "other-net-ns": "not a network-namespace object",
    "shared-dir": "not in /dev/shm",
    ("fifo", "shared-dir"): "a path in the shared directory",
    ("unix", "shared-dir"): "a path in the shared directory",
    ("unix", "other-net-ns"): "a socket bound to a path is found through the file system",
}


# The named probes in a container: the tool's arguments. D: the directory a FIFO or a
# socket file is made in — the image's TMPDIR (/dev/shm), or the volume (/shared).
def engine_probe(m, d):
    return {
        "posix-mq": dict(setup=["mq", "create", "/reach-mq"],
                         send=["mq", "send", "/reach-mq", "reach", "--timeout", "1"],
                         take=["mq", "recv", "/reach-mq", "--timeout", "1"], want="0\treach"),
        "sysv-msg": dict(setup=["msg", "create", "0x7eac0001"],
                         send=["msg", "send", "0x7eac0001", "1", "reach", "--nowait"],
                         take=["msg", "recv", "0x7eac0001", "--nowait"], want="1\treach"),
        "shm-sem": dict(setup=["shm", "create", "/reach-shm", "--size", "8"],
                        send=["shm", "write", "/reach-shm", "reach"],
                        take=["shm", "read", "/reach-shm", "--raw", "--length", "5"], want="reach"),
        "sysv-shm-sem": dict(setup=["sysv-shm", "create", "0x7eac0002", "--size", "8"],
                             send=["sysv-shm", "write", "0x7eac0002", "reach"],
                             take=["sysv-shm", "read", "0x7eac0002", "--raw", "--length", "5"],
                             want="reach"),
        "fifo": dict(setup=["fifo", "create", f"{d}/fifo"],
                     listen=["fifo", "read", f"{d}/fifo", "--timeout", "3"],
                     send=["fifo", "write", f"{d}/fifo", "reach", "--timeout", "1"], want="reach"),
        "unix": dict(listen=["unix", "listen", f"{d}/sock", "--seqpacket", "--timeout", "3"],
                     send=["unix", "send", f"{d}/sock", "reach", "--seqpacket", "--timeout", "1"],
                     want="reach"),
        "unix-dgram": dict(listen=["unix", "listen", "@reach", "--dgram", "--timeout", "3"],
                           send=["unix", "send", "@reach", "reach", "--dgram", "--timeout", "1"],
                           want="reach"),
        "tcp": dict(listen=["tcp", "listen", "47001", "--timeout", "3"],
                    send=["tcp", "send", "47001", "reach", "--timeout", "1"], want="reach"),
        "udp": dict(listen=["udp", "listen", "47002", "--timeout", "2"],
                    send=["udp", "send", "47002", "reach"], want="reach"),
    }.get(m)


# Each engine boundary: container A's options, B's, and what is made first (a pod, a
# volume), as the engine's words.
def engine_setup(engine, boundary):
    a, b, made = [], [], []
    if boundary == "podman-pod":
        engine("pod", "create", "--name", "reach-pod", check=True)
        a = b = ["--pod", "reach-pod"]
        made = ["pod", "rm", "-f", "reach-pod"]
    elif boundary == "ipc-container":
        a, b = ["--ipc", "shareable"], ["--ipc", "container:reach-a"]
    elif boundary == "ipc-private":
        a, b = ["--ipc", "private"], ["--ipc", "private"]
    elif boundary == "net-container":
        b = ["--network", "container:reach-a"]
    elif boundary == "pid-container":
        b = ["--pid", "container:reach-a"]
    elif boundary == "volume":
        engine("volume", "create", "reach-vol", check=True)
        a = b = ["-v", "reach-vol:/shared"]
        made = ["volume", "rm", "-f", "reach-vol"]
    return a, b, made


def engine_cells(engine, image, progs):
    """The engine boundaries' cells for `progs`, under `engine`: {(m, b): (outcome, how)}."""
    cells = {}
    for boundary in ENGINE_BOUNDARIES:
        if boundary == "podman-pod" and engine.name != "podman":
            continue
        a_opts, b_opts, made = engine_setup(engine, boundary)
        d = "/shared" if boundary == "volume" else "/dev/shm"
        # A: its main process waits for signal 40 (the signal probe's, sent last).
        engine("run", "-d", "--name", "reach-a", *engine.opts(a_opts), image,
               "bareipc", "signal", "wait", "40", "--timeout", "120", check=True)
        try:
            for program in progs:
                m = mechanism(program)
                probe = engine_probe(m, d)
                if m == "signal":
                    continue
                if probe is None:
                    cells[(m, boundary)] = ("n/a", "no name: reached only by inheritance (fork) "
                                                   "or by passing a descriptor")
                    continue
                cells[(m, boundary)] = engine_probe_cell(engine, image, probe, b_opts)
            if "pi-signal" in progs:
                cells[("signal", boundary)] = engine_signal_cell(engine, image, b_opts)
        finally:
            engine("rm", "-f", "reach-a")
            if made:
                engine(*made)
    return cells


def engine_probe_cell(engine, image, probe, b_opts):
    def tool(*args, timeout=30):
        return engine("exec", "reach-a", "bareipc", *args, timeout=timeout)
    if "setup" in probe:
        tool(*probe["setup"])
    listener = None
    if "listen" in probe:
        listener = subprocess.Popen(engine.cli + ["exec", "reach-a", "bareipc", *probe["listen"]],
                                    env=engine.env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        time.sleep(0.6)
    for _ in range(4):
        sent = engine("run", "--rm", *engine.opts(b_opts), image, "bareipc", *probe["send"])
        time.sleep(0.3)
        # A listener still waiting may not have been listening yet (`exec` is slow to
        # start): a refused send, or a datagram lost, is tried again.
        if listener is None or listener.poll() is not None:
            break
        time.sleep(0.5)
    if listener is not None:
        got, _ = listener.communicate(timeout=30)
    else:
        got = tool(*probe["take"]).stdout
    err = sent.stderr.strip().splitlines()[-1] if sent.stderr.strip() else ""
    if sent.returncode == 0 and probe["want"] in got:
        return ("works", "")
    if sent.returncode != 0:
        return ("refused", errno_of(err))
    return ("refused", "sent, never received (another namespace's endpoint)")


def engine_signal_cell(engine, image, b_opts):
    """Signal 40 with a value to pid 1 of B's pid namespace: A's main process, where B
    shares A's pid namespace; B itself (refused by the tool) where it does not."""
    sent = engine("run", "--rm", *engine.opts(b_opts), image, "bareipc", "signal", "send", "1",
                  "40", "7")
    engine("wait", "reach-a", timeout=10) if sent.returncode == 0 else None
    logs = engine("logs", "reach-a").stdout
    err = sent.stderr.strip().splitlines()[-1] if sent.stderr.strip() else ""
    if sent.returncode == 0 and "\t7" in logs:
        return ("works", "")
    if "own pid" in err:
        return ("refused", "another pid namespace: pid 1 there is the sender itself")
    return ("refused", errno_of(err))


def measure_engines(names, progs):
    """The engine cells under each engine of `names` that runs here; the engines that
    could not, with why."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("engine_test", os.path.join(HERE, "engine-test.py"))
    et = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(et)
    tmp = tempfile.mkdtemp(prefix="bareipc-reach-")
    by_engine, skipped = {}, []
    try:
        for name in names:
            dockerd = None
            try:
                if name == "docker":
                    engine, dockerd = et.start_docker(tmp)
                else:
                    engine = et.start_podman(tmp)
            except (RuntimeError, OSError) as e:
                skipped.append(f"{name}: {e}")
                continue
            try:
                image = et.build(engine, tmp, ["bareipc"])
                by_engine[name] = engine_cells(engine, image, progs)
                engine("rmi", "-f", image)
            finally:
                if dockerd is not None:
                    et.stop_docker(dockerd)
    finally:
        et.end_rootless_pause(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    return by_engine, skipped


def merge(by_engine):
    """One cell per (mechanism, boundary): the engines' outcome where they agree (how:
    the flag), else Podman's and what Docker did."""
    cells = {}
    keys = {k for e in by_engine.values() for k in e}
    for k in keys:
        seen = {name: c[k] for name, c in by_engine.items() if k in c}
        outcomes = {o for o, _ in seen.values()}
        first = seen.get("podman") or next(iter(seen.values()))
        how = FLAG[k[1]] if first[0] == "works" else first[1]
        if len(outcomes) > 1:
            how += "; " + ", ".join(f"{n}: {o} ({h or FLAG[k[1]]})" for n, (o, h) in seen.items())
        cells[k] = (first[0], how)
    return cells


FLAG = {
    "podman-pod": "podman pod create; --pod POD on both (a pod shares IPC, network and UTS)",
    "ipc-container": "--ipc shareable on A, --ipc container:A on B (its IPC namespace and /dev/shm)",
    "ipc-private": "nothing: each container its own IPC namespace and /dev/shm",
    "net-container": "--network container:A on B (A's network namespace, loopback included)",
    "pid-container": "--pid container:A on B (A's pid namespace: pid 1 is A's)",
    "volume": "-v VOLUME:/shared on both (one directory; the rest of each file system its own)",
}


def write(cells, path):
    order = {b: i for i, b in enumerate(BOUNDARIES)}
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for (m, b), (outcome, how) in sorted(cells.items(),
                                             key=lambda c: (PROGRAM_ORDER.index(c[0][0]),
                                                            order[c[0][1]])):
            f.write(f"{m}\t{b}\t{outcome}\t{how}\n")


PROGRAM_ORDER = [mechanism(p) for p in programs("pi")]


def read(path):
    cells = {}
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0] != HEADER:
        raise SystemExit(f"reach: {path}: the header is not {HEADER!r}")
    for line in lines[1:]:
        m, b, outcome, how = line.split("\t")
        cells[(m, b)] = (outcome, how)
    return cells


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--out")
    a.add_argument("--check")
    a.add_argument("--programs", default="")
    a.add_argument("--no-engines", action="store_true")
    a.add_argument("--engines", default="podman,docker")
    args = a.parse_args()
    progs = [p for p in programs("pi") if not args.programs or p in args.programs.split(",")]
    if not os.path.exists(TOOL):
        raise SystemExit("reach: bin/bareipc is missing: run make all")
    probe = subprocess.run([os.path.join(HERE, "sandbox.sh"), "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"reach: SKIP the namespace cells: {probe.stderr.strip()}")
        return 77
    root = os.geteuid() == 0
    before = {f for f in os.listdir("/tmp") if f.startswith("bareipc-reach-")}
    cells = measure_namespaces(progs, root)
    # Each cell's directory goes with it: one left is a failure of this script.
    left = {f for f in os.listdir("/tmp") if f.startswith("bareipc-reach-")} - before
    if left:
        print(f"reach: FAIL left in /tmp: {', '.join(sorted(left))}")
        return 1
    skipped = []
    if not args.no_engines:
        by_engine, skipped = measure_engines(args.engines.split(","), progs)
        cells.update(merge(by_engine))
    if not root:
        skipped.append("other-uid cells: not root (another uid needs root)")
    for s in skipped:
        print(f"reach: SKIP {s}")
        if os.environ.get("BAREIPC_SKIP_LOG"):
            with open(os.environ["BAREIPC_SKIP_LOG"], "a") as log:
                log.write(f"skip\tthe reach matrix\t{s}\n")
    if args.out:
        write(cells, args.out)
    if args.check:
        want = read(args.check)
        wrong = [f"{m} / {b}: measured {cells[(m, b)][0]} ({cells[(m, b)][1]}), the table says "
                 f"{want.get((m, b), ('nothing',))[0]}"
                 for (m, b) in cells if want.get((m, b), (None,))[0] != cells[(m, b)][0]]
        for w in wrong:
            print(f"reach: DIFFERS {w}")
        print(f"reach: {len(cells)} cells measured, {len(wrong)} differ from {args.check}")
        if skipped and os.environ.get("CI") == "true":
            print("reach: a skip is a failure under CI=true")
            return 1
        return 1 if wrong else 0
    for (m, b), (outcome, how) in cells.items():
        print(f"{m}\t{b}\t{outcome}\t{how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
