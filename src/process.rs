//! Processes: fork, a set of workers that is always reaped, exit statuses, exit.

use crate::error::Error;
use crate::fmt::Line;
use crate::sys;
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

/// The workers of one run, each a forked child identified by its index.
///
/// A child that has not been reaped when the set is dropped (an error path) is killed with
/// SIGKILL and reaped, so a run never leaves a process behind.
pub struct Workers {
    /// The pid of each worker not yet reaped.
    pids: [Option<Pid>; MAX_WORKERS],
    len: usize,
    running: usize,
}

impl Default for Workers {
    fn default() -> Self {
        Self::new()
    }
}

impl Workers {
    /// An empty set.
    pub const fn new() -> Workers {
        Workers { pids: [None; MAX_WORKERS], len: 0, running: 0 }
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
        let index = self.len;
        if index == MAX_WORKERS {
            return Err(Error::Sys { call: "fork", errno: crate::errno::Errno::EAGAIN });
        }
        // SAFETY: `_single` proves the process has one thread.
        match unsafe { sys::fork() } {
            Err(errno) => Err(Error::Sys { call: "fork", errno }),
            Ok(0) => {
                let code = match work() {
                    Ok(()) => 0,
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
    /// the dead one held. Fails with the first worker that did not exit with status 0;
    /// the set's drop then stops and reaps the rest.
    pub fn reap_all(&mut self) -> Result<(), Error> {
        while self.running > 0 {
            self.reap_next(WaitOptions::empty())?;
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
    /// group): whether a worker was reaped.
    fn reap_next(&mut self, options: WaitOptions) -> Result<bool, Error> {
        let waited = crate::io::retry_on_intr(|| Ok(rustix::process::wait(options)?));
        let (pid, status) = match waited {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(false),
            Err(errno) => return Err(Error::Sys { call: "wait4", errno }),
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

/// Interrupts the parent's blocking calls every `period`, so that a receive on a queue
/// that a dead worker will never fill returns EINTR and the parent can look at its
/// workers ([`Workers::check`]). Queues give no end-of-file when a sender dies; this is
/// the bounded wait that replaces it.
///
/// A SIGALRM handler that does nothing, installed without SA_RESTART, plus an interval
/// timer (`setitimer(ITIMER_REAL)`). Fork children inherit neither the timer nor, since
/// they never block in the parent's calls, anything that matters. Dropping it disarms
/// the timer.
pub struct Watchdog(());

extern "C" fn on_alarm(_: i32) {}

impl Watchdog {
    /// Starts ticking every `period_ms` milliseconds.
    pub fn start(period_ms: u64) -> Result<Watchdog, Error> {
        let handler = on_alarm as extern "C" fn(i32) as usize;
        sys::set_signal_handler(crate::abi::SIGALRM, handler, 0)
            .map_err(|errno| Error::Sys { call: "rt_sigaction", errno })?;
        let us = period_ms * 1000;
        sys::set_real_timer(us, us).map_err(|errno| Error::Sys { call: "setitimer", errno })?;
        Ok(Watchdog(()))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = sys::set_real_timer(0, 0);
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
