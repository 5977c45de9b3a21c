//! POSIX message queues: `mq_open`, `mq_unlink`, `mq_timedsend`, `mq_timedreceive`,
//! `mq_getsetattr`.

use super::{abi, nr, opt_ptr, syscall2, syscall3, syscall4, syscall5};
use crate::errno::Errno;

/// `mq_open(name, oflag, mode, attr)` as the kernel takes it: `name` without the leading
/// slash that POSIX (and glibc's wrapper) use.
pub(crate) fn mq_open(
    name: &core::ffi::CStr,
    oflag: i32,
    mode: u32,
    attr: Option<&abi::MqAttr>,
) -> Result<rustix::fd::OwnedFd, Errno> {
    // SAFETY: name is NUL-terminated; attr is null or a valid mq_attr, read only.
    let fd = unsafe {
        syscall4(nr::MQ_OPEN, name.as_ptr() as usize, oflag as usize, mode as usize, opt_ptr(attr))
    }?;
    // SAFETY: on success mq_open returns a new descriptor that nothing else owns.
    Ok(unsafe { <rustix::fd::OwnedFd as rustix::fd::FromRawFd>::from_raw_fd(fd as i32) })
}

/// `mq_unlink(name)`, `name` without the leading slash.
pub(crate) fn mq_unlink(name: &core::ffi::CStr) -> Result<(), Errno> {
    // SAFETY: name is NUL-terminated.
    unsafe { syscall2(nr::MQ_UNLINK, name.as_ptr() as usize, 0) }.map(drop)
}

/// `mq_timedsend(mqd, msg, len, prio, deadline)`.
pub(crate) fn mq_timedsend(
    mqd: rustix::fd::BorrowedFd<'_>,
    msg: &[u8],
    prio: u32,
    deadline: Option<&abi::Timespec>,
) -> Result<(), Errno> {
    use rustix::fd::AsRawFd;
    // SAFETY: msg is readable for its length; deadline is null or a valid timespec.
    unsafe {
        syscall5(
            nr::MQ_TIMEDSEND,
            mqd.as_raw_fd() as usize,
            msg.as_ptr() as usize,
            msg.len(),
            prio as usize,
            opt_ptr(deadline),
        )
    }
    .map(drop)
}

/// `mq_timedreceive(mqd, buf, len, &prio, deadline)`: returns the message length and
/// priority.
pub(crate) fn mq_timedreceive(
    mqd: rustix::fd::BorrowedFd<'_>,
    buf: &mut [u8],
    deadline: Option<&abi::Timespec>,
) -> Result<(usize, u32), Errno> {
    use rustix::fd::AsRawFd;
    let mut prio = 0u32;
    // SAFETY: buf is writable for its length, prio for 4 bytes; deadline as above.
    let n = unsafe {
        syscall5(
            nr::MQ_TIMEDRECEIVE,
            mqd.as_raw_fd() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            &mut prio as *mut u32 as usize,
            opt_ptr(deadline),
        )
    }?;
    Ok((n, prio))
}

/// `mq_getsetattr(mqd, new, &old)`: sets `new.flags` if given; returns the attributes
/// from before.
pub(crate) fn mq_getsetattr(
    mqd: rustix::fd::BorrowedFd<'_>,
    new: Option<&abi::MqAttr>,
) -> Result<abi::MqAttr, Errno> {
    use rustix::fd::AsRawFd;
    let mut old = abi::MqAttr::default();
    // SAFETY: new is null or readable; old is a writable mq_attr.
    unsafe {
        syscall3(
            nr::MQ_GETSETATTR,
            mqd.as_raw_fd() as usize,
            opt_ptr(new),
            &mut old as *mut abi::MqAttr as usize,
        )
    }?;
    Ok(old)
}
