//! UDP over the loopback interface: datagrams between sockets of the same host, each
//! arriving whole or not at all.
//!
//! A socket bound to 127.0.0.1 port 0 gets an ephemeral port from the kernel
//! (`getsockname` tells which); anyone in the network namespace may send to it, of any
//! uid. A socket `connect`ed to a port sends there without naming it, and — what makes a
//! reply trustworthy — receives only from that port. UDP has no flow control: a datagram
//! that finds the receiver's buffer full (`SO_RCVBUF`, about 200 KiB by default, some
//! 700 bytes of it per small datagram) is dropped without a word to the sender, so a
//! sender that must know waits for a reply and sends again. Like TCP it needs the
//! namespace's loopback interface up.
//!
//! References: [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html),
//! [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html)

use super::tcp::loopback_addr;
use crate::errno::{CallError, Context, Errno};
use crate::sys::{self, abi};
use rustix::fd::{AsFd, OwnedFd};

/// A UDP socket on the loopback interface, closed on drop.
#[derive(Debug)]
pub struct UdpSocket(OwnedFd);

fd_handle!(UdpSocket);

/// The address of a datagram's sender (the kernel's `struct sockaddr_in`), for a reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Peer([u8; 16]);

impl Peer {
    /// The sender's port.
    pub fn port(&self) -> u16 {
        u16::from_be_bytes([self.0[2], self.0[3]])
    }
}

/// `socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)`.
fn udp_socket() -> Result<OwnedFd, CallError> {
    let fd = sys::socket(abi::AF_INET, abi::SOCK_DGRAM | abi::SOCK_CLOEXEC).call("socket")?;
    crate::io::opened(&fd);
    Ok(fd)
}

/// `flags` for a send or receive that waits, or does not (MSG_DONTWAIT: EAGAIN at once).
fn flags(wait: bool) -> u32 {
    if wait { 0 } else { abi::MSG_DONTWAIT }
}

impl UdpSocket {
    /// `socket`, `bind(127.0.0.1:0)`, `getsockname`: a socket on an ephemeral loopback
    /// port; returns it and the port. Fails naming the call.
    #[doc(alias = "bind")]
    pub fn loopback() -> Result<(UdpSocket, u16), CallError> {
        let fd = udp_socket()?;
        sys::bind(fd.as_fd(), &loopback_addr(0)).call("bind")?;
        let mut addr = [0u8; 16];
        sys::getsockname(fd.as_fd(), &mut addr).call("getsockname")?;
        Ok((UdpSocket(fd), u16::from_be_bytes([addr[2], addr[3]])))
    }

    /// `socket`, `connect(127.0.0.1:port)`: a socket that sends to `port` and receives
    /// only from it. (No packet is sent: a UDP connect only records the peer.)
    #[doc(alias = "connect")]
    pub fn connect_loopback(port: u16) -> Result<UdpSocket, CallError> {
        let fd = udp_socket()?;
        sys::connect(fd.as_fd(), &loopback_addr(port)).call("connect")?;
        Ok(UdpSocket(fd))
    }

    /// `sendto(fd, msg, len, flags, NULL, 0)` on a connected socket: one datagram. A
    /// datagram goes whole or not at all (EMSGSIZE past 65,507 bytes); ECONNREFUSED when
    /// an earlier one found no socket at the port.
    #[doc(alias = "sendto")]
    pub fn send(&self, msg: &[u8]) -> Result<(), Errno> {
        let n = sys::send_to(self.0.as_fd(), msg, 0, &[])?;
        if n != msg.len() { Err(Errno::EIO) } else { Ok(()) }
    }

    /// `sendto(fd, msg, len, flags, &peer, 16)`: one datagram to `peer` (a reply to the
    /// sender of a datagram [`receive_from`](Self::receive_from) returned).
    #[doc(alias = "sendto")]
    pub fn send_to(&self, msg: &[u8], peer: &Peer, wait: bool) -> Result<(), Errno> {
        let n = sys::send_to(self.0.as_fd(), msg, flags(wait), &peer.0)?;
        if n != msg.len() { Err(Errno::EIO) } else { Ok(()) }
    }

    /// `recvfrom(fd, buf, len, MSG_TRUNC | flags, NULL, NULL)`: one datagram into `buf`,
    /// blocking until one comes unless `wait` is false (then EAGAIN if none is queued);
    /// a receive timeout ([`set_receive_timeout`](Self::set_receive_timeout)) ends the
    /// wait with EAGAIN. Returns the datagram's length, which may pass `buf.len()` (the
    /// rest is lost).
    #[doc(alias = "recv")]
    pub fn receive(&self, buf: &mut [u8], wait: bool) -> Result<usize, Errno> {
        sys::recv(self.0.as_fd(), buf, abi::MSG_TRUNC | flags(wait))
    }

    /// As [`receive`](Self::receive), with the sender's address (`recvfrom` with an
    /// address): any process of the network namespace may be the sender.
    #[doc(alias = "recvfrom")]
    pub fn receive_from(&self, buf: &mut [u8], wait: bool) -> Result<(usize, Peer), Errno> {
        let mut peer = Peer([0; 16]);
        let n = sys::recv_from(self.0.as_fd(), buf, abi::MSG_TRUNC | flags(wait), &mut peer.0)?;
        Ok((n, peer))
    }

    /// `setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, {0, usec})`: a blocking receive waits at
    /// most `usec` microseconds (at most 999,999), then fails with EAGAIN. 0 waits for ever.
    #[doc(alias = "setsockopt")]
    #[doc(alias = "SO_RCVTIMEO")]
    pub fn set_receive_timeout(&self, usec: u32) -> Result<(), Errno> {
        if usec >= 1_000_000 {
            return Err(Errno::EINVAL);
        }
        sys::set_timeout(self.0.as_fd(), abi::SO_RCVTIMEO, usec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_and_replies_over_loopback() {
        let (server, port) = UdpSocket::loopback().unwrap();
        let client = UdpSocket::connect_loopback(port).unwrap();
        client.send(b"hello").unwrap();
        client.send(b"world!").unwrap();
        let mut buf = [0u8; 4];
        let (n, peer) = server.receive_from(&mut buf, true).unwrap();
        assert_eq!((n, &buf), (5, b"hell")); // boundaries kept; cut to 4
        assert_ne!(peer.port(), port);
        let mut buf = [0u8; 16];
        assert_eq!(server.receive(&mut buf, true), Ok(6));
        assert_eq!(server.receive(&mut buf, false), Err(Errno::EAGAIN));
        // The reply reaches the connected client, which hears only its peer.
        server.send_to(b"ok", &peer, true).unwrap();
        let (stranger, _) = UdpSocket::loopback().unwrap();
        stranger.send_to(b"forged", &peer, true).unwrap();
        client.set_receive_timeout(20_000).unwrap();
        assert_eq!(client.receive(&mut buf, true), Ok(2));
        assert_eq!(&buf[..2], b"ok");
        let started = std::time::Instant::now();
        assert_eq!(client.receive(&mut buf, true), Err(Errno::EAGAIN), "the stranger's is dropped");
        assert!(started.elapsed() >= std::time::Duration::from_millis(15));
        assert_eq!(client.set_receive_timeout(1_000_000), Err(Errno::EINVAL));
    }
}
