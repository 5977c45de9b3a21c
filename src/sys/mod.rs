//! The floor: the one layer that executes system call instructions or lays out kernel
//! structs, and the only one whose unsafety is about the kernel ABI.
//!
//! rustix covers most of what bareipc needs; this layer adds what it lacks (`fork`,
//! `exit_group`, the POSIX message queue calls, the System V message, semaphore and
//! shared memory calls, `rt_sigaction`, `rt_sigprocmask`, `rt_sigqueueinfo`,
//! `rt_sigtimedwait`, `timer_create`, `set_robust_list`), and takes over a few calls rustix has where its general
//! conversions cost more bytes than a 16 KiB binary can spare: the AF_UNIX socket calls
//! and the file calls of a run's named file (`openat`, `mknodat`, `unlinkat`),
//! 20 to 30 bytes a call. Every function here is a thin, typed shim: it passes its
//! arguments to the kernel unchanged and turns the kernel's `-errno` return into an
//! [`Errno`]. What is specific to an architecture (the instruction, the numbers, the
//! signal trampoline) is in its own file, [`arch`]; the constants and structs the kernel
//! shares across architectures are in [`abi`]. Everything here is internal to the crate:
//! the layers above give these calls meaning and safe types.

pub(crate) mod abi;
#[cfg(target_arch = "x86_64")]
#[path = "x86_64.rs"]
pub(crate) mod arch;
#[cfg(target_arch = "aarch64")]
#[path = "aarch64.rs"]
pub(crate) mod arch;
#[cfg(target_arch = "riscv64")]
#[path = "riscv64.rs"]
pub(crate) mod arch;

