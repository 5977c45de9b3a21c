//! AF_UNIX datagram sockets named in Linux's abstract namespace: a name that is no file.
//!
//! An abstract name starts with a NUL byte; the kernel keeps it in a table of the
//! network namespace, not in any file system. It exists exactly as long as the socket
//! bound to it: nothing to unlink, nothing left behind when the owner dies, even by
//! SIGKILL; no writable directory needed. Two processes meet by it only within one network
//! namespace (`--network host` shares the host's; each container's own network namespace
//! has its own table). Each datagram keeps its boundaries and arrives whole or not at all.
//! A receiver's queue holds `net.unix.max_dgram_qlen` datagrams (10 by default); a sender
//! to a full queue blocks — or, asked not to, gets EAGAIN.
//!
//! References: [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)

use crate::errno::Errno;
use rustix::fd::OwnedFd;
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketAddrUnix, SocketFlags, SocketType};

/// An AF_UNIX SOCK_DGRAM socket, closed on drop (which also frees its name, if bound).
#[derive(Debug)]
pub struct DgramSocket(OwnedFd);

fd_handle!(DgramSocket);

/// The abstract address `\0name`.
fn address(name: &[u8]) -> Result<SocketAddrUnix, Errno> {
    Ok(SocketAddrUnix::new_abstract_name(name)?)
}

impl DgramSocket {
    /// `socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)`: an unnamed socket, to send from.
    #[doc(alias = "socket")]
    pub fn new() -> Result<DgramSocket, Errno> {
        let fd = rustix::net::socket_with(
            AddressFamily::UNIX,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            None,
        )?;
        crate::io::opened(&fd);
        Ok(DgramSocket(fd))
    }

    /// [`new`](Self::new), then `bind(fd, "\0name")`: a socket others can send to by
    /// `name` (at most 107 bytes). EADDRINUSE if a socket of the network namespace holds
    /// that name.
    #[doc(alias = "bind")]
    pub fn bind_abstract(name: &[u8]) -> Result<DgramSocket, Errno> {
        let addr = address(name)?;
        let socket = DgramSocket::new()?;
        rustix::net::bind(&socket.0, &addr)?;
        Ok(socket)
    }

    /// `sendto(fd, msg, len, flags, "\0name")`: one datagram to the socket bound to
    /// `name`; while its queue is full, waits (EINTR if a signal handler interrupts) unless
    /// `wait` is false (MSG_DONTWAIT: then EAGAIN). ECONNREFUSED if no socket holds the
    /// name.
    #[doc(alias = "sendto")]
    pub fn send_to(&self, msg: &[u8], name: &[u8], wait: bool) -> Result<(), Errno> {
        let addr = address(name)?;
        let flags = if wait { SendFlags::empty() } else { SendFlags::DONTWAIT };
        let n = rustix::net::sendto(&self.0, msg, flags, &addr)?;
        // A datagram goes whole or not at all.
        if n != msg.len() { Err(Errno::EIO) } else { Ok(()) }
    }

    /// `recv(fd, buf, len, flags)`: one datagram into `buf`, blocking until one comes
    /// unless `wait` is false (then EAGAIN if none is queued). Returns the datagram's
    /// length, which may exceed `buf.len()` (the rest is lost: MSG_TRUNC semantics).
    #[doc(alias = "recv")]
    pub fn receive(&self, buf: &mut [u8], wait: bool) -> Result<usize, Errno> {
        let flags = RecvFlags::TRUNC | if wait { RecvFlags::empty() } else { RecvFlags::DONTWAIT };
        Ok(rustix::net::recv(&self.0, buf, flags)?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_reach_a_name_that_is_no_file() {
        let name = format!("bareipc-test-{}", std::process::id());
        let rx = DgramSocket::bind_abstract(name.as_bytes()).unwrap();
        assert_eq!(DgramSocket::bind_abstract(name.as_bytes()).err(), Some(Errno::EADDRINUSE));
        let tx = DgramSocket::new().unwrap();
        tx.send_to(b"hello", name.as_bytes(), true).unwrap();
        tx.send_to(b"world!", name.as_bytes(), false).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(rx.receive(&mut buf, true), Ok(5)); // boundaries kept; cut to 4
        assert_eq!(&buf, b"hell");
        let mut buf = [0u8; 16];
        assert_eq!(rx.receive(&mut buf, true), Ok(6));
        assert_eq!(rx.receive(&mut buf, false), Err(Errno::EAGAIN));
        drop(rx);
        // The name went with the socket.
        assert_eq!(tx.send_to(b"x", name.as_bytes(), false), Err(Errno::ECONNREFUSED));
    }
}
