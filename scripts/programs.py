#!/usr/bin/env python3
"""programs.py [--pi | --demos]: the programs, one per line, read from programs/Cargo.toml's [[bin]]
tables — the one list of programs, which the Makefile, the scripts and the tests read.

A name that starts with `pi-` is a pi program (the CLI -w/-n/-d, prints pi); one that ends
with `-single` is a single-process demo. Any other binary is neither (a tool).
"""
import pathlib
import sys
import tomllib


def programs(kind=None):
    manifest = pathlib.Path(__file__).resolve().parent.parent / "programs" / "Cargo.toml"
    names = [b["name"] for b in tomllib.loads(manifest.read_text()).get("bin", [])]
    if kind == "pi":
        return [n for n in names if n.startswith("pi-")]
    if kind == "demos":
        return [n for n in names if n.endswith("-single")]
    return names


if __name__ == "__main__":
    kind = {"--pi": "pi", "--demos": "demos"}.get(sys.argv[1] if len(sys.argv) > 1 else "")
    print("\n".join(programs(kind)))
