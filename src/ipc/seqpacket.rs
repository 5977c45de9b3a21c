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

use super::socket::UnixAddr;
use crate::errno::{CallError, Context, Errno};
use crate::sys::{self, abi};
use rustix::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// A listening SOCK_SEQPACKET socket, closed on drop (its file stays: see the module).
#[derive(Debug)]
pub struct SeqpacketListener(OwnedFd);

/// A connected SOCK_SEQPACKET socket, closed on drop.
#[derive(Debug)]
pub struct SeqpacketStream(OwnedFd);

fd_handle!(SeqpacketListener, SeqpacketStream);

/// `socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)`.
fn socket() -> Result<OwnedFd, CallError> {
    let fd = sys::socket(abi::AF_UNIX, abi::SOCK_SEQPACKET | abi::SOCK_CLOEXEC).call("socket")?;
    crate::io::opened(&fd);
    Ok(fd)
}

/// `socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)`: two connected ends, with no
/// name, to share with processes forked afterwards.
#[doc(alias = "socketpair")]
pub fn pair() -> Result<(SeqpacketStream, SeqpacketStream), Errno> {
    let (a, b) = sys::socketpair(abi::AF_UNIX, abi::SOCK_SEQPACKET | abi::SOCK_CLOEXEC)?;
    crate::io::opened(&a);
    crate::io::opened(&b);
    Ok((SeqpacketStream(a), SeqpacketStream(b)))
}

