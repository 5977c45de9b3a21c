#!/usr/bin/env python3
"""update-readme.py [render | check | measure [GROUP...]]: the measured tables of
README.md and of the pages in docs/, between `<!-- NAME:begin -->` and
`<!-- NAME:end -->` markers (each pair in exactly one of those files).

Measuring and rendering are apart. `measure` runs the scripts of the groups named (all
but foreign when none is) and stores each table in results/tables/NAME.md — minutes,
with the programs built (make measure). `render` (the default: make readme) only writes
the stored tables into the pages — seconds, no program runs. `check` fails when a page
disagrees with results/tables (make check and make test run it). The groups:

- size:  scripts/size.sh (bytes of each binary, peak RSS of a default run)
- syscalls: scripts/strace-profile.py --summary (syscalls per run, against the C twins)
- strace-PROGRAM: scripts/strace-profile.py --markdown (each program's profile)
- faults: tests/faults/'s own case list and measured times (cargo test --test faults
  with BAREIPC_FAULT_LOG set)
- bench: scripts/bench.py (bareipc against the C twins, alternating runs)
- stop: scripts/stop-bench.py (time to stop a run of W computing workers)
- containers, container-facts: scripts/engine-test.py --log (the engine matrix: every
  program under Podman and Docker; each engine's /dev/shm, its seccomp profile)
- ipcbench: the latest results/ipc-bench.md and results/machine.txt, which
  `make ipc-bench` writes (not rerun here: it takes minutes)
- arches: scripts/cross.sh, then scripts/size.sh --arches (each program's size on every
  architecture) and the system call numbers that differ (from src/sys/)
- foreign-images (only when named): scripts/foreign-images.py --markdown, the arm64 and
  riscv64 images built and run under both engines through qemu-user's binfmt handlers
- tool-help, tool-session, tool-strace: scripts/tool-session.sh (the bareipc tool's
  help, an example session in the sandbox, and the system calls of one `ls`)
- reach: scripts/reach.py --out results/reach.tsv (every mechanism across every
  boundary: namespaces in the sandbox, containers under Podman and Docker)
- family: the shared-memory programs side by side: FAMILY's design columns, and the
  syscalls and bench figures above (rerun with them, or taken from their blocks)

Derived at render: family, overview (the README's table; from syscalls and bench, with
FAMILY's and MECHANISMS' words), needs (each manifest's `needs`), reach
(results/reach.tsv, made by scripts/reach.py) and ipcbench (results/ipc-bench.md, made by make
ipc-bench). Tables are never typed by hand.
"""
import json
import os
import platform
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


from programs import programs  # noqa: E402 (scripts/programs.py: the one list)
import manifest  # noqa: E402 (scripts/manifest.py: each program's facts)


def output(cmd):
    """The standard output of `cmd`; a failed command is an error, never an empty table."""
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {r.returncode}): {r.stderr.strip()}")
    return r.stdout.strip()


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}"


