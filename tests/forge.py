#!/usr/bin/env python3
"""forge.py KIND PID [W]: a hostile local process for the fault matrix. It waits until the
run whose parent is PID has made its endpoint, then plays what a process of another or
of the same user can do to it — forged results, stray connections, a write into shared
memory — and exits 0 once it has (1 if the endpoint never appeared: a case that would
otherwise pass without its attack).

  tcp          connects to the run's loopback port (found in /proc/net/tcp): one silent
               connection kept open, one closed at once, and W forged results
  dgram        sends W forged results to the run's abstract name (/proc/net/unix)
  udp          sends W forged results to the run's UDP port (/proc/net/udp)
  flood-dgram, flood-udp
               floods the abstract name (the UDP port) with junk until the run ends, and
               meanwhile SIGKILLs a worker: a receive that never has to wait must still
               see the death (the tick cannot interrupt it)
  signal       queues signal 35 with a worker's pid as si_pid and a forged sum, then 36
               with a forged tag, for each worker (rt_sigqueueinfo, as the kernel lets
               any process of the user)
  msg          sends W forged results to the run's System V queue (/proc/sysvipc/msg)
  fifo         opens the run's FIFO in TMPDIR and writes W forged results
  fill-fifo, fill-msg
               stops the run's parent, fills its FIFO (System V queue) with junk and lets
               the parent go on a second later: its workers have found no room, and must
               wait for it
  shrink-msg   as fill-msg, and before the parent goes on lowers the queue's byte limit
               below one message (msgctl IPC_SET, as its owner may): the waiting workers
               must say so, not wait forever
  unix         connects to the run's socket file in TMPDIR and sends a forged sum
  shm          attaches the run's System V segment by id and writes the sum, again and
               again, until the run ends
  procfd       tries to open every descriptor of the run's parent through /proc/PID/fd:
               exit status 3 if any open succeeds

A forged result is as the programs' are made, with a tag that no key made: a worker
index, the sum of 0.5, and 8 random bytes.
"""
import ctypes
import os
import random
import signal
import socket
import struct
import sys
import time

MAGIC = b"bPI2"
# rt_sigqueueinfo: x86_64's number, and the generic table's (aarch64, riscv64).
RT_SIGQUEUEINFO = {"x86_64": 129}.get(os.uname().machine, 240)


def forged(index):
    return MAGIC + struct.pack("<Id", index, 0.5) + os.urandom(8)


