#!/usr/bin/env python3
"""bench.py [--rounds N] [--overhead-rounds N] [--only kernel|workers|twins] [PROGRAM...]:
first the kernel against the divider (terms per nanosecond at W = 1 against a probe of
this CPU's division throughput, bench/c/divider.c, for each vector width it has) and each
program's cost per worker against the fork floor; then wall time of each bareipc pi
program against its C twin (bench/c/PROGRAM.c, glibc, gcc -O2 -static) and against the
compute floor (programs/examples/compute-floor.rs: the same kernel summing every term in one
process, no fork, no IPC), all in one session; then the cost of each extra worker.

Commands rotate run by run (A B F, B F A, F A B, ...) so the drift of a shared, noisy
machine hits all alike; each run is spawned with posix_spawn and timed from spawn to
reap. (hyperfine runs all the runs of one command before the next command's, which is
exactly what this avoids.) Prints Markdown tables of medians and ratios: below 1,
bareipc is faster.

Per-worker overhead: each program with W = 1, 2, 4, ..., 64 workers and n = 64 terms
(the work is nothing; what is left is fork, one message, reap), against its C twin,
alternating; the slope of the median run time over W (least squares) is the cost of one
worker, in microseconds.
"""
import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench")
from programs import programs  # noqa: E402 (scripts/programs.py: the one list)

PI_PROGRAMS = programs("pi")


def build_twin(name):
    src = os.path.join(ROOT, "bench", "c", f"{name}.c")
    exe = os.path.join(OUT, f"{name}-c")
    os.makedirs(OUT, exist_ok=True)
    if not os.path.exists(exe) or os.path.getmtime(exe) < max(
        os.path.getmtime(src), os.path.getmtime(os.path.join(ROOT, "bench", "c", "common.h"))
    ):
        subprocess.run(["gcc", "-O2", "-static", "-o", exe, src, "-lm", "-lrt"], check=True)
    return exe


def build_probe():
    """bench/c/divider.c, built for this machine."""
    src = os.path.join(ROOT, "bench", "c", "divider.c")
    exe = os.path.join(OUT, "divider")
    os.makedirs(OUT, exist_ok=True)
    subprocess.run(["gcc", "-O2", "-o", exe, src], check=True)
    return exe


def build_fork_floor():
    """bench/c/fork-floor.c, static: with musl when musl-gcc is there (the smallest
    process a C program makes), else glibc. Returns (path, which)."""
    src = os.path.join(ROOT, "bench", "c", "fork-floor.c")
    musl = shutil.which("musl-gcc")
    exe = os.path.join(OUT, "fork-floor-musl" if musl else "fork-floor-glibc")
    os.makedirs(OUT, exist_ok=True)
    subprocess.run([musl or "gcc", "-O2", "-static", "-o", exe, src], check=True)
    return exe, ("musl" if musl else "glibc")


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def kernel_vs_divider(rounds=5):
    """Terms per ns at W = 1 of every kernel this CPU has (the compute floor with that
    kernel) and of pi-pipe -w 1 (the kernel the programs choose), against the divider
    probe's lanes per ns at each width, best of `rounds`, all alternating so that they
    see the same machine."""
    terms = 10 ** 9
    probe = build_probe()
    floor = build_floor()
    listed = subprocess.run([floor, "--kernels"], check=True, capture_output=True,
                            text=True).stdout.split()
    # NAME yes|no pairs, then the chosen kernel's name.
    kernels = [listed[i] for i in range(0, len(listed) - 1, 2) if listed[i + 1] == "yes"]
    chosen = listed[-1]
    cmds = {k: [floor, str(terms), k] for k in kernels}
    cmds["pi-pipe"] = [os.path.join(ROOT, "bin", "pi-pipe"), "-w", "1", "-n", str(terms)]
    widths, best = {}, {name: 0.0 for name in cmds}
    for _ in range(rounds):
        out = subprocess.run([probe], check=True, capture_output=True, text=True).stdout
        for line in out.split("\n"):
            if line.strip():
                width, rate = line.split()
                widths[width] = max(widths.get(width, 0.0), float(rate))
        for name, argv in cmds.items():
            best[name] = max(best[name], terms / timed(argv) / 1e9)
    fastest = max(widths, key=widths.get)
    print(f"The kernels against the divider: {cpu_model()}, {os.cpu_count()} CPUs; terms per "
          f"nanosecond at W = 1 (n = 10^9) of each kernel this CPU has (the compute floor "
          f"with that kernel) against the probe's lanes per nanosecond, best of {rounds}, "
          f"alternating.\n")
    print("| kernel | terms/ns | probe of its width (bench/c/divider.c) | lanes/ns "
          "| kernel / its probe | kernel / fastest probe |")
    print("|---|---:|---|---:|---:|---:|")
    used = set()
    for k in kernels:
        width = PROBE_OF.get(k, k)
        used.add(width)
        rate = widths.get(width)
        own = f"{best[k] / rate:.2f}" if rate else "–"
        print(f"| {k}{' (chosen)' if k == chosen else ''} | {best[k]:.3f} | {width} | "
              f"{rate or 0:.3f} | {own} | {best[k] / widths[fastest]:.2f} |")
    for width, rate in widths.items():
        if width not in used:
            print(f"| (none) | – | {width} | {rate:.3f} | – | – |")
    top = max(kernels, key=best.get)
    # Within 2 %: the same speed, as far as best-of-five on a shared machine tells.
    verdict = ("the fastest kernel here, or within 2 % of it" if best[chosen] >= 0.98 * best[top]
               else f"NOT the fastest here: {top} is")
    print(f"\nThe programs choose {chosen} here: {verdict}. pi-pipe -w 1: "
          f"{best['pi-pipe']:.3f} terms/ns; the fastest divider here is {fastest} "
          f"({widths[fastest]:.3f} lanes/ns): kernel / divider = "
          f"{best['pi-pipe'] / widths[fastest]:.2f}.\n")


