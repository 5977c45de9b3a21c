//! Supervision of a run, for programs started by bareipc's runtime ([`NoLibc`]):
//!
//! - **The lifeline**: a robust futex in memory shared with the workers, which the kernel
//!   marks FUTEX_OWNER_DIED when the parent dies, however it dies (SIGKILL included).
//!   Workers look at it between chunks of work and between slices of any wait
//!   ([`exit_if_orphaned`], [`patiently`]) and leave instead of waiting forever. Where the
//!   kernel has no robust lists (`set_robust_list` is ENOSYS: qemu-user, some sandboxes)
//!   the same checks compare `getppid()` with the parent's pid instead: one more system
//!   call per check, on those kernels only.
//! - **Stop signals**: SIGHUP, SIGINT and SIGTERM are caught (no SA_RESTART): the parent's
//!   blocking calls return EINTR and the run stops ([`stop_signal`]). A worker that gets
//!   one dies by it, so the parent reports its real fate. A stop signal the launcher set
//!   to *ignored* stays ignored (`nohup`, a shell's background job); one it *blocked* is
//!   unblocked: a mask survives `exec` by accident far more often than by design, and a
//!   run that only SIGKILL can stop leaks its System V queue.
//! - **Signals that would end the run silently or break it**: SIGPIPE and SIGXFSZ are
//!   ignored (a write to a closed pipe or beyond RLIMIT_FSIZE is then an EPIPE or EFBIG
//!   error that gets reported); SIGCHLD gets its default action back, since an inherited
//!   SIG_IGN makes the kernel reap workers itself and `wait4` could not say how they ended.
//! - **The watchdog tick**: a POSIX timer on CLOCK_MONOTONIC sends the process its own
//!   real-time signal ([`TICK`]) every 200 ms, interrupting any blocking call, so the
//!   parent looks at its workers (a queue has no end of file when a sender dies) and at
//!   stop requests at least that often. It is not `ITIMER_REAL`: a launcher's `alarm`
//!   still ends the run when it expires. The tick is unblocked whatever mask the launcher
//!   handed over.
//!
//! Workers inherit these dispositions and mask, and no timer (timers are not inherited by
//! `fork`), whatever the launcher set.
//!
//! Without supervision ([`Workers::new`]) none of this is armed: [`orphaned`] is always
//! false and [`patiently`] simply waits.
//!
//! [`NoLibc`]: super::NoLibc
//! [`Workers::new`]: super::Workers::new

use super::{Error, exit};
use crate::errno::{CallError, Context, Errno};
use crate::ipc::dir::RunFile;
use crate::ipc::shm::Mapping;
use crate::setting::Setting;
use crate::sys::{self, abi};
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32};

/// Exit status of a worker that ends without a report: its parent is dead, or another
/// worker has already reported the same failure.
pub(crate) const EXIT_ORPHANED: i32 = 1;

/// The first stop signal (SIGHUP, SIGINT, SIGTERM) the parent received, or 0.
static STOP: AtomicI32 = AtomicI32::new(0);
/// True in a worker, from just after its `fork`.
pub(crate) static IN_WORKER: AtomicBool = AtomicBool::new(false);
/// The lifeline page (see [`arm`]), once a run has started.
static LIFELINE: Setting<LifelinePage> = Setting::new();

/// The lifeline page, once a run has started.
fn lifeline() -> Option<&'static LifelinePage> {
    LIFELINE.get()
}

/// The stop signal the parent received (SIGHUP, SIGINT or SIGTERM), if any.
pub fn stop_signal() -> Option<i32> {
    match STOP.load(Relaxed) {
        0 => None,
        sig => Some(sig),
    }
}

/// The watchdog tick's signal: the first real-time signal free of glibc's (34, which
/// glibc calls `SIGRTMIN`).
pub const TICK: i32 = abi::SIGRTMIN;
/// The tick's period: 200 ms.
const TICK_PERIOD: abi::Timespec = abi::Timespec { tv_sec: 0, tv_nsec: 200_000_000 };

