//! Any of the socket kinds bareipc's mechanisms use, by kind and address: for a program
//! that meets *another* program's endpoint — the `bareipc` tool's `unix`, `tcp` and `udp`
//! commands — rather than one it made for its own workers.
//!
//! [`Kind`] is one of five: Unix stream, seqpacket or datagram sockets (at a path, or at
//! an abstract name: [`UnixAddr`]), TCP or UDP on 127.0.0.1. [`Endpoint::bind`] makes the
//! receiving end (and listens, for a kind with connections), [`Endpoint::connect`] the
//! sending one. Every wait is bounded by the timeout given ([`Endpoint::set_timeout`]:
//! `SO_RCVTIMEO` and `SO_SNDTIMEO`, which `accept`, `connect`, `send` and `recv` all keep
//! — EAGAIN when it passes), and a send never raises SIGPIPE (`MSG_NOSIGNAL`): a peer that
//! never speaks, never accepts or goes away ends a call, never the process.
//!
//! References: [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html),
//! [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html),
//! [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html),
//! [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html)

pub use super::socket::UnixAddr;
use crate::errno::{CallError, Context, Errno};
use crate::sys::{self, abi};
use rustix::fd::{AsFd, OwnedFd};

/// A socket's kind: its domain and type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// `AF_UNIX`, `SOCK_STREAM`: connections carrying bytes.
    Stream,
    /// `AF_UNIX`, `SOCK_SEQPACKET`: connections carrying whole messages.
    Seqpacket,
    /// `AF_UNIX`, `SOCK_DGRAM`: datagrams, no connection.
    Dgram,
    /// `AF_INET`, `SOCK_STREAM` on 127.0.0.1.
    Tcp,
    /// `AF_INET`, `SOCK_DGRAM` on 127.0.0.1.
    Udp,
}

impl Kind {
    /// Whether the kind has connections (`listen`, `accept`).
    pub fn connected(self) -> bool {
        matches!(self, Kind::Stream | Kind::Seqpacket | Kind::Tcp)
    }

    fn domain_and_type(self) -> (u32, u32) {
        match self {
            Kind::Stream => (abi::AF_UNIX, abi::SOCK_STREAM),
            Kind::Seqpacket => (abi::AF_UNIX, abi::SOCK_SEQPACKET),
            Kind::Dgram => (abi::AF_UNIX, abi::SOCK_DGRAM),
            Kind::Tcp => (abi::AF_INET, abi::SOCK_STREAM),
            Kind::Udp => (abi::AF_INET, abi::SOCK_DGRAM),
        }
    }
}

/// Where an endpoint is: a Unix address (for the Unix kinds) or a port of 127.0.0.1.
#[derive(Clone, Copy, Debug)]
pub enum Address {
    /// A path or an abstract name ([`UnixAddr::path`], [`UnixAddr::abstract_name`]).
    Unix(UnixAddr),
    /// 127.0.0.1 at this port.
    Loopback(u16),
}

/// An open socket of any [`Kind`], closed on drop. (A socket bound to a path leaves its
/// file: whoever bound it unlinks it.)
#[derive(Debug)]
pub struct Endpoint {
    fd: OwnedFd,
    kind: Kind,
}

