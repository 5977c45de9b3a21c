//! TCP over the loopback interface: the whole network stack for a same-host exchange.
//!
//! A listener bound to 127.0.0.1 port 0 gets an ephemeral port from the kernel
//! (`getsockname` tells which); a client connects to it, and `accept` hands the listener
//! one connected stream per client. Nothing is named in a file system; the port lives in
//! the network namespace, and needs its loopback interface up: in a fresh network
//! namespace (`unshare --net`) `lo` is down, and while binding 127.0.0.1 still succeeds
//! there, connecting to it fails with ENETUNREACH. Container engines bring `lo` up,
//! `--network none` included.
//!
//! References: [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html),
//! [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html)

use crate::errno::{CallError, Context, Errno};
use crate::sys::{self, abi};
use rustix::fd::{AsFd, OwnedFd};

/// A listening TCP socket, closed on drop.
#[derive(Debug)]
pub struct TcpListener(OwnedFd);

/// A connected TCP stream, closed on drop.
#[derive(Debug)]
pub struct TcpStream(OwnedFd);

fd_handle!(TcpListener, TcpStream);

/// The kernel's `struct sockaddr_in` for 127.0.0.1 at `port`: family, port and address in
/// network byte order, eight bytes of zeros. Built as the bytes the calls take, with no
/// conversion per call. (UDP's sockets take the same, [`udp`](super::udp).)
pub(crate) fn loopback_addr(port: u16) -> [u8; 16] {
    let mut addr = [0u8; 16];
    addr[..2].copy_from_slice(&(abi::AF_INET as u16).to_ne_bytes());
    addr[2..4].copy_from_slice(&port.to_be_bytes());
    addr[4..8].copy_from_slice(&[127, 0, 0, 1]);
    addr
}

/// `socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)`.
fn tcp_socket() -> Result<OwnedFd, CallError> {
    let fd = sys::socket(abi::AF_INET, abi::SOCK_STREAM | abi::SOCK_CLOEXEC).call("socket")?;
    crate::io::opened(&fd);
    Ok(fd)
}

impl TcpListener {
    /// `socket`, `bind(127.0.0.1:0)`, `listen(backlog)`, `getsockname`: a listener on an
    /// ephemeral loopback port; returns it and the port. Fails naming the call.
    #[doc(alias = "listen")]
    pub fn loopback(backlog: i32) -> Result<(TcpListener, u16), CallError> {
        let fd = tcp_socket()?;
        sys::bind(fd.as_fd(), &loopback_addr(0)).call("bind")?;
        sys::listen(fd.as_fd(), backlog).call("listen")?;
        // An AF_INET socket's own address: a sockaddr_in, whose port is bytes 2 and 3.
        let mut addr = [0u8; 16];
        sys::getsockname(fd.as_fd(), &mut addr).call("getsockname")?;
        Ok((TcpListener(fd), u16::from_be_bytes([addr[2], addr[3]])))
    }

    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC)`: the next connection, blocking until one
    /// comes. EINTR if a signal handler interrupts the wait.
    #[doc(alias = "accept4")]
    pub fn accept(&self) -> Result<TcpStream, Errno> {
        let fd = sys::accept4(self.0.as_fd(), abi::SOCK_CLOEXEC)?;
        crate::io::opened(&fd);
        Ok(TcpStream(fd))
    }

    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)`: the next connection if one
    /// is queued, else EAGAIN at once (a listener is never left waiting on a peer that
    /// connected and then went: ECONNABORTED). The stream it returns does not block either:
    /// a read with nothing to read is EAGAIN. For a server that waits in
    /// [`poll`](crate::io::poll) over the listener and its connections.
    #[doc(alias = "accept4")]
    pub fn try_accept(&self) -> Result<TcpStream, Errno> {
        let fd = sys::accept4(self.0.as_fd(), abi::SOCK_CLOEXEC | abi::SOCK_NONBLOCK)?;
        crate::io::opened(&fd);
        Ok(TcpStream(fd))
    }
}

impl TcpStream {
    /// `socket`, `connect(127.0.0.1:port)`: a stream to a loopback listener, blocking until
    /// the connection is made or refused. (With `lo` down but still holding 127.0.0.1 —
    /// `ip link set lo down` after it was up — TCP retries its SYN for about two minutes
    /// before ETIMEDOUT.)
    #[doc(alias = "connect")]
    pub fn loopback(port: u16) -> Result<TcpStream, CallError> {
        let fd = tcp_socket()?;
        let addr = loopback_addr(port);
        crate::io::retry_on_intr(|| sys::connect(fd.as_fd(), &addr)).call("connect")?;
        Ok(TcpStream(fd))
    }

    /// Reads until `buf` is full or the peer closes; returns the bytes read.
    pub fn read_full(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        crate::io::read_full(&self.0, buf)
    }

    /// Writes all of `buf`.
    pub fn write_all(&self, buf: &[u8]) -> Result<(), Errno> {
        crate::io::write_all(&self.0, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_sockaddr_in() {
        let a = loopback_addr(0x1234);
        // SAFETY: sockaddr_in is plain data; all zeros is a valid value.
        let mut want: libc::sockaddr_in = unsafe { core::mem::zeroed() };
        want.sin_family = libc::AF_INET as u16;
        want.sin_port = 0x1234u16.to_be();
        want.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
        // SAFETY: reads the 16 bytes of a sockaddr_in.
        let bytes: [u8; 16] = unsafe { core::mem::transmute(want) };
        assert_eq!(a, bytes);
    }

    #[test]
    fn a_loopback_connection_carries_bytes_and_end_of_file() {
        let (listener, port) = match TcpListener::loopback(4) {
            Ok(l) => l,
            // The tests' own network namespace may have no loopback up: say so, loudly.
            Err(e) if e.errno == Errno::EADDRNOTAVAIL => panic!("no loopback interface: {e}"),
            Err(e) => panic!("{e}"),
        };
        assert_ne!(port, 0);
        let client = TcpStream::loopback(port).unwrap();
        let server = listener.accept().unwrap();
        client.write_all(b"sixteen bytes!!!").unwrap();
        drop(client);
        let mut buf = [0u8; 32];
        assert_eq!(server.read_full(&mut buf), Ok(16));
        assert_eq!(&buf[..16], b"sixteen bytes!!!");
    }
}