use crate::errno::Errno;
/// System call numbers, from `linux-raw-sys` (generated from each architecture's kernel
/// headers): x86_64's own table, the asm-generic one of aarch64 and riscv64. Each call
/// site names its call; the checks against libc's `SYS_*` in `abi.rs` test them.
pub(crate) mod nr {
    use linux_raw_sys::general as g;
    pub const RT_SIGACTION: usize = g::__NR_rt_sigaction as usize;
    // Used by the trampolines of x86_64 and arm64 (riscv64 returns through the vDSO's).
    #[cfg_attr(target_arch = "riscv64", allow(dead_code))]
    pub const RT_SIGRETURN: usize = g::__NR_rt_sigreturn as usize;
    pub const RT_SIGPROCMASK: usize = g::__NR_rt_sigprocmask as usize;
    pub const RT_SIGTIMEDWAIT: usize = g::__NR_rt_sigtimedwait as usize;
    pub const RT_SIGQUEUEINFO: usize = g::__NR_rt_sigqueueinfo as usize;
    pub const SOCKET: usize = g::__NR_socket as usize;
    pub const CONNECT: usize = g::__NR_connect as usize;
    pub const SENDTO: usize = g::__NR_sendto as usize;
    pub const RECVFROM: usize = g::__NR_recvfrom as usize;
    pub const SENDMSG: usize = g::__NR_sendmsg as usize;
    pub const RECVMSG: usize = g::__NR_recvmsg as usize;
    pub const SOCKETPAIR: usize = g::__NR_socketpair as usize;
    pub const BIND: usize = g::__NR_bind as usize;
    pub const LISTEN: usize = g::__NR_listen as usize;
    pub const ACCEPT4: usize = g::__NR_accept4 as usize;
    pub const OPENAT: usize = g::__NR_openat as usize;
    pub const MKNODAT: usize = g::__NR_mknodat as usize;
    pub const UNLINKAT: usize = g::__NR_unlinkat as usize;
    #[cfg(target_arch = "x86_64")]
    #[cfg_attr(feature = "std", allow(dead_code))]
    pub const FORK: usize = g::__NR_fork as usize;
    pub const SCHED_YIELD: usize = g::__NR_sched_yield as usize;
    pub const WAITID: usize = g::__NR_waitid as usize;
    pub const PRCTL: usize = g::__NR_prctl as usize;
    pub const PROCESS_VM_READV: usize = g::__NR_process_vm_readv as usize;
    pub const KILL: usize = g::__NR_kill as usize;
    pub const MSGGET: usize = g::__NR_msgget as usize;
    pub const MSGSND: usize = g::__NR_msgsnd as usize;
    pub const MSGRCV: usize = g::__NR_msgrcv as usize;
    pub const MSGCTL: usize = g::__NR_msgctl as usize;
    pub const SHMGET: usize = g::__NR_shmget as usize;
    pub const SHMAT: usize = g::__NR_shmat as usize;
    pub const SHMCTL: usize = g::__NR_shmctl as usize;
    pub const SEMGET: usize = g::__NR_semget as usize;
    pub const SEMCTL: usize = g::__NR_semctl as usize;
    pub const SHMDT: usize = g::__NR_shmdt as usize;
    pub const SEMTIMEDOP: usize = g::__NR_semtimedop as usize;
    pub const TIMER_CREATE: usize = g::__NR_timer_create as usize;
    pub const TIMER_SETTIME: usize = g::__NR_timer_settime as usize;
    pub const CLOCK_GETTIME: usize = g::__NR_clock_gettime as usize;
    pub const EXIT_GROUP: usize = g::__NR_exit_group as usize;
    pub const MQ_OPEN: usize = g::__NR_mq_open as usize;
    pub const MQ_UNLINK: usize = g::__NR_mq_unlink as usize;
    pub const MQ_TIMEDSEND: usize = g::__NR_mq_timedsend as usize;
    pub const MQ_TIMEDRECEIVE: usize = g::__NR_mq_timedreceive as usize;
    pub const MQ_GETSETATTR: usize = g::__NR_mq_getsetattr as usize;
    pub const SET_ROBUST_LIST: usize = g::__NR_set_robust_list as usize;
    pub const PPOLL: usize = g::__NR_ppoll as usize;
    pub const PRLIMIT64: usize = g::__NR_prlimit64 as usize;
    pub const GETSOCKOPT: usize = g::__NR_getsockopt as usize;
    pub const GETSOCKNAME: usize = g::__NR_getsockname as usize;
    #[cfg(not(target_arch = "x86_64"))]
    pub const CLONE: usize = g::__NR_clone as usize;
}
use core::ffi::CStr;
use rustix::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// Turns a raw kernel return value into `Ok(value)` or `Err(errno)`.
///
/// The kernel reports failure as a value in `-4095..=-1`.
#[inline]
fn check(ret: usize) -> Result<usize, Errno> {
    if ret > (-4096isize) as usize {
        Err(Errno::from_raw((ret as isize).unsigned_abs() as i32))
    } else {
        Ok(ret)
    }
}

/// Issues system call `nr` with two arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> Result<usize, Errno> {
    // SAFETY: the caller's contract is syscall4's; unused argument registers are ignored.
    unsafe { syscall4(nr, a0, a1, 0, 0) }
}

/// Issues system call `nr` with three arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> Result<usize, Errno> {
    // SAFETY: as for syscall2.
    unsafe { syscall4(nr, a0, a1, a2, 0) }
}

/// Issues system call `nr` with four arguments.
///
/// # Safety
/// The call must be one whose effects the caller has accounted for (memory it reads or
/// writes, descriptors it creates or closes, processes it creates); every pointer among
/// the arguments must be valid for the access the call makes.
#[inline]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> Result<usize, Errno> {
    // SAFETY: the caller's contract is arch::syscall4's.
    check(unsafe { arch::syscall4(nr, a0, a1, a2, a3) })
}

/// Issues system call `nr` with five arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
unsafe fn syscall5(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
) -> Result<usize, Errno> {
    // SAFETY: the caller's contract is arch::syscall5's.
    check(unsafe { arch::syscall5(nr, a0, a1, a2, a3, a4) })
}

/// The owner of a descriptor the kernel has just returned.
///
/// # Safety
/// `fd` is what a successful call that creates a descriptor returned (0..=i32::MAX), and
/// nothing else owns it yet: the result closes it.
unsafe fn new_fd(fd: usize) -> OwnedFd {
    // SAFETY: the caller's promise: a new descriptor, owned by nothing else.
    unsafe { OwnedFd::from_raw_fd(fd as i32) }
}

