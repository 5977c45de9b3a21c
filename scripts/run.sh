#!/usr/bin/env bash
# run.sh PROGRAM...: runs each program from bin/ with its defaults and prints a table of
# program, output (lines joined by " | "), exit status and wall time.
set -u
cd "$(dirname "$0")/.."
printf '%-20s %-58s %4s %9s\n' program output exit "wall ms"
status=0
for p in "$@"; do
    start=$EPOCHREALTIME
    out=$(bin/"$p" 2>&1)
    rc=$?
    end=$EPOCHREALTIME
    ms=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
    printf '%-20s %-58s %4s %9s\n' "$p" "$(printf '%s' "$out" | paste -sd'|' | sed 's/|/ | /g')" "$rc" "$ms"
    [ "$rc" -eq 0 ] || status=1
done
exit $status
