//! Reading and writing whole messages over descriptors, with short transfers and EINTR
//! handled in one place.

use crate::errno::Errno;
use crate::fmt::Line;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
use rustix::fd::{AsFd, AsRawFd, BorrowedFd};

/// Bit n set: descriptor n (0, 1 or 2) was handed to one of our objects.
static STD_TAKEN: AtomicU8 = AtomicU8::new(0);

/// Records a descriptor that bareipc opened. The kernel hands out the lowest free number,
/// so one numbered 0, 1 or 2 means that standard stream was closed when the program
/// started and the number now names an IPC object: [`print`] then fails with EBADF
/// rather than write the result into it, and [`eprint`] stays silent. Costs no syscall.
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

/// `write(fd, buf, len)` repeated until all of `buf` is written.
///
/// References: [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
#[doc(alias = "write")]
pub fn write_all(fd: impl AsFd, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        let n = retry_on_intr(|| Ok(rustix::io::write(fd.as_fd(), buf)?))?;
        if n == 0 {
            // Only a zero-length write may return 0; treat anything else as an I/O error
            // rather than spin.
            return Err(Errno::EIO);
        }
        buf = &buf[n..];
    }
    Ok(())
}

/// Standard output, descriptor 1.
pub fn stdout() -> BorrowedFd<'static> {
    // SAFETY: descriptor 1 is the process's standard output for its whole life; bareipc
    // never closes it. If the process was started with it closed, writes fail with EBADF.
    unsafe { BorrowedFd::borrow_raw(1) }
}

/// Standard error, descriptor 2.
pub fn stderr() -> BorrowedFd<'static> {
    // SAFETY: as for `stdout`, for descriptor 2.
    unsafe { BorrowedFd::borrow_raw(2) }
}

/// Writes `line` to standard output in one `write`; EBADF if standard output was closed
/// at start (see [`opened`]).
pub fn print(line: &Line) -> Result<(), Errno> {
    if taken(1) {
        return Err(Errno::EBADF);
    }
    write_all(stdout(), line.as_bytes())
}

/// Writes `line` to standard error in one `write`, ignoring failure: there is nowhere
/// left to report it.
pub fn eprint(line: &Line) {
    if taken(2) {
        return;
    }
    let _ = write_all(stderr(), line.as_bytes());
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
