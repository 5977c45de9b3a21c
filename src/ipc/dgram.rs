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

use super::socket::UnixAddr;
use crate::errno::Errno;
use crate::sys::{self, abi};
use rustix::fd::{AsFd, OwnedFd};

/// An AF_UNIX SOCK_DGRAM socket, closed on drop (which also frees its name, if bound).
#[derive(Debug)]
pub struct DgramSocket(OwnedFd);

fd_handle!(DgramSocket);

impl DgramSocket {
    /// `socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)`: an unnamed socket, to send from.
    #[doc(alias = "socket")]
    pub fn new() -> Result<DgramSocket, Errno> {
        let fd = sys::socket(abi::AF_UNIX, abi::SOCK_DGRAM | abi::SOCK_CLOEXEC)?;
        crate::io::opened(&fd);
        Ok(DgramSocket(fd))
    }

    /// [`new`](Self::new), then `bind(fd, addr)`: a socket others can send to at `addr`
    /// ([`UnixAddr::abstract_name`]). EADDRINUSE if a socket of the network namespace
    /// holds that name.
    pub fn bind(addr: &UnixAddr) -> Result<DgramSocket, Errno> {
        let socket = DgramSocket::new()?;
        sys::bind(socket.0.as_fd(), addr.as_bytes())?;
        Ok(socket)
    }

    /// `sendto(fd, msg, len, flags, addr)`: one datagram to the socket bound to `addr`;
    /// while its queue is full, waits (EINTR if a signal handler interrupts) unless
    /// `wait` is false (MSG_DONTWAIT: then EAGAIN). ECONNREFUSED if no socket holds the
    /// address.
    #[doc(alias = "sendto")]
    pub fn send_to(&self, msg: &[u8], addr: &UnixAddr, wait: bool) -> Result<(), Errno> {
        let flags = if wait { 0 } else { abi::MSG_DONTWAIT };
        let n = sys::send_to(self.0.as_fd(), msg, flags, addr.as_bytes())?;
        // A datagram goes whole or not at all.
        if n != msg.len() { Err(Errno::EIO) } else { Ok(()) }
    }

    /// `setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, {0, usec})`: from now on a blocking
    /// [`send_to`](Self::send_to) whose receiver's queue is full waits for room at most
    /// `usec` microseconds (at most 999,999), then fails with EAGAIN — a bounded wait
    /// instead of a sleep and a retry. 0 waits for ever.
    #[doc(alias = "setsockopt")]
    #[doc(alias = "SO_SNDTIMEO")]
    pub fn set_send_timeout(&self, usec: u32) -> Result<(), Errno> {
        if usec >= 1_000_000 {
            return Err(Errno::EINVAL);
        }
        sys::set_timeout(self.0.as_fd(), abi::SO_SNDTIMEO, usec)
    }

    /// `recvfrom(fd, buf, len, flags, NULL, NULL)`: one datagram into `buf`, blocking
    /// until one comes unless `wait` is false (then EAGAIN if none is queued). Returns the
    /// datagram's length, which may exceed `buf.len()` (the rest is lost: MSG_TRUNC
    /// semantics).
    #[doc(alias = "recv")]
    pub fn receive(&self, buf: &mut [u8], wait: bool) -> Result<usize, Errno> {
        let flags = abi::MSG_TRUNC | if wait { 0 } else { abi::MSG_DONTWAIT };
        sys::recv(self.0.as_fd(), buf, flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_reach_a_name_that_is_no_file() {
        let name = format!("bareipc-test-{}", std::process::id());
        let name = UnixAddr::abstract_name(name.as_bytes()).unwrap();
        let rx = DgramSocket::bind(&name).unwrap();
        assert_eq!(DgramSocket::bind(&name).err(), Some(Errno::EADDRINUSE));
        let tx = DgramSocket::new().unwrap();
        tx.send_to(b"hello", &name, true).unwrap();
        tx.send_to(b"world!", &name, false).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(rx.receive(&mut buf, true), Ok(5)); // boundaries kept; cut to 4
        assert_eq!(&buf, b"hell");
        let mut buf = [0u8; 16];
        assert_eq!(rx.receive(&mut buf, true), Ok(6));
        assert_eq!(rx.receive(&mut buf, false), Err(Errno::EAGAIN));
        drop(rx);
        // The name went with the socket.
        assert_eq!(tx.send_to(b"x", &name, false), Err(Errno::ECONNREFUSED));
    }

    #[test]
    fn a_send_to_a_full_queue_waits_for_room_no_longer_than_its_timeout() {
        let name = format!("bareipc-test-full-{}", std::process::id());
        let name = UnixAddr::abstract_name(name.as_bytes()).unwrap();
        let rx = DgramSocket::bind(&name).unwrap();
        let tx = DgramSocket::new().unwrap();
        assert_eq!(tx.set_send_timeout(1_000_000), Err(Errno::EINVAL));
        tx.set_send_timeout(20_000).unwrap();
        // Fill the receiver's queue (net.unix.max_dgram_qlen datagrams).
        let mut queued = 0;
        while tx.send_to(b"x", &name, false).is_ok() {
            queued += 1;
            assert!(queued < 100_000, "the queue never filled");
        }
        let started = std::time::Instant::now();
        assert_eq!(tx.send_to(b"y", &name, true), Err(Errno::EAGAIN));
        let waited = started.elapsed();
        assert!(waited >= std::time::Duration::from_millis(15), "{waited:?}");
        // Room made while a send waits lets it through at once.
        let mut buf = [0u8; 4];
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(5));
                rx.receive(&mut buf, true).unwrap();
            });
            tx.set_send_timeout(500_000).unwrap();
            let started = std::time::Instant::now();
            assert_eq!(tx.send_to(b"z", &name, true), Ok(()));
            assert!(started.elapsed() < std::time::Duration::from_millis(400));
        });
    }
}
