#!/usr/bin/env python3
"""strace-profile.py [options] [PROGRAM...]: what each program asks of the kernel.

Runs every program under `strace -f` with W = 1, 2 and 10 workers and prints its syscall
profile: each syscall with its count, split into what the parent does and what one worker
does, and the syscalls per run as a formula of W (for example `pi-pipe: 3 + 7·W`). The
formula is fitted on W = 1 and 2 and must hold exactly at W = 10, and every worker must
make the same calls; anything else is reported as an error.

  --raw          the annotated trace of one small run (W = 2) instead of the profile
  --markdown     the profile as Markdown, one table per program (for the README)
  --summary      one Markdown row per program: formula, count at W = 10 against the C
                 twin's, distinct syscalls, binary size (builds the C twins in bench/c)
  --check FILE   compare the profiles with the pinned ones in FILE; exit 1 on any
                 difference (the test suite's syscall pin)
  -n N           terms of the series (default: the programs' own default)

Programs run in a fresh IPC namespace (`unshare --ipc`) where that is permitted, so that
System V queues other software left on the host do not change pi-sysv-msg's count.

What is counted: one entry per syscall the program makes. Two artefacts of tracing are
folded away: a blocking call interrupted by a signal stop (strace makes SIGCHLD stop the
tracee; without a tracer an ignored signal interrupts nothing) and restarted by the
kernel counts once. `futex` is the one call whose count depends on timing (a worker of
pi-shm-sem waits only when another holds the semaphore; pi-futex's parent waits once, or
again after a worker's addition raced its wait, or not at all), so it is reported as `*`.

Exit status: 0 done, 1 a profile broke a rule or differs from FILE, 77 strace cannot
trace here (no ptrace permission), 2 bad usage.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The binaries: bin/ (made by `make all`) or $BAREIPC_BIN_DIR, as for the tests.
BIN = os.environ.get("BAREIPC_BIN_DIR", "bin")
from programs import programs  # noqa: E402 (scripts/programs.py: the one list)
import manifest  # noqa: E402 (scripts/manifest.py: each program's facts)

PI_PROGRAMS = programs("pi")
DEMOS = programs("demos")
WORKER_COUNTS = (1, 2, 10)
# Calls whose count depends on timing, not on the program, by program (each program's
# manifest: timing_worker, timing_parent): reported as `*`. pi-futex's parent sleeps on
# a futex (and its workers make exactly one futex call between them in every run: the
# one FUTEX_WAKE); pi-tcp's polls, then reads a connection it has accepted, whose bytes
# may not be there yet (EAGAIN, one more poll and read).
MANIFESTS = manifest.all_manifests()
TIMING = {p: set(m["timing_worker"]) for p, m in MANIFESTS.items() if m["timing_worker"]}
PARENT_TIMING = {p: set(m["timing_parent"]) for p, m in MANIFESTS.items() if m["timing_parent"]}
# strace's results for a call interrupted by a signal stop and restarted by the kernel.
RESTARTED = ("? ERESTARTSYS", "? ERESTARTNOINTR", "? ERESTARTNOHAND", "? ERESTART_RESTARTBLOCK")

# Why each call is there: (program or "*", role or "*", syscall) -> text. Roles: parent,
# worker, process (the single-process demos).
WHY = [
    ("*", "*", "execve", "the shell starts the program (strace's first line)"),
    ("*", "*", "exit_group", "the end: releases every descriptor and mapping at once"),
    ("*", "parent", "fork", "start one worker"),
    ("*", "parent", "wait4", "reap one worker, in the order they end: wait4(-1, …)"),
    ("*", "parent", "write", "the result line to stdout"),
    ("*", "parent", "getrandom", "the run's key: 128 random bits, known to its workers only by fork, that seal their results"),
    ("*", "parent", "prlimit64", "RLIMIT_STACK: under 64 KiB a run would die of SIGSEGV, so it says so in one line"),
    ("*", "parent", "prctl", "PR_SET_DUMPABLE 0: other processes of the user cannot ptrace the run, read its key or reopen its descriptors"),
    ("*", "parent", "getpid", "the pid: the lifeline's futex word, object names, the SysV key"),
    ("*", "parent", "mmap", "the lifeline page, shared with the workers"),
    ("*", "parent", "set_robust_list", "lifeline: the kernel marks it when the parent dies"),
    ("*", "parent", "rt_sigaction", "catch SIGHUP, SIGINT, SIGTERM, the tick (34); ignore SIGPIPE, SIGXFSZ; SIGCHLD default"),
    ("*", "parent", "rt_sigprocmask", "unblock the stop signals and the tick, whatever mask came"),
    ("*", "parent", "timer_create", "its own CLOCK_MONOTONIC timer and signal: alarm() stays the launcher's"),
    ("*", "parent", "timer_settime", "a 200 ms tick: no blocking call waits unwatched"),
    ("pipe-single", "process", "pipe2", "the pipe"),
    ("pipe-single", "process", "write", "the message into the pipe; then to stdout"),
    ("pipe-single", "process", "read", "the message back; then end of file (0)"),
    ("pipe-single", "process", "close", "both ends"),
    ("socketpair-single", "process", "socketpair", "the pair"),
    ("socketpair-single", "process", "write", "one message each way; then to stdout"),
    ("socketpair-single", "process", "read", "each message at the other end"),
    ("socketpair-single", "process", "close", "both ends"),
]


# Each pi program's own rows come from its manifest's [why] table.
WHY += [(p, *key.split(" "), text) for p, m in MANIFESTS.items() for key, text in m["why"].items()]


def why(program, role, name):
    """The most specific entry of WHY for this call: program first, then role."""
    found = [(2 * (p == program) + (r == role), text) for p, r, n, text in WHY
             if n == name and p in (program, "*") and r in (role, "*")]
    return max(found)[1] if found else ""


def strace_works():
    try:
        r = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "true"], capture_output=True)
    except FileNotFoundError:
        return "strace is not installed"
    if r.returncode != 0:
        return "strace cannot trace here: " + r.stderr.decode(errors="replace").strip()
    return None


LINE = re.compile(r"^(\d+) +(.*)$")
CALL = re.compile(r"^([a-z_0-9]+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. ([a-z_0-9]+) resumed>(.*)$")


class Call:
    def __init__(self, pid, name, text):
        self.pid, self.name, self.text, self.result = pid, name, text, None

    def finish(self, rest):
        self.text += rest
        m = re.search(r"\) += (.*)$", self.text)
        self.result = m.group(1) if m else "?"

    def restarted(self):
        return self.result is not None and self.result.startswith(RESTARTED)


def parse(path):
    """The calls of a trace in completion order, with signals: a list of Call or str."""
    events, pending = [], {}
    for raw in open(path, errors="replace"):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, rest = int(m.group(1)), m.group(2)
        if rest.startswith("---"):
            events.append((pid, rest))
            continue
        if rest.startswith("+++"):
            continue
        r = RESUMED.match(rest)
        if r:
            call = pending.pop(pid)
            call.finish(r.group(2))
            events.append(call)
            continue
        c = CALL.match(rest)
        if not c:
            continue
        if rest.endswith("<unfinished ...>"):
            pending[pid] = Call(pid, c.group(1), rest[: -len("<unfinished ...>")].rstrip())
            continue
        call = Call(pid, c.group(1), rest)
        call.finish("")
        events.append(call)
    for call in pending.values():  # exit_group never returns
        call.result = "?"
        events.append(call)
    return events


def roles(events):
    """pid -> role: the first pid is the parent, children are worker 0, 1, … in fork order."""
    calls = [e for e in events if isinstance(e, Call)]
    if not calls:
        raise SystemExit("empty trace")
    parent = calls[0].pid
    names = {parent: "parent"}
    for c in calls:
        if c.pid == parent and c.name in ("fork", "vfork", "clone", "clone3"):
            if c.result and c.result.split()[0].isdigit():
                names[int(c.result.split()[0])] = f"worker {len(names) - 1}"
    return parent, names


def counted(events):
    """The calls a run makes, with restarts after a tracer's signal stop folded away."""
    out, interrupted = [], set()
    for e in events:
        if not isinstance(e, Call):
            continue
        if e.name == "restart_syscall" and e.pid in interrupted:
            interrupted.discard(e.pid)
            continue
        if e.restarted():
            interrupted.add(e.pid)
            continue
        interrupted.discard(e.pid)
        out.append(e)
    return out


