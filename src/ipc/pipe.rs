//! Pipes: a one-way byte stream in the kernel, with a buffer (64 KiB by default) between a
//! write end and a read end.
//!
//! A `write` of at most `PIPE_BUF` (4096) bytes is atomic: it is never interleaved with
//! other writers' data. `read` blocks while the pipe is empty and returns 0 (end of file)
//! once every write end is closed — which is how a reader learns that a writer died.

use crate::errno::Errno;
use crate::io;
use rustix::fd::OwnedFd;
use rustix::pipe::PipeFlags;

/// The read end of a pipe; closed on drop.
#[derive(Debug)]
pub struct PipeReader(OwnedFd);

/// The write end of a pipe; closed on drop.
#[derive(Debug)]
pub struct PipeWriter(OwnedFd);

fd_handle!(PipeReader, PipeWriter);

/// `pipe2(fds, O_CLOEXEC)`—creates a pipe, returning its read and write ends.
///
/// References: [pipe(2)](https://man7.org/linux/man-pages/man2/pipe.2.html),
/// [pipe(7)](https://man7.org/linux/man-pages/man7/pipe.7.html)
#[doc(alias = "pipe2")]
pub fn pipe() -> Result<(PipeReader, PipeWriter), Errno> {
    let (r, w) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC)?;
    io::opened(&r);
    io::opened(&w);
    Ok((PipeReader(r), PipeWriter(w)))
}

impl PipeReader {
    /// Reads until `buf` is full or every write end is closed; returns the bytes read.
    pub fn read_full(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        io::read_full(&self.0, buf)
    }
}

impl PipeWriter {
    /// Writes all of `buf` (atomically if it is at most `PIPE_BUF` bytes).
    pub fn write_all(&self, buf: &[u8]) -> Result<(), Errno> {
        io::write_all(&self.0, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fd::AsFd;

    #[test]
    fn bytes_come_out_in_order_then_eof() {
        let (r, w) = pipe().unwrap();
        w.write_all(b"first ").unwrap();
        w.write_all(b"second").unwrap();
        drop(w);
        let mut buf = [0u8; 64];
        assert_eq!(r.read_full(&mut buf).unwrap(), 12);
        assert_eq!(&buf[..12], b"first second");
    }

    #[test]
    fn both_ends_are_close_on_exec() {
        let (r, w) = pipe().unwrap();
        for fd in [r.as_fd(), w.as_fd()] {
            assert!(rustix::io::fcntl_getfd(fd).unwrap().contains(rustix::io::FdFlags::CLOEXEC));
        }
    }
}
