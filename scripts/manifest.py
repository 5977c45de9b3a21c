#!/usr/bin/env python3
"""manifest.py [--check]: each pi program's manifest, programs/src/bin/PROGRAM.toml — the
facts about it that the tests, the scripts and the docs read, in one place beside its
code: its mechanism and page (the README's table), what it needs from the system, the parent's blocking call (the fault
matrix), its timing-dependent calls and why each of its calls is there (the strace
profile), what a SIGKILL of its parent leaves, whether its workers add into one shared
sum as they finish (its last bits then vary), its row of the shared-memory family.

--files: the programs that make files, which a container must give a writable /dev/shm
(the image's TMPDIR): one per line.

--check: every pi program has a manifest with every required key, every manifest a
program, and every page exists. Exit 1 naming what is wrong.
"""
import os
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "programs", "src", "bin")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from programs import programs  # noqa: E402 (the one list)

REQUIRED = {"mechanism": str, "page": str, "needs": str, "blocking": list, "timing_parent": list,
            "timing_worker": list, "why": dict}
FAMILY = ("memory", "name", "removed", "death")


def load(program):
    with open(os.path.join(BIN, f"{program}.toml"), "rb") as f:
        return tomllib.load(f)


def all_manifests():
    """{program: manifest} for every pi program, in the programs' order."""
    return {p: load(p) for p in programs("pi")}


def problems():
    found = []
    pis = programs("pi")
    for f in sorted(os.listdir(BIN)):
        if f.endswith(".toml") and f[:-5] not in pis:
            found.append(f"programs/src/bin/{f}: no such program in programs/Cargo.toml")
    for p in pis:
        path = os.path.join(BIN, f"{p}.toml")
        if not os.path.exists(path):
            found.append(f"{p}: no manifest (programs/src/bin/{p}.toml)")
            continue
        try:
            m = load(p)
        except tomllib.TOMLDecodeError as e:
            found.append(f"{p}.toml: {e}")
            continue
        for key, kind in REQUIRED.items():
            if not isinstance(m.get(key), kind):
                found.append(f"{p}.toml: `{key}` missing or not a {kind.__name__}")
        b = m.get("blocking", [])
        if not (len(b) == 2 and isinstance(b[0], str) and isinstance(b[1], int) and b[1] >= 1):
            found.append(f"{p}.toml: `blocking` is not [\"call\", occurrence]")
        if isinstance(m.get("page"), str) and not os.path.exists(
                os.path.join(ROOT, "docs", m["page"])):
            found.append(f"{p}.toml: page docs/{m['page']} does not exist")
        for key in m.get("why", {}):
            if key.split(" ")[0] not in ("parent", "worker") or len(key.split(" ")) != 2:
                found.append(f"{p}.toml: why key {key!r} is not \"parent CALL\" or \"worker CALL\"")
        for key in ("silent_worker", "killed_leaves", "sum_in_arrival_order"):
            if key in m and not isinstance(m[key], str):
                found.append(f"{p}.toml: `{key}` is not a string")
        if "container" in m and set(m["container"]) != {"files_in", "without_dev_shm"}:
            found.append(f"{p}.toml: [container] needs exactly files_in, without_dev_shm")
        if "family" in m and set(m["family"]) != set(FAMILY):
            found.append(f"{p}.toml: [family] needs exactly {', '.join(FAMILY)}")
    return found


def needing_files():
    """The programs whose manifest says they make files ([container] files_in)."""
    return [p for p, m in all_manifests().items() if "container" in m]


if __name__ == "__main__":
    if sys.argv[1:] == ["--files"]:
        print("\n".join(needing_files()))
        sys.exit(0)
    if sys.argv[1:] == ["--check"]:
        wrong = problems()
        for w in wrong:
            print(f"manifest: {w}", file=sys.stderr)
        sys.exit(1 if wrong else 0)
    print(__doc__.strip().splitlines()[0], file=sys.stderr)
    sys.exit(2)
