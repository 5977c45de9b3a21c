#!/usr/bin/env python3
"""The bareipc tool's tests that need a namespace of their own (run by tests/tool.rs).

tool.py SECTION BIN [ARG...], inside the tests' sandbox (scripts/sandbox.sh: fresh IPC,
mount and PID namespaces, an mqueue file system at /dev/mqueue, a tmpfs at /dev/shm):
every object made here dies with the namespace, whatever fails. Runs the section's
checks, prints one line per failure and exits 1 if there was any.

Sections: interop (BIN HELPER: glibc's C and, when importable, Python's posix_ipc and
sysv_ipc), empty-root, hostile, clean, fuzz (BIN SEED COUNT).
"""
import ctypes
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

FAILURES = []
BIN = None
NOBODY = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]


def another_user():
    """Whether a command can run as nobody, another user: only as root (without root the
    sandbox is a user namespace that has one uid). Says SKIP once where it cannot."""
    if not hasattr(another_user, "can"):
        another_user.can = subprocess.run([*NOBODY, "true"], capture_output=True).returncode == 0
        if not another_user.can:
            print("SKIP: not root: the checks as another user (setpriv to nobody)", flush=True)
    return another_user.can


def check(ok, what):
    if not ok:
        FAILURES.append(what)
        print(f"FAIL: {what}", flush=True)


def tool(*args, who=(), timeout=10, data=None):
    """Runs the tool: (exit status or -signal, stdout bytes, stderr text)."""
    r = subprocess.run([*who, BIN, *args], capture_output=True, timeout=timeout, input=data)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def ok(*args, **kw):
    """Runs the tool and expects exit 0 and no stderr: stdout as text."""
    code, out, err = tool(*args, **kw)
    check(code == 0 and err == "", f"bareipc {' '.join(args)}: exit {code}, stderr {err!r}")
    return out.decode(errors="replace")


def one_line(args, status, contains, **kw):
    """Runs the tool and expects `status` and one stderr line containing `contains`."""
    code, out, err = tool(*args, **kw)
    good = code == status and err.count("\n") == 1 and err.startswith("bareipc: ")
    check(good and contains in err, f"bareipc {' '.join(args)}: exit {code} (want {status}), "
                                    f"stderr {err!r} (want one line with {contains!r})")
    return err


def listing():
    """`ls --json`, parsed."""
    return json.loads(ok("ls", "--json"))


def find(kind, **fields):
    """The objects of `ls --json` of `kind` whose fields match."""
    return [o for o in listing()["objects"]
            if o["kind"] == kind and all(o.get(k) == v for k, v in fields.items())]


# --- interop -----------------------------------------------------------------------------

def interop_glibc(helper):
    def c(*args, status=0):
        r = subprocess.run([helper, *args], capture_output=True, text=True, timeout=10)
        check(r.returncode == status, f"tool_glibc {' '.join(args)}: exit {r.returncode}, {r.stderr!r}")
        return r.stdout

    # A queue made by C, sent to by both, received by both, in priority order.
    c("mq-create", "/cq", "8", "64")
    ok("mq", "send", "cq", "from the tool", "--priority", "7")
    c("mq-send", "/cq", "3", "from C")
    check(find("mq", name="/cq", messages=2, max_messages=8, message_size=64) != [], "ls: /cq")
    check(c("mq-recv", "/cq") == "7 from the tool\n", "C receives the tool's message first")
    check(ok("mq", "recv", "/cq") == "3\tfrom C\n", "the tool receives C's message")
    # A queue made by the tool, used by C.
    ok("mq", "create", "tq", "--max-messages", "4", "--message-size", "32")
    c("mq-send", "/tq", "1", "low")
    c("mq-send", "/tq", "9", "high")
    check(ok("mq", "recv", "tq") == "9\thigh\n", "priority order across programs")
    ok("mq", "send", "tq", "back", "--priority", "2")
    check(c("mq-recv", "/tq") == "2 back\n", "C receives from a tool-made queue")

    # Semaphores: a waiter on one side woken by a post on the other.
    c("sem-create", "/cs", "0")
    waiter = subprocess.Popen([BIN, "sem", "wait", "cs", "--timeout", "5"], stderr=subprocess.PIPE)
    time.sleep(0.2)
    check(waiter.poll() is None, "the tool waits on C's semaphore at 0")
    c("sem-post", "/cs")
    check(waiter.wait(timeout=5) == 0, "C's post wakes the tool's wait")
    ok("sem", "create", "ts", "--value", "0")
    cwait = subprocess.Popen([helper, "sem-wait", "/ts", "5"])
    time.sleep(0.2)
    check(cwait.poll() is None, "C waits on the tool's semaphore at 0")
    ok("sem", "post", "ts")
    check(cwait.wait(timeout=5) == 0, "the tool's post wakes C's sem_timedwait")
    ok("sem", "post", "ts")
    check(c("sem-value", "/ts") == "1\n", "C reads the value the tool posted")
    check(find("sem", name="/ts", value=1) != [], "ls: /ts with its value")

    # Shared memory: written by one, read by the other.
    c("shm-create", "/cm", "64")
    ok("shm", "write", "cm", "tool bytes", "--offset", "8")
    check(c("shm-read", "/cm", "8", "10") == "tool bytes\n", "C reads what the tool wrote")
    c("shm-write", "/cm", "20", "C bytes")
    check(ok("shm", "read", "cm", "--offset", "20", "--length", "7", "--raw") == "C bytes",
          "the tool reads what C wrote")
    check(find("shm", name="/cm", size=64) != [], "ls: /cm")

    # System V: a queue by key, types both ways; a semaphore set; a segment.
    qid = int(ok("msg", "create", "0x7001"))
    c("msg-send", "7001", "3", "three")
    c("msg-send", "7001", "1", "one")
    check(ok("msg", "recv", "0x7001", "--type", "-2") == "1\tone\n", "recv by the lowest type")
    ok("msg", "send", str(qid), "5", "five")
    check(c("msg-recv", "7001", "5") == "5 five\n", "C receives the tool's type 5")
    check(c("msg-recv", "7001", "0") == "3 three\n", "and the rest")
    ok("sysv-sem", "create", "0x7002", "--count", "2")
    c("sysv-sem-op", "7002", "1", "4")
    ok("sysv-sem", "op", "0x7002", "1", "-3")
    check(find("sysv-sem", key="0x00007002", values=[0, 1]) != [], "ls: the set's values")
    ok("sysv-shm", "create", "0x7003", "--size", "100")
    c("sysv-shm-write", "7003", "5", "segment")
    check(ok("sysv-shm", "read", "0x7003", "--offset", "5", "--length", "7", "--raw") == "segment",
          "the tool reads C's segment")
    ok("sysv-shm", "write", "0x7003", "back", "--offset", "50")
    check(c("sysv-shm-read", "7003", "50", "4") == "back\n", "C reads the tool's bytes")