/// `openat(dir, path, flags, mode)`: the opened file's descriptor. (The file calls the
/// private directories need are here, as the socket calls, for size.)
pub(crate) fn openat(
    dir: BorrowedFd<'_>,
    path: &CStr,
    flags: i32,
    mode: u32,
) -> Result<OwnedFd, Errno> {
    let (dir, path) = (dir.as_raw_fd() as usize, path.as_ptr() as usize);
    // SAFETY: openat reads the NUL-terminated string at `path`.
    let fd = unsafe { syscall4(nr::OPENAT, dir, path, flags as usize, mode as usize) }?;
    // SAFETY: the descriptor openat created, known to nothing else.
    Ok(unsafe { new_fd(fd) })
}

/// `mknodat(dir, path, mode, 0)`: `mode` holds the file type (S_IFIFO) and permissions.
pub(crate) fn mknodat(dir: BorrowedFd<'_>, path: &CStr, mode: u32) -> Result<(), Errno> {
    let (dir, path) = (dir.as_raw_fd() as usize, path.as_ptr() as usize);
    // SAFETY: mknodat reads the NUL-terminated string at `path`.
    unsafe { syscall4(nr::MKNODAT, dir, path, mode as usize, 0) }.map(drop)
}

/// `unlinkat(dir, path, flags)`: a file, or with AT_REMOVEDIR an empty directory.
pub(crate) fn unlinkat(dir: BorrowedFd<'_>, path: &CStr, flags: i32) -> Result<(), Errno> {
    let (dir, path) = (dir.as_raw_fd() as usize, path.as_ptr() as usize);
    // SAFETY: unlinkat reads the NUL-terminated string at `path`.
    unsafe { syscall3(nr::UNLINKAT, dir, path, flags as usize) }.map(drop)
}

/// `socket(domain, type, 0)`. (The socket calls are here rather than rustix's for size:
/// rustix's general conversions cost a pi program's binary 20 to 30 bytes per call,
/// which the 16 KiB limit cannot spare.)
pub(crate) fn socket(domain: u32, ty: u32) -> Result<OwnedFd, Errno> {
    // SAFETY: socket reads and writes no memory of ours.
    let fd = unsafe { syscall3(nr::SOCKET, domain as usize, ty as usize, 0) }?;
    // SAFETY: the descriptor socket created, known to nothing else.
    Ok(unsafe { new_fd(fd) })
}

/// `waitid(P_ALL, 0, &info, WSTOPPED, NULL)`: the next child to stop (a stop no `waitid`
/// has reported yet), blocking until one does; its pid and stop signal are in the
/// siginfo. EINTR if a signal handler interrupts; ECHILD with no child left.
pub(crate) fn wait_stopped() -> Result<abi::SigInfo, Errno> {
    let mut info = abi::SigInfo::queued(0, 0, 0);
    let at = &mut info as *mut abi::SigInfo as usize;
    // SAFETY: waitid writes one siginfo_t at `at`, a valid exclusive one; no rusage.
    unsafe { syscall5(nr::WAITID, abi::P_ALL as usize, 0, at, abi::WSTOPPED as usize, 0) }?;
    Ok(info)
}

/// `sched_yield()`: lets another runnable process have the CPU.
pub(crate) fn yield_now() {
    // SAFETY: sched_yield takes no arguments and touches no memory of ours.
    let _ = unsafe { arch::syscall0(nr::SCHED_YIELD) };
}

/// `prctl(PR_SET_PDEATHSIG, sig)`: this process gets `sig` when its parent (thread) dies.
pub(crate) fn set_parent_death_signal(sig: i32) -> Result<(), Errno> {
    let (option, sig) = (abi::PR_SET_PDEATHSIG as usize, sig as usize);
    // SAFETY: this prctl option reads no memory of ours.
    unsafe { syscall2(nr::PRCTL, option, sig) }.map(drop)
}

