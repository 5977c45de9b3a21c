//! POSIX message queues: kernel objects with a name (in the `mqueue` file system, usually
//! mounted at `/dev/mqueue`), holding up to `maxmsg` messages of at most `msgsize` bytes,
//! delivered highest priority first. The descriptor is a file descriptor; children
//! inherit it across `fork`. rustix has none of these calls: they are raw system calls.
//!
//! Limits: `/proc/sys/fs/mqueue/msg_max` (10) and `msgsize_max` (8192) cap unprivileged
//! queues, `queues_max` (256) the number of queues, and RLIMIT_MSGQUEUE (`ulimit -q`,
//! 819200 bytes) the bytes a user's queues may take — exceeding it is EMFILE.

use crate::errno::Errno;
use crate::ipc::name::Name;
use crate::sys::{self, abi};
use rustix::fd::{AsFd, OwnedFd};

pub use crate::sys::abi::{MqAttr, Timespec};

/// Which way a descriptor may be used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    /// `O_RDONLY`: receive only.
    Read,
    /// `O_WRONLY`: send only.
    Write,
    /// `O_RDWR`: both.
    ReadWrite,
}

impl Access {
    fn oflag(self) -> i32 {
        match self {
            Access::Read => abi::O_RDONLY,
            Access::Write => abi::O_WRONLY,
            Access::ReadWrite => abi::O_RDWR,
        }
    }
}

/// An open message queue descriptor; closed on drop. It does not own the queue's name
/// (see [`unlink`]). `Send` and `Sync`: the kernel serialises every call on a queue.
#[derive(Debug)]
pub struct MessageQueue(OwnedFd);

fd_handle!(MessageQueue);

/// `mq_open` as the kernel takes it, the descriptor recorded (see [`crate::io::opened`]).
fn mq_open(
    name: &Name,
    oflag: i32,
    mode: u32,
    attr: Option<&MqAttr>,
) -> Result<MessageQueue, Errno> {
    let fd = sys::mq_open(name.bare(), oflag, mode, attr)?;
    crate::io::opened(&fd);
    Ok(MessageQueue(fd))
}

impl MessageQueue {
    /// `mq_open(name, O_CREAT | O_EXCL | access | O_CLOEXEC, mode, &attr)`—creates a new
    /// queue; EEXIST if the name is taken.
    ///
    /// References: [mq_open(3)](https://man7.org/linux/man-pages/man3/mq_open.3.html),
    /// [mq_overview(7)](https://man7.org/linux/man-pages/man7/mq_overview.7.html)
    #[doc(alias = "mq_open")]
    pub fn create(name: &Name, access: Access, mode: u32, attr: &MqAttr) -> Result<Self, Errno> {
        let oflag = abi::O_CREAT | abi::O_EXCL | abi::O_CLOEXEC | access.oflag();
        mq_open(name, oflag, mode, Some(attr))
    }

    /// `mq_open(name, access | O_CLOEXEC)`—opens an existing queue.
    #[doc(alias = "mq_open")]
    pub fn open(name: &Name, access: Access) -> Result<Self, Errno> {
        mq_open(name, access.oflag() | abi::O_CLOEXEC, 0, None)
    }

    /// `mq_timedsend(mqd, msg, len, prio, deadline)`—queues `msg`; blocks while the queue
    /// is full, until the absolute CLOCK_REALTIME `deadline` if one is given (then
    /// ETIMEDOUT). EMSGSIZE if `msg` is longer than the queue's `msgsize`.
    ///
    /// References: [mq_send(3)](https://man7.org/linux/man-pages/man3/mq_send.3.html)
    #[doc(alias = "mq_timedsend")]
    #[doc(alias = "mq_send")]
    pub fn send(&self, msg: &[u8], prio: u32, deadline: Option<&Timespec>) -> Result<(), Errno> {
        sys::mq_timedsend(self.0.as_fd(), msg, prio, deadline)
    }

    /// `mq_timedreceive(mqd, buf, len, &prio, deadline)`—takes the oldest message of the
    /// highest priority into `buf`; returns its length and priority. Blocks while the
    /// queue is empty (until `deadline`, then ETIMEDOUT). EMSGSIZE if `buf` is shorter
    /// than the queue's `msgsize`.
    ///
    /// References: [mq_receive(3)](https://man7.org/linux/man-pages/man3/mq_receive.3.html)
    #[doc(alias = "mq_timedreceive")]
    #[doc(alias = "mq_receive")]
    pub fn receive(
        &self,
        buf: &mut [u8],
        deadline: Option<&Timespec>,
    ) -> Result<(usize, u32), Errno> {
        sys::mq_timedreceive(self.0.as_fd(), buf, deadline)
    }

