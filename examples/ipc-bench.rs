//! ipc-bench: which IPC mechanism is fastest, by how much, on this machine.
//!
//! Between a parent and a forked child, for each mechanism and message size: the round
//! trip (parent sends, child echoes; median and 99th percentile over many trips after a
//! warm-up tenth) and a one-way stream (messages back to back; the child's exit, reaped,
//! ends it). The mechanisms are bareipc's own wrappers: pipe, FIFO (two, opened O_RDWR),
//! socketpair (stream), AF_UNIX seqpacket (a listener at a path; `unix`), AF_UNIX
//! datagrams to abstract names (`unix-dgram`), TCP and UDP over loopback (UDP straight
//! from rustix: bareipc has no UDP program), POSIX message queue, System V message queue,
//! eventfd (two counters: a wake-up carrying 8 bytes), real-time signals with a value
//! (`signal`: 8 bytes), shared memory with two named semaphores, shared memory with a
//! futex word (spin briefly, then sleep), a System V segment with a System V semaphore
//! set (`sysv-shm-sem`), and the futex hand-off again over a sealed memfd (`memfd`) and a
//! mapped file with no name in TMPDIR (`mmap-file`): once mapped, is memory memory? A
//! mechanism that cannot carry a size says why
//! in the table's note (eventfd and signals carry 8 bytes; UDP at most 65,507); UDP has no
//! stream (no flow control: a one-way burst loses what the receiver's buffer cannot hold)
//! and eventfd none either (values add up in the counter: there is no stream of
//! messages to count). Each is measured with both
//! processes on one CPU, on two CPUs, and unpinned, since the scheduler makes unpinned
//! runs bimodal. The C baseline (bench/c/ipc-bench.c, plain glibc calls, the same
//! protocol) runs in the same invocation, in three rounds alternating with bareipc's, so
//! every row has a bareipc / C ratio that the machine's drift hits on both sides.
//!
//! Sanity checks: a round trip of a small message under 0.1 µs between processes (less
//! than two cache-line transfers), or a blocking mechanism faster than half the futex
//! floor measured in the same run and mode (futex-wake: a bare FUTEX_WAIT / FUTEX_WAKE
//! hand-off, which every blocking mechanism includes), is flagged as a measurement error,
//! not reported as a result.
//!
//! Usage: ipc-bench [--quick | --smoke] [--out DIR] [--c PATH-TO-C-BASELINE]
//! (`--quick`: 200 round trips per cell; `--smoke`: one placement, two sizes, for tests)
//! Writes DIR/ipc-bench.md (table), DIR/ipc-bench.csv and DIR/ipc-bench.dat (for gnuplot).

use bareipc::ipc::dgram::DgramSocket;
use bareipc::ipc::eventfd::EventCounter;
use bareipc::ipc::fifo::{self, Fifo};
use bareipc::ipc::mapped_file::MappedFile;
use bareipc::ipc::memfd::Memfd;
use bareipc::ipc::msg::{Message, MsgFlags, SysvQueue};
use bareipc::ipc::name::Name;
use bareipc::ipc::rtsig::RtSignal;
use bareipc::ipc::sem::NamedSemaphore;
use bareipc::ipc::semset::{self, SemaphoreSet};
use bareipc::ipc::seqpacket::{SeqpacketListener, SeqpacketStream};
use bareipc::ipc::shm::Mapping;
use bareipc::ipc::shmseg;
use bareipc::ipc::socket::UnixAddr;
use bareipc::ipc::tcp::{TcpListener, TcpStream};
use bareipc::ipc::{mq, pipe, socket};
use rustix::fd::OwnedFd;
use rustix::thread::futex;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Instant;

const MECHANISMS: [&str; 17] = [
    "pipe",
    "fifo",
    "socketpair",
    "unix",
    "unix-dgram",
    "tcp",
    "udp",
    "posix-mq",
    "sysv-msg",
    "eventfd",
    "signal",
    "shm-sem",
    "shm-futex",
    "sysv-shm-sem",
    "memfd",
    "mmap-file",
    "futex-wake",
];
/// Mechanisms without a one-way stream (see the module's docs).
fn has_stream(mech: &str) -> bool {
    !matches!(mech, "udp" | "eventfd")
}
/// The signals of the `signal` mechanism: parent to child, child to parent. Blocked in
/// `main` before any thread exists, so every thread inherits the mask and a queued signal
/// waits for `rt_sigtimedwait` instead of ending the process.
const PING: i32 = 35;
const PONG: i32 = 36;
/// Spins before a futex mechanism sleeps: shm-futex spins briefly; futex-wake, the floor
/// of every blocking mechanism (a bare FUTEX_WAIT / FUTEX_WAKE hand-off), never spins.
fn spins(mech: &str) -> u32 {
    if matches!(mech, "shm-futex" | "memfd" | "mmap-file") { 2000 } else { 0 }
}
const SIZES: [usize; 4] = [8, 64, 4096, 65536];
/// The largest System V message text the kernel allows by default (kernel.msgmax).
const SYSV_MAX: usize = 8192;
/// Slots of the shared-memory ring of the stream.
const SLOTS: usize = 2;
const SLEEPER: u32 = 0x8000_0000;