/// `process_vm_readv(pid, [buf], 1, [{remote, buf.len()}], 1, 0)`: copies from process
/// `pid`'s memory at `remote` into `buf`; returns the bytes copied. The kernel checks the
/// remote range (EFAULT if it is not mapped there) and the permission (ptrace access
/// mode ATTACH: EPERM), and writes nothing of ours but `buf`.
pub(crate) fn process_vm_read(pid: i32, remote: usize, buf: &mut [u8]) -> Result<usize, Errno> {
    let local = abi::IoVec { base: buf.as_mut_ptr() as usize, len: buf.len() };
    let remote = abi::IoVec { base: remote, len: buf.len() };
    let (l, r) = (&local as *const abi::IoVec as usize, &remote as *const abi::IoVec as usize);
    // SAFETY: the kernel writes at most `buf.len()` bytes at `buf`, a valid exclusive
    // slice, and reads the two iovecs; the remote address is checked in the other process.
    check(unsafe { arch::syscall6(nr::PROCESS_VM_READV, [pid as usize, l, 1, r, 1, 0]) })
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

/// `fork()`: duplicates the calling process. Returns 0 in the child and the child's pid
/// in the parent.
///
/// A raw `fork` rather than `clone3`: container seccomp profiles answer `clone3` with
/// ENOSYS, and `fork` needs no arguments.
///
/// # Safety
/// In a process with more than one thread the child holds copies of locks other threads
/// may have held; it must then restrict itself to async-signal-safe work.
///
/// With the `std` feature the call is the C library's `fork`, which a std program's
/// C library expects: it runs the `pthread_atfork` handlers and resets its own state (its
/// locks, its cached thread id) in the child. The programs have no C library: theirs is
/// the system call.
pub(crate) unsafe fn fork() -> Result<u32, Errno> {
    #[cfg(feature = "std")]
    {
        // SAFETY: the C library's fork takes no arguments; the caller handles the
        // multi-threading caveat.
        let pid = unsafe { libc::fork() };
        match pid {
            -1 => Err(Errno::from_raw(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))),
            pid => Ok(pid as u32),
        }
    }
    #[cfg(not(feature = "std"))]
    // SAFETY: fork takes no arguments and writes no memory of ours; the caller handles the
    // multi-threading caveat.
    check(unsafe { arch::fork() }).map(|pid| pid as u32)
}

/// `exit_group(code)`: ends every thread of the process at once, running no destructors.
#[inline]
pub(crate) fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group never returns and touches no memory of ours.
    let _ = unsafe { arch::syscall1(nr::EXIT_GROUP, code as u32 as usize) };
    // Unreachable: exit_group cannot fail. Spin rather than invoke undefined behaviour.
    loop {
        core::hint::spin_loop();
    }
}

/// `rt_sigaction(sig, &act, &old, 8)` for `handler` (a function's address, `SIG_DFL` or
/// `SIG_IGN`) with `mask` blocked while it runs (and the signal itself), with no flags
/// but SA_RESTORER (so no SA_RESTART: a handled signal interrupts blocking calls); where
/// the architecture has `sa_restorer` (x86_64, aarch64), its trampoline. Returns the
/// handler it replaced, so a caller can tell an inherited `SIG_IGN`.
///
/// # Safety
/// `handler` is `SIG_DFL`, `SIG_IGN` or the address of an `extern "C" fn(i32)`.
unsafe fn sigaction(sig: i32, handler: usize, mask: u64) -> Result<usize, Errno> {
    let act = abi::KernelSigaction {
        handler,
        #[cfg(not(target_arch = "riscv64"))]
        flags: arch::SA_RESTORER,
        #[cfg(target_arch = "riscv64")]
        flags: 0,
        #[cfg(not(target_arch = "riscv64"))]
        restorer: arch::restore_rt as *const () as usize,
        mask,
    };
    let mut old = abi::KernelSigaction { handler: 0, ..act };
    // SAFETY: `act` is a valid kernel sigaction read during the call, `old` one written
    // during it; the caller's promise makes the handler one the kernel may jump to, and
    // the restorer is the architecture's trampoline.
    unsafe {
        syscall4(
            nr::RT_SIGACTION,
            sig as usize,
            &act as *const _ as usize,
            &mut old as *mut _ as usize,
            8,
        )
    }?;
    Ok(old.handler)
}