def wait_for(find, what, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        found = find()
        if found is not None:
            return found
        time.sleep(0.01)
    sys.exit(f"forge: no {what} appeared")


def children(pid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    kids.append(int(d))
            except OSError:
                pass
    return sorted(kids)


def sysv_queue(pid):
    """The id of the System V queue of the run whose parent is `pid` (its key names it)."""
    for line in open("/proc/sysvipc/msg").readlines()[1:]:
        f = line.split()
        if int(f[0]) & 0xFFFFFFFF == 0xB1000000 | (pid & 0xFFFFFF):
            return int(f[1])
    return None


def fill_while_stopped(send, pid, seconds=1.0, then=lambda: None):
    """Stops the run's parent (SIGSTOP: a process of the same user may), fills its queue
    with junk through `send` (non-blocking: BlockingIOError when full), and lets the
    parent go on `seconds` later — after its workers have computed and found no room —
    having called `then`."""
    os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(1_000_000):
            try:
                send()
            except BlockingIOError:
                break
        else:
            sys.exit("forge: the queue never filled")
        time.sleep(seconds)
        then()
    finally:
        os.kill(pid, signal.SIGCONT)


def tcp_port():
    for line in open("/proc/net/tcp").readlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A" and local.startswith("0100007F:"):
            return int(local.split(":")[1], 16)
    return None


def udp_port():
    # The parent's socket is bound and not connected (state 07); its workers' are
    # connected (01).
    for line in open("/proc/net/udp").readlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "07" and local.startswith("0100007F:"):
            return int(local.split(":")[1], 16)
    return None


def flood(send, pid, workers):
    """Sends junk from three processes as fast as they can until the run's parent is gone
    (at most 90 s), faster than the parent drains it, so that its receive never has to
    wait; kills one worker once the flood runs, while it still computes."""
    wait_for(lambda: children(pid) if len(children(pid)) >= workers else None, "workers")
    flooders = []
    for _ in range(3):
        child = os.fork()
        if child == 0:
            junk, started = b"x" * 24, time.monotonic()
            while os.path.exists(f"/proc/{pid}") and time.monotonic() - started < 90:
                for _ in range(256):
                    try:
                        send(junk)
                    except OSError:
                        pass
            os._exit(0)
        flooders.append(child)
    time.sleep(0.05)
    os.kill(children(pid)[-1], 9)
    for child in flooders:
        os.waitpid(child, 0)


def abstract_name():
    for line in open("/proc/net/unix").readlines()[1:]:
        path = line.split()[-1]
        if path.startswith("@bareipc-dgram-"):
            return "\0" + path[1:]
    return None


def run_file(tag):
    tmp = os.environ.get("TMPDIR") or "/tmp"
    for name in os.listdir(tmp):
        if name.startswith(f"bareipc-{tag}-"):
            return os.path.join(tmp, name)
    return None


def main(kind, pid, workers):
    if kind == "tcp":
        port = wait_for(tcp_port, "loopback listener")
        silent = socket.create_connection(("127.0.0.1", port))
        socket.create_connection(("127.0.0.1", port)).close()
        for i in range(workers):
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.settimeout(1)
                try:
                    # (Refused, the connection may be closed before or after the send.)
                    s.sendall(forged(i))
                    s.recv(1)
                except OSError:
                    pass
        time.sleep(0.5)
        silent.close()
    elif kind == "dgram":
        name = wait_for(abstract_name, "abstract name")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for i in range(workers):
            s.sendto(forged(i), name)
    elif kind == "udp":
        port = wait_for(udp_port, "UDP port")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(workers):
            s.sendto(forged(i), ("127.0.0.1", port))
    elif kind == "flood-udp":
        port = wait_for(udp_port, "UDP port")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        flood(lambda b: s.sendto(b, ("127.0.0.1", port)), pid, workers)
    elif kind == "flood-dgram":
        name = wait_for(abstract_name, "abstract name")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setblocking(False)
        flood(lambda b: s.sendto(b, name), pid, workers)
    elif kind == "signal":
        kids = wait_for(lambda: children(pid) if len(children(pid)) >= workers else None, "workers")
        libc = ctypes.CDLL(None, use_errno=True)
        for sig, value in [(35, struct.unpack("<Q", struct.pack("<d", 2.0))[0]), (36, None)]:
            for kid in kids:
                info = bytearray(128)
                v = value if value is not None else random.getrandbits(64)
                # si_signo, si_errno, si_code (SI_QUEUE = -1), pad; si_pid, si_uid; value
                struct.pack_into("<iiii", info, 0, sig, 0, -1, 0)
                struct.pack_into("<IIQ", info, 16, kid, os.getuid(), v)
                buf = (ctypes.c_char * 128).from_buffer(info)
                if libc.syscall(RT_SIGQUEUEINFO, pid, sig, buf) != 0:
                    sys.exit(f"forge: rt_sigqueueinfo: errno {ctypes.get_errno()}")
    elif kind == "msg":
        qid = wait_for(lambda: sysv_queue(pid), "System V queue")
        libc = ctypes.CDLL(None, use_errno=True)
        for i in range(workers):
            m = ctypes.create_string_buffer(struct.pack("<q", i + 1) + forged(i))
            if libc.msgsnd(qid, m, 24, 0) != 0:
                sys.exit(f"forge: msgsnd: errno {ctypes.get_errno()}")
    elif kind == "fill-fifo":
        fd = os.open(wait_for(lambda: run_file("fifo"), "FIFO"), os.O_WRONLY | os.O_NONBLOCK)
        fill_while_stopped(lambda: os.write(fd, b"x" * 24), pid)
    elif kind == "fill-msg":
        qid = wait_for(lambda: sysv_queue(pid), "System V queue")
        libc = ctypes.CDLL(None, use_errno=True)
        junk = ctypes.create_string_buffer(struct.pack("<q", 1) + b"x" * 24)
        IPC_NOWAIT = 0o4000

        def send():
            if libc.msgsnd(qid, junk, 24, IPC_NOWAIT) != 0:
                errno = ctypes.get_errno()
                if errno == 11:
                    raise BlockingIOError()
                sys.exit(f"forge: msgsnd: errno {errno}")
        fill_while_stopped(send, pid)
    elif kind == "shrink-msg":
        qid = wait_for(lambda: sysv_queue(pid), "System V queue")
        libc = ctypes.CDLL(None, use_errno=True)
        junk = ctypes.create_string_buffer(struct.pack("<q", 1) + b"x" * 24)

        def send():
            if libc.msgsnd(qid, junk, 24, 0o4000) != 0:  # IPC_NOWAIT
                raise BlockingIOError()

        def shrink():
            # struct msqid_ds (64-bit Linux): msg_qbytes at byte 88, after the 48-byte
            # ipc_perm and five 8-byte fields.
            ds = ctypes.create_string_buffer(120)
            if libc.msgctl(qid, 2, ds) != 0:  # IPC_STAT
                sys.exit(f"forge: msgctl IPC_STAT: errno {ctypes.get_errno()}")
            qbytes = ctypes.c_uint64.from_buffer(ds, 88)
            if qbytes.value != int(open("/proc/sys/kernel/msgmnb").read()):
                sys.exit(f"forge: msg_qbytes is not at byte 88 ({qbytes.value})")
            qbytes.value = 16
            if libc.msgctl(qid, 1, ds) != 0:  # IPC_SET
                sys.exit(f"forge: msgctl IPC_SET: errno {ctypes.get_errno()}")
        fill_while_stopped(send, pid, then=shrink)
    elif kind == "fifo":
        path = wait_for(lambda: run_file("fifo"), "FIFO")
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        for i in range(workers):
            os.write(fd, forged(i))
        os.close(fd)
    elif kind == "unix":
        path = wait_for(lambda: run_file("unix"), "socket file")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(path)
        s.settimeout(1)
        try:
            # The run may close a stranger's connection before the sum is sent: EPIPE.
            s.send(struct.pack("<d", 0.5))
            s.recv(1)
        except OSError:
            pass
    elif kind == "shm":
        def segment():
            for line in open("/proc/sysvipc/shm").readlines()[1:]:
                f = line.split()
                if int(f[4]) == pid:  # cpid
                    return int(f[1])
            return None
        shmid = wait_for(segment, "System V segment")
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        addr = libc.shmat(shmid, None, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            sys.exit(f"forge: shmat: errno {ctypes.get_errno()}")
        word = ctypes.c_uint64.from_address(addr)
        bits = struct.unpack("<Q", struct.pack("<d", 0.5))[0]
        while os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z":
            word.value = bits
            time.sleep(0.001)
    elif kind == "procfd":
        wait_for(lambda: children(pid) or None, "workers")
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except PermissionError:
            return
        for fd in fds:
            try:
                os.close(os.open(f"/proc/{pid}/fd/{fd}", os.O_RDONLY | os.O_NONBLOCK))
                sys.exit(3)
            except OSError:
                pass
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 2)