/// One side's channel end(s) for one mechanism.
enum Channel {
    Pipe {
        to_child: (pipe::PipeReader, pipe::PipeWriter),
        to_parent: (pipe::PipeReader, pipe::PipeWriter),
    },
    /// A connected byte stream, one end each: a socket pair or a loopback TCP connection
    /// (the parent's end, the child's end).
    Stream(OwnedFd, OwnedFd),
    PosixMq(mq::MessageQueue, mq::MessageQueue),
    SysvMsg(SysvQueue, Box<Message<SYSV_MAX>>),
    ShmSem {
        map: Mapping,
        ping: NamedSemaphore,
        pong: NamedSemaphore,
        full: NamedSemaphore,
        empty: NamedSemaphore,
    },
    /// Shared memory (of /dev/shm, a memfd or a file with no name) and a futex word.
    ShmFutex {
        map: Mapping,
        spins: u32,
    },
    /// A System V segment and a set of four semaphores: ping, pong, full, empty.
    SysvShmSem {
        map: Mapping,
        set: SemaphoreSet,
    },
    Fifo {
        to_child: Fifo,
        to_parent: Fifo,
    },
    /// The parent's end, the child's end.
    Seqpacket(SeqpacketStream, SeqpacketStream),
    Dgram {
        parent: DgramSocket,
        child: DgramSocket,
        parent_name: UnixAddr,
        child_name: UnixAddr,
    },
    /// The parent's socket, the child's, each connected to the other.
    Udp(OwnedFd, OwnedFd),
    EventFd {
        ping: EventCounter,
        pong: EventCounter,
    },
    /// The peer's pid is filled in after the fork.
    Signal {
        peer: i32,
        me: i32,
    },
}

/// Layout of the futex mechanism's shared page: the turn word, the ring's head and tail,
/// then the data (two slots of `size` bytes).
const DATA: usize = 64;

fn fail(what: &str, e: impl std::fmt::Debug) -> ! {
    eprintln!("ipc-bench: {what}: {e:?}");
    std::process::exit(1)
}

/// Where temporary files go (`std::env::temp_dir`: TMPDIR, else /tmp), as a C string.
fn temp_dir() -> Result<std::ffi::CString, String> {
    let tmp = std::env::temp_dir();
    std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(tmp.as_os_str()))
        .map_err(|e| e.to_string())
}