def faults():
    """The fault matrix as the tests ran it: cases with the same fault and outcome (but for
    the program's name) share a row."""
    log = os.path.join(ROOT, "target", "fault-matrix")
    shutil.rmtree(log, ignore_errors=True)
    env = dict(os.environ, BAREIPC_FAULT_LOG=log)
    ran = subprocess.run(["cargo", "test", "-q", "--test", "faults"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    if ran.returncode != 0:
        # The failing cases, not only the status: a fault matrix that fails here has
        # something to say.
        sys.stderr.write(ran.stdout[-6000:] + ran.stderr[-6000:])
        raise SystemExit("update-readme: the fault matrix failed (above)")
    rows, order = {}, []
    groups = ["worker-faults", "parent-killed", "stop-signals", "launcher", "limits",
              "limits-named", "qemu", "hostile-names", "hostile-peers", "stdout-and-concurrency"]
    names = sorted(os.listdir(log), key=lambda n: groups.index(n[:-4]) if n[:-4] in groups else 99)
    for name in names:
        for line in open(os.path.join(log, name)):
            program, fault, outcome, left, ms = line.rstrip("\n").split("\t")
            # The message as a code span that may itself hold backticks.
            outcome = re.sub(r"`(.*)`$", lambda m: "`` " + m.group(1) + " ``",
                             outcome.replace(f"`{program}: ", "`"))
            key = (fault, outcome, left)
            if key not in rows:
                rows[key] = [[], 0]
                order.append(key)
            rows[key][0].append(program)
            rows[key][1] = max(rows[key][1], int(ms))
    pi = programs("pi")
    every = f"all {len(pi)}"
    out = ["| fault | programs | outcome | left behind | ms |", "|---|---|---|---|---:|"]
    for key in order:
        progs, ms = rows[key]
        fault, outcome, left = key
        names = every if set(progs) == set(pi) else ", ".join(f"`{p}`" for p in progs)
        out.append(f"| {fault} | {names} | {outcome} | {left} | {ms} |")
    slowest = max(rows.items(), key=lambda kv: kv[1][1])
    out.append("")
    out.append(f"{sum(len(v[0]) for v in rows.values())} cases; slowest: {slowest[1][1]} ms "
               f"({slowest[0][0]}).")
    return "\n".join(out)


def containers():
    """The engine matrix as scripts/engine-test.py ran it: programs with the same outcome
    under both engines share a row."""
    log = os.path.join(ROOT, "target", "container-matrix")
    shutil.rmtree(log, ignore_errors=True)
    subprocess.run(["scripts/engine-test.py", "--log", log], cwd=ROOT, check=True,
                   capture_output=True)
    cells, order = {}, []
    for line in open(os.path.join(log, "containers.tsv")):
        program, engine, case, status, message, ms = line.rstrip("\n").split("\t")
        message = message.replace(f"{program}: ", "")
        outcome = f"exit {status}" + (f": `` {message} ``" if message else "")
        cells.setdefault((case, program), {})[engine] = (outcome, int(ms))
        if case not in order:
            order.append(case)
    rows, keys = {}, []
    for (case, program), by in cells.items():
        key = (case, by.get("podman", ("—", 0))[0], by.get("docker", ("—", 0))[0])
        if key not in rows:
            rows[key] = [[], 0]
            keys.append(key)
        rows[key][0].append(program)
        rows[key][1] = max([rows[key][1]] + [ms for _, ms in by.values()])
    every = set(programs())
    out = ["| case | programs | Podman | Docker | ms |", "|---|---|---|---|---:|"]
    for key in sorted(keys, key=lambda k: (order.index(k[0]), k)):
        progs, ms = rows[key]
        missing = sorted(every - set(progs))
        names = ("all" if not missing else "all but " + ", ".join(f"`{p}`" for p in missing)
                 if len(missing) <= 2 else ", ".join(f"`{p}`" for p in sorted(progs)))
        out.append(f"| {key[0]} | {names} | {key[1]} | {key[2]} | {ms} |")
    out.append("")
    out.append(f"{len(cells) * 2} runs (every program, both engines; the `bareipc` tool: its `ls`, "
               "in the cases that keep it from the host's objects). *ms*: the slowest of the "
               "row — for `stop` and `kill`, from the command to the container's end as the "
               "engine recorded it (`State.FinishedAt`); otherwise the whole run through the "
               "engine's client (create, start, wait, logs, remove).")
    facts = open(os.path.join(log, "container-facts.md")).read().strip()
    return "\n".join(out), facts


# The shared-memory family: what each program's design decides (its docs page says how),
# beside what the scripts measure. (program, memory, name, who removes it and when, a
# worker that dies, what it needs): each member's manifest, [family] and `needs`.
FAMILY = [(p, *(m["family"][k] for k in manifest.FAMILY), m["needs"])
          for p, m in manifest.all_manifests().items() if "family" in m]


def family(syscalls, bench):
    """The family table: FAMILY's columns, then the syscalls per run and the default run's
    time against the C twin, taken from the tables the scripts made (`syscalls`, `bench`:
    Markdown, from this run or the README's current blocks)."""
    formula = dict(re.findall(r"^\| `(pi-[\w-]+)` \| ([^|]+?) \|", syscalls, re.M))
    # The bench block's table of default runs (the one with the twins' times).
    default_runs = next(b for b in bench.split("\n\n") if b.startswith("| program | bareipc ms"))
    times = {p: (a, b) for p, a, b in
             re.findall(r"^\| (pi-[\w-]+) \| ([\d.]+) \| ([\d.]+) \|", default_runs, re.M)}
    out = ["| program | memory | name | removed by | a worker that dies | it needs "
           "| syscalls per run | default run, ms (C twin) |",
           "|---|---|---|---|---|---|---|---:|"]
    for program, memory, name, removed, death, needs in FAMILY:
        if program not in formula or program not in times:
            raise SystemExit(f"family: no syscall or bench figure for {program}")
        ours, c = times[program]
        out.append(f"| `{program}` | {memory} | {name} | {removed} | {death} | {needs} "
                   f"| {formula[program]} | {ours} ({c}) |")
    return "\n".join(out)


def syscall_numbers():
    """The numbers of the calls bareipc makes itself (the names in src/sys/mod.rs's `nr`),
    as linux-raw-sys has them for x86_64 and for asm-generic (aarch64, riscv64)."""
    mod = open(os.path.join(ROOT, "src", "sys", "mod.rs")).read()
    # (cfg, name): a call made on x86_64 only (fork) or elsewhere only (clone) says so.
    used = re.findall(r'(#\[cfg\((?:not\()?target_arch = "x86_64"\)?\)\]\n)?'
                      r'(?:\s*(?://|#\[cfg_attr).*\n)*\s*pub const \w+: usize = g::__NR_(\w+) as usize',
                      mod)
    names = [n for _, n in used]
    only = {n: ("x86" if "not(" not in c else "generic") for c, n in used if c}
    meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1"], cwd=ROOT,
                                     check=True, capture_output=True, text=True).stdout)
    crate = next(p for p in meta["packages"] if p["name"] == "linux-raw-sys")
    src = os.path.join(os.path.dirname(crate["manifest_path"]), "src")

    def table(arch):
        text = open(os.path.join(src, arch, "general.rs")).read()
        return dict(re.findall(r"pub const __NR_(\w+): u32 = (\d+);", text))
    x86, arm, riscv = table("x86_64"), table("aarch64"), table("riscv64")
    x86 = {n: v for n, v in x86.items() if only.get(n) != "generic"}
    arm = {n: v for n, v in arm.items() if only.get(n) != "x86"}
    riscv = {n: v for n, v in riscv.items() if only.get(n) != "x86"}
    if any(arm.get(n) != riscv.get(n) for n in names):
        raise SystemExit("syscall-numbers: aarch64 and riscv64 differ; the table needs a column")
    out = ["| call | x86_64 | aarch64, riscv64 |", "|---|---:|---:|"]
    for name in sorted(set(names), key=lambda n: (int(x86.get(n, arm.get(n))), n)):
        out.append(f"| `{name}` | {x86.get(name, '—')} | {arm.get(name, '—')} |")
    return "\n".join(out)