def masked(signo, *cmd):
    """Starts `cmd` with `signo` blocked, as a shell or a supervisor that means to signal it
    would: the mask is inherited across exec, so a signal sent before the waiter begins
    to wait is pending for it rather than fatal."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signo})
    try:
        return background(*cmd)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signo})


def background(*cmd):
    """Starts `cmd` with its output piped."""
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finished(proc, timeout=10):
    """(status, stdout text, stderr text) of a background process."""
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def interop_endpoints(helper):
    """FIFOs and real-time signals between the tool and glibc C, and Python."""
    d = tempfile.mkdtemp(prefix="bareipc-tool-fifo-")
    try:
        f = os.path.join(d, "f")
        ok("fifo", "create", f)
        # The tool reads what C writes; C reads what the tool writes.
        r = background(BIN, "fifo", "read", f, "--timeout", "5")
        time.sleep(0.05)
        subprocess.run([helper, "fifo-write", f, "from C"], timeout=5)
        check(finished(r) == (0, "from C\n", ""), "the tool reads C's FIFO write")
        r = background(helper, "fifo-read", f)
        time.sleep(0.05)
        ok("fifo", "write", f, "from the tool", "--timeout", "5")
        check(finished(r) == (0, "from the tool", ""), "C reads the tool's FIFO write")
        # Python: a FIFO made by os.mkfifo, both ways, bytes that need escaping.
        g = os.path.join(d, "g")
        os.mkfifo(g, 0o600)
        r = background(BIN, "fifo", "read", g, "--timeout", "5")
        time.sleep(0.05)
        with open(g, "wb") as w:
            w.write(b"py\tx\x01")
        check(finished(r) == (0, "py\\x09x\\x01\n", ""), "the tool escapes Python's bytes")
        r = background(BIN, "fifo", "read", g, "--raw", "--timeout", "5")
        time.sleep(0.05)
        with open(g, "wb") as w:
            w.write(b"raw\x00bytes")
        status, out, _ = r.wait(10), r.stdout.read(), r.stderr.read()
        check(status == 0 and out == b"raw\x00bytes", f"--raw gives the bytes: {out!r}")
        fd = os.open(g, os.O_RDONLY | os.O_NONBLOCK)
        ok("fifo", "write", g, "to python")
        check(os.read(fd, 100) == b"to python", "Python reads the tool's write")
        os.close(fd)
        # Signals: the tool waits, C queues; C waits, the tool queues.
        w = masked(40, BIN, "signal", "wait", "40", "--timeout", "5")
        subprocess.run([helper, "sigqueue", str(w.pid), "40", "18446744073709551615"], timeout=5)
        got = finished(w)
        check(got[0] == 0 and got[1].endswith("\t18446744073709551615\n"),
              f"the tool takes C's queued value: {got}")
        w = masked(41, helper, "sigwait", "41", "5")
        ok("signal", "send", str(w.pid), "41", "42")
        status, out, err = finished(w)
        pid, value = out.split() if status == 0 else ("?", "?")
        check(value == "42" and int(pid) > 0, f"C takes the tool's value: {out!r} {err!r}")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def bound(kind, addr, within=5.0):
    """Waits until something is bound at `addr` (a path or @NAME for the Unix kinds, a port
    for tcp and udp), as /proc/net shows it: a listener is ready."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if kind in ("tcp", "udp"):
            want = f"0100007F:{int(addr):04X}"
            with open(f"/proc/net/{kind}") as f:
                if any(l.split()[1] == want for l in f.readlines()[1:]):
                    return True
        else:
            with open("/proc/net/unix") as f:
                if any(l.split()[-1] == addr for l in f.readlines()[1:] if len(l.split()) > 7):
                    return True
        time.sleep(0.005)
    return False


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def interop_sockets(helper):
    """Every socket kind between the tool and glibc C, and Python's socket module."""
    import socket
    d = tempfile.mkdtemp(prefix="bareipc-tool-sock-")
    try:
        for i, (kind, flag) in enumerate((("stream", []), ("seqpacket", ["--seqpacket"]),
                                          ("dgram", ["--dgram"]), ("tcp", []), ("udp", []))):
            group = kind if kind in ("tcp", "udp") else "unix"
            addrs = [str(free_port()), str(free_port())] if group != "unix" else [
                f"@bareipc-tool-{kind}", os.path.join(d, f"{kind}.sock")]
            for addr in addrs:
                # The tool listens, C sends.
                r = background(BIN, group, "listen", addr, *flag, "--timeout", "5")
                check(bound(kind, addr), f"{kind} {addr}: the tool binds")
                c = subprocess.run([helper, "sock-send", kind, addr, f"C to the tool {i}"],
                                   capture_output=True, text=True, timeout=5)
                got = finished(r)
                check(c.returncode == 0 and got == (0, f"C to the tool {i}\n", ""),
                      f"{kind} {addr}: the tool receives C's: {got} {c.stderr!r}")
                check(addr.startswith("@") or group != "unix" or not os.path.exists(addr),
                      f"{kind} {addr}: the tool unlinks the path it bound")
                # C listens, the tool sends.
                r = background(helper, "sock-recv", kind, addr)
                check(r.stdout.readline() == b"ready\n" and bound(kind, addr), f"{kind}: C binds")
                ok(group, "send", addr, f"tool to C {i}", *flag, "--timeout", "5")
                status, out, err = finished(r)
                check(status == 0 and out.rstrip("\n") == f"tool to C {i}",
                      f"{kind} {addr}: C receives the tool's: {out!r} {err!r}")
            # Python's socket module, both ways.
            fam = socket.AF_INET if group != "unix" else socket.AF_UNIX
            typ = {"stream": socket.SOCK_STREAM, "tcp": socket.SOCK_STREAM,
                   "seqpacket": socket.SOCK_SEQPACKET}.get(kind, socket.SOCK_DGRAM)
            addr = str(free_port()) if group != "unix" else f"@bareipc-tool-py-{kind}"
            pyaddr = ("127.0.0.1", int(addr)) if group != "unix" else "\0" + addr[1:]
            r = background(BIN, group, "listen", addr, *flag, "--count", "2", "--timeout", "5")
            check(bound(kind, addr), f"{kind}: the tool binds for Python")
            for n in range(2):
                with socket.socket(fam, typ) as s:
                    s.connect(pyaddr)
                    s.send(f"py {n}\x00".encode())
            check(finished(r) == (0, "py 0\\x00\npy 1\\x00\n", ""), f"{kind}: the tool receives Python's two")
            with socket.socket(fam, typ) as s:
                s.bind(pyaddr)
                if typ != socket.SOCK_DGRAM:
                    s.listen(1)
                ok(group, "send", addr, "to python", *flag)
                c = s.accept()[0] if typ != socket.SOCK_DGRAM else s
                check(c.recv(100) == b"to python", f"{kind}: Python receives the tool's")
        # Descriptors passed: a memfd and an eventfd, each way, with C and with Python.
        addr = os.path.join(d, "fd.sock")
        r = background(BIN, "fd", "serve", addr, "a memfd's text", "--timeout", "5")
        check(bound("seqpacket", addr), "fd serve binds")
        c = subprocess.run([helper, "fd-take", addr], capture_output=True, text=True, timeout=5)
        check(c.stdout == "a memfd's text" and finished(r)[0] == 0,
              f"C takes the tool's memfd: {c.stdout!r} {c.stderr!r}")
        r = background(helper, "fd-serve", "@bareipc-tool-cfd", "C's memfd")
        check(r.stdout.readline() == b"ready\n", "C serves")
        check(ok("fd", "take", "@bareipc-tool-cfd", "--timeout", "5") == "C's memfd\n",
              "the tool takes C's memfd")
        finished(r)
        r = background(BIN, "fd", "serve", "@bareipc-tool-efd", "41", "--eventfd", "--count", "2",
                       "--timeout", "5")
        check(bound("seqpacket", "@bareipc-tool-efd"), "fd serve --eventfd binds")
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.connect("\0bareipc-tool-efd")
            _, fds, _, _ = socket.recv_fds(s, 1, 1)
            os.eventfd_write(fds[0], 1)  # the same counter the tool made: now 42
            os.close(fds[0])
        check(ok("fd", "take", "@bareipc-tool-efd", "--timeout", "5") == "42\n",
              "the tool takes the eventfd Python added to")
        check(finished(r)[0] == 0, "fd serve ends after --count")
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.bind("\0bareipc-tool-pyfd")
            s.listen(1)
            mem = os.memfd_create("py")
            os.write(mem, b"python's memfd")
            taker = background(BIN, "fd", "take", "@bareipc-tool-pyfd", "--timeout", "5")
            conn, _ = s.accept()
            socket.send_fds(conn, [b"x"], [mem])
            check(finished(taker) == (0, "python's memfd\n", ""), "the tool takes Python's memfd")
            conn.close()
            os.close(mem)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def interop_python():
    try:
        import posix_ipc
        import sysv_ipc
    except ImportError as e:
        check(False, f"posix_ipc/sysv_ipc not importable: {e}")
        return
    # POSIX queue made by Python: priorities both ways.
    q = posix_ipc.MessageQueue("/pq", posix_ipc.O_CREX, max_messages=5, max_message_size=100)
    ok("mq", "send", "pq", "tool low", "--priority", "1")
    ok("mq", "send", "/pq", "tool high", "--priority", "8")
    check(q.receive(timeout=2) == (b"tool high", 8), "posix_ipc receives the highest first")
    q.send(b"py 4", priority=4)
    check(ok("mq", "recv", "pq") == "4\tpy 4\n", "the tool receives posix_ipc's message")
    check(find("mq", name="/pq", messages=1, max_messages=5, message_size=100) != [], "ls: /pq")
    ok("mq", "create", "tq2", "--message-size", "16")
    q2 = posix_ipc.MessageQueue("/tq2")
    q2.send(b"hello", priority=3)
    check(ok("mq", "recv", "tq2") == "3\thello\n", "a tool-made queue, sent to by posix_ipc")
    # Named semaphore: posix_ipc's is glibc's sem_t.
    s = posix_ipc.Semaphore("/ps", posix_ipc.O_CREX, initial_value=0)
    waiter = subprocess.Popen([BIN, "sem", "wait", "ps", "--timeout", "5"])
    time.sleep(0.2)
    s.release()
    check(waiter.wait(timeout=5) == 0, "posix_ipc's release wakes the tool")
    ok("sem", "create", "ts2")
    s2 = posix_ipc.Semaphore("/ts2")
    got = []
    t = threading.Thread(target=lambda: got.append(s2.acquire(5)))
    t.start()
    time.sleep(0.2)
    ok("sem", "post", "ts2")
    t.join(6)
    check(got == [None], "the tool's post wakes posix_ipc's acquire")
    s.release()
    s.release()
    check(ok("sem", "value", "ps") == "2\n", "the tool reads posix_ipc's value")
    # Shared memory.
    m = posix_ipc.SharedMemory("/pm", posix_ipc.O_CREX, size=32)
    os.pwrite(m.fd, b"from python", 3)
    check(ok("shm", "read", "pm", "--offset", "3", "--length", "11", "--raw") == "from python",
          "the tool reads posix_ipc's object")
    ok("shm", "write", "pm", "tool", "--offset", "20")
    check(os.pread(m.fd, 4, 20) == b"tool", "posix_ipc reads the tool's bytes")
    # System V queue with types; semaphore; segment.
    mq = sysv_ipc.MessageQueue(0x7101, sysv_ipc.IPC_CREX)
    ok("msg", "send", "0x7101", "2", "two")
    ok("msg", "send", str(mq.id), "1", "one")
    check(mq.receive(type=2) == (b"two", 2), "sysv_ipc receives type 2")
    mq.send(b"py", type=6)
    check(ok("msg", "recv", "0x7101", "--type", "6") == "6\tpy\n", "the tool receives type 6")
    check(find("msg", key="0x00007101", id=mq.id, messages=1) != [], "ls: the queue")
    sem = sysv_ipc.Semaphore(0x7102, sysv_ipc.IPC_CREX, initial_value=0)
    waiter = subprocess.Popen([BIN, "sysv-sem", "op", "0x7102", "0", "-1", "--timeout", "5"])
    time.sleep(0.2)
    sem.release()
    check(waiter.wait(timeout=5) == 0, "sysv_ipc's release wakes the tool's op")
    ok("sysv-sem", "op", str(sem.id), "0", "3")
    check(sem.value == 3, "sysv_ipc sees the tool's op")
    seg = sysv_ipc.SharedMemory(0x7103, sysv_ipc.IPC_CREX, size=64)
    seg.write(b"segment", 10)
    check(ok("sysv-shm", "read", "0x7103", "--offset", "10", "--length", "7", "--raw") == "segment",
          "the tool reads sysv_ipc's segment")
    ok("sysv-shm", "write", str(seg.id), "tool")
    check(seg.read(4, 0) == b"tool", "sysv_ipc reads the tool's bytes")
    kinds = {(o["kind"], o.get("name") or o.get("key")) for o in listing()["objects"]}
    for want in [("mq", "/pq"), ("sem", "/ps"), ("shm", "/pm"), ("msg", "0x00007101"),
                 ("sysv-sem", "0x00007102"), ("sysv-shm", "0x00007103")]:
        check(want in kinds, f"ls shows {want}")