fn channel(mech: &str, size: usize) -> Result<Channel, String> {
    fn err(what: &'static str) -> impl Fn(bareipc::errno::Errno) -> String {
        move |e| format!("{what}: {}", e.name().unwrap_or("?"))
    }
    Ok(match mech {
        "pipe" => Channel::Pipe {
            to_child: pipe::pipe().map_err(err("pipe2"))?,
            to_parent: pipe::pipe().map_err(err("pipe2"))?,
        },
        "socketpair" => {
            let (a, b) = socket::stream_pair().map_err(err("socketpair"))?;
            Channel::Stream(a.into(), b.into())
        }
        "posix-mq" => {
            let attr = mq::MqAttr::new(SLOTS as i64, size as i64);
            let open = || {
                let name = Name::unique("ipc-bench").map_err(err("getrandom"))?;
                let q = mq::MessageQueue::create(&name, mq::Access::ReadWrite, 0o600, &attr)
                    .map_err(|e| {
                        let e = e.name().unwrap_or("?");
                        format!("mq_open: {e}: {size} bytes exceed fs.mqueue.msgsize_max (8192)")
                    })?;
                mq::unlink(&name).map_err(err("mq_unlink"))?;
                Ok::<_, String>(q)
            };
            Channel::PosixMq(open()?, open()?)
        }
        "sysv-msg" => {
            if size > SYSV_MAX {
                return Err(format!("{size} bytes exceed kernel.msgmax ({SYSV_MAX})"));
            }
            let q = SysvQueue::create_private(0o600).map_err(err("msgget"))?;
            Channel::SysvMsg(q, Box::new(Message::new(1)))
        }
        "shm-sem" | "shm-futex" | "futex-wake" => {
            let len = DATA + SLOTS * size;
            let map = Mapping::create_unnamed(len).map_err(|e| e.to_string())?;
            if mech != "shm-sem" {
                Channel::ShmFutex { map, spins: spins(mech) }
            } else {
                let sem = |value| NamedSemaphore::create_unnamed(value).map_err(|e| e.to_string());
                Channel::ShmSem {
                    map,
                    ping: sem(0)?,
                    pong: sem(0)?,
                    full: sem(0)?,
                    empty: sem(SLOTS as u32)?,
                }
            }
        }
        "sysv-shm-sem" => {
            let map = shmseg::create_attached(
                bareipc::ipc::sysv::IPC_PRIVATE,
                DATA + SLOTS * size,
                0o600,
            )
            .map_err(|e| e.to_string())?;
            let set = SemaphoreSet::create_private(4, 0o600).map_err(err("semget"))?;
            set.set_value(EMPTY, SLOTS as i32).map_err(err("semctl"))?;
            Channel::SysvShmSem { map, set }
        }
        "memfd" => {
            let memfd = Memfd::create(c"ipc-bench").map_err(err("memfd_create"))?;
            let len = DATA + SLOTS * size;
            memfd.set_len(len as u64).map_err(err("ftruncate"))?;
            memfd.seal_size().map_err(err("fcntl"))?;
            let map = memfd.map(len).map_err(err("mmap"))?;
            Channel::ShmFutex { map, spins: spins(mech) }
        }
        "mmap-file" => {
            let file = MappedFile::create_unnamed(&temp_dir()?, DATA + SLOTS * size)
                .map_err(|e| e.to_string())?;
            Channel::ShmFutex { map: file.into_mapping(), spins: spins(mech) }
        }
        "fifo" => {
            // Two FIFOs in a directory of the bench's own, each opened O_RDWR before the
            // fork (both processes hold both); the names go at once: open FIFOs need none.
            let tmp = std::env::temp_dir().join(format!("ipc-bench-fifo-{}", std::process::id()));
            let open = || {
                std::fs::create_dir(&tmp).map_err(|e| e.to_string())?;
                let path = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(
                    tmp.join("fifo").as_os_str(),
                ))
                .map_err(|e| e.to_string())?;
                fifo::make(rustix::fs::CWD, &path, 0o600).map_err(err("mknodat"))?;
                let f = Fifo::open_reader(rustix::fs::CWD, &path).map_err(err("openat"))?;
                std::fs::remove_dir_all(&tmp).map_err(|e| e.to_string())?;
                Ok::<_, String>(f)
            };
            Channel::Fifo { to_child: open()?, to_parent: open()? }
        }
        "unix" => {
            let tmp = std::env::temp_dir().join(format!("ipc-bench-unix-{}", std::process::id()));
            std::fs::create_dir(&tmp).map_err(|e| e.to_string())?;
            let path = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(
                tmp.join("socket").as_os_str(),
            ))
            .map_err(|e| e.to_string())?;
            let path = UnixAddr::path(&[&path]).map_err(err("bind"))?;
            let listener = SeqpacketListener::bind(&path, 1).map_err(|e| e.to_string())?;
            let client = SeqpacketStream::connect(&path).map_err(|e| e.to_string())?;
            let server = listener.accept().map_err(err("accept4"))?;
            std::fs::remove_dir_all(&tmp).map_err(|e| e.to_string())?;
            Channel::Seqpacket(client, server)
        }
        "unix-dgram" => {
            let name = |side: &str| format!("ipc-bench-{}-{side}", std::process::id());
            let address =
                |side| UnixAddr::abstract_name(name(side).as_bytes()).map_err(err("bind"));
            let (parent_name, child_name) = (address("parent")?, address("child")?);
            Channel::Dgram {
                parent: DgramSocket::bind(&parent_name).map_err(err("bind"))?,
                child: DgramSocket::bind(&child_name).map_err(err("bind"))?,
                parent_name,
                child_name,
            }
        }
        "tcp" => {
            let (listener, port) = TcpListener::loopback(1).map_err(|e| e.to_string())?;
            let client = TcpStream::loopback(port).map_err(|e| e.to_string())?;
            let server = listener.accept().map_err(err("accept4"))?;
            Channel::Stream(client.into(), server.into())
        }
        "udp" => {
            if size > 65507 {
                return Err(format!("{size} bytes exceed a UDP datagram's 65,507"));
            }
            use rustix::net::{AddressFamily, SocketType, ipproto};
            let sock = || {
                let fd =
                    rustix::net::socket(AddressFamily::INET, SocketType::DGRAM, Some(ipproto::UDP))
                        .map_err(|e| format!("socket: {e}"))?;
                let local = std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 0);
                rustix::net::bind(&fd, &local).map_err(|e| format!("bind: {e}"))?;
                // Large messages need room for a round's worth of datagrams.
                rustix::net::sockopt::set_socket_recv_buffer_size(&fd, 1 << 20).ok();
                let addr =
                    rustix::net::getsockname(&fd).map_err(|e| format!("getsockname: {e}"))?;
                Ok::<_, String>((fd, addr))
            };
            let ((a, a_addr), (b, b_addr)) = (sock()?, sock()?);
            rustix::net::connect(&a, &b_addr).map_err(|e| format!("connect: {e}"))?;
            rustix::net::connect(&b, &a_addr).map_err(|e| format!("connect: {e}"))?;
            Channel::Udp(a, b)
        }
        "eventfd" => {
            if size != 8 {
                return Err("an eventfd carries one 8-byte counter".into());
            }
            Channel::EventFd {
                ping: EventCounter::new_blocking().map_err(err("eventfd2"))?,
                pong: EventCounter::new_blocking().map_err(err("eventfd2"))?,
            }
        }
        "signal" => {
            if size != 8 {
                return Err("a signal carries one 8-byte value".into());
            }
            Channel::Signal { peer: 0, me: 0 }
        }
        _ => unreachable!(),
    })
}