def current(name):
    """The body of the `name` block as it stands in README.md or a page under docs/."""
    docs = os.path.join(ROOT, "docs")
    paths = [os.path.join(ROOT, "README.md")] + [
        os.path.join(d, f) for d, _, files in os.walk(docs) for f in files if f.endswith(".md")]
    for path in paths:
        m = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", open(path).read(), re.S)
        if m:
            return m.group(1)
    return ""


# The README's table of mechanisms: what each program uses, and its page — from each
# program's manifest (programs/src/bin/PROGRAM.toml). The figures beside them come from
# the scripts' own tables (sizes and syscalls: strace-profile.py; times: bench.py).
MECHANISMS = [(p, m["mechanism"], m["page"]) for p, m in manifest.all_manifests().items()]


def overview(syscalls, bench):
    """The README's table: each pi program, its mechanism and page, its size and syscalls
    (strace-profile.py's summary) and its default run against its C twin (bench.py)."""
    rows = {m.group(1): m.groups() for m in re.finditer(
        r"^\| `(pi-[\w-]+)` \| ([^|]+?) \| [^|]+ \| [^|]+ \| [^|]+ \| ([\d,]+) \|$",
        syscalls, re.M)}
    default_runs = next(b for b in bench.split("\n\n") if b.startswith("| program | bareipc ms"))
    times = {p: (a, b) for p, a, b in
             re.findall(r"^\| (pi-[\w-]+) \| ([\d.]+) \| ([\d.]+) \|", default_runs, re.M)}
    listed = [p for p, _, _ in MECHANISMS]
    if sorted(listed) != sorted(programs("pi")):
        raise SystemExit(f"overview: MECHANISMS lists {listed}, the programs are {programs('pi')}")
    out = ["| program | mechanism | bytes | syscalls per run | default run, ms (C twin) |",
           "|---|---|---:|---|---:|"]
    for program, what, page in MECHANISMS:
        if program not in rows or program not in times:
            raise SystemExit(f"overview: no syscall or bench figure for {program}")
        _, formula, size = rows[program]
        ours, c = times[program]
        out.append(f"| [`{program}`](docs/{page}) | {what} | {size} | {formula} | {ours} ({c}) |")
    return "\n".join(out)


