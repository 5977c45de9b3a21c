//! `fifo`, `signal`, `unix`, `tcp`, `udp`, `fd`: the endpoints an unrelated process
//! reaches by a path, a pid, an abstract name or a port, and descriptors passed over them.
//!
//! A FIFO is found by its path, where anyone who may write the directory may have put
//! something else: every end this tool opens is checked to be a FIFO (`fstat`) before a
//! byte moves, and it never follows a symbolic link (`O_NOFOLLOW`). Opening never waits
//! (`O_NONBLOCK`): a writer with no reader fails at once (ENXIO), a reader waits in `poll`,
//! bounded by `--timeout`. A real-time signal is queued to a pid with a 64-bit value; the
//! waiter blocks the signal first, so a value sent before the wait began waits for it —
//! one sent before the tool started ends the tool (the signal's default action).

use crate::args::{self, Cmd, Done, OrFail, bad, said};
use crate::out::Out;
use bareipc::errno::Errno;
use bareipc::ipc::endpoint::{Address, Endpoint, Kind, UnixAddr};
use bareipc::ipc::eventfd::EventCounter;
use bareipc::ipc::fifo::{self, Fifo};
use bareipc::ipc::memfd::Memfd;
use bareipc::ipc::rtsig::{RtSignal, Timespec};
use core::ffi::CStr;
use rustix::event::{PollFd, PollFlags};
use rustix::fd::AsFd;
use rustix::fs::CWD;

/// `text` as a C string in `buf` (a path: at most 4095 bytes; an argument has no NUL).
#[inline(never)]
fn path<'a>(text: &[u8], buf: &'a mut [u8; 4096]) -> Done<&'a CStr> {
    match buf.get_mut(..text.len()) {
        Some(room) if text.len() < 4096 => room.copy_from_slice(text),
        _ => return Err(bad("path over 4095 bytes:", text)),
    }
    CStr::from_bytes_until_nul(buf).map_err(|_| bad("not a path:", text))
}

