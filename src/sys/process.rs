//! Processes and time: `fork`, `exit_group`, `kill`, `waitid`, `prctl`,
//! `process_vm_readv`, the stack limit, the clock, the robust list.

use super::{abi, arch, check, nr, syscall2, syscall4, syscall5};
use crate::errno::Errno;

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

/// `prlimit64(0, RLIMIT_STACK, NULL, &limit)`: the soft limit of the stack, in bytes
/// (`u64::MAX` where there is none, or the call fails).
pub(crate) fn stack_limit() -> u64 {
    let mut limit = [u64::MAX; 2];
    // SAFETY: prlimit64 writes one `struct rlimit64` (two u64) at `limit`, reads nothing.
    let _ =
        unsafe { syscall4(nr::PRLIMIT64, 0, abi::RLIMIT_STACK, 0, limit.as_mut_ptr() as usize) };
    limit[0]
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