/// The semaphores of the sysv-shm-sem mechanism's set.
const SEM_PING: u16 = 0;
const SEM_PONG: u16 = 1;
const FULL: u16 = 2;
const EMPTY: u16 = 3;

/// Adds `delta` to semaphore `num` of `set` (waiting while that would go below 0),
/// again after a signal handler interrupts the wait.
fn sem_add(set: &SemaphoreSet, num: u16, delta: i16) -> Result<(), bareipc::errno::Errno> {
    bareipc::io::retry_on_intr(|| set.op(&[semset::op(num, delta, false)], None))
}

fn signal(n: i32) -> RtSignal {
    RtSignal::new(n).unwrap_or_else(|e| fail("signal", e))
}

/// Queues `value` with signal `n` to `peer`, waiting out the pending-signal limit.
fn queue(n: i32, peer: i32, me: i32, value: u64) {
    loop {
        match signal(n).queue(peer, me, value) {
            Err(bareipc::errno::Errno::EAGAIN) => std::thread::yield_now(),
            done => return done.unwrap_or_else(|e| fail("rt_sigqueueinfo", e)),
        }
    }
}

/// Takes one signal `n`, waiting for it.
fn take(n: i32) -> u64 {
    loop {
        match signal(n).take(true) {
            Err(bareipc::errno::Errno::EINTR) => continue,
            got => return got.unwrap_or_else(|e| fail("rt_sigtimedwait", e)).value,
        }
    }
}

fn word(map: &Mapping, i: usize) -> &AtomicU32 {
    &map.words32()[i]
}

/// Waits until the word (without the sleeper bit) is `want`: spins a while, then sleeps.
fn await_turn(w: &AtomicU32, want: u32, spins: u32) {
    for _ in 0..spins {
        if w.load(SeqCst) & !SLEEPER == want {
            return;
        }
        std::hint::spin_loop();
    }
    loop {
        let v = w.load(SeqCst);
        if v & !SLEEPER == want {
            return;
        }
        if v & SLEEPER == 0 && w.compare_exchange(v, v | SLEEPER, SeqCst, SeqCst).is_err() {
            continue;
        }
        let _ = futex::wait(w, futex::Flags::empty(), v | SLEEPER, None);
    }
}

fn set_turn(w: &AtomicU32, v: u32) {
    if w.swap(v, SeqCst) & SLEEPER != 0 {
        let _ = futex::wake(w, futex::Flags::empty(), 1);
    }
}

/// The stream's ring: the producer waits while it is full, the consumer while empty.
fn await_ring(head: &AtomicU32, tail: &AtomicU32, producer: bool, spins: u32) {
    let mut spin = 0;
    loop {
        let (h, t) = (head.load(SeqCst), tail.load(SeqCst));
        if if producer { h.wrapping_sub(t) < SLOTS as u32 } else { h != t } {
            return;
        }
        spin += 1;
        if spin < spins {
            std::hint::spin_loop();
        } else if producer {
            let _ = futex::wait(tail, futex::Flags::empty(), t, None);
        } else {
            let _ = futex::wait(head, futex::Flags::empty(), h, None);
        }
    }
}

/// Copies `n` bytes between process memory and the shared mapping at `offset`.
fn put(map: &Mapping, offset: usize, from: &[u8]) {
    assert!(offset + from.len() <= map.len());
    // SAFETY: in bounds (checked); the peer does not touch these bytes until told to.
    unsafe { std::ptr::copy_nonoverlapping(from.as_ptr(), map.as_ptr().add(offset), from.len()) }
}

fn get(map: &Mapping, offset: usize, to: &mut [u8]) {
    assert!(offset + to.len() <= map.len());
    // SAFETY: as in `put`.
    unsafe { std::ptr::copy_nonoverlapping(map.as_ptr().add(offset), to.as_mut_ptr(), to.len()) }
}

