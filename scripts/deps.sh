#!/usr/bin/env bash
# deps.sh (make deps): installs what make test needs and a fresh Debian or Ubuntu machine
# lacks — strace, python3 with venv and headers, gcc, qemu-user, the cross gcc and glibc for
# aarch64 and riscv64, Podman, runc, Docker, rustfmt and clippy, the two Rust targets.
# Needs root for apt-get (and the network: the package registries). Installs nothing that
# is there already.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v strace >/dev/null || missing+=(strace)
command -v python3 >/dev/null || missing+=(python3)
# tests/tool.rs makes a virtual environment and installs posix_ipc and sysv_ipc from PyPI
# into it (wheels; the headers in case pip must build them).
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
ls /usr/include/python3*/Python.h >/dev/null 2>&1 || missing+=(python3-dev)
command -v gcc >/dev/null || missing+=(gcc)
command -v qemu-x86_64 >/dev/null || missing+=(qemu-user)
# Other architectures (make cross, and their tests under qemu-user): Debian's cross gcc
# links, its cross glibc serves the library's std test binaries.
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v riscv64-linux-gnu-gcc >/dev/null || missing+=(gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)
# The container test's engines (scripts/engine-test.py). /usr/local/bin/docker on these
# machines is another client: look for Debian's daemon and client.
command -v podman >/dev/null || missing+=(podman)
[ -x /usr/sbin/runc ] || missing+=(runc)
{ command -v dockerd >/dev/null && [ -x /usr/bin/docker ]; } || missing+=(docker.io)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    # No service may start during the install (docker.io ships an init script; the test
    # starts its own dockerd in a private directory): a policy-rc.d of ours, removed after.
    policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod +x "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    [ -z "$policy" ] || rm -f "$policy"
fi
for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done
for target in aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu; do
    rustup target list --installed 2>/dev/null | grep -q "^$target" || rustup target add "$target"
done
