//! Processes: fork, a set of workers that is always reaped, exit statuses, exit.

use crate::abi;
use crate::error::{Context, Error};
use crate::fmt::Line;
use crate::sys;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU32};
use rustix::process::{Pid, Signal, WaitOptions};

/// Proof that the process has a single thread, which makes `fork` safe to use freely: the
/// child cannot inherit a lock held by another thread.
///
/// The program entry point creates it; nothing else in a bareipc binary starts threads.
pub struct SingleThreaded(());

impl SingleThreaded {
    /// Asserts that the calling process has exactly one thread.
    ///
    /// # Safety
    /// The process must have one thread now and start no other while the token lives, or
    /// every child forked with it must restrict itself to async-signal-safe work.
    pub unsafe fn assume() -> SingleThreaded {
        SingleThreaded(())
    }
}

/// How a child process ended, decoded from its `wait4` status.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fate {
    /// It called `exit` with this status.
    Exited(i32),
    /// A signal with this number ended it.
    Signaled(i32),
}

impl Fate {
    fn from_status(status: rustix::process::WaitStatus) -> Fate {
        match (status.exit_status(), status.terminating_signal()) {
            (Some(code), _) => Fate::Exited(code),
            (None, Some(sig)) => Fate::Signaled(sig),
            // wait4 without WUNTRACED/WCONTINUED reports only terminations.
            (None, None) => Fate::Exited(-1),
        }
    }

    /// Appends `exited with status N` or `was killed by signal N (SIGNAME)`.
    pub fn describe(&self, l: &mut Line) {
        match *self {
            Fate::Exited(code) => {
                l.str("exited with status ").i64(code as i64);
            }
            Fate::Signaled(sig) => {
                l.str("was killed by signal ").i64(sig as i64);
                if let Some(name) = signal_name(sig) {
                    l.str(" (").str(name).str(")");
                }
            }
        }
    }
}

/// The name of signal `sig` (1..=31 on x86_64), such as `"SIGKILL"`.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    // One string rather than 31: no table of pointers in every binary.
    const NAMES: &str = "SIGHUP SIGINT SIGQUIT SIGILL SIGTRAP SIGABRT SIGBUS SIGFPE SIGKILL \
        SIGUSR1 SIGSEGV SIGUSR2 SIGPIPE SIGALRM SIGTERM SIGSTKFLT SIGCHLD SIGCONT SIGSTOP \
        SIGTSTP SIGTTIN SIGTTOU SIGURG SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGWINCH SIGIO \
        SIGPWR SIGSYS";
    if !(1..=31).contains(&sig) {
        return None;
    }
    crate::fmt::field(NAMES, b' ', sig as usize - 1)
}

/// `exit_group(code)`: ends the process now. No destructor runs, which is what a forked
/// worker needs: its copies of the parent's handles must not unlink the parent's objects.
pub fn exit(code: i32) -> ! {
    sys::exit_group(code)
}

/// Leaves what `value` holds — descriptors, mappings — to the kernel, which releases all of
/// a process's descriptors and mappings in its one `exit_group`.
///
/// For the parent at the end of a run, closing W descriptors one by one costs W syscalls
/// (each one in every `strace`) and frees nothing the rest of the run needs. Only for what
/// the kernel releases at exit: never for names or System V objects, which outlive the
/// process.
pub fn keep_until_exit<T>(value: T) {
    core::mem::forget(value)
}

/// The most workers a [`Workers`] set holds.
pub const MAX_WORKERS: usize = 512;

/// Exit status of a worker that ends without a report: its parent is dead, or another
/// worker has already reported the same failure.
const EXIT_ORPHANED: i32 = 1;

