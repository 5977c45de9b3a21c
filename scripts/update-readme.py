#!/usr/bin/env python3
"""update-readme.py: regenerates the README's measured tables from the project's own
scripts, between `<!-- NAME:begin -->` and `<!-- NAME:end -->` markers:

- size:  scripts/size.sh (bytes of each binary, peak RSS of a default run)
- syscalls: scripts/strace-profile.py --summary (syscalls per run, against the C twins)
- strace-PROGRAM: scripts/strace-profile.py --markdown (each program's profile)
- bench: scripts/bench.py (bareipc against the C twins, alternating runs)

Run through `make readme` (which builds first). Tables are never typed by hand.
"""
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def programs():
    toml = open(os.path.join(ROOT, "Cargo.toml")).read()
    return re.findall(r'^name = "(.*)"', toml, re.M)[1:]


def output(cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout.strip()


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}"


def main():
    """`update-readme.py [GROUP...]`: regenerate the groups named (size, syscalls, strace,
    bench), or all of them."""
    wanted = set(sys.argv[1:]) or {"size", "syscalls", "strace", "bench"}
    sections = {}
    if "size" in wanted:
        sections["size"] = output(["scripts/size.sh", *programs()])
    if "syscalls" in wanted:
        sections["syscalls"] = output(["scripts/strace-profile.py", "--summary"])
    if "strace" in wanted:
        profiles = output(["scripts/strace-profile.py", "--markdown"])
        parts = re.split(r"^<!-- (\S+) -->\n", profiles, flags=re.M)
        for name, body in zip(parts[1::2], parts[2::2]):
            sections[f"strace-{name}"] = body.strip()
    if "bench" in wanted:
        bench = output(["scripts/bench.py", "--rounds", "30"])
        sections["bench"] = bench + f"\n\nMachine: {machine()}."
    empty = [name for name, body in sections.items() if not body.strip()]
    if empty or (("strace" in wanted) and not any(n.startswith("strace-") for n in sections)):
        raise SystemExit(f"no output for {empty or 'strace'}: are strace and gcc installed?")
    path = os.path.join(ROOT, "README.md")
    text = open(path).read()
    for name, body in sections.items():
        pattern = re.compile(rf"(<!-- {name}:begin -->\n).*?(<!-- {name}:end -->)", re.S)
        text, n = pattern.subn(lambda m: m.group(1) + body + "\n" + m.group(2), text)
        if n != 1:
            raise SystemExit(f"README.md lacks the {name} markers")
    open(path, "w").write(text)


if __name__ == "__main__":
    main()