# --- an empty root -----------------------------------------------------------------------

def empty_root():
    qid = int(ok("msg", "create", "0x7201", "--mode", "640"))
    ok("msg", "send", "0x7201", "1", "kept")
    sid = int(ok("sysv-sem", "create", "0x7202", "--count", "3"))
    mid = int(ok("sysv-shm", "create", "--size", "4096"))
    # What /proc/sysvipc shows (the kernel's own listing) is what ls shows.
    proc = {}
    for kind, f in [("msg", "msg"), ("sysv-sem", "sem"), ("sysv-shm", "shm")]:
        lines = open(f"/proc/sysvipc/{f}").read().split("\n")[1:]
        proc[kind] = sorted((int(line.split()[0]), int(line.split()[1])) for line in lines if line.strip())
    root = tempfile.mkdtemp(dir="/tmp")
    try:
        shutil.copy(BIN, os.path.join(root, "bareipc"))
        check(os.listdir(root) == ["bareipc"], "the root holds only the binary")
        r = subprocess.run(["chroot", root, "/bareipc", "ls", "--json"], capture_output=True, timeout=10)
        check(r.returncode == 0 and r.stderr == b"", f"ls in an empty root: {r}")
        got = json.loads(r.stdout)
        notes = " ".join(got["notes"])
        check("/dev/mqueue" in notes and "/dev/shm" in notes, f"notes say what is missing: {notes}")
        for kind in proc:
            mine = sorted((int(o["key"], 16), o["id"]) for o in got["objects"] if o["kind"] == kind)
            check(mine == proc[kind], f"{kind}: ls {mine} == /proc/sysvipc {proc[kind]}")
        objs = {(o["kind"], o["id"]): o for o in got["objects"]}
        check(objs.get(("msg", qid), {}).get("messages") == 1, "the queue's message count")
        check(objs.get(("msg", qid), {}).get("mode") == "0640", "the queue's mode")
        check(objs.get(("sysv-sem", sid), {}).get("semaphores") == 3, "the set's size")
        check(objs.get(("sysv-shm", mid), {}).get("size") == 4096, "the segment's size")
        r = subprocess.run(["chroot", root, "/bareipc"], capture_output=True, timeout=10)
        check(r.returncode == 0 and b"# mq not listed" in r.stdout, f"the table: {r.stdout!r}")
    finally:
        shutil.rmtree(root)


