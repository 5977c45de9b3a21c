//! AF_UNIX sequenced-packet sockets bound to a path: connections *and* message boundaries.
//!
//! Three kinds of Unix domain socket, three contracts:
//! - `SOCK_STREAM`: a connection carrying a byte stream, like TCP (`socketpair`'s kind):
//!   two writes may arrive as one read, or one write as two.
//! - `SOCK_DGRAM`: no connection; each `sendto` is one datagram, delivered whole, addressed
//!   each time (see [`dgram`](super::dgram)).
//! - `SOCK_SEQPACKET`: a connection, like a stream — `listen`, `accept`, `connect`, an end
//!   of file when the peer closes — whose messages keep their boundaries, like datagrams:
//!   each `send` is one `recv`.
//!
//! Bound to a path, a socket is a file (`srwxr-xr-x` in `ls -l`) that `bind` creates and
//! nothing removes but `unlink`: closing the socket leaves the file, and a later `bind` to
//! the same path fails with EADDRINUSE — the classic "unlink before bind" rule, and why a
//! killed server's file blocks its successor. Connecting needs write permission on the file
//! (and search permission on its directories). A path has at most 107 bytes (`sun_path`).
//!
//! References: [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html),
//! [socket(2)](https://man7.org/linux/man-pages/man2/socket.2.html)

use crate::errno::{CallError, Context, Errno};
use core::ffi::CStr;
use rustix::fd::OwnedFd;
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketAddrUnix, SocketFlags, SocketType};

/// A listening SOCK_SEQPACKET socket, closed on drop (its file stays: see the module).
#[derive(Debug)]
pub struct SeqpacketListener(OwnedFd);

/// A connected SOCK_SEQPACKET socket, closed on drop.
#[derive(Debug)]
pub struct SeqpacketStream(OwnedFd);

fd_handle!(SeqpacketListener, SeqpacketStream);

/// `socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)`, and the address of `path`.
fn socket(path: &CStr) -> Result<(OwnedFd, SocketAddrUnix), CallError> {
    // ENAMETOOLONG for a path that does not fit sun_path.
    let addr = SocketAddrUnix::new(path).call("socket")?;
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        None,
    )
    .call("socket")?;
    crate::io::opened(&fd);
    Ok((fd, addr))
}

impl SeqpacketListener {
    /// `socket`, `bind(path)`, `listen(backlog)`: a socket file at `path` that others
    /// connect to. EADDRINUSE if anything is at `path` (a dead run's socket file
    /// included); ENAMETOOLONG if `path` passes 108 bytes (`sun_path`, which may then hold
    /// no NUL; 107 and a NUL is the portable limit). Fails naming the call.
    #[doc(alias = "listen")]
    pub fn bind(path: &CStr, backlog: i32) -> Result<SeqpacketListener, CallError> {
        let (fd, addr) = socket(path)?;
        rustix::net::bind(&fd, &addr).call("bind")?;
        rustix::net::listen(&fd, backlog).call("listen")?;
        Ok(SeqpacketListener(fd))
    }

    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC)`: the next connection, blocking until one
    /// comes. EINTR if a signal handler interrupts the wait.
    #[doc(alias = "accept4")]
    pub fn accept(&self) -> Result<SeqpacketStream, Errno> {
        let fd = rustix::net::accept_with(&self.0, SocketFlags::CLOEXEC)?;
        crate::io::opened(&fd);
        Ok(SeqpacketStream(fd))
    }
}

impl SeqpacketStream {
    /// `socket`, `connect(path)`: a connection to the listener bound to `path` — ENOENT if
    /// there is no file, ECONNREFUSED if no socket listens on it (a dead server's file).
    pub fn connect(path: &CStr) -> Result<SeqpacketStream, CallError> {
        let (fd, addr) = socket(path)?;
        crate::io::retry_on_intr(|| Ok(rustix::net::connect(&fd, &addr)?)).call("connect")?;
        Ok(SeqpacketStream(fd))
    }

    /// `sendto(fd, msg, len, 0, NULL, 0)`: one message, whole (EMSGSIZE if it cannot be).
    pub fn send(&self, msg: &[u8]) -> Result<(), Errno> {
        let n =
            crate::io::retry_on_intr(|| Ok(rustix::net::send(&self.0, msg, SendFlags::empty())?))?;
        // A message goes whole or not at all.
        if n != msg.len() { Err(Errno::EIO) } else { Ok(()) }
    }

    /// `recvfrom(fd, buf, len, 0, NULL, NULL)`: one message into `buf`, blocking until one
    /// comes; 0 once the peer has closed. Returns the message's length, which may exceed
    /// `buf.len()` (the rest is lost: MSG_TRUNC semantics). EINTR if a signal handler
    /// interrupts the wait.
    pub fn receive(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        Ok(rustix::net::recv(&self.0, buf, RecvFlags::TRUNC)?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_their_boundaries_and_the_file_outlives_the_socket() {
        let dir = std::env::temp_dir().join(format!("bareipc-seqpacket-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("socket");
        let p = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
        let p = std::ffi::CString::new(p).unwrap();
        let listener = SeqpacketListener::bind(&p, 4).unwrap();
        assert_eq!(SeqpacketListener::bind(&p, 4).unwrap_err().errno, Errno::EADDRINUSE);
        let client = SeqpacketStream::connect(&p).unwrap();
        let server = listener.accept().unwrap();
        client.send(b"one").unwrap();
        client.send(b"two!").unwrap();
        drop(client);
        let mut buf = [0u8; 16];
        assert_eq!(server.receive(&mut buf), Ok(3));
        assert_eq!(&buf[..3], b"one");
        assert_eq!(server.receive(&mut buf), Ok(4));
        assert_eq!(server.receive(&mut buf), Ok(0)); // the peer closed
        drop((server, listener));
        // Closed, the socket's file stays: nobody listens, so connecting is refused.
        assert!(path.exists());
        assert_eq!(SeqpacketStream::connect(&p).unwrap_err().errno, Errno::ECONNREFUSED);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(SeqpacketStream::connect(&p).unwrap_err().errno, Errno::ENOENT);
        let long = std::ffi::CString::new([b'x'; 109]).unwrap();
        assert_eq!(SeqpacketListener::bind(&long, 1).unwrap_err().errno, Errno::ENAMETOOLONG);
    }
}
