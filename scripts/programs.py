#!/usr/bin/env python3
"""programs.py [--pi | --demos | --meta KEY [PROGRAM]]: the programs, one per line, read from programs/Cargo.toml's [[bin]]
tables — the one list of programs, which the Makefile, the scripts and the tests read.

A name that starts with `pi-` is a pi program (the CLI -w/-n/-d, prints pi); one that ends
with `-single` is a single-process demo. Any other binary is neither (a tool).

--meta KEY: a fact about all the programs, from [package.metadata.bareipc]: `digits` (what
a pi program prints with the defaults), `size-limit`; `--meta size-limit PROGRAM`: that
program's limit (the tool has its own, `tool-size-limit`).
"""
import pathlib
import sys
import tomllib


MANIFEST = pathlib.Path(__file__).resolve().parent.parent / "programs" / "Cargo.toml"


def meta(key, program=None):
    """[package.metadata.bareipc]'s KEY; for size-limit and a PROGRAM, that program's."""
    table = tomllib.loads(MANIFEST.read_text())["package"]["metadata"]["bareipc"]
    if key == "size-limit" and program is not None and not (
            program.startswith("pi-") or program.endswith("-single")):
        key = "tool-size-limit"
    return table[key]


def programs(kind=None):
    names = [b["name"] for b in tomllib.loads(MANIFEST.read_text()).get("bin", [])]
    if kind == "pi":
        return [n for n in names if n.startswith("pi-")]
    if kind == "demos":
        return [n for n in names if n.endswith("-single")]
    return names


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--meta":
        print(meta(*sys.argv[2:4]))
        sys.exit(0)
    kind = {"--pi": "pi", "--demos": "demos"}.get(sys.argv[1] if len(sys.argv) > 1 else "")
    print("\n".join(programs(kind)))