# --- hostile objects ---------------------------------------------------------------------

def hostile():
    # A truncated semaphore file, a shm object of size 0, things that are not files.
    with open("/dev/shm/sem.short", "wb") as f:
        f.write(b"\x01" * 10)
    open("/dev/shm/empty", "wb").close()
    os.mkfifo("/dev/shm/sem.fifo")
    os.symlink("/etc/passwd", "/dev/shm/sem.link")
    os.mkdir("/dev/shm/dir")
    check(find("sem", name="/short", state="not a semaphore: shorter than a sem_t") != [],
          "ls: a short semaphore file is named so")
    check(find("shm", name="/empty", size=0) != [], "ls: an empty object")
    names = {o.get("name") for o in listing()["objects"]}
    check(not names & {"/fifo", "/link", "/dir"}, f"ls skips what is no regular file: {names}")
    for verb in ["post", "wait", "value"]:
        one_line(["sem", verb, "short"], 1, "not a semaphore")
    one_line(["sem", "post", "link"], 1, "ELOOP")
    check(ok("shm", "read", "empty") == "", "reading an empty object prints nothing")
    one_line(["shm", "read", "empty", "--offset", "1"], 2, "not a number from 0 to 0")
    one_line(["shm", "write", "empty", "x"], 1, "longer than the object")
    one_line(["shm", "read", "nothing"], 1, "ENOENT")
    # A semaphore truncated while the tool waits on it: one line when the wait ends
    # (SIGBUS turned into a report), never a death by the signal.
    ok("sem", "create", "shrinks")
    waiter = subprocess.Popen([BIN, "sem", "wait", "shrinks", "--timeout", "0.5"],
                              stderr=subprocess.PIPE, text=True)
    time.sleep(0.2)
    os.truncate("/dev/shm/sem.shrinks", 0)
    err = waiter.stderr.read()
    code = waiter.wait(timeout=5)
    check(code == 1 and err.count("\n") == 1 and "SIGBUS" in err,
          f"a semaphore truncated under a wait: exit {code}, {err!r}")
    # What others plant in /dev/shm: a FIFO is never waited on (ENODEV: no object), a
    # name of NAME_MAX bytes is listed and read, a create that fails leaves nothing.
    os.mkfifo("/dev/shm/planted")
    one_line(["shm", "read", "planted"], 1, "shm_open: ENODEV", timeout=5)
    one_line(["shm", "write", "planted", "x"], 1, "shm_open: ENODEV", timeout=5)
    longest = "L" * 255
    with open(f"/dev/shm/{longest}", "wb") as f:
        f.write(b"at NAME_MAX")
    check(find("shm", name="/" + longest, size=11) != [], "ls: a name of NAME_MAX bytes")
    check(ok("shm", "read", longest, "--raw") == "at NAME_MAX", "a name of NAME_MAX bytes is read")
    one_line(["sem", "create", longest], 1, "ENAMETOOLONG")
    one_line(["shm", "create", "toobig", "--size", str(64 << 20)], 1, "fallocate: ENOSPC")
    check(not os.path.exists("/dev/shm/toobig"), "a failed create leaves no object")
    # A set larger than a row shows says so; a segment locked in memory says so.
    big = int(ok("sysv-sem", "create", "--count", "100"))
    check(find("sysv-sem", id=big, semaphores=100, shown=64) != [], "ls: a set of 100 shows 64")
    check(len(find("sysv-sem", id=big)[0]["values"]) == 64, "ls: 64 values of 100")
    seg = int(ok("sysv-shm", "create", "--size", "4096"))
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    check(libc.shmctl(seg, 11, None) == 0, f"SHM_LOCK: errno {ctypes.get_errno()}")  # SHM_LOCK
    check(find("sysv-shm", id=seg, locked="in memory (SHM_LOCK)") != [], "ls: a locked segment")
    # /dev/mqueue of another IPC namespace (the parent's mount, seen from a new one):
    # listed with a note, never opened, never cleaned.
    ok("mq", "create", "bareipc-mq-1999999-0123456789abcdef")
    r = subprocess.run(["unshare", "--ipc", BIN, "ls", "--json"], capture_output=True, timeout=10)
    got = json.loads(r.stdout or b"{}")
    check(r.returncode == 0 and "another IPC namespace" in " ".join(got.get("notes", [])),
          f"ls from another IPC namespace notes it: {r}")
    r = subprocess.run(["unshare", "--ipc", BIN, "clean"], capture_output=True, timeout=10)
    check(r.returncode == 0 and b"# removed 0" in r.stdout, f"clean from another IPC namespace: {r}")
    check(os.path.exists("/dev/mqueue/bareipc-mq-1999999-0123456789abcdef"),
          "a queue of another IPC namespace is left alone")
    ok("mq", "rm", "bareipc-mq-1999999-0123456789abcdef")
    # Objects of another user: listed, and refused in one line.
    ok("mq", "create", "roots")
    ok("mq", "send", "roots", "secret")
    ok("msg", "create", "0x7301")
    ok("sem", "create", "rootsem")
    ok("shm", "create", "rootshm", "--size", "8")
    nob = NOBODY if another_user() else []
    if nob:
        check(ok("ls", who=nob).count("\n") >= 5, "nobody lists root's objects")
        mine = json.loads(ok("ls", "--json", who=nob))["objects"]
        rq = [o for o in mine if o.get("name") == "/roots"]
        check(rq and "messages" not in rq[0], f"nobody sees the queue but not inside it: {rq}")
        check([o for o in mine if o.get("key") == "0x00007301"] != [],
              "nobody lists root's msg queue")
        one_line(["mq", "recv", "roots"], 1, "EACCES", who=nob)
        one_line(["mq", "rm", "roots"], 1, "EPERM", who=nob)
        one_line(["msg", "recv", "0x7301", "--nowait"], 1, "EACCES", who=nob)
        one_line(["msg", "rm", "0x7301"], 1, "EPERM", who=nob)
        one_line(["sem", "post", "rootsem"], 1, "EACCES", who=nob)
        one_line(["shm", "read", "rootshm"], 1, "EACCES", who=nob)
    check(ok("mq", "recv", "roots") == "0\tsecret\n", "root's message is still there")
    # Sizes and lookups that would go wrong quietly.
    one_line(["msg", "stat", "0x0"], 2, "IPC_PRIVATE")
    one_line(["mq", "create", "x" * 256], 2, "over 255 bytes")
    one_line(["mq", "create", "a/b"], 2, "not a POSIX name")
    # (Without root, the sandbox's root is root only in its user namespace: bound alike.)
    one_line(["mq", "create", "big", "--message-size", "100000"], 1, "mq_open: EINVAL", who=nob)
    one_line(["msg", "recv", "0x7fff", "--nowait"], 1, "msgget: ENOENT")
    one_line(["mq", "recv", "nope", "--timeout", "0"], 1, "mq_open: ENOENT")
    ok("mq", "create", "slow")
    t0 = time.monotonic()
    one_line(["mq", "recv", "slow", "--timeout", "0.3"], 1, "ETIMEDOUT")
    check(0.25 < time.monotonic() - t0 < 3, "the timeout is kept")
    one_line(["sysv-sem", "op", str(int(ok("sysv-sem", "create"))), "0", "-1", "--nowait"], 1, "EAGAIN")
    hostile_endpoints(nob)