impl SeqpacketListener {
    /// `socket`, `bind(addr)`, `listen(backlog)`: a socket file at `addr`'s path
    /// ([`UnixAddr::path`]) that others connect to. EADDRINUSE if anything is at the path
    /// (a dead run's socket file included). Fails naming the call.
    #[doc(alias = "listen")]
    pub fn bind(addr: &UnixAddr, backlog: i32) -> Result<SeqpacketListener, CallError> {
        let fd = socket()?;
        sys::bind(fd.as_fd(), addr.as_bytes()).call("bind")?;
        sys::listen(fd.as_fd(), backlog).call("listen")?;
        Ok(SeqpacketListener(fd))
    }

    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC)`: the next connection, blocking until one
    /// comes. EINTR if a signal handler interrupts the wait.
    #[doc(alias = "accept4")]
    pub fn accept(&self) -> Result<SeqpacketStream, Errno> {
        let fd = sys::accept4(self.0.as_fd(), abi::SOCK_CLOEXEC)?;
        crate::io::opened(&fd);
        Ok(SeqpacketStream(fd))
    }
}

impl SeqpacketStream {
    /// `socket`, `connect(addr)`: a connection to the listener bound to `addr` — ENOENT
    /// if there is no file, ECONNREFUSED if no socket listens on it (a dead server's file).
    pub fn connect(addr: &UnixAddr) -> Result<SeqpacketStream, CallError> {
        let fd = socket()?;
        crate::io::retry_on_intr(|| sys::connect(fd.as_fd(), addr.as_bytes())).call("connect")?;
        Ok(SeqpacketStream(fd))
    }

    /// `sendto(fd, msg, len, 0, NULL, 0)`: one message, whole (EMSGSIZE if it cannot be).
    pub fn send(&self, msg: &[u8]) -> Result<(), Errno> {
        let n = crate::io::retry_on_intr(|| sys::send_to(self.0.as_fd(), msg, 0, &[]))?;
        // A message goes whole or not at all.
        if n != msg.len() { Err(Errno::EIO) } else { Ok(()) }
    }

    /// `sendmsg`: a one-byte message carrying `fd` (`SCM_RIGHTS`), of which the receiver
    /// gets a descriptor of its own — the same open file, as `dup` would give, in another
    /// process. Blocks while the socket's buffer is full (EINTR if a signal handler
    /// interrupts); ETOOMANYREFS when the sender's descriptors in flight would pass its
    /// RLIMIT_NOFILE (unless privileged).
    #[doc(alias = "sendmsg")]
    #[doc(alias = "SCM_RIGHTS")]
    pub fn send_fd(&self, fd: BorrowedFd<'_>) -> Result<(), Errno> {
        send_fd(self.0.as_fd(), fd)
    }

    /// `recvmsg(…, MSG_CMSG_CLOEXEC)`: one message sent by [`send_fd`](Self::send_fd), and
    /// the descriptor it carries (close-on-exec), blocking until one comes unless `wait` is
    /// false (MSG_DONTWAIT: EAGAIN). EPIPE once the other end is closed; EIO for a message
    /// that carries no descriptor. Room is made for one descriptor only: the kernel closes
    /// any more a message carries.
    #[doc(alias = "recvmsg")]
    pub fn receive_fd(&self, wait: bool) -> Result<OwnedFd, Errno> {
        receive_fd(self.0.as_fd(), if wait { 0 } else { abi::MSG_DONTWAIT })
    }

    /// `getsockopt(fd, SOL_SOCKET, SO_PEERCRED)`: the pid of the process that made the
    /// connection, as the kernel recorded it when it did: no peer can claim another's.
    /// (The pid, not a process: once that process has ended and been reaped, another may
    /// get the number.)
    #[doc(alias = "SO_PEERCRED")]
    pub fn peer_pid(&self) -> Result<i32, Errno> {
        sys::peer_pid(self.0.as_fd())
    }

    /// `recvfrom(fd, buf, len, flags, NULL, NULL)`: one message into `buf`, blocking until
    /// one comes unless `wait` is false (MSG_DONTWAIT: EAGAIN if none is queued); 0 once
    /// the peer has closed. Returns the message's length, which may exceed `buf.len()`
    /// (the rest is lost: MSG_TRUNC semantics). EINTR if a signal handler interrupts the
    /// wait.
    pub fn receive(&self, buf: &mut [u8], wait: bool) -> Result<usize, Errno> {
        let flags = abi::MSG_TRUNC | if wait { 0 } else { abi::MSG_DONTWAIT };
        sys::recv(self.0.as_fd(), buf, flags)
    }
}

/// `sendmsg` on `socket`: a one-byte message carrying `fd` (SCM_RIGHTS): see
/// [`SeqpacketStream::send_fd`].
pub(crate) fn send_fd(socket: BorrowedFd<'_>, fd: BorrowedFd<'_>) -> Result<(), Errno> {
    let byte = [0u8];
    let iov = abi::IoVec { base: byte.as_ptr() as usize, len: 1 };
    let cmsg = abi::CmsgFd {
        len: abi::CMSG_FD_LEN,
        level: abi::SOL_SOCKET,
        kind: abi::SCM_RIGHTS,
        fd: fd.as_raw_fd(),
        pad: 0,
    };
    let msg = abi::MsgHdr {
        name: 0,
        name_len: 0,
        iov: &iov as *const abi::IoVec as usize,
        iov_len: 1,
        control: &cmsg as *const abi::CmsgFd as usize,
        control_len: core::mem::size_of::<abi::CmsgFd>(),
        flags: 0,
    };
    // SAFETY: `msg` points at `iov` (one byte at `byte`) and `cmsg`, all alive for the
    // call, with their exact lengths; the descriptor is borrowed, so open.
    unsafe { sys::sendmsg(socket, &msg, 0) }.map(drop)
}

/// `recvmsg(socket, …, MSG_CMSG_CLOEXEC | flags)`: the descriptor one message carries:
/// see [`SeqpacketStream::receive_fd`].
pub(crate) fn receive_fd(socket: BorrowedFd<'_>, flags: u32) -> Result<OwnedFd, Errno> {
    let mut byte = [0u8];
    let mut iov = abi::IoVec { base: byte.as_mut_ptr() as usize, len: 1 };
    let mut cmsg = abi::CmsgFd::default();
    let mut msg = abi::MsgHdr {
        name: 0,
        name_len: 0,
        iov: &mut iov as *mut abi::IoVec as usize,
        iov_len: 1,
        control: &mut cmsg as *mut abi::CmsgFd as usize,
        // CMSG_LEN(4), not CMSG_SPACE(4): room for exactly one descriptor.
        control_len: abi::CMSG_FD_LEN,
        flags: 0,
    };
    let flags = abi::MSG_CMSG_CLOEXEC | flags;
    // SAFETY: `msg` points at `iov` (one writable byte) and `cmsg` (CMSG_FD_LEN
    // writable bytes), all alive for the call; a descriptor received is taken below.
    let n = unsafe { sys::recvmsg(socket, &mut msg, flags) }?;
    let one_fd = msg.control_len >= abi::CMSG_FD_LEN
        && cmsg.len == abi::CMSG_FD_LEN
        && cmsg.level == abi::SOL_SOCKET
        && cmsg.kind == abi::SCM_RIGHTS;
    match (n, one_fd) {
        // SAFETY: the kernel installed this descriptor in this process for this
        // message: nothing else owns it.
        (_, true) => Ok(unsafe { OwnedFd::from_raw_fd(cmsg.fd) }),
        (0, false) => Err(Errno::EPIPE),
        (_, false) => Err(Errno::EIO),
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
        let p = UnixAddr::path(&[&std::ffi::CString::new(p).unwrap()]).unwrap();
        let listener = SeqpacketListener::bind(&p, 4).unwrap();
        assert_eq!(SeqpacketListener::bind(&p, 4).unwrap_err().errno, Errno::EADDRINUSE);
        let client = SeqpacketStream::connect(&p).unwrap();
        let server = listener.accept().unwrap();
        client.send(b"one").unwrap();
        client.send(b"two!").unwrap();
        drop(client);
        let mut buf = [0u8; 16];
        assert_eq!(server.receive(&mut buf, true), Ok(3));
        assert_eq!(&buf[..3], b"one");
        assert_eq!(server.receive(&mut buf, true), Ok(4));
        assert_eq!(server.receive(&mut buf, false), Ok(0)); // the peer closed
        assert_eq!(server.peer_pid(), Ok(std::process::id() as i32));
        drop((server, listener));
        // Closed, the socket's file stays: nobody listens, so connecting is refused.
        assert!(path.exists());
        assert_eq!(SeqpacketStream::connect(&p).unwrap_err().errno, Errno::ECONNREFUSED);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(SeqpacketStream::connect(&p).unwrap_err().errno, Errno::ENOENT);
    }

    #[test]
    fn a_descriptor_travels_and_arrives_as_a_new_one() {
        let (a, b) = pair().unwrap();
        let (r, w) = rustix::pipe::pipe().unwrap();
        a.send_fd(w.as_fd()).unwrap();
        drop(w);
        let got = b.receive_fd(true).unwrap();
        // The same pipe, through a descriptor of its own (close-on-exec).
        assert!(rustix::io::fcntl_getfd(&got).unwrap().contains(rustix::io::FdFlags::CLOEXEC));
        assert_eq!(rustix::io::write(&got, b"hi"), Ok(2));
        let mut buf = [0u8; 2];
        assert_eq!(rustix::io::read(&r, &mut buf), Ok(2));
        assert_eq!(&buf, b"hi");
        assert_eq!(b.receive_fd(false).err(), Some(Errno::EAGAIN));
        // A message with no descriptor, then the end.
        assert_eq!(a.send(b"x"), Ok(()));
        assert_eq!(b.receive_fd(true).err(), Some(Errno::EIO));
        drop(a);
        assert_eq!(b.receive_fd(true).err(), Some(Errno::EPIPE));
    }
}
