#!/usr/bin/env bash
# size.sh PROGRAM...: a Markdown table of each binary in bin/: its size in bytes against the
# 16 KiB limit, and the peak resident set of any process of a default run (peak-rss.py).
set -u
cd "$(dirname "$0")/.."
limit=16384
echo "| program | bytes | limit | peak RSS (KiB) |"
echo "|---|---:|---|---:|"
over=0
for p in "$@"; do
    bytes=$(stat -c %s "bin/$p")
    verdict=ok
    [ "$bytes" -le "$limit" ] || { verdict="OVER $limit"; over=1; }
    rss=n/a
    if command -v strace >/dev/null && command -v python3 >/dev/null; then
        rss=$(scripts/peak-rss.py "bin/$p" 2>/dev/null | sed -n 's/^peak_rss_kib=\([0-9]*\).*/\1/p')
    fi
    echo "| $p | $bytes | $verdict | ${rss:-n/a} |"
done
exit $over