def hostile_endpoints(nob):
    """What another process may put at a FIFO's path, or do to a waiter."""
    d = tempfile.mkdtemp(prefix="bareipc-tool-hostile-")
    try:
        plain, fifo, link = (os.path.join(d, n) for n in ("plain", "fifo", "link"))
        with open(plain, "wb") as f:
            f.write(b"keep me")
        os.mkfifo(fifo, 0o666)
        os.symlink(fifo, link)
        for verb in (["write", "x"], ["read"]):
            one_line(["fifo", verb[0], plain, *verb[1:]], 1, "not a FIFO")
            one_line(["fifo", verb[0], d, *verb[1:]], 1, "openat: " if verb[0] == "write" else "not a FIFO")
            one_line(["fifo", verb[0], link, *verb[1:]], 1, "ELOOP")
            one_line(["fifo", verb[0], "/dev/null", *verb[1:]], 1, "not a FIFO")
        with open(plain, "rb") as f:
            check(f.read() == b"keep me", "a regular file at the path is left as it was")
        one_line(["fifo", "write", fifo, "x"], 1, "ENXIO")
        one_line(["fifo", "write", fifo, "x" * 4097], 1, "over 4096 bytes")
        one_line(["fifo", "create", fifo], 1, "EEXIST")
        one_line(["fifo", "create", "x" * 4096], 2, "path over 4095 bytes")
        # A writer that holds the FIFO open and never writes: the reader's timeout ends it;
        # a reader that never reads: the writer's timeout ends its wait for room.
        hold = os.open(fifo, os.O_RDWR)
        t0 = time.monotonic()
        one_line(["fifo", "read", fifo, "--timeout", "0.3"], 1, "poll: ETIMEDOUT")
        check(0.25 < time.monotonic() - t0 < 3, "the reader's timeout is kept")
        os.set_blocking(hold, False)
        try:
            while True:
                os.write(hold, b"y" * 512)
        except BlockingIOError:
            pass
        one_line(["fifo", "write", fifo, "z" * 4096, "--timeout", "0.3"], 1, "poll: ETIMEDOUT")
        os.close(hold)
        # Signals: numbers outside the real-time range, values outside 64 bits, pids that
        # would reach a process group or everyone, a pid that is gone, the tool's own.
        for args, want in ((["1", "9", "0"], "not a number from 34 to 64"),
                           (["1", "33", "0"], "not a number from 34 to 64"),
                           (["0", "40", "0"], "not a number from 1"),
                           (["-1", "40", "0"], "not a number from 1"),
                           (["1", "40", "18446744073709551616"], "not a value"),
                           (["1", "40", "-1"], "not a value"),
                           (["1", "40", ""], "not a value")):
            one_line(["signal", "send", *args], 2, want)
        one_line(["signal", "send", str(dead_pid()), "40", "1"], 1, "ESRCH")
        one_line(["signal", "wait", "40", "--timeout", "0.2"], 1, "ETIMEDOUT")
        # A sender may write any pid into what it queues: the waiter prints what it got.
        w = masked(42, BIN, "signal", "wait", "42", "--timeout", "5")
        info = struct.pack("<iii4xiIQ", 42, 0, -1, 4242, os.getuid(), 9)
        info += bytes(128 - len(info))
        libc = ctypes.CDLL(None, use_errno=True)
        nr = {"x86_64": 129, "aarch64": 138, "riscv64": 138}[os.uname().machine]
        sent = libc.syscall(nr, w.pid, 42, info)  # rt_sigqueueinfo
        status, out, _ = finished(w)
        check(sent == 0 and status == 0 and out == "4242\t9\n",
              f"a forged sender pid is shown as given: {out!r}")
        hostile_sockets(d)
        if nob:
            sleeper = subprocess.Popen(["sleep", "5"])
            one_line(["signal", "send", str(sleeper.pid), "40", "1"], 1, "EPERM", who=nob)
            sleeper.kill()
            sleeper.wait()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def hostile_sockets(d):
    """Peers that connect and never speak, never accept, send too much; files in the way."""
    import socket
    plain = os.path.join(d, "plain")
    one_line(["unix", "listen", plain, "--timeout", "1"], 1, "bind: EADDRINUSE")
    with open(plain, "rb") as f:
        check(f.read() == b"keep me", "a file at a listener's path is left as it was")
    one_line(["unix", "send", plain, "x"], 1, "connect: ECONNREFUSED")
    one_line(["unix", "send", os.path.join(d, "none"), "x"], 1, "connect: ENOENT")
    one_line(["unix", "listen", "x" * 108], 2, "not a socket address")
    for port in ("0", "65536", "x", "-1"):
        one_line(["tcp", "send", port, "x"], 2, "port")
    one_line(["tcp", "send", str(free_port()), "x"], 1, "ECONNREFUSED")
    # A stray connection that never sends: the listener's timeout ends the wait.
    r = background(BIN, "unix", "listen", "@bareipc-tool-stray", "--timeout", "0.3")
    check(bound("stream", "@bareipc-tool-stray"), "the listener binds")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect("\0bareipc-tool-stray")
        t0 = time.monotonic()
        status, out, err = finished(r)
        check(status == 1 and "recvfrom: ETIMEDOUT" in err and time.monotonic() - t0 < 3,
              f"a silent connection ends at the timeout: {status} {err!r}")
    # A listener that never accepts, its backlog full: the sender's timeout ends connect.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind("\0bareipc-tool-deaf")
        s.listen(0)
        held = []
        for _ in range(4):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect("\0bareipc-tool-deaf")
            except BlockingIOError:
                pass
            held.append(c)
        t0 = time.monotonic()
        one_line(["unix", "send", "@bareipc-tool-deaf", "x", "--timeout", "0.3"], 1, "connect: ETIMEDOUT")
        check(time.monotonic() - t0 < 3, "a full backlog waits only the timeout")
        for c in held:
            c.close()
    # A datagram over the 64 KiB the tool takes: its start printed, then one line.
    r = background(BIN, "unix", "listen", "@bareipc-tool-big", "--dgram", "--raw", "--timeout", "2")
    check(bound("dgram", "@bareipc-tool-big"), "the datagram listener binds")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        s.sendto(b"z" * 70000, "\0bareipc-tool-big")
    r.wait(10)
    out, err = r.stdout.read(), r.stderr.read().decode()
    check(r.returncode == 1 and out == b"z" * 65536 and err.count("\n") == 1
          and "the rest is lost" in err, f"an oversized datagram: {r.returncode} {len(out)} {err!r}")
    # Servers of descriptors that pass none, a pipe with nothing in it, a directory, or
    # nothing at all: one line each, within the timeout.
    for what, give, want in (("no descriptor", lambda c: c.send(b"x"), "recvmsg: EIO"),
                             ("an empty pipe", "pipe", "not a memfd or an eventfd"),
                             ("a directory", "dir", "not a memfd or an eventfd"),
                             ("a regular file", "file", "not a memfd or an eventfd"),
                             ("nothing", lambda c: None, "recvmsg: ETIMEDOUT")):
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.bind("\0bareipc-tool-badfd")
            s.listen(1)
            taker = background(BIN, "fd", "take", "@bareipc-tool-badfd", "--timeout", "0.5")
            conn, _ = s.accept()
            keep = []
            if give == "pipe":
                keep = list(os.pipe())
                socket.send_fds(conn, [b"x"], [keep[0]])
            elif give == "dir":
                keep = [os.open(d, os.O_RDONLY | os.O_DIRECTORY)]
                socket.send_fds(conn, [b"x"], keep)
            elif give == "file":
                # A file of a disk file system (not tmpfs): the checkout's own README.
                keep = [os.open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                             "README.md"), os.O_RDONLY)]
                socket.send_fds(conn, [b"x"], keep)
            else:
                give(conn)
            status, out, err = finished(taker)
            check(status == 1 and out == "" and err.count("\n") == 1 and want in err,
                  f"a server that gives {what}: {status} {err!r}")
            conn.close()
            for fd in keep:
                os.close(fd)
    # A peer that closes at once: the sender sees EPIPE or a reset, never SIGPIPE.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind("\0bareipc-tool-rude")
        s.listen(1)
        # 100,000 bytes (an argument holds at most 128 KiB): more than the socket takes
        # before the peer closes.
        sender = background(BIN, "unix", "send", "@bareipc-tool-rude", "y" * 100_000, "--timeout", "5")
        c, _ = s.accept()
        c.close()
        status, out, err = finished(sender)
        check(status in (0, 1) and (status == 0 or "sendto:" in err),
              f"a peer that closes: one line or done, never a signal: {status} {err!r}")


