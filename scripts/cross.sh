#!/usr/bin/env bash
# cross.sh [--out DIR] [--targets]: builds every program for the architectures other than
# the host's — aarch64 and riscv64 on an x86_64 host — into DIR/ARCH/ (default bin/ARCH/),
# stripped as `make all` strips. qemu-user runs the results: `qemu-aarch64
# bin/aarch64/pi-pipe`.
#
# Each architecture needs its Rust target (`rustup target add`) and Debian's cross gcc as
# the linker (.cargo/config.toml). The programs are built in target/cross/ with the
# config's flags and, on aarch64, two more that only a libc-free executable wants (see
# .cargo/config.toml): the test binaries, built with the config's flags alone, keep
# target/.
#
# --targets: print "ARCH RUST-TARGET" for each architecture it would build, and exit.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(uname -m)
targets() {
    for arch in x86_64 aarch64 riscv64; do
        [ "$arch" = "$host" ] && continue
        case $arch in
            riscv64) echo "$arch riscv64gc-unknown-linux-gnu" ;;
            *) echo "$arch $arch-unknown-linux-gnu" ;;
        esac
    done
}
out=bin
case "${1:-}" in
    --targets) targets; exit 0 ;;
    --out) out=$2 ;;
    "") ;;
    *) echo "usage: cross.sh [--out DIR] [--targets]" >&2; exit 2 ;;
esac
programs=$(scripts/programs.py)
targets | while read -r arch target; do
    if [ "$arch" = aarch64 ]; then
        # The config's flags (the machine outliner among them) and two more.
        export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C relocation-model=static \
-C target-feature=-outline-atomics -C code-model=tiny -C llvm-args=-enable-machine-outliner=always"
    fi
    cargo build --release -p bareipc-programs --bins --quiet --target "$target" --target-dir target/cross 2>&1 |
        { grep -v -e "unstable feature specified for \`-Ctarget-feature\`: \`outline-atomics\`" \
            -e "this feature is not stably supported" -e '^  |$' -e '^  = note' -e '^$' || true; }
    [ "${PIPESTATUS[0]}" = 0 ] || exit 1
    mkdir -p "$out/$arch"
    for p in $programs; do
        cp "target/cross/$target/release/$p" "$out/$arch/$p"
    done
    # shellcheck disable=SC2046
    scripts/strip-section-headers.py $(printf "$out/$arch/%s " $programs) >/dev/null
    echo "built for $arch ($target): $out/$arch/"
done