/// Makes `handler` run when signal `sig` comes, with `mask` blocked meanwhile: see
/// [`sigaction`]. Returns the handler it replaced (`SIG_DFL`, `SIG_IGN` or an address).
pub(crate) fn set_signal_handler(
    sig: i32,
    handler: extern "C" fn(i32),
    mask: u64,
) -> Result<usize, Errno> {
    // SAFETY: a function of the right type.
    unsafe { sigaction(sig, handler as usize, mask) }
}

/// Gives signal `sig` its default action (`SIG_DFL`), or has it ignored (`SIG_IGN`) if
/// `ignore`; returns the handler it replaced.
pub(crate) fn set_signal_disposition(sig: i32, ignore: bool) -> Result<usize, Errno> {
    // SAFETY: SIG_DFL or SIG_IGN.
    unsafe { sigaction(sig, if ignore { abi::SIG_IGN } else { abi::SIG_DFL }, 0) }
}

/// `rt_sigprocmask(SIG_UNBLOCK, &set, NULL, 8)`: unblocks the signals whose bits
/// (`1 << (sig - 1)`) are set in `set`.
pub(crate) fn unblock_signals(set: u64) -> Result<(), Errno> {
    // SAFETY: `set` is a readable 8-byte kernel sigset_t; the old mask is not requested.
    unsafe { syscall4(nr::RT_SIGPROCMASK, abi::SIG_UNBLOCK, &set as *const u64 as usize, 0, 8) }
        .map(drop)
}

/// `rt_sigprocmask(SIG_BLOCK, &set, NULL, 8)`: blocks the signals whose bits are set in
/// `set`: they stay pending until a `rt_sigtimedwait` takes them.
pub(crate) fn block_signals(set: u64) -> Result<(), Errno> {
    // SAFETY: as for unblock_signals.
    unsafe { syscall4(nr::RT_SIGPROCMASK, abi::SIG_BLOCK, &set as *const u64 as usize, 0, 8) }
        .map(drop)
}