# --- clean -------------------------------------------------------------------------------

def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def clean():
    dead, live = dead_pid(), os.getpid()
    key = lambda pid: f"0x{0xB1000000 | pid:08x}"  # noqa: E731
    ok("msg", "create", key(dead))
    ok("msg", "create", key(live))
    ok("sysv-sem", "create", key(dead))
    look_alike = key(dead_pid())
    ok("msg", "create", look_alike, "--mode", "644")
    rand = "0123456789abcdef"
    ok("mq", "create", f"bareipc-mq-{dead}-{rand}")
    ok("mq", "create", f"bareipc-mq-{live}-{rand}")
    for path in [f"/dev/shm/bareipc-shm-{dead}-{rand}", f"/dev/shm/sem.bareipc-sem-{dead}-{rand}"]:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0)
        os.close(fd)
    other = f"/dev/shm/bareipc-shm-{dead}-{rand}0"  # not the form: one digit too many
    os.close(os.open(other, os.O_CREAT | os.O_WRONLY, 0o600))
    before = listing()["objects"]
    dry = ok("clean", "--dry-run")
    check(listing()["objects"] == before, "a dry run removes nothing")
    wanted = [key(dead), f"/bareipc-mq-{dead}-{rand}", f"/bareipc-shm-{dead}-{rand}",
              f"/bareipc-sem-{dead}-{rand}"]
    for w in wanted:
        check(dry.count(w) == (2 if w == key(dead) else 1), f"the dry run names {w}: {dry}")
    for kept in [key(live), look_alike, f"-{live}-", "0123456789abcdef0"]:
        check(kept not in dry, f"the dry run leaves {kept}: {dry}")
    rows = lambda text: text.rsplit("#", 1)[0]  # noqa: E731 (the last line: the count)
    check(dry.endswith(f"# dry run: would remove {len(wanted) + 1}\n"), f"the dry run counts: {dry}")
    done = ok("clean")
    check(rows(done) == rows(dry), "clean removes what the dry run named")
    check(done.endswith(f"# removed {len(wanted) + 1}\n"), f"clean counts: {done}")
    after = listing()["objects"]
    left = {o.get("name") or o.get("key") for o in after}
    check(not left & set(wanted), f"removed: {left & set(wanted)}")
    for kept in [key(live), look_alike, f"/bareipc-mq-{live}-{rand}", f"/bareipc-shm-{dead}-{rand}0"]:
        check(kept in left, f"kept: {kept}")
    # As another user: only that user's objects are candidates.
    ok("msg", "create", key(dead_pid()))
    if another_user():
        check(ok("clean", "--dry-run", who=NOBODY).endswith("would remove 0\n"),
              "nobody may clean none of root's")