/// One round trip (`child` false: send then receive the echo; true: receive then echo).
fn round_trip(c: &mut Channel, child: bool, buf: &mut [u8]) {
    let size = buf.len();
    let ok = |r: Result<(), bareipc::errno::Errno>, what| r.unwrap_or_else(|e| fail(what, e));
    let full = |r: Result<usize, bareipc::errno::Errno>, what| {
        if r.unwrap_or_else(|e| fail(what, e)) != size {
            fail(what, "short")
        }
    };
    match c {
        Channel::Pipe { to_child, to_parent } => {
            if child {
                full(to_child.0.read_full(buf), "read");
                ok(to_parent.1.write_all(buf), "write");
            } else {
                ok(to_child.1.write_all(buf), "write");
                full(to_parent.0.read_full(buf), "read");
            }
        }
        Channel::Stream(a, b) => {
            let end: &OwnedFd = if child { b } else { a };
            if child {
                full(bareipc::io::read_full(end, buf), "read");
                ok(bareipc::io::write_all(end, buf), "write");
            } else {
                ok(bareipc::io::write_all(end, buf), "write");
                full(bareipc::io::read_full(end, buf), "read");
            }
        }
        Channel::PosixMq(to_child, to_parent) => {
            let (first, second) =
                if child { (&*to_child, &*to_parent) } else { (&*to_parent, &*to_child) };
            if child {
                full(first.receive(buf, None).map(|(n, _)| n), "mq_timedreceive");
                ok(second.send(buf, 0, None), "mq_timedsend");
            } else {
                ok(second.send(buf, 0, None), "mq_timedsend");
                full(first.receive(buf, None).map(|(n, _)| n), "mq_timedreceive");
            }
        }
        Channel::SysvMsg(q, msg) => {
            let (recv_type, send_type) = if child { (1, 2) } else { (2, 1) };
            if child {
                full(q.receive(msg, recv_type, MsgFlags::EMPTY), "msgrcv");
                msg.mtype = send_type;
                ok(q.send(msg, size, MsgFlags::EMPTY), "msgsnd");
            } else {
                msg.mtype = send_type;
                msg.text[..size].copy_from_slice(buf);
                ok(q.send(msg, size, MsgFlags::EMPTY), "msgsnd");
                full(q.receive(msg, recv_type, MsgFlags::EMPTY), "msgrcv");
                buf.copy_from_slice(&msg.text[..size]);
            }
        }
        Channel::ShmSem { map, ping, pong, .. } => {
            if child {
                ok(bareipc::io::retry_on_intr(|| ping.wait()), "sem_wait");
                get(map, DATA, buf);
                put(map, DATA + size, buf);
                ok(pong.post(), "sem_post");
            } else {
                put(map, DATA, buf);
                ok(ping.post(), "sem_post");
                ok(bareipc::io::retry_on_intr(|| pong.wait()), "sem_wait");
                get(map, DATA + size, buf);
            }
        }
        Channel::ShmFutex { map, spins } => {
            if child {
                await_turn(word(map, 0), 1, *spins);
                get(map, DATA, buf);
                put(map, DATA + size, buf);
                set_turn(word(map, 0), 0);
            } else {
                put(map, DATA, buf);
                set_turn(word(map, 0), 1);
                await_turn(word(map, 0), 0, *spins);
                get(map, DATA + size, buf);
            }
        }
        Channel::SysvShmSem { map, set } => {
            if child {
                ok(sem_add(set, SEM_PING, -1), "semop");
                get(map, DATA, buf);
                put(map, DATA + size, buf);
                ok(sem_add(set, SEM_PONG, 1), "semop");
            } else {
                put(map, DATA, buf);
                ok(sem_add(set, SEM_PING, 1), "semop");
                ok(sem_add(set, SEM_PONG, -1), "semop");
                get(map, DATA + size, buf);
            }
        }
        Channel::Fifo { to_child, to_parent } => {
            let io = |r: Result<usize, bareipc::errno::Errno>| full(r, "read");
            if child {
                io(bareipc::io::read_full(&*to_child, buf));
                ok(bareipc::io::write_all(&*to_parent, buf), "write");
            } else {
                ok(bareipc::io::write_all(&*to_child, buf), "write");
                io(bareipc::io::read_full(&*to_parent, buf));
            }
        }
        Channel::Seqpacket(a, b) => {
            let end = if child { b } else { a };
            if child {
                full(end.receive(buf, true), "recvfrom");
                ok(end.send(buf), "sendto");
            } else {
                ok(end.send(buf), "sendto");
                full(end.receive(buf, true), "recvfrom");
            }
        }
        Channel::Dgram { parent, child: c, parent_name, child_name } => {
            if child {
                full(c.receive(buf, true), "recvfrom");
                ok(c.send_to(buf, parent_name, true), "sendto");
            } else {
                ok(parent.send_to(buf, child_name, true), "sendto");
                full(parent.receive(buf, true), "recvfrom");
            }
        }
        Channel::Udp(a, b) => {
            let end: &OwnedFd = if child { b } else { a };
            let send = |buf: &[u8]| rustix::net::send(end, buf, rustix::net::SendFlags::empty());
            let recv =
                |buf: &mut [u8]| rustix::net::recv(end, buf, rustix::net::RecvFlags::empty());
            let n = |r: rustix::io::Result<usize>| r.map_err(Into::into);
            if child {
                full(n(recv(buf).map(|(n, _)| n)), "recv");
                full(n(send(buf)), "send");
            } else {
                full(n(send(buf)), "send");
                full(n(recv(buf).map(|(n, _)| n)), "recv");
            }
        }
        Channel::EventFd { ping, pong } => {
            let value = u64::from_ne_bytes(buf[..8].try_into().unwrap_or([0; 8])).max(1);
            if child {
                let v = ping.take().unwrap_or_else(|e| fail("read", e));
                ok(pong.add(v), "write");
            } else {
                ok(ping.add(value), "write");
                let v = pong.take().unwrap_or_else(|e| fail("read", e));
                buf[..8].copy_from_slice(&v.to_ne_bytes());
            }
        }
        Channel::Signal { peer, me } => {
            if child {
                let v = take(PING);
                queue(PONG, *peer, *me, v);
            } else {
                queue(PING, *peer, *me, u64::from_ne_bytes(buf[..8].try_into().unwrap_or([0; 8])));
                let v = take(PONG);
                buf[..8].copy_from_slice(&v.to_ne_bytes());
            }
        }
    }
}