/// `prlimit64(0, RLIMIT_STACK, NULL, &limit)`: the soft limit of the stack, in bytes
/// (`u64::MAX` where there is none, or the call fails).
pub(crate) fn stack_limit() -> u64 {
    let mut limit = [u64::MAX; 2];
    // SAFETY: prlimit64 writes one `struct rlimit64` (two u64) at `limit`, reads nothing.
    let _ =
        unsafe { syscall4(nr::PRLIMIT64, 0, abi::RLIMIT_STACK, 0, limit.as_mut_ptr() as usize) };
    limit[0]
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

/// `ppoll(fds, n, NULL, NULL, 8)`: waits, with no timeout, until an event of `fds` comes
/// (entries with a negative descriptor are skipped); returns how many have one. EINTR when
/// a handled signal interrupts the wait.
pub(crate) fn poll(fds: &mut [abi::PollFd]) -> Result<usize, Errno> {
    // SAFETY: `fds` is a writable array of `fds.len()` pollfd structs; no timeout and no
    // signal mask are passed.
    unsafe { syscall5(nr::PPOLL, fds.as_mut_ptr() as usize, fds.len(), 0, 0, 8) }
}

/// `rt_sigqueueinfo(pid, info.signo, &info)`: queues a signal with its `siginfo_t` to
/// process `pid`.
pub(crate) fn sigqueueinfo(pid: i32, info: &abi::SigInfo) -> Result<(), Errno> {
    // SAFETY: `info` is a readable 128-byte siginfo_t.
    unsafe {
        syscall3(
            nr::RT_SIGQUEUEINFO,
            pid as isize as usize,
            info.signo as usize,
            info as *const abi::SigInfo as usize,
        )
    }
    .map(drop)
}

/// `rt_sigtimedwait(&set, &info, timeout, 8)`: takes one pending signal of `set` (which
/// must be blocked), waiting up to `timeout` (None: for ever) — EAGAIN when it expires,
/// EINTR when a handled signal outside `set` interrupts the wait.
pub(crate) fn sigtimedwait(
    set: u64,
    timeout: Option<&abi::Timespec>,
) -> Result<abi::SigInfo, Errno> {
    let mut info = abi::SigInfo::queued(0, 0, 0);
    // SAFETY: `set` is a readable sigset_t, `info` a writable siginfo_t, `timeout` null or
    // a readable timespec.
    unsafe {
        syscall4(
            nr::RT_SIGTIMEDWAIT,
            &set as *const u64 as usize,
            &mut info as *mut abi::SigInfo as usize,
            opt_ptr(timeout),
            8,
        )
    }?;
    Ok(info)
}

/// `timer_create(CLOCK_MONOTONIC, {SIGEV_SIGNAL, signal}, &id)`, then
/// `timer_settime(id, 0, {period, period}, NULL)`: a POSIX timer that sends `signal` to the
/// process every `period`. Not inherited by `fork`, not cleared by
/// anything but the process's end; unlike `ITIMER_REAL` it is the caller's own, so it
/// never collides with a launcher's `alarm`.
pub(crate) fn periodic_signal(signal: i32, period: abi::Timespec) -> Result<(), Errno> {
    // struct sigevent: sigev_value (8 bytes), sigev_signo, sigev_notify (SIGEV_SIGNAL = 0),
    // then a 48-byte union this notification does not use: 64 bytes.
    let mut sigevent = [0u32; 16];
    sigevent[2] = signal as u32;
    let mut id = 0i32;
    // SAFETY: `sigevent` is a readable 64-byte struct sigevent, `id` a writable timer_t.
    unsafe {
        syscall3(
            nr::TIMER_CREATE,
            abi::CLOCK_MONOTONIC,
            sigevent.as_ptr() as usize,
            &mut id as *mut i32 as usize,
        )
    }?;
    let spec = [period, period]; // struct itimerspec: it_interval, it_value
    // SAFETY: `spec` is a readable struct itimerspec; the old value is not requested.
    unsafe { syscall4(nr::TIMER_SETTIME, id as usize, 0, spec.as_ptr() as usize, 0) }.map(drop)
}

/// `kill(pid, sig)`.
pub(crate) fn kill(pid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall2(nr::KILL, pid as isize as usize, sig as usize) }.map(drop)
}

/// `clock_gettime(CLOCK_REALTIME, &now)` (a syscall: without libc there is no vDSO
/// lookup, and this is only called on slow paths).
pub(crate) fn realtime_now() -> Result<abi::Timespec, Errno> {
    let mut now = abi::Timespec::default();
    // SAFETY: now is a writable timespec.
    unsafe { syscall2(nr::CLOCK_GETTIME, abi::CLOCK_REALTIME, &mut now as *mut _ as usize) }?;
    Ok(now)
}

/// `set_robust_list(head, 24)`: registers the calling thread's robust futex list.
///
/// # Safety
/// `head` must point to a `struct robust_list_head` that stays valid and mapped for as
/// long as the thread lives (the kernel walks it when the thread exits), and this must be
/// the only robust list user of the thread (it replaces any list a libc registered).
pub(crate) unsafe fn set_robust_list(head: *const u8) -> Result<(), Errno> {
    // SAFETY: the caller guarantees the list's lifetime; the kernel only stores the
    // pointer now.
    unsafe { syscall2(nr::SET_ROBUST_LIST, head as usize, 24) }.map(drop)
}

fn opt_ptr<T>(v: Option<&T>) -> usize {
    v.map_or(0, |r| r as *const T as usize)
}

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

/// `msgget(key, flags)`: returns the queue identifier.
pub(crate) fn msgget(key: i32, flags: i32) -> Result<i32, Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall2(nr::MSGGET, key as usize, flags as usize) }.map(|id| id as i32)
}

