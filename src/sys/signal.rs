//! Signals: handlers and dispositions, masks, queued real-time signals, the periodic timer.

#[cfg(not(target_arch = "riscv64"))]
use super::arch;
use super::{abi, nr, opt_ptr, syscall3, syscall4};
use crate::errno::Errno;

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
