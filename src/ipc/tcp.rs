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
use core::net::{Ipv4Addr, SocketAddrV4};
use rustix::fd::OwnedFd;
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// A listening TCP socket, closed on drop.
#[derive(Debug)]
pub struct TcpListener(OwnedFd);

/// A connected TCP stream, closed on drop.
#[derive(Debug)]
pub struct TcpStream(OwnedFd);

fd_handle!(TcpListener, TcpStream);

/// `socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0)`.
fn tcp_socket(flags: SocketFlags) -> Result<OwnedFd, CallError> {
    let fd = rustix::net::socket_with(
        AddressFamily::INET,
        SocketType::STREAM,
        SocketFlags::CLOEXEC | flags,
        None,
    )
    .call("socket")?;
    crate::io::opened(&fd);
    Ok(fd)
}

impl TcpListener {
    /// `socket`, `bind(127.0.0.1:0)`, `listen(backlog)`, `getsockname`: a listener on an
    /// ephemeral loopback port; returns it and the port. Fails naming the call.
    #[doc(alias = "listen")]
    pub fn loopback(backlog: i32) -> Result<(TcpListener, u16), CallError> {
        let fd = tcp_socket(SocketFlags::empty())?;
        rustix::net::bind(&fd, &SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)).call("bind")?;
        rustix::net::listen(&fd, backlog).call("listen")?;
        let addr = rustix::net::getsockname(&fd).call("getsockname")?;
        let addr =
            SocketAddrV4::try_from(addr).map_err(|_| Errno::EAFNOSUPPORT).call("getsockname")?;
        Ok((TcpListener(fd), addr.port()))
    }

    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC)`: the next connection, blocking until one
    /// comes. EINTR if a signal handler interrupts the wait.
    #[doc(alias = "accept4")]
    pub fn accept(&self) -> Result<TcpStream, Errno> {
        let fd = rustix::net::accept_with(&self.0, SocketFlags::CLOEXEC)?;
        crate::io::opened(&fd);
        Ok(TcpStream(fd))
    }
}

impl TcpStream {
    /// `socket`, `connect(127.0.0.1:port)`: a stream to a loopback listener, blocking until
    /// the connection is made or refused. (With `lo` down but still holding 127.0.0.1 —
    /// `ip link set lo down` after it was up — TCP retries its SYN for about two minutes
    /// before ETIMEDOUT. A non-blocking connect and `poll` would let a caller look at other
    /// things meanwhile, for 550 bytes that the 16 KiB programs do not have.)
    #[doc(alias = "connect")]
    pub fn loopback(port: u16) -> Result<TcpStream, CallError> {
        let fd = tcp_socket(SocketFlags::empty())?;
        crate::io::retry_on_intr(|| {
            Ok(rustix::net::connect(&fd, &SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))?)
        })
        .call("connect")?;
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