/// One message of the one-way stream, number `i` (parent sends, child receives).
fn stream_one(c: &mut Channel, child: bool, buf: &mut [u8], i: usize) {
    let size = buf.len();
    let check = |r: Result<(), bareipc::errno::Errno>, what| r.unwrap_or_else(|e| fail(what, e));
    match c {
        Channel::Pipe { to_child, .. } => {
            if child {
                to_child.0.read_full(buf).unwrap_or_else(|e| fail("read", e));
            } else {
                check(to_child.1.write_all(buf), "write");
            }
        }
        Channel::Stream(a, b) => {
            if child {
                bareipc::io::read_full(b, buf).unwrap_or_else(|e| fail("read", e));
            } else {
                check(bareipc::io::write_all(a, buf), "write");
            }
        }
        Channel::PosixMq(to_child, _) => {
            if child {
                to_child.receive(buf, None).unwrap_or_else(|e| fail("mq_timedreceive", e));
            } else {
                check(to_child.send(buf, 0, None), "mq_timedsend");
            }
        }
        Channel::SysvMsg(q, msg) => {
            if child {
                q.receive(msg, 1, MsgFlags::EMPTY).unwrap_or_else(|e| fail("msgrcv", e));
            } else {
                msg.mtype = 1;
                check(q.send(msg, size, MsgFlags::EMPTY), "msgsnd");
            }
        }
        Channel::ShmSem { map, full, empty, .. } => {
            let slot = DATA + (i % SLOTS) * size;
            if child {
                check(bareipc::io::retry_on_intr(|| full.wait()), "sem_wait");
                get(map, slot, buf);
                check(empty.post(), "sem_post");
            } else {
                check(bareipc::io::retry_on_intr(|| empty.wait()), "sem_wait");
                put(map, slot, buf);
                check(full.post(), "sem_post");
            }
        }
        Channel::ShmFutex { map, spins } => {
            let slot = DATA + (i % SLOTS) * size;
            let (head, tail) = (word(map, 1), word(map, 2));
            if child {
                await_ring(head, tail, false, *spins);
                get(map, slot, buf);
                tail.fetch_add(1, SeqCst);
                let _ = futex::wake(tail, futex::Flags::empty(), 1);
            } else {
                await_ring(head, tail, true, *spins);
                put(map, slot, buf);
                head.fetch_add(1, SeqCst);
                let _ = futex::wake(head, futex::Flags::empty(), 1);
            }
        }
        Channel::SysvShmSem { map, set } => {
            let slot = DATA + (i % SLOTS) * size;
            if child {
                check(sem_add(set, FULL, -1), "semop");
                get(map, slot, buf);
                check(sem_add(set, EMPTY, 1), "semop");
            } else {
                check(sem_add(set, EMPTY, -1), "semop");
                put(map, slot, buf);
                check(sem_add(set, FULL, 1), "semop");
            }
        }
        Channel::Fifo { to_child, .. } => {
            if child {
                bareipc::io::read_full(&*to_child, buf).unwrap_or_else(|e| fail("read", e));
            } else {
                check(bareipc::io::write_all(&*to_child, buf), "write");
            }
        }
        Channel::Seqpacket(a, b) => {
            if child {
                b.receive(buf, true).unwrap_or_else(|e| fail("recvfrom", e));
            } else {
                check(a.send(buf), "sendto");
            }
        }
        Channel::Dgram { parent, child: c, child_name, .. } => {
            if child {
                c.receive(buf, true).unwrap_or_else(|e| fail("recvfrom", e));
            } else {
                check(parent.send_to(buf, child_name, true), "sendto");
            }
        }
        Channel::Signal { peer, me } => {
            if child {
                take(PING);
            } else {
                queue(PING, *peer, *me, i as u64);
            }
        }
        Channel::Udp(..) | Channel::EventFd { .. } => {}
    }
}

fn pin(cpu: usize) {
    let mut set = rustix::thread::CpuSet::new();
    set.set(cpu);
    rustix::thread::sched_setaffinity(None, &set).unwrap_or_else(|e| fail("sched_setaffinity", e));
}

/// Round-trip times (ns) and the stream's time (ns) of one mechanism, size and mode.
#[derive(Default)]
struct Sample {
    rtt: Vec<u64>,
    stream_ns: u64,
}

