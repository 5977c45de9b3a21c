#!/usr/bin/env python3
"""bench.py [--rounds N] [PROGRAM...]: wall time of each bareipc pi program against its C
twin (bench/c/PROGRAM.c, glibc, gcc -O2 -static), run in one session.

The two commands alternate run by run (A B, B A, A B, ...) so drift of a shared, noisy
machine hits both alike; each run is spawned with posix_spawn and timed from spawn to
reap. Prints a Markdown table of medians and the ratio bareipc / C (below 1: bareipc is
faster).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench")


def build_twin(name):
    src = os.path.join(ROOT, "bench", "c", f"{name}.c")
    exe = os.path.join(OUT, f"{name}-c")
    os.makedirs(OUT, exist_ok=True)
    if not os.path.exists(exe) or os.path.getmtime(exe) < max(
        os.path.getmtime(src), os.path.getmtime(os.path.join(ROOT, "bench", "c", "common.h"))
    ):
        subprocess.run(["gcc", "-O2", "-static", "-o", exe, src, "-lm", "-lrt"], check=True)
    return exe


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("programs", nargs="*", default=["pi-pipe", "pi-socketpair", "pi-posix-mq", "pi-sysv-msg", "pi-shm-sem"])
    args = ap.parse_args()
    print(f"rounds: {args.rounds} per command, alternating; {os.cpu_count()} CPUs")
    print("| program | bareipc median ms | C median ms | bareipc / C |")
    print("|---|---:|---:|---:|")
    for name in args.programs:
        ours = [os.path.join(ROOT, "bin", name)]
        theirs = [build_twin(name)]
        for exe in (ours, theirs):  # warm-up: page cache, CPU frequency
            for _ in range(3):
                timed(exe)
        a, b = [], []
        for i in range(args.rounds):
            if i % 2:
                b.append(timed(theirs)); a.append(timed(ours))
            else:
                a.append(timed(ours)); b.append(timed(theirs))
        ma, mb = statistics.median(a) * 1e3, statistics.median(b) * 1e3
        print(f"| {name} | {ma:.2f} | {mb:.2f} | {ma / mb:.2f} |")


if __name__ == "__main__":
    main()
