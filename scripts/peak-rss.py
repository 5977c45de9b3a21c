#!/usr/bin/env python3
"""peak-rss.py PROGRAM [ARGS...]: the peak resident set (VmHWM) of every process of one run.

ru_maxrss cannot answer this for a tiny static binary: a process keeps the peak it had
before execve (the launcher's), and on current kernels the RSS counters of a process of a
few pages are per-CPU batched, so wait4 reports 0. /proc/PID/status sums them exactly,
but only while the process lives. So the run goes under strace, which holds every
process for a moment on entry to exit_group (its memory is then at its final peak), and
this script reads VmHWM of each process while it waits there.

Prints one line: `peak_rss_kib=MAX processes=N` and exits with the program's status.
"""
import os
import subprocess
import sys
import time


def descendants(root):
    """Pids below `root`, from /proc/*/stat parent links."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: peak-rss.py PROGRAM [ARGS...]")
    tracer = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=exit_group",
         "-e", "inject=exit_group:delay_enter=200000", *sys.argv[1:]],
        stdout=subprocess.DEVNULL,
    )
    peaks = {}
    while tracer.poll() is None:
        for pid in descendants(tracer.pid):
            hwm = vm_hwm_kib(pid)
            if hwm is not None:
                peaks[pid] = max(hwm, peaks.get(pid, 0))
        time.sleep(0.01)
    print(f"peak_rss_kib={max(peaks.values(), default=0)} processes={len(peaks)}")
    sys.exit(tracer.returncode)


if __name__ == "__main__":
    main()
