//! Supervision of a run, for programs started by bareipc's runtime ([`NoLibc`]):
//!
//! - **The lifeline**: a robust futex in memory shared with the workers, which the kernel
//!   marks FUTEX_OWNER_DIED when the parent dies, however it dies (SIGKILL included).
//!   Workers look at it between chunks of work and between slices of any wait
//!   ([`exit_if_orphaned`], [`patiently`]) and leave instead of waiting forever.
//! - **Stop signals**: SIGHUP, SIGINT and SIGTERM are caught (no SA_RESTART): the parent's
//!   blocking calls return EINTR and the run stops ([`stop_signal`]). A worker that gets
//!   one dies by it, so the parent reports its real fate. SIGPIPE is ignored: a write to a
//!   closed pipe is an EPIPE error that gets reported, never a silent death.
//! - **The watchdog tick**: SIGALRM every 200 ms interrupts any blocking call, so the
//!   parent looks at its workers (a queue has no end of file when a sender dies) and at
//!   stop requests at least that often.
//!
//! Without supervision ([`Workers::new`]) none of this is armed: [`orphaned`] is always
//! false and [`patiently`] simply waits.
//!
//! [`NoLibc`]: super::NoLibc
//! [`Workers::new`]: super::Workers::new

use super::{Error, exit};
use crate::errno::{Context, Errno};
use crate::ipc::shm::Mapping;
use crate::sys::{self, abi};
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU32};

/// Exit status of a worker that ends without a report: its parent is dead, or another
/// worker has already reported the same failure.
pub(crate) const EXIT_ORPHANED: i32 = 1;

/// The first stop signal (SIGHUP, SIGINT, SIGTERM) the parent received, or 0.
static STOP: AtomicI32 = AtomicI32::new(0);
/// True in a worker, from just after its `fork`.
pub(crate) static IN_WORKER: AtomicBool = AtomicBool::new(false);
/// The lifeline page (see [`arm`]); null until a run starts.
static LIFELINE: AtomicPtr<LifelinePage> = AtomicPtr::new(core::ptr::null_mut());

/// The lifeline page, once a run has started.
fn lifeline() -> Option<&'static LifelinePage> {
    // SAFETY: once non-null, the pointer is to the lifeline page, initialised before it
    // was stored and never unmapped (its robust list must stay valid until exit).
    unsafe { LIFELINE.load(Relaxed).as_ref() }
}

/// The stop signal the parent received (SIGHUP, SIGINT or SIGTERM), if any.
pub fn stop_signal() -> Option<i32> {
    match STOP.load(Relaxed) {
        0 => None,
        sig => Some(sig),
    }
}

/// The handler of every signal a run catches. SIGALRM (the tick) only interrupts the
/// blocked call. A stop signal is recorded for the parent, which stops at its next look
/// ([`Workers::interrupted`](super::Workers::interrupted)); a worker instead ends by the signal itself, as it would
/// without a handler, so the parent reports its real fate.
extern "C" fn on_signal(sig: i32) {
    if sig == abi::SIGALRM {
        return;
    }
    if IN_WORKER.load(Relaxed) {
        // Async-signal-safe: three system calls. The signal is blocked while its handler
        // runs, so it is delivered — with the default action, death — on return.
        let _ = sys::set_signal_handler(sig, abi::SIG_DFL, 0);
        let _ = sys::kill(rustix::process::getpid().as_raw_nonzero().get(), sig);
        return;
    }
    let _ = STOP.compare_exchange(0, sig, Relaxed, Relaxed);
}

/// In a worker: whether its parent has died (the kernel has marked the lifeline).
pub fn orphaned() -> bool {
    IN_WORKER.load(Relaxed)
        && lifeline().is_some_and(|l| l.word.load(Relaxed) & abi::FUTEX_OWNER_DIED != 0)
}

/// In a worker: whether it is the first of its run to report an error (see
/// `LifelinePage::reported`); true where no run has started.
pub(crate) fn first_to_report() -> bool {
    lifeline().is_none_or(|l| l.reported.swap(1, Relaxed) == 0)
}

