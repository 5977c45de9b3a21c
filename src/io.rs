//! Reading and writing whole messages over descriptors, with short transfers and EINTR
//! handled in one place; the standard streams, and the program's name that starts every
//! line it reports on standard error.

use crate::errno::Errno;
use crate::fmt::Line;
use crate::setting::Setting;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
use rustix::fd::{AsFd, AsRawFd, BorrowedFd};

static PROGRAM: Setting<&'static str> = Setting::new();

/// Records the program name used at the start of every report line ([`report_line`]).
/// A bareipc program's runtime sets it before `main`; other programs may.
pub fn set_program(name: &'static &'static str) {
    PROGRAM.set(name);
}

/// The program name given to [`set_program`], or `"bareipc"`.
pub fn program() -> &'static str {
    PROGRAM.get().copied().unwrap_or("bareipc")
}

/// Starts a line for standard error: `PROGRAM: `.
pub fn report_line() -> Line {
    let mut l = Line::new();
    l.str(program()).str(": ");
    l
}

/// Whether the process has been asked to stop: the function given to [`set_stop_check`],
/// or null.
static STOP_CHECK: Setting<fn() -> bool> = Setting::new();

/// Records how [`write_all`] tells that the process has been asked to stop (the run's
/// supervision sets it: a stop signal came): a `static` holding the function.
pub fn set_stop_check(check: &'static fn() -> bool) {
    STOP_CHECK.set(check);
}

fn stop_requested() -> bool {
    STOP_CHECK.get().is_some_and(|check| check())
}

/// Bit n set: descriptor n (0, 1 or 2) was handed to one of our objects.
static STD_TAKEN: AtomicU8 = AtomicU8::new(0);

/// Records a descriptor that bareipc opened. The kernel hands out the lowest free number,
/// so one numbered 0, 1 or 2 means that standard stream was closed when the program
/// started and the number now names an IPC object: [`print`](fn@print) then fails with EBADF
/// rather than write the result into it, and [`eprint`](fn@eprint) stays silent. Costs no syscall.
pub fn opened(fd: impl AsFd) {
    let raw = fd.as_fd().as_raw_fd();
    if (0..3).contains(&raw) {
        STD_TAKEN.fetch_or(1 << raw, Relaxed);
    }
}

fn taken(fd: i32) -> bool {
    STD_TAKEN.load(Relaxed) & 1 << fd != 0
}

/// Runs `call` again for as long as it fails with EINTR (a signal handler ran while it was
/// blocked and the kernel did not restart it).
pub fn retry_on_intr<T>(mut call: impl FnMut() -> Result<T, Errno>) -> Result<T, Errno> {
    loop {
        match call() {
            Err(Errno::EINTR) => continue,
            done => return done,
        }
    }
}