/// `msgsnd(id, msgp, msgsz, flags)`: `msg` is the whole `struct msgbuf` (an 8-byte
/// `mtype`, then the text); `msgsz` is the text's length.
pub(crate) fn msgsnd(id: i32, msg: &[u8], flags: i32) -> Result<(), Errno> {
    let text = msg.len().checked_sub(8).ok_or(Errno::EINVAL)?;
    // SAFETY: msg is readable for 8 + text bytes, as msgsnd reads.
    unsafe { syscall4(nr::MSGSND, id as usize, msg.as_ptr() as usize, text, flags as usize) }
        .map(drop)
}

/// `msgrcv(id, msgp, msgsz, msgtyp, flags)` into `buf` (8 bytes of `mtype`, then room for
/// the text): returns the text's length.
pub(crate) fn msgrcv(id: i32, buf: &mut [u8], msgtyp: i64, flags: i32) -> Result<usize, Errno> {
    let room = buf.len().checked_sub(8).ok_or(Errno::EINVAL)?;
    // SAFETY: buf is writable for 8 + room bytes, the most msgrcv writes.
    unsafe {
        syscall5(
            nr::MSGRCV,
            id as usize,
            buf.as_mut_ptr() as usize,
            room,
            msgtyp as usize,
            flags as usize,
        )
    }
}

/// `msgctl(id, cmd, buf)` with `buf` a `struct msqid_ds` (IPC_STAT, MSG_STAT) or null
/// (IPC_RMID): returns the call's value (MSG_STAT: the queue's identifier).
pub(crate) fn msgctl(id: i32, cmd: i32, buf: Option<&mut abi::MsqidDs>) -> Result<usize, Errno> {
    let ptr = buf.map_or(0, |b| b as *mut abi::MsqidDs as usize);
    // SAFETY: buf is null or a writable msqid_ds (its layout is the kernel's msqid64_ds
    // on x86_64, which the libc crate mirrors).
    unsafe { syscall3(nr::MSGCTL, id as usize, cmd as usize, ptr) }
}

/// `semget(key, nsems, flags)`: returns the set's identifier.
pub(crate) fn semget(key: i32, nsems: i32, flags: i32) -> Result<i32, Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall3(nr::SEMGET, key as usize, nsems as usize, flags as usize) }
        .map(|id| id as i32)
}

/// `semtimedop(id, ops, ops.len(), timeout)`: all of `ops` at once, or none; a null
/// `timeout` waits as long as it takes.
pub(crate) fn semtimedop(
    id: i32,
    ops: &[abi::Sembuf],
    timeout: Option<&abi::Timespec>,
) -> Result<(), Errno> {
    let t = timeout.map_or(0, |t| t as *const abi::Timespec as usize);
    // SAFETY: semtimedop reads ops.len() sembufs at `ops` and a timespec at `t` (or none).
    unsafe { syscall4(nr::SEMTIMEDOP, id as usize, ops.as_ptr() as usize, ops.len(), t) }.map(drop)
}

/// The `semctl` commands whose argument is an integer or unused: no other can be named,
/// so none that writes memory (GETALL writes one value per semaphore) reaches the kernel.
#[derive(Clone, Copy)]
#[repr(i32)]
pub(crate) enum SemCmd {
    Remove = abi::IPC_RMID,
    GetVal = abi::GETVAL,
    SetVal = abi::SETVAL,
    GetPid = abi::GETPID,
}

/// `semctl(id, num, cmd, value)`: returns the call's value.
pub(crate) fn semctl(id: i32, num: i32, cmd: SemCmd, value: i32) -> Result<usize, Errno> {
    let cmd = cmd as i32 as usize;
    // SAFETY: with these commands the kernel reads the fourth argument as an int and
    // writes no memory.
    unsafe { syscall4(nr::SEMCTL, id as usize, num as usize, cmd, value as usize) }
}

/// The `semctl` commands that fill one `semid64_ds`: of an identifier (`IPC_STAT`), or
/// of a table index (`SEM_STAT`, `SEM_STAT_ANY`: the result is then the set's identifier).
#[derive(Clone, Copy)]
#[repr(i32)]
pub(crate) enum SemStatCmd {
    Ipc = abi::IPC_STAT,
    Index = abi::SEM_STAT,
    IndexAny = abi::SEM_STAT_ANY,
}