/// In a worker: ends it quietly if its parent has died. Called between chunks of work and
/// between slices of any wait, so a worker outlives a killed parent by a few milliseconds.
pub fn exit_if_orphaned() {
    if orphaned() {
        exit(EXIT_ORPHANED);
    }
}

/// In a worker: runs `attempt(deadline)`, a call that may block until an absolute
/// CLOCK_REALTIME `deadline` and then fails with ETIMEDOUT. The first attempt gets a
/// deadline already past: a call that can complete at once does, with no clock read.
/// After that, attempts wait in slices of 100 ms, and between slices a worker whose
/// parent has died ends ([`exit_if_orphaned`]) instead of waiting forever on a queue or
/// semaphore nobody will drain or post. EINTR is retried the same way.
pub fn patiently<T>(
    mut attempt: impl FnMut(&abi::Timespec) -> Result<T, Errno>,
) -> Result<T, Errno> {
    let mut deadline = abi::Timespec::default();
    loop {
        match attempt(&deadline) {
            Err(Errno::ETIMEDOUT | Errno::EINTR) => {
                exit_if_orphaned();
                let now = sys::realtime_now()?;
                let ns = now.tv_nsec + 100_000_000;
                deadline = abi::Timespec {
                    tv_sec: now.tv_sec + ns / 1_000_000_000,
                    tv_nsec: ns % 1_000_000_000,
                };
            }
            done => return done,
        }
    }
}

/// Sleeps until the absolute CLOCK_REALTIME `deadline` (not at all if it has passed), then
/// fails with ETIMEDOUT: the waiting half of [`patiently`] for a call that cannot wait
/// with a deadline of its own, such as `msgsnd` with IPC_NOWAIT.
pub fn sleep_until<T>(deadline: &abi::Timespec) -> Result<T, Errno> {
    let at = rustix::thread::Timespec { tv_sec: deadline.tv_sec, tv_nsec: deadline.tv_nsec };
    match rustix::thread::clock_nanosleep_absolute(rustix::thread::ClockId::Realtime, &at) {
        Ok(()) | Err(rustix::io::Errno::INTR) => Err(Errno::ETIMEDOUT),
        Err(e) => Err(e.into()),
    }
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
    /// Set by the first worker that reports an error: the others stay silent, so a limit
    /// that every worker hits makes one line, not W.
    reported: AtomicU32,
}

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
        page.write(LifelinePage {
            head_next: entry,
            futex_offset: (word - entry) as isize,
            pending: 0,
            entry_next: base,
            word: AtomicU32::new(pid as u32),
            reported: AtomicU32::new(0),
        });
        sys::set_robust_list(page as *const u8).call("set_robust_list")?;
    }
    LIFELINE.store(page, Relaxed);
    Ok(())
}

/// The signals a run catches, and the tick period.
const CAUGHT: [i32; 4] = [abi::SIGHUP, abi::SIGINT, abi::SIGTERM, abi::SIGALRM];
const TICK_US: u64 = 200_000;

/// Arms the lifeline, the stop signals and the tick for a run whose parent is `pid`.
///
/// System calls: `mmap`, `set_robust_list`, five `rt_sigaction`, `setitimer`. The timer
/// and the handlers stay for the life of the process.
///
/// # Safety
/// As for [`super::NoLibc`]: nothing else in the process uses that state.
pub(crate) unsafe fn arm(pid: i32) -> Result<(), Error> {
    // SAFETY: the caller's promise.
    unsafe { arm_lifeline(pid) }?;
    let handler = on_signal as extern "C" fn(i32) as usize;
    for sig in CAUGHT {
        sys::set_signal_handler(sig, handler, 0).call("rt_sigaction")?;
    }
    sys::set_signal_handler(abi::SIGPIPE, abi::SIG_IGN, 0).call("rt_sigaction")?;
    sys::set_real_timer(TICK_US, TICK_US).call("setitimer")?;
    Ok(())
}

/// The error for a stop signal, if one came.
pub(crate) fn stopped() -> Result<(), Error> {
    match stop_signal() {
        Some(signal) => Err(Error::Stopped { signal }),
        None => Ok(()),
    }
}