# The divider probe's width for each kernel: the kernel's own instruction set, or
# (elsewhere than x86_64) the compiler's scalar code.
PROBE_OF = {"neon": "scalar"}


def per_worker(progs, rounds):
    """Each program's cost of one more worker against the fork floor's, in one rotating
    run per W (every program and the floor, W = 1, 16, 64, 256, n = W: the work is one
    term each): the slope of the median run time over W."""
    ws = [1, 16, 64, 256]
    floor, which = build_fork_floor()
    names = [*progs, "fork-floor"]
    paths = [os.path.join(ROOT, "bin", p) for p in progs] + [floor]
    medians = {n: [] for n in names}
    for w in ws:
        cmds = [[p, "-w", str(w), "-n", str(w)] for p in paths]
        for n, m in zip(names, rotated(cmds, rounds)):
            medians[n].append(m)
    base = slope(ws, medians["fork-floor"]) * 1e6
    print(f"Cost of one more worker against the fork floor (bench/c/fork-floor.c, static "
          f"{which}: fork a child that exits at once, reap it): slope of the median run time "
          f"over W = {', '.join(map(str, ws))} (n = W), {rounds} runs per point, every program "
          f"and the floor rotating in one run; {cpu_model()}.\n")
    print("Page faults per worker: of the whole run (the parent and its reaped workers, "
          "getrusage), W = 257 less W = 1, over 256; fewest of three.\n")
    print("| program | µs per worker | × fork floor | W = 256 ms | page faults per worker |")
    print("|---|---:|---:|---:|---:|")
    for n, path in zip(names, paths):
        s = slope(ws, medians[n]) * 1e6
        print(f"| {n} | {s:.1f} | {s / base:.2f} | {medians[n][-1] * 1e3:.2f} | "
              f"{faults_per_worker(path):.1f} |")
    print()


def faults_per_worker(path):
    """Minor page faults one more worker adds to a run of `path` (the parent's and the
    reaped workers' together: RUSAGE_CHILDREN of this script), fewest of three tries."""
    def faults(w):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
        timed([path, "-w", str(w), "-n", str(w)])
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before
    return min((faults(257) - faults(1)) / 256 for _ in range(3))


def build_floor():
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "bareipc-programs", "--example", "compute-floor"],
                   cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "examples", "compute-floor")


def timed(argv):
    devnull = os.open(os.devnull, os.O_WRONLY)
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(devnull)
    if status != 0:
        sys.exit(f"{argv} failed with status {status}")
    return elapsed


def rotated(commands, rounds):
    """Median seconds of each command, run `rounds` times each in rotating order."""
    for argv in commands:  # warm-up: page cache, CPU frequency
        for _ in range(3):
            timed(argv)
    times = [[] for _ in commands]
    for r in range(rounds):
        for j in range(len(commands)):
            i = (r + j) % len(commands)
            times[i].append(timed(commands[i]))
    return [statistics.median(t) for t in times]


def slope(xs, ys):
    mx, my = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--overhead-rounds", type=int, default=15)
    ap.add_argument("--only", choices=["kernel", "workers", "twins"])
    ap.add_argument("programs", nargs="*", default=PI_PROGRAMS)
    args = ap.parse_args()
    if args.only in (None, "kernel"):
        kernel_vs_divider()
    if args.only in (None, "workers"):
        per_worker(args.programs, args.overhead_rounds)
    if args.only not in (None, "twins"):
        return
    floor = [build_floor()]
    print(f"Wall time of a default run (W = 10, n = 10^7), medians of {args.rounds} runs each, "
          f"rotating; {os.cpu_count()} CPUs.\n")
    print("| program | bareipc ms | C twin ms | floor ms | bareipc / C | bareipc / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.programs:
        ours, theirs = [os.path.join(ROOT, "bin", name)], [build_twin(name)]
        a, b, f = (t * 1e3 for t in rotated([ours, theirs, floor], args.rounds))
        print(f"| {name} | {a:.2f} | {b:.2f} | {f:.2f} | {a / b:.2f} | {a / f:.2f} |")

    ws = [1, 2, 4, 8, 16, 32, 64]
    print(f"\nCost of one more worker (n = 64, W = {ws[0]}..{ws[-1]}, slope of the median "
          f"run time over W, {args.overhead_rounds} runs per point):\n")
    print("| program | bareipc µs/worker | C twin µs/worker | bareipc / C | bareipc W=1 ms | C W=1 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    floor_exe = build_twin("fork-floor")
    per = [rotated([[floor_exe, "-w", str(w), "-n", "64"]], args.overhead_rounds)[0] for w in ws]
    kernel = slope(ws, per) * 1e6
    for name in args.programs:
        ours, theirs = os.path.join(ROOT, "bin", name), build_twin(name)
        mine, twin = [], []
        for w in ws:
            cmd = ["-w", str(w), "-n", "64"]
            m, t = rotated([[ours, *cmd], [theirs, *cmd]], args.overhead_rounds)
            mine.append(m)
            twin.append(t)
        sm, st = slope(ws, mine) * 1e6, slope(ws, twin) * 1e6
        print(f"| {name} | {sm:.1f} | {st:.1f} | {sm / st:.2f} | {mine[0] * 1e3:.2f} | "
              f"{twin[0] * 1e3:.2f} |")
    print(f"\nThe kernel's own floor on this machine (bench/c/fork-floor.c: fork a child that "
          f"exits at once, reap it; no work, no message): {kernel:.1f} µs per child.")


if __name__ == "__main__":
    main()