def private_ipc():
    """`unshare --ipc` where permitted: a fresh IPC namespace holds no System V queue, so
    pi-sysv-msg's search for queues of dead runs costs its minimum (one msgctl), whatever
    the host holds."""
    try:
        ok = subprocess.run(["unshare", "--ipc", "true"], capture_output=True).returncode == 0
    except FileNotFoundError:
        ok = False
    return ["unshare", "--ipc", "--"] if ok else []


PRIVATE_IPC = None


def default_signals():
    """In the traced program's process, before exec: the stop signals at their defaults.
    A program put back each disposition it inherited as ignored (one more rt_sigaction),
    and a background job of a non-interactive shell — `make readme &` — inherits SIGINT
    ignored: the profile is of a program started as from a terminal, whoever runs this."""
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def trace(argv, path):
    global PRIVATE_IPC
    if PRIVATE_IPC is None:
        PRIVATE_IPC = private_ipc()
    r = subprocess.run(
        [*PRIVATE_IPC, "strace", "-f", "-qq", "-s", "64", "-o", path, "--", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=default_signals,
    )
    return r


def file_system_rules(program, events):
    """Errors for what a program must never do: touch any path but its own objects in
    /dev/shm (or /dev/shm itself: files with no name, O_TMPFILE), the temporary directory
    itself (TMPDIR, else /tmp: pi-fifo and pi-unix enter it, and pi-mmap-file makes its
    file with no name there) and the run's own file in it, write to stderr in a run that
    succeeded, or write stdout more than once."""
    errors, stdout_writes = [], 0
    tmpdir = os.environ.get("TMPDIR") or "/tmp"
    for c in counted(events):
        if c.name == "execve":
            continue
        for path in re.findall(r'"(/[^"]*)"', c.text):
            own = path.startswith(tmpdir.rstrip("/") + "/bareipc-")
            shm = path.startswith("/dev/shm/") or path == "/dev/shm"
            if not shm and path != tmpdir and not own:
                errors.append(f"{program}: {c.name} of {path}")
        if c.name in ("write", "writev") and c.text.startswith(c.name + "(2,"):
            errors.append(f"{program}: wrote to stderr in a run that succeeded: {c.text}")
        if c.name in ("write", "writev") and c.text.startswith(c.name + "(1,"):
            stdout_writes += 1
    if stdout_writes != 1:
        errors.append(f"{program}: {stdout_writes} writes to stdout, expected 1")
    return errors


def run_traced(program, workers, terms, tries=3):
    """Counts per process of one run: (parent counts, [worker counts], stdout, calls)."""
    exe = program if os.path.sep in program else os.path.join(BIN, program)
    argv = [exe]
    if workers is not None:
        argv += ["-w", str(workers)]
    if terms is not None:
        argv += ["-n", str(terms)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "trace")
        for _ in range(tries):
            r = trace(argv, path)
            events = parse(path)
            # A watchdog tick (signal 34, strace's SIGRT_2: a run slower than 200 ms under
            # strace) adds calls that a normal run does not make: run again.
            if not any(isinstance(e, tuple) and "SIGRT_2" in e[1] for e in events):
                break
        else:
            raise SystemExit(f"{program}: every run outlasted the 200 ms watchdog tick")
    if r.returncode != 0:
        raise SystemExit(f"{program} -w {workers}: exit {r.returncode}: {r.stderr.decode().strip()}")
    parent, names = roles(events)
    per = {}
    for c in counted(events):
        per.setdefault(c.pid, {})
        per[c.pid][c.name] = per[c.pid].get(c.name, 0) + 1
    workers_seen = [per.get(pid, {}) for pid, n in names.items() if n != "parent"]
    return per.get(parent, {}), workers_seen, r.stdout.decode(), events, names


def order_of(*dicts):
    seen = []
    for d in dicts:
        for k in d:
            if k not in seen:
                seen.append(k)
    return seen


def formula(a, b):
    """`a + b·W` written the short way: `3 + 7·W`, `W`, `2·W`, `4`."""
    w = "" if b == 0 else ("W" if b == 1 else f"{b}·W")
    if a == 0 and w:
        return w
    return f"{a} + {w}" if w else str(a)


class Profile:
    def __init__(self, program, pi):
        self.program, self.pi = program, pi
        self.parent = {}  # syscall -> (a, b): count = a + b·W
        self.worker = {}  # syscall -> count per worker ("*" for timing-dependent ones)
        self.parent_timing = set()  # the parent's timing-dependent calls, shown as "*"
        self.errors = []
        self.output = ""
        self.raw = None

    def total(self):
        a = sum(v[0] for v in self.parent.values())
        b = sum(v[1] for v in self.parent.values())
        b += sum(v for v in self.worker.values() if v != "*")
        return a, b

    def at(self, w):
        a, b = self.total()
        return a + b * w

    def distinct(self):
        return len(set(self.parent) | set(self.worker) | self.parent_timing)

    def lines(self):
        """The pinned text form."""
        a, b = self.total()
        head = f"{self.program}: {formula(a, b) if self.pi else a} syscalls per run"
        if self.pi:
            head += f" (W = 10: {self.at(10)})"
        out = [head + f", {self.distinct()} distinct"]
        role = "parent" if self.pi else "process"
        pa = sum(v[0] for v in self.parent.values())
        pb = sum(v[1] for v in self.parent.values())
        calls = ", ".join([f"{k} {formula(*v)}" for k, v in self.parent.items()]
                          + [f"{k} *" for k in sorted(self.parent_timing)])
        extra = "".join(f" + {k} *" for k in sorted(self.parent_timing))
        out.append(f"  {role}: {formula(pa, pb)}{extra}: {calls}")
        if self.pi:
            wn = sum(v for v in self.worker.values() if v != "*")
            extra = "".join(f" + {k} *" for k, v in self.worker.items() if v == "*")
            calls = ", ".join(f"{k} {v}" for k, v in self.worker.items())
            out.append(f"  worker: {wn}{extra}: {calls}")
        return out


def profile(program, terms):
    pi = program in PI_PROGRAMS or program.startswith("pi-")
    p = Profile(program, pi)
    if not pi:
        parent, workers, out, events, _ = run_traced(program, None, None)
        p.parent = {k: (v, 0) for k, v in parent.items()}
        p.output = out
        p.errors += file_system_rules(program, events)
        if workers:
            p.errors.append(f"{program}: a single-process demo started {len(workers)} processes")
        return p
    runs = {}
    for w in WORKER_COUNTS:
        runs[w] = run_traced(program, w, terms)
        parent, workers, out, events, _ = runs[w]
        p.errors += file_system_rules(program, events)
        if len(workers) != w:
            p.errors.append(f"{program} -w {w}: {len(workers)} worker processes traced")
        base = os.path.basename(program)
        for k in PARENT_TIMING.get(base, ()):
            p.parent_timing.add(k)
            parent.pop(k, None)
        if "futex" in PARENT_TIMING.get(base, ()):
            wakes = sum(c.get("futex", 0) for c in workers)
            if wakes != 1:
                p.errors.append(f"{program} -w {w}: its workers made {wakes} futex calls, not one")
        elif parent.get("futex"):
            p.errors.append(f"{program} -w {w}: the parent made {parent['futex']} futex calls")
    p.output = runs[10][2]
    # Workers: all alike, at every W, apart from timing-dependent calls.
    timing = TIMING.get(os.path.basename(program), set())
    reference = None
    for w, (_, workers, _, _, _) in runs.items():
        for i, counts in enumerate(workers):
            fixed = {k: v for k, v in counts.items() if k not in timing}
            if reference is None:
                reference = fixed
            elif fixed != reference:
                p.errors.append(f"{program} -w {w}: worker {i} made {fixed}, worker 0 of -w 1 {reference}")
        lone = "futex" not in PARENT_TIMING.get(os.path.basename(program), ())
        if w == 1 and lone and any(c.get("futex") for c in workers):
            p.errors.append(f"{program} -w 1: a lone worker made futex calls")
    for k in order_of(reference, *(c for _, ws, _, _, _ in runs.values() for c in ws)):
        if k not in timing:
            p.worker[k] = reference.get(k, 0)
    for k in sorted(timing):
        p.worker[k] = "*"
    # Parent: a + b·W, fitted on W = 1, 2, checked at W = 10.
    names = order_of(runs[2][0], runs[1][0], runs[10][0])
    for k in names:
        c1, c2, c10 = (runs[w][0].get(k, 0) for w in WORKER_COUNTS)
        b = c2 - c1
        a = c1 - b
        if a < 0 or b < 0 or a + 10 * b != c10:
            p.errors.append(f"{program}: parent's {k} is not a + b·W: {c1}, {c2}, {c10} at W = 1, 2, 10")
        p.parent[k] = (a, b)
    return p


# The start-up every supervised run makes, in this order: folded into one line by
# `describe_raw(fold=True)` (docs/strace.md says what each call is for).
STARTUP = ("prlimit64", "getpid", "prctl", "mmap", "set_robust_list", "rt_sigaction",
           "rt_sigprocmask", "timer_create", "timer_settime")

# Why a program's workers make no call of their own but exit_group: its manifest's
# `silent_worker` (what they do goes through memory the parent shares).
SILENT_WORKERS = {p: m["silent_worker"] for p, m in MANIFESTS.items() if "silent_worker" in m}


def describe_raw(program, terms, fold=False):
    """The annotated trace of one run with W = 2 (or the demo's one run), in the order the
    calls completed; each kind of call is explained where it first appears. With `fold`,
    the supervised start-up every pi program shares is one line; a worker that makes no
    call but exit_group is said so, and why."""
    pi = program.startswith("pi-")
    _, _, _, events, names = run_traced(program, 2 if pi else None, terms)
    if not pi:
        names = {pid: "process" for pid in names}
    calls = counted(events)
    width = max(len(n) for n in names.values())
    out = [f"# {program}{' -w 2' if pi else ''}: {len(calls)} syscalls"
           + (", each process's restarts after strace's signal stops folded away" if pi else "")]
    explained = set()
    folded = 0
    per_role = {}
    for c in calls:
        role = names.get(c.pid, f"pid {c.pid}")
        per_role.setdefault(role, []).append(c.name)
    for c in calls:
        role = names.get(c.pid, f"pid {c.pid}")
        kind = role.split()[0]
        if fold and pi and kind == "parent" and c.name in STARTUP and folded >= 0:
            folded += 1
            if folded == 15:  # the whole block: one line instead
                out.append(f"{role:<{width}}  … 15 calls of the start-up every supervised run "
                           f"makes: {', '.join(STARTUP)} (docs/strace.md)")
                folded = -1
            continue
        text = re.sub(r"\s+= ", " = ", re.sub(r",(?=\S)", ", ", c.text))
        text = text if len(text) <= 100 else text[:97] + "..."
        note = why(program, kind, c.name) if (kind, c.name) not in explained else ""
        explained.add((kind, c.name))
        silent = per_role.get(role) == ["exit_group"]
        if kind == "worker" and silent and c.name == "exit_group" and "silent" not in explained:
            explained.add("silent")
            reason = SILENT_WORKERS.get(program, "its work went through memory shared with the "
                                                 "parent, and nothing made it wait")
            note = f"its only call: {reason}"
        out.append(f"{role:<{width}}  {text}" + (f"  # {note}" if note else ""))
    return out


def cell(text):
    """Text for a Markdown table cell: `|` would end the cell."""
    return text.replace("|", "\\|")


def markdown(p):
    out = [f"`{p.program}`: **{formula(*p.total()) if p.pi else p.total()[0]}** syscalls per run"
           + (f" ({p.at(10)} at W = 10)" if p.pi else "") + f", {p.distinct()} distinct.", ""]
    if p.pi:
        out += ["| syscall | parent | each worker | why |", "|---|---:|---:|---|"]
        for k in order_of(p.parent, {t: 0 for t in sorted(p.parent_timing)}, p.worker):
            par = formula(*p.parent[k]) if k in p.parent else "*" if k in p.parent_timing else ""
            wrk = str(p.worker.get(k, "")) if k in p.worker else ""
            role = "parent" if k in p.parent or k in p.parent_timing else "worker"
            out.append(f"| `{k}` | {par} | {wrk} | {cell(why(p.program, role, k))} |")
    else:
        out += ["| syscall | count | why |", "|---|---:|---|"]
        for k, (a, _) in p.parent.items():
            out.append(f"| `{k}` | {a} | {cell(why(p.program, 'process', k))} |")
    return out


def c_twin(program):
    """The C twin's syscalls at W = 10 and its libc start-up (an empty static main's
    calls other than execve and exit_group), or None where gcc is missing."""
    src = os.path.join(ROOT, "bench", "c", f"{program}.c")
    if not os.path.exists(src):
        return None
    out = os.path.join(ROOT, "target", "bench")
    os.makedirs(out, exist_ok=True)
    exe = os.path.join(out, f"{program}-c")
    empty = os.path.join(out, "empty-c")
    try:
        subprocess.run(["gcc", "-O2", "-static", "-o", exe, src, "-lm", "-lrt"], check=True, capture_output=True)
        if not os.path.exists(empty):
            esrc = os.path.join(out, "empty.c")
            open(esrc, "w").write("int main(void) { return 0; }\n")
            subprocess.run(["gcc", "-O2", "-static", "-o", empty, esrc], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    parent, workers, _, _, _ = run_traced(exe, 10, None)
    total = sum(parent.values()) + sum(sum(w.values()) for w in workers)
    e, _, _, _, _ = run_traced(empty, None, None)
    startup = sum(e.values()) - e.get("execve", 0) - e.get("exit_group", 0)
    return total, startup


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--check", metavar="FILE")
    ap.add_argument("-n", type=int, dest="terms")
    ap.add_argument("programs", nargs="*", default=PI_PROGRAMS + DEMOS)
    args = ap.parse_args()
    problem = strace_works()
    if problem:
        print(f"strace-profile: skipped: {problem}", file=sys.stderr)
        return 77
    if args.raw:
        # The first program's start-up in full; the others' folded into one line.
        for i, prog in enumerate(args.programs):
            print("\n".join(describe_raw(prog, args.terms, fold=i > 0)) + "\n")
        return 0
    profiles = [profile(prog, args.terms) for prog in args.programs]
    errors = [e for p in profiles for e in p.errors]
    if args.summary:
        print("| program | syscalls per run | at W = 10 | C twin at W = 10 − start-up | distinct | bytes |")
        print("|---|---|---:|---:|---:|---:|")
        for p in profiles:
            size = os.path.getsize(os.path.join(ROOT, BIN, p.program))
            twin = c_twin(p.program) if p.pi else None
            c = f"{twin[0]} − {twin[1]} = {twin[0] - twin[1]}" if twin else "—"
            at10 = str(p.at(10)) if p.pi else "—"
            f = formula(*p.total()) if p.pi else str(p.total()[0])
            print(f"| `{p.program}` | {f} | {at10} | {c} | {p.distinct()} | {size:,} |")
    elif args.markdown:
        for p in profiles:
            print(f"<!-- {p.program} -->")
            print("\n".join(markdown(p)) + "\n")
    else:
        for p in profiles:
            print("\n".join(p.lines()))
    if args.check:
        pinned = [l.rstrip("\n") for l in open(args.check) if l.strip() and not l.startswith("#")]
        got = [l for p in profiles for l in p.lines()]
        # Keep only the pinned blocks of the programs asked for.
        blocks, keep = [], False
        for l in pinned:
            if not l.startswith("  "):
                keep = l.split(":")[0] in args.programs
            if keep:
                blocks.append(l)
        wanted = blocks
        if got != wanted:
            import difflib

            errors.append("profiles differ from " + args.check + " (- pinned, + measured):\n"
                          + "\n".join(difflib.unified_diff(wanted, got, "pinned", "measured", lineterm="")))
    for e in errors:
        print("strace-profile: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
