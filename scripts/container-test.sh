#!/usr/bin/env bash
# container-test.sh [PROGRAM...]: the container test, in two parts.
#
# 1. Every program the way a FROM-scratch container would run it, without an engine: in
#    an empty root holding only its binary, in fresh IPC, mount, PID, network and UTS
#    namespaces (scripts/sandbox.sh --root), checking its output. pi-shm-sem gets a tmpfs
#    at /dev/shm (as Docker and Podman give every container); a second run without
#    /dev/shm must fail with exit 1 and a one-line message saying how to provide one.
# 2. The real engines: scripts/engine-test.py builds the FROM scratch image and runs the
#    matrix of docs/containers.md under Podman and Docker. Where no engine can start, part
#    1 is what remains, and this says so.
#
# A part that cannot run here is skipped (exit 0, with a message), except under CI=true,
# where a skip is a failure; any failure exits 1. With BAREIPC_CONTAINER_LOG=DIR the
# engine matrix is logged for `make readme`.
set -u
cd "$(dirname "$0")/.."
bin_dir=${BAREIPC_BIN_DIR:-bin}
programs=("$@")
all=$(($# == 0))
[ ${#programs[@]} -gt 0 ] || mapfile -t programs < <(scripts/programs.py)

if ! why=$(scripts/sandbox.sh true 2>&1); then
    if [ "${CI:-}" = true ]; then
        echo "container-test: FAIL: a skip is a failure under CI=true: $why"
        exit 1
    fi
    echo "container-test: SKIP: $why"
    [ -z "${BAREIPC_SKIP_LOG:-}" ] ||
        printf 'skip\tcontainer test (empty roots, Podman, Docker)\t%s\n' "sandbox: $why" >>"$BAREIPC_SKIP_LOG"
    exit 0
fi

mapfile -t needs_files < <(scripts/manifest.py --files)
# What a pi program prints with the defaults (programs/Cargo.toml's metadata).
digits=$(scripts/programs.py --meta digits)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "container-test: FAIL: $*"
    failures=$((failures + 1))
}

# run ROOT WANT_STATUS PROGRAM [ARG...]: runs /PROGRAM with ROOT as its root in the tests'
# sandbox (scripts/sandbox.sh --root: fresh namespaces, a tmpfs at ROOT/dev/shm when ROOT
# has that directory). Sets out, err, status.
run() {
    local root=$1 want=$2
    shift 2
    out=$(timeout 60 scripts/sandbox.sh --root "$root" "/$@" 2>"$work/err")
    status=$?
    err=$(cat "$work/err")
    if [ "$status" != "$want" ]; then
        fail "$1: exit $status, expected $want; stdout: $out; stderr: $err"
        return 1
    fi
}

for p in "${programs[@]}"; do
    exe="$bin_dir/$p"
    [ -x "$exe" ] || { fail "$exe is missing: run make all"; continue; }
    root="$work/$p"
    mkdir -p "$root"
    cp "$exe" "$root/$p"
    # A program that makes files (its manifest's [container]) gets /dev/shm, as an
    # engine gives every container.
    if [[ " ${needs_files[*]} " == *" $p "* ]]; then mkdir -p "$root/dev/shm"; fi
    if [ "$(find "$root" -type f | wc -l)" != 1 ]; then
        fail "$p: the root holds more than the binary"
        continue
    fi
    case $p in
        pi-*) want=$digits ;;
        pipe-single) want=$'wrote 20 bytes into the pipe\nread back: hello through a pipe' ;;
        socketpair-single) want=$'a -> b: hello from end a\nb -> a: b got it: hello from end a' ;;
        # The tool's ls with no /proc, no /dev/mqueue, no /dev/shm: the System V tables
        # (empty in a fresh IPC namespace) and a note for each file system missing.
        bareipc) want="KIND      NAME/KEY                  ID        DETAILS
# mq not listed: no mqueue file system at /dev/mqueue (mount -t mqueue none /dev/mqueue): ENOENT
# POSIX shm and sem not listed: no /dev/shm: ENOENT" ;;
    esac
    if run "$root" 0 "$p"; then
        if [ "$out" != "$want" ] || [ -n "$err" ]; then
            fail "$p: printed '$out' (stderr '$err'), expected '$want'"
        else
            echo "container-test: ok: $p in an empty root prints $(head -n 1 <<<"$out")"
        fi
    fi
    if [ "$p" = pi-shm-sem ]; then
        # The same program where the container has no /dev/shm at all.
        bare="$work/$p-no-shm"
        mkdir -p "$bare"
        cp "$exe" "$bare/$p"
        if run "$bare" 1 "$p"; then
            lines=$(printf '%s\n' "$err" | wc -l)
            if [ -n "$out" ] || [ "$lines" != 1 ] || [[ $err != *"/dev/shm"* ]] ||
                [[ $err != *"--tmpfs /dev/shm"* ]]; then
                fail "$p without /dev/shm: expected one line naming /dev/shm and how to mount it, got: $err"
            else
                echo "container-test: ok: $p without /dev/shm fails: $err"
            fi
        fi
    fi
done

engines=(python3 scripts/engine-test.py)
[ ${#programs[@]} -gt 0 ] && engines+=(--programs "$(IFS=,; echo "${programs[*]}")")
[ -n "${BAREIPC_CONTAINER_LOG:-}" ] && engines+=(--log "$BAREIPC_CONTAINER_LOG")
"${engines[@]}"
case $? in
    0) ;;
    77)
        if [ "${CI:-}" = true ]; then
            fail "no container engine could start (a skip is a failure under CI=true)"
        else
            echo "container-test: SKIP: no container engine could start; only the unshare imitation above ran"
        fi
        ;;
    *) failures=$((failures + 1)) ;;
esac

# The reach matrix: every mechanism across every boundary, measured again and compared
# with results/reach.tsv (the namespace cells in the sandbox; the engine cells where an
# engine runs). Only for the whole set of programs.
if [ "$all" = 1 ]; then
    python3 scripts/reach.py --check results/reach.tsv
    case $? in
        0) ;;
        77) echo "container-test: SKIP: the reach matrix (no sandbox here)" ;;
        *) failures=$((failures + 1)) ;;
    esac
fi

if [ "$failures" -gt 0 ]; then
    echo "container-test: $failures failure(s)"
    exit 1
fi