# --- fuzzed command lines ----------------------------------------------------------------

WORDS = {
    "": ["ls", "clean", "mq", "msg", "sem", "shm", "sysv-sem", "sysv-shm", "fifo", "signal",
         "unix", "tcp", "udp", "fd", "--help", "-V", "nope"],
    "mq": ["create", "send", "recv", "stat", "rm"], "msg": ["create", "send", "recv", "stat", "rm"],
    "sem": ["create", "post", "wait", "value", "rm"], "shm": ["create", "read", "write", "stat", "rm"],
    "sysv-sem": ["create", "op", "value", "rm"], "sysv-shm": ["create", "read", "write", "stat", "rm"],
    "fifo": ["create", "write", "read"], "signal": ["send", "wait"],
    "unix": ["listen", "send"], "tcp": ["listen", "send"], "udp": ["listen", "send"],
    "fd": ["serve", "take"],
}
OPTIONS = ["--json", "--dry-run", "--mode", "--max-messages", "--message-size", "--priority",
           "--timeout", "--type", "--value", "--size", "--offset", "--length", "--raw", "--count",
           "--nowait", "--seqpacket", "--dgram", "--eventfd", "--help", "-h", "-V", "--", "-x", "--mode=7",
           "--size=", "--timeout=.5"]
# A call that may wait gets a bound: these never block for long whatever the state.
BOUND = {("mq", "send"): ["--timeout", "0"], ("mq", "recv"): ["--timeout", "0"],
         ("sem", "wait"): ["--timeout", "0"], ("msg", "send"): ["--nowait"],
         ("msg", "recv"): ["--nowait"], ("sysv-sem", "op"): ["--nowait"],
         ("fifo", "write"): ["--timeout", "0"], ("fifo", "read"): ["--timeout", "0"],
         ("signal", "wait"): ["--timeout", "0"],
         **{(g, v): ["--timeout", "0"] for g in ("unix", "tcp", "udp") for v in ("listen", "send")},
         ("fd", "serve"): ["--timeout", "0"], ("fd", "take"): ["--timeout", "0"]}


