#!/usr/bin/env bash
# ipc-bench.sh [--quick]: builds and runs the transport benchmark (examples/ipc-bench.rs)
# with its C baseline (bench/c/ipc-bench.c), and writes under results/:
#   ipc-bench.md   the table (Markdown), also shown in the README
#   ipc-bench.csv  the same figures, for spreadsheets
#   ipc-bench.svg  median round trip by mechanism and size, one panel per CPU placement
#   machine.txt    the machine the figures came from
# Installs gcc and gnuplot (Debian's gnuplot-nox) where missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v gcc >/dev/null || missing+=(gcc)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

mkdir -p target/bench results
gcc -O2 -Wall -o target/bench/ipc-bench-c bench/c/ipc-bench.c -lrt
cargo build -q --release --example ipc-bench
target/release/examples/ipc-bench "$@" --out results --c target/bench/ipc-bench-c

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
echo "${cpu:-unknown CPU}, $(nproc) CPUs, Linux $(uname -r), $(date -u +%Y-%m-%d)" > results/machine.txt

# One panel per placement: clustered bars of the median round trip (log scale), one
# cluster per mechanism, one bar per message size. Missing results (n/a) are left out.
gnuplot <<'EOF'
set terminal svg size 1100,900 dynamic font "sans,11" background "white"
set output "results/ipc-bench.svg"
set multiplot layout 3,1 title "ipc-bench: median round trip between two processes (µs, log scale; bareipc)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.05:*]
set grid ytics
set key outside right top
set xtics nomirror
set datafile missing "n/a"
do for [mode in "two same none"] {
    title = (mode eq "two") ? "both CPUs (pinned to two)" : (mode eq "same") ? "one CPU (both pinned to CPU 0)" : "unpinned"
    set title title
    plot for [size in "8 64 4096 65536"] \
        sprintf("< awk '$1==\"%s\" && $3==%s' results/ipc-bench.dat", mode, size) \
        using 4:xtic(2) title sprintf("%s B", size)
}
unset multiplot
EOF
rm -f results/ipc-bench.dat
echo "results/: ipc-bench.md ipc-bench.csv ipc-bench.svg machine.txt"