/// `semctl(id, 0, cmd, &ds)`.
pub(crate) fn semctl_stat(id: i32, cmd: SemStatCmd, ds: &mut abi::SemidDs) -> Result<usize, Errno> {
    let (cmd, at) = (cmd as i32 as usize, ds as *mut abi::SemidDs as usize);
    // SAFETY: these commands write one semid64_ds, whose layout SemidDs is.
    unsafe { syscall4(nr::SEMCTL, id as usize, 0, cmd, at) }
}

/// `semctl(0, 0, SEM_INFO, &info)`: the system's limits and use; returns the index of the
/// highest set in use (0 when none is).
pub(crate) fn sem_info(info: &mut abi::SemInfo) -> Result<usize, Errno> {
    // SAFETY: SEM_INFO writes one struct seminfo.
    unsafe { syscall4(nr::SEMCTL, 0, 0, abi::SEM_INFO as usize, info as *mut _ as usize) }
}

/// `shmget(key, size, flags)`: returns the segment's identifier.
pub(crate) fn shmget(key: i32, size: usize, flags: i32) -> Result<i32, Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall3(nr::SHMGET, key as usize, size, flags as usize) }.map(|id| id as i32)
}

/// `shmat(id, NULL, 0)`: maps the segment read-write where the kernel chooses; returns
/// the address.
///
/// # Safety
/// The new mapping is shared with every process attached to the segment: the caller
/// gives access to it only through atomics or raw pointers, and unmaps it once.
pub(crate) unsafe fn shmat(id: i32) -> Result<usize, Errno> {
    // SAFETY: with no address hint the kernel picks unused address space, so the mapping
    // aliases no Rust object; the caller owns it.
    unsafe { syscall3(nr::SHMAT, id as usize, 0, 0) }
}

/// `shmdt(addr)`: detaches the attachment at `addr`.
///
/// # Safety
/// Nothing refers to the memory of that attachment any more.
pub(crate) unsafe fn shmdt(addr: usize) -> Result<(), Errno> {
    // SAFETY: the caller's promise: the unmapped memory is no longer referred to.
    unsafe { syscall2(nr::SHMDT, addr, 0) }.map(drop)
}

/// `shmctl(id, cmd, buf)` with `buf` a `struct shmid_ds` (IPC_STAT, SHM_STAT,
/// SHM_STAT_ANY: then `id` is a table index, and the result the segment's identifier) or
/// null (IPC_RMID). Any command is sound: none writes more than a `shmid64_ds` (IPC_INFO
/// and SHM_INFO write smaller structs; IPC_SET, SHM_LOCK and IPC_RMID write none).
pub(crate) fn shmctl(id: i32, cmd: i32, buf: Option<&mut abi::ShmidDs>) -> Result<usize, Errno> {
    let ptr = buf.map_or(0, |b| b as *mut abi::ShmidDs as usize);
    // SAFETY: buf is null or a writable shmid64_ds (ShmidDs's layout), more than any
    // command writes.
    unsafe { syscall3(nr::SHMCTL, id as usize, cmd as usize, ptr) }
}

/// `shmctl(0, SHM_INFO, &info)`: the system's use of segments; returns the index of the
/// highest segment in use (0 when none is).
pub(crate) fn shm_info(info: &mut abi::ShmInfo) -> Result<usize, Errno> {
    // SAFETY: info is a writable struct shm_info, all SHM_INFO writes.
    unsafe { syscall3(nr::SHMCTL, 0, abi::SHM_INFO as usize, info as *mut _ as usize) }
}

/// `msgctl(0, MSG_INFO, &info)`: the system's queue limits and use; returns the index of
/// the highest queue in use (0 when none is).
pub(crate) fn msg_info(info: &mut abi::MsgInfo) -> Result<usize, Errno> {
    // SAFETY: info is a writable struct msginfo, all MSG_INFO writes.
    unsafe { syscall3(nr::MSGCTL, 0, abi::MSG_INFO as usize, info as *mut _ as usize) }
}