impl AsFd for Endpoint {
    fn as_fd(&self) -> rustix::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// `f` with the address's bytes, as `bind`, `connect` and `sendto` take them. EAFNOSUPPORT
/// when the address does not fit the kind (a port for a Unix kind, a path for TCP or UDP).
fn with_address<T>(
    kind: Kind,
    addr: &Address,
    f: impl FnOnce(&[u8]) -> Result<T, Errno>,
) -> Result<T, Errno> {
    match (kind.domain_and_type().0 == abi::AF_UNIX, addr) {
        (true, Address::Unix(a)) => f(a.as_bytes()),
        (false, Address::Loopback(port)) => f(&super::tcp::loopback_addr(*port)),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

impl Endpoint {
    fn socket(kind: Kind) -> Result<Endpoint, CallError> {
        let (domain, ty) = kind.domain_and_type();
        let fd = sys::socket(domain, ty | abi::SOCK_CLOEXEC).call("socket")?;
        crate::io::opened(&fd);
        Ok(Endpoint { fd, kind })
    }

    /// `socket`, `bind(addr)` and, for a kind with connections, `listen(backlog)`: the end
    /// others connect or send to. EADDRINUSE if the address is taken (a file at the path,
    /// another socket at the name or port). Fails naming the call.
    #[doc(alias = "listen")]
    pub fn bind(kind: Kind, addr: &Address, backlog: i32) -> Result<Endpoint, CallError> {
        let end = Endpoint::socket(kind)?;
        with_address(kind, addr, |a| sys::bind(end.fd.as_fd(), a)).call("bind")?;
        if kind.connected() {
            sys::listen(end.fd.as_fd(), backlog).call("listen")?;
        }
        Ok(end)
    }

    /// `socket`, `connect(addr)`: an end that sends to (and, with connections, receives
    /// from) the one at `addr`. ENOENT (no file), ECONNREFUSED (nobody listens). A timeout
    /// set on it is not set yet: a connect to a listener whose backlog is full waits —
    /// [`connect_within`](Self::connect_within) bounds it.
    pub fn connect(kind: Kind, addr: &Address) -> Result<Endpoint, CallError> {
        Endpoint::connect_within(kind, addr, None)
    }

    /// As [`connect`](Self::connect), its wait bounded by `usec` microseconds (when
    /// given), which stays the end's timeout ([`set_timeout`](Self::set_timeout)).
    pub fn connect_within(
        kind: Kind,
        addr: &Address,
        usec: Option<u64>,
    ) -> Result<Endpoint, CallError> {
        let end = Endpoint::socket(kind)?;
        if let Some(usec) = usec {
            end.set_timeout(usec).call("setsockopt")?;
        }
        let go = |a: &[u8]| crate::io::retry_on_intr(|| sys::connect(end.fd.as_fd(), a));
        with_address(kind, addr, go).call("connect")?;
        Ok(end)
    }

    /// `setsockopt(SO_RCVTIMEO)` and `setsockopt(SO_SNDTIMEO)`: every blocking call on
    /// this end — `accept`, `connect`, `send`, `recv` — waits at most `usec` microseconds
    /// (0: no bound), then fails with EAGAIN (a TCP `connect`: EINPROGRESS).
    #[doc(alias = "SO_RCVTIMEO")]
    #[doc(alias = "SO_SNDTIMEO")]
    pub fn set_timeout(&self, usec: u64) -> Result<(), Errno> {
        let tv = [(usec / 1_000_000) as i64, (usec % 1_000_000) as i64];
        sys::set_timeval(self.fd.as_fd(), abi::SO_RCVTIMEO, tv)?;
        sys::set_timeval(self.fd.as_fd(), abi::SO_SNDTIMEO, tv)
    }

    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC)`: the next connection (kinds with
    /// connections), within the timeout; EINTR if a signal handler interrupts the wait.
    #[doc(alias = "accept4")]
    pub fn accept(&self) -> Result<Endpoint, Errno> {
        let fd = sys::accept4(self.fd.as_fd(), abi::SOCK_CLOEXEC)?;
        crate::io::opened(&fd);
        Ok(Endpoint { fd, kind: self.kind })
    }

    /// `sendto(fd, msg, len, MSG_NOSIGNAL, to)`: sends `msg` to `to` (a datagram kind's
    /// receiver; None on a connected end); returns the bytes sent — a stream may take
    /// fewer, a datagram or a seqpacket message goes whole or fails (EMSGSIZE). EPIPE,
    /// never SIGPIPE, when the peer has gone.
    #[doc(alias = "sendto")]
    pub fn send(&self, msg: &[u8], to: Option<&Address>) -> Result<usize, Errno> {
        let go = |a: &[u8]| {
            crate::io::retry_on_intr(|| sys::send_to(self.fd.as_fd(), msg, abi::MSG_NOSIGNAL, a))
        };
        match to {
            Some(addr) => with_address(self.kind, addr, go),
            None => go(&[]),
        }
    }

    /// `recvfrom(fd, buf, len, flags, NULL, NULL)`: the next message (or bytes of a
    /// stream) into `buf`; 0 at a connection's end. For a kind with message boundaries
    /// (`MSG_TRUNC`): the length the sender sent, which may pass `buf.len()` (its rest is
    /// lost). (On a TCP socket `MSG_TRUNC` would discard the bytes: not passed there.)
    #[doc(alias = "recvfrom")]
    pub fn receive(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        let flags = match self.kind {
            Kind::Stream | Kind::Tcp => 0,
            _ => abi::MSG_TRUNC,
        };
        crate::io::retry_on_intr(|| sys::recv(self.fd.as_fd(), buf, flags))
    }

    /// The end's kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// `sendmsg`: a one-byte message carrying `fd` (`SCM_RIGHTS`), of which the receiver
    /// gets a descriptor of its own (a Unix kind; EOPNOTSUPP or EINVAL on another).
    #[doc(alias = "sendmsg")]
    #[doc(alias = "SCM_RIGHTS")]
    pub fn send_fd(&self, fd: rustix::fd::BorrowedFd<'_>) -> Result<(), Errno> {
        crate::io::retry_on_intr(|| super::seqpacket::send_fd(self.fd.as_fd(), fd))
    }

    /// `recvmsg(…, MSG_CMSG_CLOEXEC)`: the descriptor the next message carries, within
    /// the timeout (EAGAIN). One only: the kernel closes any more a message carries. EPIPE
    /// at the connection's end, EIO for a message that carries none.
    #[doc(alias = "recvmsg")]
    pub fn receive_fd(&self) -> Result<OwnedFd, Errno> {
        crate::io::retry_on_intr(|| super::seqpacket::receive_fd(self.fd.as_fd(), 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind carries a message from a connected end to a bound one, and back where
    /// there is a connection; a wait with no peer ends at the timeout.
    #[test]
    fn every_kind_carries_a_message_and_every_wait_is_bounded() {
        let name = format!("bareipc-endpoint-test-{}", std::process::id());
        for (i, kind) in [Kind::Stream, Kind::Seqpacket, Kind::Dgram, Kind::Tcp, Kind::Udp]
            .into_iter()
            .enumerate()
        {
            let addr = match kind {
                Kind::Tcp | Kind::Udp => {
                    // A port the kernel picks, then bound again by the test's endpoint.
                    let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                    let port =
                        if kind == Kind::Tcp { tcp.local_addr() } else { probe.local_addr() };
                    let port = port.unwrap().port();
                    drop((probe, tcp));
                    Address::Loopback(port)
                }
                _ => Address::Unix(
                    UnixAddr::abstract_name(format!("{name}-{i}").as_bytes()).unwrap(),
                ),
            };
            let server = Endpoint::bind(kind, &addr, 4).unwrap();
            server.set_timeout(200_000).unwrap();
            let mut buf = [0u8; 64];
            // Nobody sends yet: the wait ends at the timeout.
            let t = std::time::Instant::now();
            let idle = if kind.connected() {
                server.accept().map(drop)
            } else {
                server.receive(&mut buf).map(drop)
            };
            assert_eq!(idle, Err(Errno::EAGAIN), "{kind:?}");
            assert!(t.elapsed() >= std::time::Duration::from_millis(150), "{kind:?}");
            let client = Endpoint::connect_within(kind, &addr, Some(1_000_000)).unwrap();
            assert_eq!(client.send(b"hello", None), Ok(5), "{kind:?}");
            let got = if kind.connected() {
                let conn = server.accept().unwrap();
                conn.set_timeout(1_000_000).unwrap();
                let n = conn.receive(&mut buf).unwrap();
                conn.send(b"back", None).unwrap();
                drop(conn);
                let mut back = [0u8; 8];
                assert_eq!(client.receive(&mut back), Ok(4), "{kind:?}");
                assert_eq!(client.receive(&mut back), Ok(0), "{kind:?}: the end after close");
                // The peer gone: EPIPE (or a reset), never SIGPIPE.
                let after = client.send(b"x", None);
                assert!(
                    matches!(after, Err(Errno::EPIPE | Errno::ECONNRESET) | Ok(_)),
                    "{kind:?}: {after:?}"
                );
                n
            } else {
                server.receive(&mut buf).unwrap()
            };
            assert_eq!(&buf[..got], b"hello", "{kind:?}");
        }
    }

    #[test]
    fn a_descriptor_passes_over_a_seqpacket_connection() {
        let name = format!("bareipc-endpoint-fd-{}", std::process::id());
        let addr = Address::Unix(UnixAddr::abstract_name(name.as_bytes()).unwrap());
        let server = Endpoint::bind(Kind::Seqpacket, &addr, 1).unwrap();
        let client = Endpoint::connect(Kind::Seqpacket, &addr).unwrap();
        let conn = server.accept().unwrap();
        let (r, w) = rustix::pipe::pipe().unwrap();
        conn.send_fd(w.as_fd()).unwrap();
        let got = client.receive_fd().unwrap();
        rustix::io::write(&got, b"through").unwrap();
        let mut buf = [0u8; 7];
        assert_eq!(rustix::io::read(&r, &mut buf), Ok(7));
        assert_eq!(&buf, b"through");
        // A message without one: EIO; the connection's end: EPIPE.
        conn.send(b"x", None).unwrap();
        assert_eq!(client.receive_fd().err(), Some(Errno::EIO));
        drop(conn);
        assert_eq!(client.receive_fd().err(), Some(Errno::EPIPE));
    }

    #[test]
    fn an_address_of_the_wrong_family_is_refused() {
        let err =
            Endpoint::bind(Kind::Tcp, &Address::Unix(UnixAddr::abstract_name(b"x").unwrap()), 1);
        assert_eq!(err.unwrap_err().errno, Errno::EAFNOSUPPORT);
        let err = Endpoint::connect(Kind::Stream, &Address::Loopback(1));
        assert_eq!(err.unwrap_err().errno, Errno::EAFNOSUPPORT);
    }
}
