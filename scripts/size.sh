#!/usr/bin/env bash
# size.sh PROGRAM...: a Markdown table of each binary in bin/: its size in bytes against its
# limit (programs/Cargo.toml's metadata: 16 KiB for a program, 48 KiB for the tool), and the peak resident set of
# any process of a default run (peak-rss.py).
# size.sh --arches PROGRAM...: one column of sizes per architecture built — bin/ (the
# host's) and each bin/ARCH/ that `make cross` made.
# Exit status 1 if any binary passes the limit.
set -u
cd "$(dirname "$0")/.."
# limit PROGRAM: its size limit in bytes.
limit() {
    scripts/programs.py --meta size-limit "$1"
}
if [ "${1:-}" = --arches ]; then
    shift
    dirs=(bin) names=("$(uname -m)")
    for arch in x86_64 aarch64 riscv64; do
        [ -d "bin/$arch" ] && { dirs+=("bin/$arch"); names+=("$arch"); }
    done
    header="| program |" rule="|---|"
    for n in "${names[@]}"; do header+=" $n |"; rule+="---:|"; done
    echo "$header"
    echo "$rule"
    over=0
    for p in "$@"; do
        row="| $p |"
        for i in "${!dirs[@]}"; do
            d=${dirs[$i]}
            bytes=$(stat -c %s "$d/$p" 2>/dev/null || echo 0)
            if [ "$bytes" -gt "$(limit "$p")" ]; then
                row+=" **$bytes** (over) |"
                over=1
            else
                row+=" $bytes |"
            fi
        done
        echo "$row"
    done
    exit $over
fi
echo "| program | bytes | limit | peak RSS (KiB) |"
echo "|---|---:|---|---:|"
over=0
for p in "$@"; do
    bytes=$(stat -c %s "bin/$p")
    verdict=ok
    [ "$bytes" -le "$(limit "$p")" ] || { verdict="OVER $(limit "$p")"; over=1; }
    rss=n/a
    if command -v strace >/dev/null && command -v python3 >/dev/null; then
        rss=$(scripts/peak-rss.py "bin/$p" 2>/dev/null | sed -n 's/^peak_rss_kib=\([0-9]*\).*/\1/p')
    fi
    echo "| $p | $bytes | $verdict | ${rss:-n/a} |"
done
exit $over