/// An end opened at the path, checked to be a FIFO.
fn open(
    cmd: &Cmd,
    how: fn(rustix::fd::BorrowedFd<'_>, &CStr) -> Result<Fifo, Errno>,
) -> Done<Fifo> {
    let end = how(CWD, path(cmd.pos[0], &mut [0; 4096])?).or_fail("openat")?;
    match end.is_fifo().or_fail("fstat")? {
        true => Ok(end),
        false => Err(said("openat", "not a FIFO (another kind of file is at the path)")),
    }
}

pub fn fifo_create(cmd: &Cmd) -> Done {
    let mode = cmd.mode()?;
    fifo::make(CWD, path(cmd.pos[0], &mut [0; 4096])?, mode).or_fail("mknodat")
}

/// Waits in `poll` for `events` on `end`: ETIMEDOUT when `--timeout` passes.
#[inline(never)]
fn wait(end: rustix::fd::BorrowedFd<'_>, events: PollFlags, usec: Option<u64>) -> Done {
    let mut fds = [PollFd::from_borrowed_fd(end, events)];
    let t = usec.map(|us| rustix::event::Timespec {
        tv_sec: (us / 1_000_000) as i64,
        tv_nsec: (us % 1_000_000) as i64 * 1000,
    });
    match rustix::event::poll(&mut fds, t.as_ref()) {
        Ok(0) => Err(args::call_failed("poll", Errno::ETIMEDOUT)),
        Ok(_) => Ok(()),
        Err(e) => Err(args::call_failed("poll", e.into())),
    }
}

/// `fifo write PATH TEXT`: TEXT (at most PIPE_BUF, 4096 bytes: one atomic write) into the
/// FIFO, waiting for room while the pipe is full.
pub fn fifo_write(cmd: &Cmd) -> Done {
    let text = cmd.pos[1];
    if text.len() > 4096 {
        return Err(said("write", "TEXT over 4096 bytes (PIPE_BUF: what one write keeps whole)"));
    }
    let usec = usec(cmd)?;
    let end = open(cmd, Fifo::open_writer)?;
    loop {
        match end.write(text) {
            Err(Errno::EAGAIN) => wait(end.as_fd(), PollFlags::OUT, usec)?,
            done => return done.or_fail("write"),
        }
    }
}

/// `fifo read PATH`: waits for a writer, then prints what the writers write until the
/// last one closes it (escaped, then a newline; the bytes alone with `--raw`).
pub fn fifo_read(cmd: &Cmd) -> Done {
    let usec = usec(cmd)?;
    let end = open(cmd, Fifo::open_read_end)?;
    let buf = &mut crate::out::buffer().text;
    let mut o = Out::new();
    let raw = cmd.flag(args::RAW);
    loop {
        // Nothing yet, or nothing more: wait (a FIFO no writer opened yet reports no
        // hang-up, so this waits for the first writer too).
        wait(end.as_fd(), PollFlags::IN, usec)?;
        match end.read(buf) {
            Ok(0) => break,
            Ok(n) if raw => o.bytes(&buf[..n]),
            Ok(n) => o.escaped(&buf[..n]),
            Err(Errno::EAGAIN) => continue,
            Err(e) => return Err(args::call_failed("read", e)),
        };
    }
    if !raw {
        o.str("\n");
    }
    o.flush()
}

/// SIGNO as a real-time signal: 34 to 64.
fn signal(text: &[u8]) -> Done<RtSignal> {
    let n = args::signed("signal", text, 34, 64)?;
    RtSignal::new(n as i32).or_fail("")
}

/// `signal send PID SIGNO VALUE`: queues SIGNO with VALUE (0 to 2^64 - 1) to PID.
pub fn signal_send(cmd: &Cmd) -> Done {
    let pid = args::signed("pid", cmd.pos[0], 1, i32::MAX as i64)? as i32;
    let sig = signal(cmd.pos[1])?;
    let text = cmd.pos[2];
    let exact = text.iter().try_fold(0u64, |v, &c| {
        let d = (c as char).to_digit(10)? as u64;
        v.checked_mul(10)?.checked_add(d)
    });
    let value = exact
        .filter(|_| !text.is_empty())
        .ok_or_else(|| bad("not a value from 0 to 18446744073709551615:", text))?;
    let me = rustix::process::getpid().as_raw_nonzero().get();
    if pid == me {
        // Its default action would end the tool before it could say anything.
        return Err(said("rt_sigqueueinfo", "that is this tool's own pid"));
    }
    sig.queue(pid, me, value).or_fail("rt_sigqueueinfo")
}

/// `signal wait SIGNO`: blocks SIGNO, takes one (waiting up to `--timeout`), and prints
/// `PID<TAB>VALUE`: the pid its sender wrote (the kernel does not check it) and the value.
pub fn signal_wait(cmd: &Cmd) -> Done {
    let sig = signal(cmd.pos[0])?;
    // No --timeout: a wait of 2^40 s (no handler is installed that could interrupt it).
    let t = cmd.timeout()?.unwrap_or(Timespec { tv_sec: 1 << 40, tv_nsec: 0 });
    sig.block().or_fail("rt_sigprocmask")?;
    let q = timed(sig.take_within(&t), "rt_sigtimedwait")?;
    let mut l = bareipc::fmt::Line::new();
    l.i64(q.pid as i64).str("\t");
    number_line(l, q.value)
}

/// The socket kind of a `unix`, `tcp` or `udp` command.
fn kind(cmd: &Cmd) -> Kind {
    match cmd.group.name {
        "tcp" => Kind::Tcp,
        "udp" => Kind::Udp,
        _ if cmd.flag(args::SEQPACKET) => Kind::Seqpacket,
        _ if cmd.flag(args::DGRAM) => Kind::Dgram,
        _ => Kind::Stream,
    }
}

/// The address of a `unix` (ADDR: a path, or `@NAME`, an abstract name), `tcp` or `udp`
/// (PORT of 127.0.0.1) command.
fn address(cmd: &Cmd) -> Done<Address> {
    let text = cmd.pos[0];
    if matches!(cmd.group.name, "tcp" | "udp") {
        return Ok(Address::Loopback(args::signed("port", text, 1, 65535)? as u16));
    }
    let made = match text.strip_prefix(b"@") {
        Some(name) => UnixAddr::abstract_name(name),
        None => UnixAddr::path(&[path(text, &mut [0; 4096])?]),
    };
    made.map(Address::Unix)
        .map_err(|_| bad("not a socket address (a path of at most 107 bytes, or @NAME):", text))
}

/// `--timeout` in microseconds, if given: at least 1 (0 would be no bound at all for
/// `SO_RCVTIMEO`; `--timeout 0` means not to wait).
fn usec(cmd: &Cmd) -> Done<Option<u64>> {
    Ok(cmd.timeout()?.map(|t| (t.tv_sec as u64 * 1_000_000 + t.tv_nsec as u64 / 1000).max(1)))
}

/// A call's result, EAGAIN (a timeout that passed, `SO_RCVTIMEO`/`SO_SNDTIMEO`) named
/// as ETIMEDOUT.
fn timed<T>(r: Result<T, Errno>, call: &'static str) -> Done<T> {
    r.map_err(|e| timed_out(call, e))
}

/// Reports a failed call, EAGAIN (a timeout that passed) as ETIMEDOUT.
#[inline(never)]
fn timed_out(call: &'static str, e: Errno) -> args::Exit {
    args::call_failed(call, if e == Errno::EAGAIN { Errno::ETIMEDOUT } else { e })
}

/// `unix|tcp|udp send ADDR TEXT`: connects (or, for datagrams, sends to ADDR) and sends
/// TEXT: one message, or the bytes of a stream, all of them.
pub fn socket_send(cmd: &Cmd) -> Done {
    let (kind, addr, usec) = (kind(cmd), address(cmd)?, usec(cmd)?);
    let end = Endpoint::connect_within(kind, &addr, usec);
    let end = end.map_err(|e| timed_out(e.call, e.errno))?;
    let mut text = cmd.pos[1];
    loop {
        let n = timed(end.send(text, None), "sendto")?;
        text = text.get(n..).unwrap_or(b"");
        if text.is_empty() {
            return Ok(());
        }
    }
}

/// `unix|tcp|udp listen ADDR`: binds ADDR and prints `--count` messages (datagram kinds)
/// or connections (the others: what each sends until it closes; a seqpacket message a
/// line), escaped with a newline after each, or the bytes alone with `--raw`. A path it
/// bound is unlinked at the end.
pub fn socket_listen(cmd: &Cmd) -> Done {
    let (kind, addr, usec) = (kind(cmd), address(cmd)?, usec(cmd)?);
    let count = cmd.number(args::COUNT, 1, 1 << 20, 1)?;
    let end = Endpoint::bind(kind, &addr, 16).or_fail("bind")?;
    let _bound = matches!(addr, Address::Unix(_)).then_some(Bound(cmd));
    serve(cmd, &end, count, usec.unwrap_or(0))
}

fn serve(cmd: &Cmd, end: &Endpoint, count: u64, usec: u64) -> Done {
    end.set_timeout(usec).or_fail("setsockopt")?;
    let buf = &mut crate::out::buffer().text;
    let mut o = Out::new();
    let raw = cmd.flag(args::RAW);
    let show = |o: &mut Out, bytes: &[u8], end_of_message: bool| {
        if raw {
            o.bytes(bytes);
        } else {
            o.escaped(bytes);
            if end_of_message {
                o.str("\n");
            }
        }
    };
    for _ in 0..count {
        if !end.kind().connected() {
            let n = timed(end.receive(buf), "recvfrom")?;
            show(&mut o, &buf[..n.min(buf.len())], true);
            o.flush()?;
            if n > buf.len() {
                return Err(said(
                    "recvfrom",
                    "a datagram over the 64 KiB this tool takes: the rest is lost",
                ));
            }
            continue;
        }
        let conn = timed(end.accept(), "accept4")?;
        conn.set_timeout(usec).or_fail("setsockopt")?;
        loop {
            let n = timed(conn.receive(buf), "recvfrom")?;
            if n == 0 {
                break;
            }
            show(&mut o, &buf[..n.min(buf.len())], end.kind() == Kind::Seqpacket);
        }
        if end.kind() != Kind::Seqpacket {
            show(&mut o, b"", true);
        }
        o.flush()?;
    }
    Ok(())
}

/// `fd serve ADDR TEXT`: a memfd holding TEXT (or, `--eventfd`, an eventfd counting TEXT,
/// a number), handed to each of `--count` connections to a seqpacket socket at ADDR
/// (`SCM_RIGHTS`): the taker gets a descriptor of the same object.
pub fn fd_serve(cmd: &Cmd) -> Done {
    let text = cmd.pos[1];
    let object: rustix::fd::OwnedFd = if cmd.flag(args::EVENTFD) {
        let value = args::signed("value", text, 0, i64::MAX)? as u64;
        let counter = EventCounter::new().or_fail("eventfd2")?;
        counter.add(value).or_fail("write")?;
        counter.into()
    } else {
        let memfd = Memfd::create(c"bareipc-fd").or_fail("memfd_create")?;
        rustix::io::pwrite(&memfd, text, 0).or_fail("pwrite")?;
        memfd.into()
    };
    let (addr, usec) = (address(cmd)?, usec(cmd)?);
    let count = cmd.number(args::COUNT, 1, 1 << 20, 1)?;
    let end = Endpoint::bind(Kind::Seqpacket, &addr, 16).or_fail("bind")?;
    let _bound = Bound(cmd);
    end.set_timeout(usec.unwrap_or(0)).or_fail("setsockopt")?;
    for _ in 0..count {
        let conn = timed(end.accept(), "accept4")?;
        conn.set_timeout(usec.unwrap_or(0)).or_fail("setsockopt")?;
        timed(conn.send_fd(object.as_fd()), "sendmsg")?;
    }
    Ok(())
}

/// `fd take ADDR`: connects, takes the descriptor the server passes and shows what it
/// holds: a memfd's first 64 KiB, escaped (`--raw`: the bytes); an eventfd's counter as
/// a number. Any other descriptor is refused unread: its reads might never end.
pub fn fd_take(cmd: &Cmd) -> Done {
    let (addr, usec) = (address(cmd)?, usec(cmd)?);
    let end = Endpoint::connect_within(Kind::Seqpacket, &addr, usec);
    let end = end.map_err(|e| timed_out(e.call, e.errno))?;
    let fd = timed(end.receive_fd(), "recvmsg")?;
    let buf = &mut crate::out::buffer().text;
    // A memfd (what F_GET_SEALS answers for; tmpfs, where no read waits): its first 64
    // KiB, by pread (another taker's reads move no offset of its).
    let n = if rustix::fs::fcntl_get_seals(&fd).is_ok() {
        rustix::io::pread(&fd, &mut buf[..], 0).or_fail("pread")?
    } else {
        // An eventfd (an anonymous inode, no file type): one read within --timeout, its
        // 8-byte counter as a number. Anything else — a file whose reads could wait for
        // good (FUSE, NFS), a pipe, a socket, a device — is refused unread.
        if rustix::fs::fstat(&fd).or_fail("fstat")?.st_mode & 0o170000 != 0 {
            return Err(said("recvmsg", "not a memfd or an eventfd"));
        }
        wait(fd.as_fd(), PollFlags::IN, usec)?;
        let n = rustix::io::read(&fd, &mut buf[..]).or_fail("read")?;
        if n == 8 {
            let v = u64::from_ne_bytes(buf[..8].try_into().unwrap_or([0; 8]));
            return number_line(bareipc::fmt::Line::new(), v);
        }
        n
    };
    let mut o = Out::new();
    if cmd.flag(args::RAW) {
        o.bytes(&buf[..n]);
    } else {
        o.escaped(&buf[..n]).str("\n");
    }
    o.flush()
}

/// A socket bound at the command's address: its path (not an abstract name) is unlinked
/// when the command ends, however it ends.
struct Bound<'a>(&'a Cmd);

impl Drop for Bound<'_> {
    fn drop(&mut self) {
        let text = self.0.pos[0];
        if !text.starts_with(b"@")
            && let Ok(p) = path(text, &mut [0; 4096])
        {
            let _ = rustix::fs::unlink(p);
        }
    }
}

/// Prints `line`, `v` and a newline.
#[inline(never)]
fn number_line(mut line: bareipc::fmt::Line, v: u64) -> Done {
    line.u64(v).str("\n");
    Out::new().bytes(line.as_bytes()).flush()
}
