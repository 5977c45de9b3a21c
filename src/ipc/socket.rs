//! Unix-domain stream socket pairs: two connected endpoints, each readable and writable —
//! a full-duplex pipe. Each direction has its own kernel buffer; closing one end makes
//! reads at the other return end of file.

use crate::errno::Errno;
use crate::io;
use rustix::fd::OwnedFd;
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// One end of a connected `AF_UNIX` stream socket pair; closed on drop.
#[derive(Debug)]
pub struct Stream(OwnedFd);

fd_handle!(Stream);

/// `socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)`—creates two connected stream
/// sockets.
///
/// References: [socketpair(2)](https://man7.org/linux/man-pages/man2/socketpair.2.html),
/// [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
#[doc(alias = "socketpair")]
pub fn stream_pair() -> Result<(Stream, Stream), Errno> {
    let (a, b) = rustix::net::socketpair(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    crate::io::opened(&a);
    crate::io::opened(&b);
    Ok((Stream(a), Stream(b)))
}

impl Stream {
    /// Reads until `buf` is full or the other end is closed; returns the bytes read.
    pub fn read_full(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        io::read_full(&self.0, buf)
    }

    /// Writes all of `buf` to the other end.
    pub fn write_all(&self, buf: &[u8]) -> Result<(), Errno> {
        io::write_all(&self.0, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_carry_data_independently() {
        let (a, b) = stream_pair().unwrap();
        a.write_all(b"ping").unwrap();
        b.write_all(b"pong!").unwrap();
        let mut buf = [0u8; 5];
        assert_eq!(b.read_full(&mut buf[..4]).unwrap(), 4);
        assert_eq!(&buf[..4], b"ping");
        assert_eq!(a.read_full(&mut buf).unwrap(), 5);
        assert_eq!(&buf, b"pong!");
        drop(b);
        assert_eq!(a.read_full(&mut buf).unwrap(), 0);
    }
}