/// The handler of every signal a run catches. [`TICK`] only interrupts the blocked call.
/// A stop signal is recorded for the parent, which stops at its next look
/// ([`Workers::interrupted`](super::Workers::interrupted)); a worker instead ends by the
/// signal itself, as it would without a handler, so the parent reports its real fate.
extern "C" fn on_signal(sig: i32) {
    if sig == TICK {
        return;
    }
    if IN_WORKER.load(Relaxed) {
        // Async-signal-safe: three system calls. The signal is blocked while its handler
        // runs, so it is delivered — with the default action, death — on return.
        let _ = sys::set_signal_disposition(sig, false);
        let _ = sys::kill(rustix::process::getpid().as_raw_nonzero().get(), sig);
        return;
    }
    let _ = STOP.compare_exchange(0, sig, Relaxed, Relaxed);
}

/// In a worker: whether its parent has died (the kernel has marked the lifeline, or —
/// without robust lists — the worker has a new parent).
#[inline(always)]
pub fn orphaned() -> bool {
    IN_WORKER.load(Relaxed)
        && lifeline().is_some_and(|l| {
            let word = l.word.load(Relaxed);
            if l.watch_parent.load(Relaxed) == 0 {
                word & abi::FUTEX_OWNER_DIED != 0
            } else {
                rustix::process::getppid().map_or(0, |p| p.as_raw_nonzero().get()) as u32 != word
            }
        })
}

/// In a worker: whether it is the first of its run to report an error (see
/// `LifelinePage::reported`); true where no run has started.
pub(crate) fn first_to_report() -> bool {
    lifeline().is_none_or(|l| l.reported.swap(1, Relaxed) == 0)
}

/// In the worker that reports: its line is written (`LifelinePage::reported` = 2).
pub(crate) fn report_written() {
    if let Some(l) = lifeline() {
        l.reported.store(2, Release);
    }
}

/// In a worker that failed but does not report: waits until the one that reports has
/// written its line (yielding the CPU to it, at most a million times: a second or so),
/// so that its own exit — which ends the run and has the parent kill the other workers —
/// never comes before the line: the run's one line is never lost.
pub(crate) fn wait_for_report() {
    let Some(l) = lifeline() else { return };
    for _ in 0..1_000_000 {
        if l.reported.load(Acquire) == 2 {
            return;
        }
        sys::yield_now();
    }
}

/// In a worker: ends it quietly if its parent has died. Called between chunks of work and
/// between slices of any wait, so a worker outlives a killed parent by a few milliseconds.
#[inline(never)] // one copy: the kernel keeps its vectors in memory across the call
pub fn exit_if_orphaned() {
    if orphaned() {
        leave_orphaned();
    }
}

/// Names what the run removes however it ends: `file` — a FIFO, a socket file — which the
/// run made by name in the directory it entered (every process of the run finds it from
/// its working directory: see [`RunFile`]). The parent carries the will out
/// at the end ([`fulfil_will`]: explicitly on success, and when dropping its
/// [`Workers`](super::Workers) on every error); if the parent is killed, its workers do,
/// on their way out. The will is kept in the lifeline page, shared with the workers, so it
/// holds for workers forked before and after; once fulfilled it is revoked, so that no
/// orphan ever removes a name someone else made since. Without supervision, nothing.
///
/// The first orphaned worker to look takes the will (an atomic swap, which revokes it) and
/// carries it out; the others find none. (A worker that has already ended removes
/// nothing: a parent killed after its last worker ended and before its own clean-up
/// leaves the names behind; `bareipc clean` removes them.) Only the parent makes the will:
/// in a worker this does nothing.
pub fn will(file: &RunFile) {
    let Some(page) = lifeline().filter(|_| !IN_WORKER.load(Relaxed)) else { return };
    // Only programs that make a will carry the code that carries it out.
    static CARRY_OUT: Executor = carry_out_will;
    WILL_HOOK.set(&CARRY_OUT);
    // Revoked first, valid last (Release): an orphan never reads half of a will.
    page.will_set.store(0, Relaxed);
    // SAFETY: only this process writes the will, from its one thread; workers read it only
    // once this process has died (`carry_out_will`), so nobody reads it meanwhile.
    unsafe { page.will.get().write(core::mem::MaybeUninit::new(*file)) };
    page.will_set.store(1, Release);
}