def value(r):
    return r.choice([
        "0", "1", "7", "-1", "-3", "4096", "0x10", "0x7401", "0777", "99999999999999999999", "",
        "q", "/q", "s", "m", "a/b", "..", "x" * r.randrange(250, 256), "\xff\x01", "1.5", ".",
        "hello", "-", "0x", "0xffffffff", str(r.randrange(0, 5)),
    ])


def fuzz(seed, count):
    # FIFOs and socket files are made by path: in a directory of the fuzz's own, which
    # an absolute path is moved into too, and which goes at the end.
    home = os.getcwd()
    scratch = tempfile.mkdtemp(prefix="bareipc-tool-fuzz-")
    os.chdir(scratch)
    try:
        fuzz_in(seed, count, scratch)
    finally:
        os.chdir(home)
        shutil.rmtree(scratch, ignore_errors=True)


def fuzz_in(seed, count, scratch):
    r = random.Random(seed)
    seen = {0: 0, 1: 0, 2: 0}
    for case in range(count):
        group = r.choice(WORDS[""])
        args = [group]
        verb = None
        if group in WORDS and r.random() < 0.9:
            verb = r.choice(WORDS[group])
            args.append(verb)
        for _ in range(r.randrange(0, 5)):
            if r.random() < 0.4:
                args.append(r.choice(OPTIONS))
            args.append(value(r))
        args += BOUND.get((group, verb), [])
        if group in ("fifo", "unix", "fd"):
            args = [scratch + a if a.startswith("/") else a for a in args]
        argv = [a.encode("utf-8", "surrogateescape") for a in args]
        try:
            code, out, err = tool(*argv, timeout=10)
        except subprocess.TimeoutExpired:
            check(False, f"case {case}: {args} did not end within 10 s")
            continue
        what = f"case {case}: bareipc {args}: exit {code}, stderr {err!r}"
        check(code in seen, what)
        seen[code] = seen.get(code, 0) + 1
        check(err.count("\n") <= 1, what + " (more than one line)")
        check(code == 0 or err.startswith("bareipc: "), what + " (no report)")
        if code == 2:
            check(out == b"" and "--help')" in err, what + " (a usage error with output)")
    print(f"fuzz: {count} command lines: exit 0 {seen.get(0)}, 1 {seen.get(1)}, 2 {seen.get(2)}")
    check(seen.get(0, 0) > count // 20 and seen.get(1, 0) > count // 100 and seen.get(2, 0) > count // 5,
          f"the generator reaches every outcome: {seen}")


def main():
    global BIN
    section, BIN = sys.argv[1], sys.argv[2]
    signal.alarm(600)
    if section == "interop":
        interop_glibc(sys.argv[3])
        interop_endpoints(sys.argv[3])
        interop_sockets(sys.argv[3])
        interop_python()
    elif section == "empty-root":
        empty_root()
    elif section == "hostile":
        hostile()
    elif section == "clean":
        clean()
    elif section == "fuzz":
        fuzz(int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(f"tool.py: unknown section {section}")
    print(f"tool.py {section}: {len(FAILURES)} failure(s)")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