fn measure_ours(
    mech: &str,
    size: usize,
    iters: usize,
    stream: usize,
    mode: &str,
) -> Result<Sample, String> {
    let mut c = channel(mech, size)?;
    let mut buf = vec![0x5au8; size];
    // SAFETY: the program is single-threaded here; the child only runs the loops below
    // and leaves with _exit.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        fail("fork", std::io::Error::last_os_error());
    }
    let child = pid == 0;
    if let Channel::Signal { peer, me } = &mut c {
        // SAFETY: plain calls.
        (*peer, *me) = unsafe {
            if child { (libc::getppid(), libc::getpid()) } else { (pid, libc::getpid()) }
        };
    }
    // A measurement that hangs (a peer that died) ends the whole run rather than waiting
    // forever: the parent by SIGALRM after two minutes, the child with its parent.
    // SAFETY: plain calls with constant arguments.
    unsafe {
        if child {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        } else {
            libc::alarm(120);
        }
    }
    match mode {
        "same" => pin(0),
        "two" => pin(if child { 1 } else { 0 }),
        _ => {}
    }
    let total = iters + iters / 10;
    let mut rtt = Vec::with_capacity(iters);
    for i in 0..total {
        let t0 = Instant::now();
        round_trip(&mut c, child, &mut buf);
        if !child && i >= total - iters {
            rtt.push(t0.elapsed().as_nanos() as u64);
        }
    }
    let s0 = Instant::now();
    for i in 0..stream {
        stream_one(&mut c, child, &mut buf, i);
    }
    if child {
        // SAFETY: leaves the child at once, without running the parent's destructors.
        unsafe { libc::_exit(0) }
    }
    let mut status = 0;
    // SAFETY: waits for our own child; status is a valid out pointer; alarm(0) disarms.
    if unsafe { libc::waitpid(pid, &mut status, 0) } != pid || status != 0 {
        fail("child", status);
    }
    // SAFETY: as above.
    unsafe { libc::alarm(0) };
    Ok(Sample { rtt, stream_ns: s0.elapsed().as_nanos() as u64 })
}

fn measure_c(
    c_bin: &str,
    mech: &str,
    size: usize,
    iters: usize,
    stream: usize,
    mode: &str,
) -> Result<Sample, String> {
    use std::os::unix::process::CommandExt;
    // Its own process group, so that a baseline that hangs is killed with its child.
    let child = Command::new(c_bin)
        .args([mech, &size.to_string(), &iters.to_string(), &stream.to_string(), mode])
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{c_bin}: {e}"))?;
    let group = child.id() as i32;
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(120));
        // SAFETY: kills the baseline's process group (ours is another); harmless if gone.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    });
    let out = child.wait_with_output().map_err(|e| format!("{c_bin}: {e}"))?;
    drop(watchdog); // detached: it outlives a quick run harmlessly (the group is gone)
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr)
            .trim()
            .trim_start_matches("ipc-bench-c: ")
            .to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let rtt =
        lines.next().unwrap_or("").split(' ').skip(1).filter_map(|v| v.parse().ok()).collect();
    let stream_ns =
        lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(Sample { rtt, stream_ns })
}

fn median_p99(mut v: Vec<u64>) -> (f64, f64) {
    v.sort_unstable();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize] as f64 / 1e3;
    (at(0.5), at(0.99))
}

struct Row {
    mode: &'static str,
    mech: &'static str,
    size: usize,
    /// (median µs, p99 µs, MB/s) for bareipc and for C; or why there is no result.
    ours: Result<(f64, f64, f64), String>,
    theirs: Result<(f64, f64, f64), String>,
    flag: String,
}