/// How a will is carried out ([`carry_out_will`]).
type Executor = fn() -> Result<(), CallError>;

/// [`carry_out_will`] once a [`will`] was made, else nothing: binaries that make none
/// carry no code to remove files.
static WILL_HOOK: Setting<Executor> = Setting::new();

/// Carries out the [`will`], if one was made, and revokes it: what the parent does at the
/// end of a run, once no worker is left (an error path does it in dropping
/// [`Workers`](super::Workers), after the workers are reaped). Fails naming the `unlink`
/// that failed; what is already gone is not an error.
pub fn fulfil_will() -> Result<(), CallError> {
    WILL_HOOK.get().map_or(Ok(()), |carry_out| carry_out())
}

/// In a worker whose parent has died: carries out the [`will`], then exits quietly.
#[cold]
#[inline(never)]
pub(crate) fn leave_orphaned() -> ! {
    let _ = fulfil_will();
    exit(EXIT_ORPHANED)
}

/// Removes what the [`will`] names, if one is in force, and revokes it.
fn carry_out_will() -> Result<(), CallError> {
    let Some(page) = lifeline() else { return Ok(()) };
    if page.will_set.swap(0, Acquire) == 0 {
        return Ok(());
    }
    // SAFETY: the will is written, whole, only by the parent, from its one thread, before
    // `will_set` (Release, read above with Acquire); it is read here by the parent itself
    // or by a worker once the parent has died.
    unsafe { (*page.will.get()).assume_init_ref() }.remove()
}

/// How long a worker waits at most before it looks whether its parent has died: 100 ms.
pub const SLICE: abi::Timespec = abi::Timespec { tv_sec: 0, tv_nsec: 100_000_000 };

/// In a worker: runs `attempt(deadline)`, a call that may block until an absolute
/// CLOCK_REALTIME `deadline` and then fails with ETIMEDOUT. The first attempt gets a
/// deadline already past: a call that can complete at once does, with no clock read.
/// After that, attempts wait in slices of 100 ms, and between slices a worker whose
/// parent has died ends ([`exit_if_orphaned`]) instead of waiting forever on a queue or
/// semaphore nobody will drain or post. EINTR is retried the same way.
///
/// CLOCK_REALTIME because `mq_timedsend` and `sem_timedwait` take nothing else; each
/// deadline is only 100 ms ahead, and the run's own timing (the tick, [`wait_slice`])
/// is on CLOCK_MONOTONIC.
pub fn patiently<T>(
    mut attempt: impl FnMut(&abi::Timespec) -> Result<T, Errno>,
) -> Result<T, Errno> {
    let mut deadline = abi::Timespec::default();
    loop {
        match attempt(&deadline) {
            Err(Errno::ETIMEDOUT | Errno::EINTR) => {
                exit_if_orphaned();
                let now = sys::realtime_now()?;
                // tv_nsec < 10^9, so one carry at most.
                let carry = now.tv_nsec >= 900_000_000;
                deadline = abi::Timespec {
                    tv_sec: now.tv_sec + carry as i64,
                    tv_nsec: now.tv_nsec + 100_000_000 - carry as i64 * 1_000_000_000,
                };
            }
            done => return done,
        }
    }
}

