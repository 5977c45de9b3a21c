#!/usr/bin/env bash
# sandbox.sh [--root DIR] COMMAND [ARG...]: runs COMMAND in fresh IPC, mount, PID, network
# and UTS namespaces, with its own tmpfs at /dev/shm (1 MiB, mode 1777), the namespace's
# mqueue file system at /dev/mqueue, its own /proc, its loopback interface up (as
# container engines bring it up, even with --network none), and TMPDIR=/dev/shm. Everything the command creates —
# System V objects, queues, files in /dev/shm, processes — dies with the namespaces, so a
# test can count what a program leaves exactly and the host is never touched.
#
# --root DIR: run COMMAND (a path inside DIR) with DIR as its root, as a FROM scratch
# container would; DIR/dev/shm gets the tmpfs if that directory exists, else the command
# has no /dev/shm at all.
#
# Not as root: the namespaces are made inside a new user namespace where the user is root
# (unshare --user --map-root-user), where the kernel allows unprivileged user namespaces;
# only the user's own uid exists there, so what needs another uid or the host's cgroups
# cannot run in it (the tests skip those cases and say so).
#
# The one sandbox of the tests (faults, leaks, container-test). Exit 125 with a message
# when the namespaces cannot be made here; otherwise COMMAND's status.
set -u
# ip, chroot: in /usr/sbin, which a user's PATH may lack.
export PATH=$PATH:/usr/sbin:/sbin
if [ "${1:-}" != --inside ]; then
    user=()
    [ "$(id -u)" = 0 ] || user=(--user --map-root-user)
    new=(unshare "${user[@]}" --ipc --mount --pid --net --uts --fork --mount-proc --kill-child)
    probe=$("${new[@]}" true 2>&1) || {
        echo "sandbox: ${new[*]} is not permitted here: $probe" >&2
        exit 125
    }
    exec "${new[@]}" "$0" --inside "$@"
fi
shift
set -e
mount --make-rprivate /
mount -t tmpfs -o size=1m,mode=1777 tmpfs /dev/shm
mkdir -p /dev/mqueue
mount -t mqueue mqueue /dev/mqueue
ip link set lo up
# Where pi-fifo and pi-unix make their FIFO and socket file: the counted tmpfs, as the image
# does (Dockerfile: TMPDIR=/dev/shm).
export TMPDIR=/dev/shm
if [ "${1:-}" = --root ]; then
    root=$2
    shift 2
    [ -d "$root/dev/shm" ] && mount -t tmpfs -o size=1m,mode=1777 tmpfs "$root/dev/shm"
    set +e
    exec chroot "$root" "$@"
fi
set +e
exec "$@"