TABLES = os.path.join(ROOT, "results", "tables")
# Tables made here from other tables (and the script's own design columns), at render.
DERIVED = ("family", "overview", "ipcbench", "needs", "reach")


def measure(wanted):
    """Runs the scripts of the groups in `wanted` and stores each table they make in
    results/tables/NAME.md."""
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
    if "tool" in wanted:
        blocks = output(["scripts/tool-session.sh"])
        parts = re.split(r"^<!-- (\S+) -->\n", blocks, flags=re.M)
        for name, body in zip(parts[1::2], parts[2::2]):
            sections[name] = body.strip()
    if "arches" in wanted:
        subprocess.run(["scripts/cross.sh"], cwd=ROOT, check=True, capture_output=True)
        sections["size-arches"] = output(["scripts/size.sh", "--arches", *programs()])
        sections["syscall-numbers"] = syscall_numbers()
    if "foreign" in wanted:
        # Only when named: it registers binfmt_misc handlers for a while (and removes them).
        sections["foreign-images"] = output(["scripts/foreign-images.py", "--markdown"])
    if "faults" in wanted:
        sections["faults"] = faults()
    if "containers" in wanted:
        sections["containers"], sections["container-facts"] = containers()
    if "stop" in wanted:
        stop = output(["scripts/stop-bench.py", "--markdown"])
        sections["stop"] = stop + f"\n\nMachine: {machine()}."
    if "reach" in wanted:
        # Its own file (results/reach.tsv: the format), rendered at render.
        subprocess.run(["scripts/reach.py", "--out", "results/reach.tsv"], cwd=ROOT, check=True,
                       capture_output=True)
    if "bench" in wanted:
        bench = output(["scripts/bench.py", "--rounds", "30", "--overhead-rounds", "15"])
        sections["bench"] = bench + f"\n\nMachine: {machine()}."
    empty = [name for name, body in sections.items() if not body.strip()]
    if empty or (("strace" in wanted) and not any(n.startswith("strace-") for n in sections)):
        raise SystemExit(f"no output for {empty or 'strace'}: are strace and gcc installed?")
    os.makedirs(TABLES, exist_ok=True)
    for name, body in sections.items():
        with open(os.path.join(TABLES, f"{name}.md"), "w") as f:
            f.write(body.strip() + "\n")


def reach():
    """The reach matrix (results/reach.tsv, made by scripts/reach.py): a mechanism a row,
    a boundary a column; ✓ works, ✗ and the error where refused, – where there is nothing
    to name."""
    path = os.path.join(ROOT, "results", "reach.tsv")
    rows = [l.split("\t") for l in open(path).read().splitlines()[1:]]
    bounds = []
    for _, b, _, _ in rows:
        if b not in bounds:
            bounds.append(b)
    cells = {(m, b): (o, h) for m, b, o, h in rows}
    mechs = [p[len("pi-"):] for p in programs("pi")]

    def short(o, h):
        if o == "works":
            # It gets through only because nothing checks who sent it: marked.
            return "✓ unchecked" if "nothing checks" in h else "✓"
        if o == "n/a":
            return "–"
        e = re.search(r"\bE[A-Z]+\b", h)
        if e:
            return f"✗ {e.group(0)}"
        return "✗ lost" if "never received" in h else "✗ pid" if "pid namespace" in h else "✗"
    out = ["| mechanism | " + " | ".join(f"`{b}`" for b in bounds) + " |",
           "|---|" + "---|" * len(bounds)]
    for m in mechs:
        out.append(f"| {m} | " + " | ".join(short(*cells[(m, b)]) if (m, b) in cells else "?"
                                             for b in bounds) + " |")
    return "\n".join(out)