/// In a worker of a supervised run: a tick of its own, [`TICK`] every [`SLICE`] (timers
/// are not inherited), which interrupts a blocking call that has no timeout (`msgsnd`)
/// with EINTR, so that [`patiently`] looks whether the parent has died between slices.
/// EINVAL where no run's handlers are installed (the tick's default action would end the
/// process). System calls: `timer_create`, `timer_settime`; the timer ends with the worker.
pub fn tick_in_worker() -> Result<(), Errno> {
    if !IN_WORKER.load(Relaxed) || lifeline().is_none() {
        return Err(Errno::EINVAL);
    }
    sys::periodic_signal(TICK, SLICE)
}

/// The waiting half of [`patiently`] for a call that cannot wait with a deadline of its
/// own, such as `msgsnd` with IPC_NOWAIT: fails with ETIMEDOUT at once on the first
/// attempt (its `deadline` is zero), else after sleeping 100 ms on CLOCK_MONOTONIC.
pub fn wait_slice<T>(deadline: &abi::Timespec) -> Result<T, Errno> {
    if *deadline != abi::Timespec::default() {
        let slice = rustix::thread::Timespec { tv_sec: SLICE.tv_sec, tv_nsec: SLICE.tv_nsec };
        use rustix::thread::{ClockId, NanosleepRelativeResult as Slept};
        if let Slept::Err(e) = rustix::thread::clock_nanosleep_relative(ClockId::Monotonic, &slice)
        {
            return Err(e.into());
        }
    }
    Err(Errno::ETIMEDOUT)
}

/// The lifeline: a robust futex that the parent "holds" and that the kernel marks
/// FUTEX_OWNER_DIED when the parent dies, however it dies (SIGKILL included), in memory
/// its workers share. Layout: the `struct robust_list_head` the kernel walks at exit, the
/// list's one entry, and the futex word (the parent's pid).
#[repr(C)]
struct LifelinePage {
    /// `robust_list_head.list.next`: the entry.
    head_next: usize,
    /// `robust_list_head.futex_offset`: from the entry to its futex word.
    futex_offset: isize,
    /// `robust_list_head.list_op_pending`: none.
    pending: usize,
    /// The entry's `next`: back to the head, closing the circular list.
    entry_next: usize,
    word: AtomicU32,
    /// 1 when the kernel has no robust lists: workers then watch `getppid()`.
    watch_parent: AtomicU32,
    /// 1 once a worker reports an error, 2 once its line is written: the others stay
    /// silent, so a limit that every worker hits makes one line, not W — and they wait
    /// for 2 before they exit, so that line comes before the end of the run.
    reported: AtomicU32,
    /// 1 while a [`will`] is in force.
    will_set: AtomicU32,
    /// The [`will`]: what to remove (written while `will_set` is 1; zeros before).
    will: core::cell::UnsafeCell<core::mem::MaybeUninit<RunFile>>,
}

// SAFETY: every field but the will is atomic or written once before the page is shared;
// the will is written only by the parent's one thread while `will_set` is 0, and read only
// after it reads 1 (Release/Acquire) — by the parent, or by a worker once the parent died.
unsafe impl Sync for LifelinePage {}

