//! Sockets: AF_UNIX and loopback TCP calls, descriptor passing, `ppoll`.

use super::{abi, arch, check, new_fd, nr, syscall2, syscall3, syscall4, syscall5};
use crate::errno::Errno;
use rustix::fd::{AsRawFd, BorrowedFd, OwnedFd};

/// `socket(domain, type, 0)`. (The socket calls are here rather than rustix's for size:
/// rustix's general conversions cost a pi program's binary 20 to 30 bytes per call,
/// which the 16 KiB limit cannot spare.)
pub(crate) fn socket(domain: u32, ty: u32) -> Result<OwnedFd, Errno> {
    // SAFETY: socket reads and writes no memory of ours.
    let fd = unsafe { syscall3(nr::SOCKET, domain as usize, ty as usize, 0) }?;
    // SAFETY: the descriptor socket created, known to nothing else.
    Ok(unsafe { new_fd(fd) })
}

/// `socketpair(domain, type, 0, fds)`: two connected sockets.
pub(crate) fn socketpair(domain: u32, ty: u32) -> Result<(OwnedFd, OwnedFd), Errno> {
    let mut fds = [0i32; 2];
    let at = fds.as_mut_ptr() as usize;
    // SAFETY: socketpair writes two ints at `fds`.
    unsafe { syscall4(nr::SOCKETPAIR, domain as usize, ty as usize, 0, at) }?;
    // SAFETY: the two descriptors socketpair created, known to nothing else.
    Ok(unsafe { (new_fd(fds[0] as usize), new_fd(fds[1] as usize)) })
}

/// `sendmsg(fd, msg, flags)`: bytes sent.
///
/// # Safety
/// Every pointer in `msg` (its iovecs, their buffers, its control buffer) must be valid
/// for reads of the lengths it gives.
pub(crate) unsafe fn sendmsg(
    fd: BorrowedFd<'_>,
    msg: &abi::MsgHdr,
    flags: u32,
) -> Result<usize, Errno> {
    let (fd, msg) = (fd.as_raw_fd() as usize, msg as *const abi::MsgHdr as usize);
    // SAFETY: the caller's promise for the pointers in `msg`; `msg` itself is a valid
    // reference.
    unsafe { syscall3(nr::SENDMSG, fd, msg, flags as usize) }
}

/// `recvmsg(fd, msg, flags)`: bytes received; the kernel updates `msg`'s lengths and
/// flags.
///
/// # Safety
/// Every pointer in `msg` must be valid for writes of the lengths it gives, and nothing
/// may rely on those buffers' previous contents. Descriptors received (SCM_RIGHTS) are
/// the caller's to own.
pub(crate) unsafe fn recvmsg(
    fd: BorrowedFd<'_>,
    msg: &mut abi::MsgHdr,
    flags: u32,
) -> Result<usize, Errno> {
    let (fd, msg) = (fd.as_raw_fd() as usize, msg as *mut abi::MsgHdr as usize);
    // SAFETY: the caller's promise for the pointers in `msg`, a valid exclusive reference.
    unsafe { syscall3(nr::RECVMSG, fd, msg, flags as usize) }
}

/// `bind(fd, addr, addr.len())`: `addr` is a `struct sockaddr_*`'s bytes, which the
/// kernel checks.
pub(crate) fn bind(fd: BorrowedFd<'_>, addr: &[u8]) -> Result<(), Errno> {
    let fd = fd.as_raw_fd() as usize;
    // SAFETY: bind reads `addr.len()` bytes at `addr`, a valid slice.
    unsafe { syscall3(nr::BIND, fd, addr.as_ptr() as usize, addr.len()) }.map(drop)
}

/// `connect(fd, addr, addr.len())`, as [`bind`].
pub(crate) fn connect(fd: BorrowedFd<'_>, addr: &[u8]) -> Result<(), Errno> {
    let fd = fd.as_raw_fd() as usize;
    // SAFETY: connect reads `addr.len()` bytes at `addr`, a valid slice.
    unsafe { syscall3(nr::CONNECT, fd, addr.as_ptr() as usize, addr.len()) }.map(drop)
}

/// `getsockname(fd, addr, &len)`: the address the socket is bound to, written into
/// `addr`; returns its length (which may exceed `addr.len()`: the address is then cut).
pub(crate) fn getsockname(fd: BorrowedFd<'_>, addr: &mut [u8]) -> Result<usize, Errno> {
    let mut len = addr.len() as u32;
    // SAFETY: getsockname writes at most `len` bytes at `addr`, a valid slice, and the
    // full length into `len`, a writable socklen_t.
    unsafe {
        syscall3(
            nr::GETSOCKNAME,
            fd.as_raw_fd() as usize,
            addr.as_mut_ptr() as usize,
            &mut len as *mut u32 as usize,
        )
    }?;
    Ok(len as usize)
}

/// `listen(fd, backlog)`.
pub(crate) fn listen(fd: BorrowedFd<'_>, backlog: i32) -> Result<(), Errno> {
    // SAFETY: listen touches no memory of ours.
    unsafe { syscall2(nr::LISTEN, fd.as_raw_fd() as usize, backlog as usize) }.map(drop)
}

/// `accept4(fd, NULL, NULL, flags)`: the next connection's descriptor.
pub(crate) fn accept4(fd: BorrowedFd<'_>, flags: u32) -> Result<OwnedFd, Errno> {
    let fd = fd.as_raw_fd() as usize;
    // SAFETY: with NULL address pointers accept4 writes no memory of ours.
    let fd = unsafe { syscall4(nr::ACCEPT4, fd, 0, 0, flags as usize) }?;
    // SAFETY: the descriptor accept4 created, known to nothing else.
    Ok(unsafe { new_fd(fd) })
}