/// The first stop signal (SIGHUP, SIGINT, SIGTERM) the parent received, or 0.
static STOP: AtomicI32 = AtomicI32::new(0);
/// True in a worker, from just after its `fork`.
static IN_WORKER: AtomicBool = AtomicBool::new(false);
/// The lifeline page (see [`Workers::start`]); null until a run starts.
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
/// ([`Workers::interrupted`]); a worker instead ends by the signal itself, as it would
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
fn first_to_report() -> bool {
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
    mut attempt: impl FnMut(&abi::Timespec) -> Result<T, crate::errno::Errno>,
) -> Result<T, crate::errno::Errno> {
    use crate::errno::Errno;
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
pub fn sleep_until<T>(deadline: &abi::Timespec) -> Result<T, crate::errno::Errno> {
    let at = rustix::thread::Timespec { tv_sec: deadline.tv_sec, tv_nsec: deadline.tv_nsec };
    match rustix::thread::clock_nanosleep_absolute(rustix::thread::ClockId::Realtime, &at) {
        Ok(()) | Err(rustix::io::Errno::INTR) => Err(crate::errno::Errno::ETIMEDOUT),
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
fn arm_lifeline(pid: i32) -> Result<(), Error> {
    use rustix::mm::{MapFlags, ProtFlags};
    let len = core::mem::size_of::<LifelinePage>();
    // SAFETY: a new anonymous mapping; nothing else refers to its address.
    let page = unsafe {
        rustix::mm::mmap_anonymous(
            core::ptr::null_mut(),
            len,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
        )
    }
    .call("mmap")? as *mut LifelinePage;
    let base = page as usize;
    let entry = base + core::mem::offset_of!(LifelinePage, entry_next);
    let word = base + core::mem::offset_of!(LifelinePage, word);
    // SAFETY: `page` is a fresh, page-aligned, writable mapping at least `len` bytes long,
    // so it holds one LifelinePage; it is shared with the workers forked later and never
    // unmapped, so the list registered below stays valid until the process exits; the
    // programs are single-threaded and use no libc, so no other robust list exists.
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

/// The workers of one run, each a forked child identified by its index.
///
/// A child that has not been reaped when the set is dropped (an error path) is killed with
/// SIGKILL and reaped, so a run never leaves a process behind.
pub struct Workers {
    /// The pid of each worker not yet reaped.
    pids: [Option<Pid>; MAX_WORKERS],
    len: usize,
    running: usize,
    parent: i32,
}

impl Workers {
    /// Prepares the process to run workers, before it creates anything a run could leak:
    ///
    /// - SIGHUP, SIGINT and SIGTERM are caught (no SA_RESTART): the parent's blocking
    ///   calls return EINTR, and the run stops, kills and reaps its workers, removes its
    ///   objects and exits with 128 + the signal ([`stop_signal`]). SIGPIPE is ignored: a
    ///   write to a closed pipe is an EPIPE error that gets reported, never a silent death.
    /// - A SIGALRM tick every 200 ms interrupts any blocking call, so the parent looks at
    ///   its workers (a queue has no end of file when a sender dies) and at stop requests
    ///   at least that often, even where a signal came just before it blocked.
    /// - The lifeline: a robust futex in memory shared with the workers, which the kernel
    ///   marks when the parent dies, even by SIGKILL ([`exit_if_orphaned`]).
    ///
    /// System calls: `getpid`, `mmap`, `set_robust_list`, five `rt_sigaction`, `setitimer`.
    /// The timer and the handlers stay for the life of the process.
    pub fn start(_single: &SingleThreaded) -> Result<Workers, Error> {
        let parent = rustix::process::getpid().as_raw_nonzero().get();
        arm_lifeline(parent)?;
        let handler = on_signal as extern "C" fn(i32) as usize;
        for sig in CAUGHT {
            sys::set_signal_handler(sig, handler, 0).call("rt_sigaction")?;
        }
        sys::set_signal_handler(abi::SIGPIPE, abi::SIG_IGN, 0).call("rt_sigaction")?;
        sys::set_real_timer(TICK_US, TICK_US).call("setitimer")?;
        Ok(Workers { pids: [None; MAX_WORKERS], len: 0, running: 0, parent })
    }

    /// The parent's pid (read once by [`start`](Self::start)).
    pub fn parent_pid(&self) -> i32 {
        self.parent
    }

    /// How many workers were started.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no worker was started.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `fork()`s worker number `len()`, which runs `work` and exits: status 0 if it returns
    /// `Ok`, else status 1 after reporting the error as `PROGRAM: worker I: …`.
    ///
    /// The child runs `work` and ends in `exit_group`, which releases its descriptors;
    /// the parent closes its copy of the child's end of a channel itself, after `spawn`
    /// (the usual "close the other end" step of fork-based IPC), so a closure that only
    /// borrows that end costs the child no `close`.
    ///
    /// References: [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html)
    #[doc(alias = "fork")]
    pub fn spawn(
        &mut self,
        _single: &SingleThreaded,
        work: impl FnOnce() -> Result<(), Error>,
    ) -> Result<(), Error> {
        if let Some(signal) = stop_signal() {
            return Err(Error::Stopped { signal });
        }
        let index = self.len;
        if index == MAX_WORKERS {
            return Err(Error::Sys { call: "fork", errno: crate::errno::Errno::EAGAIN });
        }
        // SAFETY: `_single` proves the process has one thread.
        match unsafe { sys::fork() } {
            Err(errno) => Err(Error::Sys { call: "fork", errno }),
            Ok(0) => {
                IN_WORKER.store(true, Relaxed);
                exit_if_orphaned(); // the parent died before this worker began
                let code = match work() {
                    Ok(()) => 0,
                    // Silent: nobody waits for an orphan, and when every worker hits the
                    // same limit, one line says it.
                    Err(_) if orphaned() || !first_to_report() => EXIT_ORPHANED,
                    Err(e) => {
                        let mut l = crate::error::line();
                        l.str("worker ").u64(index as u64).str(": ");
                        e.describe(&mut l);
                        l.str("\n");
                        crate::io::eprint(&l);
                        1
                    }
                };
                exit(code)
            }
            Ok(pid) => {
                self.pids[index] = Pid::from_raw(pid as i32);
                self.len += 1;
                self.running += 1;
                Ok(())
            }
        }
    }

    /// What the parent does when a blocking call returns EINTR: stop if a stop signal
    /// came; else reap the workers that ended, failing if one failed. Returns how many
    /// still run.
    pub fn interrupted(&mut self) -> Result<usize, Error> {
        if let Some(signal) = stop_signal() {
            return Err(Error::Stopped { signal });
        }
        self.check()
    }

    /// `wait4(pid, …)` for worker `index`: blocks until it ends and returns how.
    /// A worker already reaped reports `Exited(0)`.
    ///
    /// References: [wait4(2)](https://man7.org/linux/man-pages/man2/wait4.2.html)
    #[doc(alias = "wait4")]
    pub fn reap(&mut self, index: usize) -> Result<Fate, Error> {
        let Some(pid) = self.pids.get(index).copied().flatten() else {
            return Ok(Fate::Exited(0));
        };
        let waited = crate::io::retry_on_intr(|| {
            Ok(rustix::process::waitpid(Some(pid), WaitOptions::empty())?)
        });
        match waited {
            Ok(Some((_, status))) => Ok(self.settle(index, status)),
            Ok(None) => Err(Error::Sys { call: "wait4", errno: crate::errno::Errno::ECHILD }),
            Err(errno) => Err(Error::Sys { call: "wait4", errno }),
        }
    }

    /// Reaps every worker, in the order they end (`wait4(-1, …)`), so a worker that dies
    /// early is seen at once even while others still run — or wait forever on a semaphore
    /// the dead one held. Fails with the first worker that did not exit with status 0, or
    /// when a stop signal comes; the set's drop then stops and reaps the rest.
    pub fn reap_all(&mut self) -> Result<(), Error> {
        while self.running > 0 {
            match self.reap_next(WaitOptions::empty()) {
                Err(Error::Sys { errno: crate::errno::Errno::EINTR, .. }) => {
                    if let Some(signal) = stop_signal() {
                        return Err(Error::Stopped { signal });
                    }
                }
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }

    /// Reaps the workers that have ended, without blocking (`wait4(-1, …, WNOHANG)`);
    /// returns how many still run. Fails as [`reap_all`](Self::reap_all) does.
    pub fn check(&mut self) -> Result<usize, Error> {
        while self.running > 0 && self.reap_next(WaitOptions::NOHANG)? {}
        Ok(self.running)
    }

    /// Records that worker `index` was reaped with `status`; returns its fate.
    fn settle(&mut self, index: usize, status: rustix::process::WaitStatus) -> Fate {
        self.pids[index] = None;
        self.running -= 1;
        Fate::from_status(status)
    }

    /// One `wait4(-1, …, options)` (any child; `waitpid(None)` would be 0, the process
    /// group): whether a worker was reaped. EINTR is returned, not retried.
    fn reap_next(&mut self, options: WaitOptions) -> Result<bool, Error> {
        let (pid, status) = match rustix::process::wait(options) {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(false),
            Err(e) => return Err(Error::Sys { call: "wait4", errno: e.into() }),
        };
        let Some(index) = self.pids[..self.len].iter().position(|&p| p == Some(pid)) else {
            return Ok(true); // not one of ours (cannot happen: we start no other child)
        };
        match self.settle(index, status) {
            Fate::Exited(0) => Ok(true),
            fate => Err(Error::Worker { index, fate }),
        }
    }

    /// The error to report for worker `index` whose message went wrong: its fate if it died
    /// or failed (the root cause), else `problem` itself.
    pub fn blame(&mut self, index: usize, problem: Error) -> Error {
        match self.reap(index) {
            Ok(Fate::Exited(0)) => problem,
            Ok(fate) => Error::Worker { index, fate },
            Err(_) => problem,
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for index in 0..self.len {
            if let Some(pid) = self.pids[index] {
                let _ = rustix::process::kill_process(pid, Signal::KILL);
                let _ = self.reap(index);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names() {
        assert_eq!(signal_name(9), Some("SIGKILL"));
        assert_eq!(signal_name(15), Some("SIGTERM"));
        assert_eq!(signal_name(31), Some("SIGSYS"));
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(64), None);
        for (sig, name) in
            [(libc::SIGCHLD, "SIGCHLD"), (libc::SIGPIPE, "SIGPIPE"), (libc::SIGPWR, "SIGPWR")]
        {
            assert_eq!(signal_name(sig), Some(name));
        }
    }
}