def needs():
    """What each pi program needs from the system it runs on: its manifest's `needs`."""
    out = ["| program | mechanism | it needs |", "|---|---|---|"]
    for program, m in manifest.all_manifests().items():
        out.append(f"| [`{program}`](mechanisms/{m['page'].split('/')[-1]}) "
                   f"| {m['mechanism']} | {m['needs']} |")
    return "\n".join(out)


def tables():
    """Every stored table, and the derived ones made from them."""
    sections = {}
    for f in sorted(os.listdir(TABLES)):
        if f.endswith(".md"):
            sections[f[:-3]] = open(os.path.join(TABLES, f)).read().strip()
    results = os.path.join(ROOT, "results")
    table = open(os.path.join(results, "ipc-bench.md")).read().strip()
    where = open(os.path.join(results, "machine.txt")).read().strip()
    sections["ipcbench"] = f"{table}\n\nMachine: {where}."
    sections["family"] = family(sections["syscalls"], sections["bench"])
    sections["overview"] = overview(sections["syscalls"], sections["bench"])
    sections["needs"] = needs()
    sections["reach"] = reach()
    return sections


def rendered():
    """README.md and the pages of docs/ with every marked block replaced by its table:
    {path: (text now, text rendered)}. Fails unless every table has exactly one pair of
    markers and every pair of markers a table."""
    sections = tables()
    docs = os.path.join(ROOT, "docs")
    paths = [os.path.join(ROOT, "README.md")] + sorted(
        os.path.join(d, f) for d, _, files in os.walk(docs) for f in files if f.endswith(".md"))
    texts = {path: open(path).read() for path in paths}
    out = dict(texts)
    for name, body in sections.items():
        pattern = re.compile(rf"(<!-- {name}:begin -->\n).*?(<!-- {name}:end -->)", re.S)
        found = 0
        for path, text in out.items():
            out[path], n = pattern.subn(lambda m: m.group(1) + body + "\n" + m.group(2), text)
            found += n
        if found != 1:
            raise SystemExit(f"{found} pairs of {name} markers in README.md and docs/ (want 1)")
    for path, text in texts.items():
        for name in re.findall(r"<!-- (\S+):begin -->", text):
            if name not in sections:
                raise SystemExit(f"{os.path.relpath(path, ROOT)}: no table for the {name} "
                                 f"markers (results/tables/{name}.md)")
    return {path: (texts[path], out[path]) for path in paths}


def main():
    """`update-readme.py [render | check | measure [GROUP...]]`: see the module's doc.
    A bare list of groups (the old usage) is `measure` of those groups."""
    args = sys.argv[1:]
    groups = {"size", "syscalls", "strace", "faults", "bench", "stop", "containers", "arches",
              "tool", "foreign", "reach"}
    if args and args[0] == "measure":
        measure(set(args[1:]) or groups - {"foreign"})
    elif args and set(args) <= groups:
        measure(set(args))
    elif args not in ([], ["render"], ["check"]):
        raise SystemExit("usage: update-readme.py [render | check | measure [GROUP...]]")
    pages = rendered()
    if args == ["check"]:
        stale = [os.path.relpath(p, ROOT) for p, (now, want) in pages.items() if now != want]
        if stale:
            raise SystemExit("out of date with results/tables (run make readme): "
                             + ", ".join(stale))
        return
    for path, (now, want) in pages.items():
        if now != want:
            open(path, "w").write(want)


if __name__ == "__main__":
    main()
