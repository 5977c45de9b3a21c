//! Forked workers, always reaped; a run that owns its workers and its objects.

use super::supervise::{self, EXIT_ORPHANED, IN_WORKER};
use super::{Error, Fate, NoLibc, SingleThreaded, exit, failed};
use crate::errno::Errno;
use crate::fmt::Describe;
use core::sync::atomic::Ordering::Relaxed;
use rustix::process::{Pid, Signal, WaitOptions};

/// The most workers a [`Workers`] set holds.
pub const MAX_WORKERS: usize = 512;

/// Exit status of a worker whose work panicked (and unwound: std programs and tests); the
/// status std gives a program whose main thread panics.
pub const EXIT_PANIC: i32 = 101;

/// Ends the process if dropped: armed around a worker's work, so that a panic that unwinds
/// out of it ends the child there instead of carrying it back into its parent's code.
struct ExitOnUnwind;

impl Drop for ExitOnUnwind {
    fn drop(&mut self) {
        exit(EXIT_PANIC)
    }
}

/// A worker's place in a [`Workers`] set: its pid while it runs (> 0), how it ended once
/// reaped (< 0: −1 − status for an exit, −1000 − signal for a death), 0 before it starts.
#[derive(Clone, Copy, Debug)]
struct Slot(i32);

impl Slot {
    fn ended(fate: Fate) -> Slot {
        Slot(match fate {
            Fate::Exited(code) => -1 - (code & 0xff),
            Fate::Signaled(sig) => -1000 - sig,
        })
    }

    fn pid(self) -> Option<Pid> {
        Pid::from_raw(self.0.max(0))
    }

    fn fate(self) -> Option<Fate> {
        match self.0 {
            -256..=-1 => Some(Fate::Exited(-1 - self.0)),
            ..=-1000 => Some(Fate::Signaled(-1000 - self.0)),
            _ => None,
        }
    }
}

/// The workers of one run, each a forked child identified by its index.
///
/// A child that has not been reaped when the set is dropped (an error path) is killed with
/// SIGKILL and reaped, so a run never leaves a process behind. Only the set's own children
/// are ever waited for, killed or reaped: a process may have other children (a
/// `std::process::Command`, another set), and a pid the set has reaped may be another
/// process's by the time anyone looks. Not `Clone`: the set is the one record of which
/// children are still to be reaped.
#[derive(Debug)]
pub struct Workers {
    /// Each worker's pid while it runs, its fate once reaped.
    pids: [Slot; MAX_WORKERS],
    len: usize,
    running: usize,
    parent: i32,
}

impl Workers {
    /// An empty set for a process that supervises nothing: `fork`, `wait4` and kill on
    /// drop only. No signal handler, timer or robust list is touched, so any std program
    /// may use it. System calls: `getpid`.
    pub fn new(_single: &SingleThreaded) -> Workers {
        let parent = rustix::process::getpid().as_raw_nonzero().get();
        Workers { pids: [Slot(0); MAX_WORKERS], len: 0, running: 0, parent }
    }

    /// An empty set for a supervised run (see [`supervise`]): prepares the process before
    /// it creates anything a run could leak — the lifeline, the stop signals, the tick.
    ///
    /// System calls: `getpid`, then those of arming the supervision (`prctl`
    /// PR_SET_DUMPABLE 0 — see [`forbid_inspection`](super::forbid_inspection) — `mmap`,
    /// `set_robust_list`, seven `rt_sigaction`, `rt_sigprocmask`, `timer_create`,
    /// `timer_settime`). The timer and the handlers stay for the life of the process.
    pub fn start(single: &SingleThreaded, _no_libc: &NoLibc) -> Result<Workers, Error> {
        let workers = Workers::new(single);
        // SAFETY: `_no_libc` proves nothing else uses the state `arm` takes over.
        unsafe { supervise::arm(workers.parent) }?;
        Ok(workers)
    }

    /// The parent's pid (read once when the set was made).
    pub fn parent_pid(&self) -> i32 {
        self.parent
    }

    /// Worker `index`'s pid, until it is reaped.
    pub fn pid(&self, index: usize) -> Option<i32> {
        Some(self.pids.get(index)?.0).filter(|&pid| pid > 0)
    }