/// `read(fd, buf, len)` repeated until `buf` is full or the peer has closed its end:
/// returns how many bytes arrived (`buf.len()`, or fewer at end of file).
///
/// References: [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
#[doc(alias = "read")]
pub fn read_full(fd: impl AsFd, buf: &mut [u8]) -> Result<usize, Errno> {
    let mut done = 0;
    while done < buf.len() {
        let n = retry_on_intr(|| Ok(rustix::io::read(fd.as_fd(), &mut buf[done..])?))?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// `write(fd, buf, len)` repeated until all of `buf` is written. A write interrupted by a
/// signal handler (EINTR) is repeated too, unless the process has been asked to stop
/// (see [`set_stop_check`]): then it fails with EINTR, so a stop request is never lost
/// while the process is blocked on a full pipe.
///
/// References: [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
#[doc(alias = "write")]
pub fn write_all(fd: impl AsFd, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        let n = match rustix::io::write(fd.as_fd(), buf) {
            Err(rustix::io::Errno::INTR) if !stop_requested() => continue,
            written => written?,
        };
        if n == 0 {
            // Only a zero-length write may return 0; treat anything else as an I/O error
            // rather than spin.
            return Err(Errno::EIO);
        }
        buf = &buf[n..];
    }
    Ok(())
}

/// Descriptor `fd` (1 or 2), borrowed for one `write`.
///
/// Why this is sound without `unsafe` at the call sites (rustix makes its `stdout()`
/// unsafe): the borrow never outlives the one `write` it is made for, and bareipc never
/// closes descriptors 0–2. If another part of the process closed the descriptor, the write
/// fails with EBADF; if it put something else there, that is the process's standard
/// output now, which is what std's `print!` writes to as well. A descriptor that bareipc
/// itself reused because the stream was closed at start is never written ([`opened`]).
fn standard(fd: i32) -> BorrowedFd<'static> {
    // SAFETY: see above: the borrow is used for a single write and never stored.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// Writes `line` to standard output in one `write`; EBADF if standard output was closed
/// at start (see [`opened`]).
pub fn print(line: &Line) -> Result<(), Errno> {
    if taken(1) {
        return Err(Errno::EBADF);
    }
    write_all(standard(1), line.as_bytes())
}

/// Writes `bytes` to standard output (as many `write`s as it takes); EBADF if standard
/// output was closed at start (see [`opened`]).
pub fn print_bytes(bytes: &[u8]) -> Result<(), Errno> {
    if taken(1) {
        return Err(Errno::EBADF);
    }
    write_all(standard(1), bytes)
}

/// Writes `line` to standard error in one `write`, ignoring failure: there is nowhere
/// left to report it.
pub fn eprint(line: &Line) {
    if taken(2) {
        return;
    }
    let _ = write_all(standard(2), line.as_bytes());
}

pub use crate::sys::abi::{POLLIN, POLLOUT, PollFd};

/// `ppoll(fds, n, NULL, NULL)`: waits, with no timeout, until one of `fds` has an event
/// it asks for ([`POLLIN`]: something to read, or a connection to accept) or reports an
/// error or hang-up; returns how many entries have one (in `revents`). An entry whose `fd`
/// is negative is skipped; one that is not an open descriptor gets `POLLNVAL`, which is
/// harmless: the call only reads the numbers. EINTR when a signal handler runs meanwhile —
/// the way to wake a waiting server on a periodic signal.
#[doc(alias = "ppoll")]
pub fn poll(fds: &mut [PollFd]) -> Result<usize, Errno> {
    crate::sys::poll(fds, None)
}

/// [`poll`] for at most `timeout`: 0 when it passed with no event.
#[doc(alias = "ppoll")]
pub fn poll_within(
    fds: &mut [PollFd],
    timeout: &crate::sys::abi::Timespec,
) -> Result<usize, Errno> {
    crate::sys::poll(fds, Some(timeout))
}

/// Whether the process is at its descriptor limit (RLIMIT_NOFILE): tries to open one
/// (`openat("/", O_PATH)`, closed at once) and says whether that failed with EMFILE. For a
/// report that must tell the descriptor limit from another limit behind the same EMFILE
/// (`mq_open`'s RLIMIT_MSGQUEUE).
pub fn descriptor_limit_reached() -> bool {
    let flags = crate::sys::abi::O_PATH | crate::sys::abi::O_CLOEXEC;
    matches!(crate::sys::openat(rustix::fs::CWD, c"/", flags, 0), Err(Errno::EMFILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_messages_cross_a_pipe_and_eof_is_seen() {
        let (r, w) = rustix::pipe::pipe().unwrap();
        write_all(&w, b"hello world").unwrap();
        drop(w);
        let mut buf = [0u8; 32];
        assert_eq!(read_full(&r, &mut buf).unwrap(), 11);
        assert_eq!(&buf[..11], b"hello world");
        assert_eq!(read_full(&r, &mut buf).unwrap(), 0);
    }

    #[test]
    fn writing_to_a_closed_pipe_is_epipe() {
        let (r, w) = rustix::pipe::pipe().unwrap();
        drop(r);
        // The test harness ignores SIGPIPE like every Rust std program.
        assert_eq!(write_all(&w, b"x"), Err(Errno::EPIPE));
    }

    #[test]
    fn retry_on_intr_retries_only_eintr() {
        let mut calls = 0;
        let r = retry_on_intr(|| {
            calls += 1;
            if calls < 3 { Err(Errno::EINTR) } else { Ok(calls) }
        });
        assert_eq!(r, Ok(3));
        assert_eq!(retry_on_intr::<()>(|| Err(Errno::EAGAIN)), Err(Errno::EAGAIN));
    }
}