/// `sendto(fd, msg, len, flags, to, to.len())`: bytes sent. An empty `to` is passed as
/// NULL, 0 (a connected socket's peer).
pub(crate) fn send_to(
    fd: BorrowedFd<'_>,
    msg: &[u8],
    flags: u32,
    to: &[u8],
) -> Result<usize, Errno> {
    let (fd, flags) = (fd.as_raw_fd() as usize, flags as usize);
    let (msg, len) = (msg.as_ptr() as usize, msg.len());
    let addr = if to.is_empty() { 0 } else { to.as_ptr() as usize };
    // SAFETY: sendto reads `len` bytes at `msg` and `to.len()` at `to`, valid slices
    // (or no address at all).
    check(unsafe { arch::syscall6(nr::SENDTO, [fd, msg, len, flags, addr, to.len()]) })
}

/// `recvfrom(fd, buf, len, flags, NULL, NULL)`: bytes received (with MSG_TRUNC, the
/// message's whole length, which may pass `buf.len()`; the kernel still writes at most
/// `buf.len()` bytes).
pub(crate) fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], flags: u32) -> Result<usize, Errno> {
    let (fd, flags) = (fd.as_raw_fd() as usize, flags as usize);
    // SAFETY: recvfrom writes at most `buf.len()` bytes at `buf`, a valid exclusive
    // slice; NULL address pointers: it writes no address.
    check(unsafe {
        arch::syscall6(nr::RECVFROM, [fd, buf.as_mut_ptr() as usize, buf.len(), flags, 0, 0])
    })
}

/// `recvfrom(fd, buf, len, flags, &addr, &addrlen)`: bytes received (as [`recv`]) and the
/// sender's address, written into `from` (at most `from.len()` bytes).
pub(crate) fn recv_from(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    flags: u32,
    from: &mut [u8],
) -> Result<usize, Errno> {
    let (fd, flags) = (fd.as_raw_fd() as usize, flags as usize);
    let mut len = from.len() as u32;
    // SAFETY: recvfrom writes at most `buf.len()` bytes at `buf` and at most `len` bytes at
    // `from`, valid exclusive slices, and the length it wrote at `len`, a socklen_t.
    check(unsafe {
        arch::syscall6(
            nr::RECVFROM,
            [
                fd,
                buf.as_mut_ptr() as usize,
                buf.len(),
                flags,
                from.as_mut_ptr() as usize,
                &mut len as *mut u32 as usize,
            ],
        )
    })
}

/// `getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &ucred, &12)`: the pid in the peer's
/// credentials (`struct ucred`: pid, uid, gid), which the kernel recorded at `connect`.
pub(crate) fn peer_pid(fd: BorrowedFd<'_>) -> Result<i32, Errno> {
    let mut ucred = [0i32; 3];
    let mut len = 12u32;
    // SAFETY: `ucred` has `len` writable bytes and `len` is a writable socklen_t; the
    // kernel writes at most `len` bytes and the length it wrote.
    unsafe {
        syscall5(
            nr::GETSOCKOPT,
            fd.as_raw_fd() as usize,
            abi::SOL_SOCKET as usize,
            abi::SO_PEERCRED as usize,
            ucred.as_mut_ptr() as usize,
            &mut len as *mut u32 as usize,
        )
    }?;
    Ok(ucred[0])
}

/// `setsockopt(fd, SOL_SOCKET, option, &timeval, 16)`, for SO_SNDTIMEO or SO_RCVTIMEO: a
/// blocking send (receive) on `fd` waits at most `usec` microseconds (below 10^6), then
/// fails with EAGAIN.
pub(crate) fn set_timeout(fd: BorrowedFd<'_>, option: i32, usec: u32) -> Result<(), Errno> {
    set_timeval(fd, option, [0, usec as i64])
}

/// `setsockopt(fd, SOL_SOCKET, option, &timeval, 16)`, for SO_SNDTIMEO or SO_RCVTIMEO:
/// `tv` is (seconds, microseconds below 10^6); all zero: no bound.
pub(crate) fn set_timeval(fd: BorrowedFd<'_>, option: i32, tv: [i64; 2]) -> Result<(), Errno> {
    // SAFETY: the kernel reads one `struct timeval` (two 64-bit fields) at `tv`.
    unsafe {
        syscall5(
            nr::SETSOCKOPT,
            fd.as_raw_fd() as usize,
            abi::SOL_SOCKET as usize,
            option as usize,
            tv.as_ptr() as usize,
            16,
        )
    }
    .map(drop)
}

/// `ppoll(fds, n, timeout, NULL, 8)`: waits until an event of `fds` comes (entries with a
/// negative descriptor are skipped), or `timeout` has passed (none: no limit); returns how
/// many have one (0: the time passed). EINTR when a handled signal interrupts the wait.
pub(crate) fn poll(
    fds: &mut [abi::PollFd],
    timeout: Option<&abi::Timespec>,
) -> Result<usize, Errno> {
    // ppoll writes the time left back into its timeout: it gets a copy of its own (the
    // caller's may be read-only, and is behind a shared reference).
    let mut left = timeout.copied();
    let at = left.as_mut().map_or(0, |t| t as *mut abi::Timespec as usize);
    // SAFETY: `fds` is a writable array of `fds.len()` pollfd structs; `at` is null or a
    // writable timespec; no signal mask is passed.
    unsafe { syscall5(nr::PPOLL, fds.as_mut_ptr() as usize, fds.len(), at, 0, 8) }
}