    /// `mq_getattr(mqd, &attr)` (the kernel's `mq_getsetattr(mqd, NULL, &attr)`).
    ///
    /// References: [mq_getattr(3)](https://man7.org/linux/man-pages/man3/mq_getattr.3.html)
    #[doc(alias = "mq_getattr")]
    #[doc(alias = "mq_getsetattr")]
    pub fn attributes(&self) -> Result<MqAttr, Errno> {
        sys::mq_getsetattr(self.0.as_fd(), None)
    }

    /// `mq_setattr(mqd, &{flags}, &old)`—switches `O_NONBLOCK` on or off (the only
    /// attribute that can change); returns the attributes from before.
    #[doc(alias = "mq_setattr")]
    pub fn set_nonblocking(&self, on: bool) -> Result<MqAttr, Errno> {
        let new =
            MqAttr { flags: if on { abi::O_NONBLOCK as i64 } else { 0 }, ..MqAttr::default() };
        sys::mq_getsetattr(self.0.as_fd(), Some(&new))
    }
}

/// `mq_unlink(name)`—removes the name; the queue itself lives on until its last
/// descriptor closes.
///
/// References: [mq_unlink(3)](https://man7.org/linux/man-pages/man3/mq_unlink.3.html)
#[doc(alias = "mq_unlink")]
pub fn unlink(name: &Name) -> Result<(), Errno> {
    sys::mq_unlink(name.bare())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_out_by_priority_then_age() {
        let name = Name::unique("mqtest").unwrap();
        let q = MessageQueue::create(&name, Access::ReadWrite, 0o600, &MqAttr::new(4, 8)).unwrap();
        unlink(&name).unwrap(); // the open descriptor keeps the queue alive
        assert_eq!(MessageQueue::open(&name, Access::Read).err(), Some(Errno::ENOENT));
        q.send(b"low", 1, None).unwrap();
        q.send(b"high", 5, None).unwrap();
        q.send(b"low2", 1, None).unwrap();
        let a = q.attributes().unwrap();
        assert_eq!((a.maxmsg, a.msgsize, a.curmsgs), (4, 8, 3));
        let mut buf = [0u8; 8];
        let mut next = || {
            let (n, p) = q.receive(&mut buf, None).unwrap();
            (buf[..n].to_vec(), p)
        };
        assert_eq!(next(), (b"high".to_vec(), 5));
        assert_eq!(next(), (b"low".to_vec(), 1));
        assert_eq!(next(), (b"low2".to_vec(), 1));
        assert_eq!(q.send(b"123456789", 0, None), Err(Errno::EMSGSIZE));
        let mut small = [0u8; 4];
        assert_eq!(q.receive(&mut small, None).err(), Some(Errno::EMSGSIZE));
    }

    #[test]
    fn nonblocking_and_deadlines_fail_instead_of_waiting() {
        let name = Name::unique("mqtest").unwrap();
        let q = MessageQueue::create(&name, Access::ReadWrite, 0o600, &MqAttr::new(1, 8)).unwrap();
        unlink(&name).unwrap();
        let past = Timespec { tv_sec: 0, tv_nsec: 0 };
        let mut buf = [0u8; 8];
        assert_eq!(q.receive(&mut buf, Some(&past)).err(), Some(Errno::ETIMEDOUT));
        q.send(b"x", 0, None).unwrap();
        assert_eq!(q.send(b"y", 0, Some(&past)), Err(Errno::ETIMEDOUT));
        assert_eq!(q.set_nonblocking(true).unwrap().flags, 0);
        assert_eq!(q.send(b"y", 0, None), Err(Errno::EAGAIN));
        assert_eq!(q.attributes().unwrap().flags, abi::O_NONBLOCK as i64);
    }

    #[test]
    fn exclusive_create_refuses_an_existing_name() {
        let name = Name::unique("mqtest").unwrap();
        let attr = MqAttr::new(1, 8);
        let _q = MessageQueue::create(&name, Access::ReadWrite, 0o600, &attr).unwrap();
        let again = MessageQueue::create(&name, Access::ReadWrite, 0o600, &attr);
        unlink(&name).unwrap();
        assert_eq!(again.err(), Some(Errno::EEXIST));
        assert_eq!(unlink(&name), Err(Errno::ENOENT));
    }
}