    /// Ends worker `index` now, as the run meant to: `kill(pid, SIGKILL)`, then
    /// `wait4(pid, …)`. Death by that SIGKILL — or an exit with status 0, had it ended
    /// already — is success; any other fate is the worker's error, as from [`reap`].
    /// (For a protocol whose workers wait, stopped, until the parent is done with them.)
    ///
    /// [`reap`]: Self::reap
    pub fn end(&mut self, index: usize) -> Result<(), Error> {
        if let Some(pid) = self.pids.get(index).and_then(|slot| slot.pid()) {
            let _ = rustix::process::kill_process(pid, Signal::KILL);
        }
        match self.reap(index)? {
            Fate::Exited(0) => Ok(()),
            Fate::Signaled(sig) if sig == Signal::KILL.as_raw() => Ok(()),
            fate => Err(Error::Worker { index, fate }),
        }
    }

    /// The index of the worker whose pid is `pid`, until it is reaped.
    pub fn index_of(&self, pid: i32) -> Option<usize> {
        (0..self.len).find(|&i| self.pid(i) == Some(pid))
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
    /// `Ok`, else status 1 after reporting the error on stderr as
    /// `PROGRAM: worker I: DESCRIPTION` (once per run: when every worker hits the same
    /// limit, the first to fail says so). If `work` panics and unwinds, the worker exits
    /// with [`EXIT_PANIC`]: a child never returns into its parent's code.
    ///
    /// The child ends in `exit_group`, running no destructor: its copies of the parent's
    /// handles never unlink or remove the parent's objects, and its descriptors are
    /// released by the kernel. The parent closes its copy of the child's end of a channel
    /// itself, after `spawn` (the usual "close the other end" step of fork-based IPC).
    ///
    /// References: [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html)
    #[doc(alias = "fork")]
    pub fn spawn<E: Describe>(
        &mut self,
        _single: &SingleThreaded,
        work: impl FnOnce() -> Result<(), E>,
    ) -> Result<(), Error> {
        supervise::stopped()?;
        let index = self.len;
        if index == MAX_WORKERS {
            return Err(failed("fork", Errno::EAGAIN));
        }
        // SAFETY: `_single` proves the process has one thread.
        match unsafe { crate::sys::fork() } {
            Err(errno) => Err(failed("fork", errno)),
            Ok(0) => {
                IN_WORKER.store(true, Relaxed);
                supervise::exit_if_orphaned(); // the parent died before this worker began
                let guard = ExitOnUnwind;
                let code = match work() {
                    Ok(()) => 0,
                    // Silent: nobody waits for an orphan, and when every worker hits the
                    // same limit, one line says it.
                    Err(_) if supervise::orphaned() => supervise::leave_orphaned(),
                    Err(_) if !supervise::first_to_report() => {
                        supervise::wait_for_report();
                        EXIT_ORPHANED
                    }
                    Err(e) => {
                        let mut l = crate::io::report_line();
                        l.fill("worker #: ", &[index as u64]);
                        e.describe(&mut l);
                        l.str("\n");
                        crate::io::eprint(&l);
                        supervise::report_written();
                        1
                    }
                };
                core::mem::forget(guard);
                exit(code)
            }
            Ok(pid) => {
                self.pids[index] = Slot(pid as i32);
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
        supervise::stopped()?;
        self.check()
    }

    /// `wait4(pid, …)` for worker `index`: blocks until it ends and returns how — or, for
    /// a worker already reaped, how it ended then. EINTR is retried. ECHILD for an index
    /// that was never a worker.
    ///
    /// References: [wait4(2)](https://man7.org/linux/man-pages/man2/wait4.2.html)
    #[doc(alias = "wait4")]
    pub fn reap(&mut self, index: usize) -> Result<Fate, Error> {
        if let Some(fate) = self.pids.get(index).and_then(|slot| slot.fate()) {
            return Ok(fate);
        }
        crate::io::retry_on_intr(|| self.reap_if(index, WaitOptions::empty()))
            .map_err(|errno| failed("wait4", errno))?
            .ok_or(failed("wait4", Errno::ECHILD))
    }

    /// Reaps every worker, and only this set's: fails with the first worker that did not
    /// exit with status 0, or when a stop signal comes; the set's drop then stops and
    /// reaps the rest. Waits for each in turn (`wait4(pid, …)`); in a supervised run the
    /// watchdog tick interrupts the wait every 200 ms to look at all of them
    /// ([`check`](Self::check)), so a worker that dies early is seen at once even while
    /// another still runs — or waits forever on a lock the dead one held. Without
    /// supervision, nothing interrupts: the workers are reaped in the order they started.
    pub fn reap_all(&mut self) -> Result<(), Error> {
        for index in 0..self.len {
            loop {
                match self.settle(index, WaitOptions::empty()) {
                    Err(Error::Sys(e)) if e.errno == Errno::EINTR => {
                        supervise::stopped()?;
                        self.check()?;
                    }
                    done => break done?,
                }
            }
        }
        Ok(())
    }

    /// Waits for what the workers send, and never for ever: `attempt` is one bounded try
    /// at receiving — a receive with a deadline a fraction of a second away
    /// ([`deadline_after`](crate::ipc::deadline_after)), or a non-blocking one — that
    /// fails with ETIMEDOUT or EAGAIN when nothing came. Between tries the set
    /// [`check`](Self::check)s its workers: one that failed or died ends the wait, named
    /// ([`Error::Worker`]); once every worker has ended and a try begun after that finds
    /// nothing, nothing more can come, and the wait ends with `call`'s ETIMEDOUT. Other
    /// errors of `attempt` end it as `call`'s.
    ///
    /// The receive loop of a program without supervision (any std program): with a plain
    /// blocking receive, a worker that dies before it sends leaves the parent waiting for
    /// good. (A supervised run gets the same from the watchdog tick, which interrupts any
    /// blocking call: see [`interrupted`](Self::interrupted).)
    ///
    /// ```
    /// # use bareipc::errno::{CallError, Errno};
    /// # use bareipc::process::{Error, Fate, SingleThreaded, Workers};
    /// # use bareipc::ipc::{deadline_after, name::Name};
    /// # use bareipc::ipc::mq::{Access, MessageQueue, MqAttr, Timespec, unlink};
    /// # fn main() -> Result<(), Error> {
    /// // SAFETY: this doc test's process has one thread.
    /// let single = unsafe { SingleThreaded::assume() };
    /// let name = Name::unique("doc").map_err(|errno| CallError { call: "getrandom", errno })?;
    /// let attr = MqAttr::new(4, 8);
    /// let queue = MessageQueue::create(&name, Access::ReadWrite, 0o600, &attr)
    ///     .map_err(|errno| CallError { call: "mq_open", errno })?;
    /// let _ = unlink(&name);
    /// let mut workers = Workers::new(&single);
    /// // A worker that dies before it sends anything.
    /// workers.spawn(&single, || -> Result<(), CallError> { bareipc::process::exit(3) })?;
    /// let mut buf = [0u8; 8];
    /// let got = workers.wait_for("mq_timedreceive", || {
    ///     let deadline = deadline_after(&Timespec { tv_sec: 0, tv_nsec: 100_000_000 })?;
    ///     queue.receive(&mut buf, Some(&deadline))
    /// });
    /// assert_eq!(got, Err(Error::Worker { index: 0, fate: Fate::Exited(3) }));
    /// # Ok(()) }
    /// ```
    pub fn wait_for<T>(
        &mut self,
        call: &'static str,
        mut attempt: impl FnMut() -> Result<T, Errno>,
    ) -> Result<T, Error> {
        loop {
            // Every worker ended before this try began: what it misses never comes.
            let none_left = self.running == 0;
            match attempt() {
                Ok(value) => return Ok(value),
                Err(Errno::ETIMEDOUT | Errno::EAGAIN | Errno::EINTR) if none_left => {
                    return Err(failed(call, Errno::ETIMEDOUT));
                }
                Err(Errno::ETIMEDOUT | Errno::EAGAIN | Errno::EINTR) => {
                    self.check()?;
                }
                Err(errno) => return Err(failed(call, errno)),
            }
        }
    }

    /// Reaps the workers that have ended, without blocking (`wait4(pid, …, WNOHANG)` for
    /// each that runs); returns how many still run. Fails as [`reap_all`](Self::reap_all)
    /// does.
    pub fn check(&mut self) -> Result<usize, Error> {
        for index in 0..self.len {
            self.settle(index, WaitOptions::NOHANG)?;
        }
        Ok(self.running)
    }

    /// [`reap_if`](Self::reap_if), failing for a worker reaped now that did not exit with
    /// status 0 (and with the call's error, EINTR included).
    fn settle(&mut self, index: usize, options: WaitOptions) -> Result<(), Error> {
        match self.reap_if(index, options) {
            Ok(Some(Fate::Exited(0)) | None) => Ok(()),
            Ok(Some(fate)) => Err(Error::Worker { index, fate }),
            Err(errno) => Err(failed("wait4", errno)),
        }
    }

    /// `wait4(pid, …, options)` for worker `index` if it runs: its fate once it has ended
    /// (recorded, for [`reap`](Self::reap) to give again), or `None` if it still runs
    /// (WNOHANG), was reaped before or never started. EINTR is returned, not retried.
    fn reap_if(&mut self, index: usize, options: WaitOptions) -> Result<Option<Fate>, Errno> {
        let Some(pid) = self.pids.get(index).and_then(|slot| slot.pid()) else { return Ok(None) };
        match rustix::process::waitpid(Some(pid), options)? {
            None => Ok(None),
            Some((_, status)) => {
                let fate = Fate::from_status(status);
                self.pids[index] = Slot::ended(fate);
                self.running -= 1;
                Ok(Some(fate))
            }
        }
    }
}

impl Drop for Workers {
    /// Kills every worker still running, then reaps them all: W `kill`s first, so they
    /// die together in about the time one takes. (Killing and reaping one at a time
    /// waits, for each, until the scheduler gets round to the dying worker among all the
    /// others still computing: minutes for hundreds of workers on two CPUs.)
    fn drop(&mut self) {
        for pid in self.pids[..self.len].iter().filter_map(|slot| slot.pid()) {
            let _ = rustix::process::kill_process(pid, Signal::KILL);
        }
        for index in 0..self.len {
            let _ = self.reap(index);
        }
        // No worker is left to carry out the run's will (if it made one).
        let _ = supervise::fulfil_will();
    }
}

/// One run: its workers and the objects they use (channels, queues, mappings), which it
/// owns and tears down in the right order — workers first (killed and reaped if still
/// running), then the objects. The other order would let a worker see its channel vanish
/// under it and report EPIPE or EIDRM on top of the real error.
///
/// ```no_run
/// # use bareipc::process::{Run, SingleThreaded, Workers};
/// # use bareipc::ipc::msg::{Message, MsgFlags, SysvQueue};
/// # fn f(single: &SingleThreaded) -> Result<(), bareipc::process::Error> {
/// let queue = SysvQueue::create_private(0o600).map_err(|e| bareipc::process::Error::Sys(
///     bareipc::errno::CallError { call: "msgget", errno: e }))?;
/// let mut run = Run::new(Workers::new(single), queue);
/// run.spawn(single, |queue| queue.send(&Message::<8>::new(1), 0, MsgFlags::EMPTY)
///     .map_err(|errno| bareipc::errno::CallError { call: "msgsnd", errno }))?;
/// run.workers().reap_all()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Run<T> {
    // Field order is drop order: the workers go first.
    workers: Workers,
    objects: T,
}

impl<T> Run<T> {
    /// A run of `workers` using `objects`.
    pub fn new(workers: Workers, objects: T) -> Run<T> {
        Run { workers, objects }
    }

    /// Starts a worker (see [`Workers::spawn`]) whose work borrows the run's objects.
    pub fn spawn<E: Describe>(
        &mut self,
        single: &SingleThreaded,
        work: impl FnOnce(&T) -> Result<(), E>,
    ) -> Result<(), Error> {
        let objects = &self.objects;
        self.workers.spawn(single, || work(objects))
    }

    /// The workers.
    pub fn workers(&mut self) -> &mut Workers {
        &mut self.workers
    }

    /// The objects.
    pub fn objects(&self) -> &T {
        &self.objects
    }

    /// The objects, to fill in as workers start.
    pub fn objects_mut(&mut self) -> &mut T {
        &mut self.objects
    }

    /// The workers and the objects at once: a receive on the objects that looks at the
    /// workers when interrupted.
    pub fn split(&mut self) -> (&mut Workers, &T) {
        (&mut self.workers, &self.objects)
    }

    /// The workers and the objects, for a caller that tears them down itself (in which
    /// order is then its own business).
    pub fn into_parts(self) -> (Workers, T) {
        (self.workers, self.objects)
    }

    /// Leaves descriptors and mappings to the kernel, which releases them all in the
    /// process's `exit_group` ([`keep_until_exit`](super::keep_until_exit)): for the end
    /// of a run whose workers are all reaped.
    pub fn keep_until_exit(self) {
        super::keep_until_exit(self)
    }
}