fn main() {
    // Before any thread exists (see PING): every thread inherits the mask.
    for n in [PING, PONG] {
        signal(n).block().unwrap_or_else(|e| fail("rt_sigprocmask", e));
    }
    let args: Vec<String> = std::env::args().collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let quick = smoke || args.iter().any(|a| a == "--quick");
    let value = |flag: &str, default: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or(default.into())
    };
    let out_dir = value("--out", "results");
    let c_bin = value("--c", "target/bench/ipc-bench-c");
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut modes: Vec<&'static str> =
        if cpus >= 2 { vec!["two", "same", "none"] } else { vec!["same", "none"] };
    let sizes: &[usize] = if smoke { &[8, 4096] } else { &SIZES };
    if smoke {
        modes.truncate(1);
    }
    let mut rows = Vec::new();
    for &mode in &modes {
        for &mech in &MECHANISMS {
            for &size in sizes {
                let iters = match (quick, size) {
                    (true, _) => 200,
                    (false, 65536) => 2000,
                    _ => 20_000,
                };
                let stream = if quick { 200 } else { (32 << 20) / size.max(1) }.clamp(200, 100_000);
                let stream = if has_stream(mech) { stream } else { 0 };
                // Three rounds, bareipc and C alternating (ours first, then C first, then
                // ours), a third of the trips each: drift of a shared machine hits both.
                let (mut ours, mut theirs): (Result<Sample, String>, Result<Sample, String>) =
                    (Ok(Sample::default()), Ok(Sample::default()));
                for round in 0..3 {
                    let n = iters / 3;
                    let mut one = |who: bool| {
                        let got = if who {
                            measure_ours(mech, size, n, stream / 3, mode)
                        } else {
                            measure_c(&c_bin, mech, size, n, stream / 3, mode)
                        };
                        let into = if who { &mut ours } else { &mut theirs };
                        *into = match (std::mem::replace(into, Ok(Sample::default())), got) {
                            (Ok(mut acc), Ok(s)) => {
                                acc.rtt.extend(s.rtt);
                                acc.stream_ns += s.stream_ns;
                                Ok(acc)
                            }
                            (Err(e), _) | (_, Err(e)) => Err(e),
                        };
                    };
                    one(round % 2 == 0);
                    one(round % 2 == 1);
                }
                let stream = stream / 3 * 3;
                let stats = |s: Result<Sample, String>| {
                    s.map(|s| {
                        let (m, p) = median_p99(s.rtt);
                        let mbps = (stream * size) as f64 / (s.stream_ns as f64 / 1e9) / 1e6;
                        (m, p, if stream == 0 { f64::NAN } else { mbps })
                    })
                };
                let (ours, theirs) = (stats(ours), stats(theirs));
                eprintln!("{mode:>4} {mech:>10} {size:>6}: {ours:?} / C {theirs:?}");
                rows.push(Row { mode, mech, size, ours, theirs, flag: String::new() });
            }
        }
    }
    // Sanity: what physics rules out is a measurement error, not a result.
    // The futex floor: a bare FUTEX_WAIT / FUTEX_WAKE hand-off, measured in the same
    // mode and size; every blocking mechanism sleeps and wakes at least that way.
    let floor = |rows: &[Row], mode: &str, size: usize| {
        rows.iter()
            .find(|r| r.mode == mode && r.mech == "futex-wake" && r.size == size)
            .and_then(|r| r.ours.as_ref().ok().map(|o| o.0))
    };
    for i in 0..rows.len() {
        let (mode, mech, size) = (rows[i].mode, rows[i].mech, rows[i].size);
        let f = floor(&rows, mode, size);
        let mut flags = Vec::new();
        for (who, r) in [("bareipc", &rows[i].ours), ("C", &rows[i].theirs)] {
            if let Ok((median, ..)) = r {
                if size <= 64 && *median < 0.1 {
                    flags.push(format!("MEASUREMENT ERROR: {who} round trip under 0.1 µs"));
                }
                // Wake-ups across CPUs are noisy (tens of µs in a VM): a blocking mechanism
                // a little below the floor is noise; below half of it, an error.
                let blocking = !matches!(mech, "shm-futex" | "memfd" | "mmap-file" | "futex-wake");
                if blocking && f.is_some_and(|f| *median < 0.5 * f) {
                    flags.push(format!("MEASUREMENT ERROR: {who} below the futex floor"));
                }
            }
        }
        rows[i].flag = flags.join("; ");
    }
    write_results(&out_dir, &rows);
}

fn write_results(dir: &str, rows: &[Row]) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| fail(dir, e));
    let fmt = |v: &Result<(f64, f64, f64), String>| match v {
        Ok((m, p, t)) if t.is_nan() => (format!("{m:.2}"), format!("{p:.2}"), "n/a".into()),
        Ok((m, p, t)) => (format!("{m:.2}"), format!("{p:.2}"), format!("{t:.1}")),
        Err(_) => ("n/a".into(), "n/a".into(), "n/a".into()),
    };
    let mut md = String::from(
        "| CPUs | mechanism | bytes | RTT median µs | RTT p99 µs | stream MB/s | C median µs | C p99 µs | C MB/s | median bareipc / C | note |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    let mut csv = String::from(
        "mode,mechanism,bytes,median_us,p99_us,stream_mbps,c_median_us,c_p99_us,c_stream_mbps,ratio,note\n",
    );
    let mut dat = String::new();
    for r in rows {
        let (m, p, t) = fmt(&r.ours);
        let (cm, cp, ct) = fmt(&r.theirs);
        let ratio = match (&r.ours, &r.theirs) {
            (Ok(o), Ok(c)) => format!("{:.2}", o.0 / c.0),
            _ => "n/a".into(),
        };
        let why = match (&r.ours, &r.theirs) {
            (Err(e), _) | (_, Err(e)) => e.clone(),
            _ => String::new(),
        };
        let note = [r.flag.clone(), why]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let mode = match r.mode {
            "two" => "two",
            "same" => "one",
            _ => "unpinned",
        };
        md.push_str(&format!(
            "| {mode} | {} | {} | {m} | {p} | {t} | {cm} | {cp} | {ct} | {ratio} | {note} |\n",
            r.mech, r.size
        ));
        csv.push_str(&format!(
            "{},{},{},{m},{p},{t},{cm},{cp},{ct},{ratio},\"{note}\"\n",
            r.mode, r.mech, r.size
        ));
        dat.push_str(&format!("{} {} {} {m} {cm}\n", r.mode, r.mech, r.size));
    }
    for (name, text) in [("ipc-bench.md", md), ("ipc-bench.csv", csv), ("ipc-bench.dat", dat)] {
        std::fs::write(format!("{dir}/{name}"), text).unwrap_or_else(|e| fail(name, e));
    }
}