/// Maps the lifeline page, fills it for parent `pid` and registers it with the kernel.
///
/// # Safety
/// No other code of the process uses the robust futex list ([`super::NoLibc`]).
unsafe fn arm_lifeline(pid: i32) -> Result<(), Error> {
    let len = core::mem::size_of::<LifelinePage>();
    let mapping = Mapping::anonymous(len).call("mmap")?;
    let page = mapping.as_ptr() as *mut LifelinePage;
    // Never unmapped: the kernel walks the list when the process exits.
    core::mem::forget(mapping);
    let base = page as usize;
    let entry = base + core::mem::offset_of!(LifelinePage, entry_next);
    let word = base + core::mem::offset_of!(LifelinePage, word);
    // SAFETY: `page` is a fresh, page-aligned, writable mapping at least `len` bytes long,
    // so it holds one LifelinePage; it is shared with the workers forked later and never
    // unmapped, so the list registered below stays valid until the process exits; the
    // caller promises that no other robust list user exists.
    unsafe {
        // The mapping is zero-filled, which is every field's start but these (and the will,
        // which is not read before a `will` writes it).
        (&raw mut (*page).head_next).write(entry);
        (&raw mut (*page).futex_offset).write((word - entry) as isize);
        (&raw mut (*page).entry_next).write(base);
        (*page).word.store(pid as u32, Relaxed);
        match sys::set_robust_list(page as *const u8) {
            Err(Errno::ENOSYS) => (*page).watch_parent.store(1, Relaxed),
            other => other.call("set_robust_list")?,
        }
    }
    // SAFETY: the page is initialised above and never unmapped: a shared reference to it
    // is valid for the rest of the process.
    LIFELINE.set(unsafe { &*page });
    Ok(())
}

/// Arms the lifeline, the signals and the tick for a run whose parent is `pid` (see the
/// module's documentation).
///
/// System calls: `prctl` ([`forbid_inspection`](super::forbid_inspection)), `mmap`,
/// `set_robust_list`, seven `rt_sigaction` (one more for each stop signal the launcher
/// ignored), `rt_sigprocmask`, `timer_create`, `timer_settime`. The timer and the
/// handlers stay for the life of the process.
///
/// Once per process: a second call (another [`Workers`](super::Workers) set) finds it
/// armed and does nothing — the supervision is the process's, and serves every set.
///
/// # Safety
/// As for [`super::NoLibc`]: nothing else in the process uses that state.
pub(crate) unsafe fn arm(pid: i32) -> Result<(), Error> {
    if lifeline().is_some() {
        return Ok(());
    }
    super::forbid_inspection().call("prctl")?;
    // SAFETY: the caller's promise.
    unsafe { arm_lifeline(pid) }?;
    // While one of these signals' handler runs, the others wait: of two stop signals
    // that come at once, the first delivered (the lower number) is the one recorded —
    // without the mask the second would run first, nested inside the first's handler.
    let mask = 1u64 << (abi::SIGHUP - 1) | 1 << (abi::SIGINT - 1) | 1 << (abi::SIGTERM - 1);
    let mask = mask | 1 << (TICK - 1);
    // rt_sigaction and rt_sigprocmask fail only for an invalid signal number or pointer,
    // which these are not: their results are not checked (the checks would cost every
    // binary a few hundred bytes of error paths that can never run).
    let mut unblock = 1u64 << (TICK - 1);
    for sig in [abi::SIGHUP, abi::SIGINT, abi::SIGTERM] {
        if sys::set_signal_handler(sig, on_signal, mask) == Ok(abi::SIG_IGN) {
            // The launcher ignores it (nohup): put that back, and forget the signal if it
            // came in the instant our handler was there.
            let _ = sys::set_signal_disposition(sig, true);
            let _ = STOP.compare_exchange(sig, 0, Relaxed, Relaxed);
        } else {
            unblock |= 1 << (sig - 1);
        }
    }
    let _ = sys::set_signal_handler(TICK, on_signal, mask);
    let _ = sys::set_signal_disposition(abi::SIGPIPE, true);
    let _ = sys::set_signal_disposition(abi::SIGXFSZ, true);
    let _ = sys::set_signal_disposition(abi::SIGCHLD, false);
    let _ = sys::unblock_signals(unblock);
    static STOPPED: fn() -> bool = || stop_signal().is_some();
    crate::io::set_stop_check(&STOPPED);
    sys::periodic_signal(TICK, TICK_PERIOD).call("timer_create")?;
    Ok(())
}

/// The error for a stop signal, if one came.
pub(crate) fn stopped() -> Result<(), Error> {
    match stop_signal() {
        Some(signal) => Err(Error::Stopped { signal }),
        None => Ok(()),
    }
}
