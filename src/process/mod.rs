//! Processes: forked workers that are always reaped, how they ended, and — for programs
//! started by bareipc's own runtime — the supervision that stops a run cleanly whatever
//! happens to its parent or its workers.
//!
//! - [`Workers`]: `fork`, `wait4`, kill-and-reap on drop. A worker never returns into its
//!   parent's code: it ends in `exit_group` whatever its work does, a panic included.
//! - [`Run`]: a run's workers and the objects they use, dropped in the right order.
//! - [`supervise`]: the lifeline (a robust futex the kernel marks when the parent dies),
//!   stop signals and the watchdog tick. They take over process-wide state that a libc
//!   owns (the robust list, signal dispositions and mask), so they need a [`NoLibc`]
//!   token, which only a runtime without libc can honestly make.
//!
//! This layer uses [`crate::ipc`] (for the lifeline's shared page) and never the
//! application above it; its errors are its own [`Error`].

pub mod supervise;
mod workers;

pub use workers::{EXIT_PANIC, MAX_WORKERS, Run, Workers};

use crate::errno::{CallError, Errno};
use crate::fmt::{Describe, Line};
use crate::sys;
use core::marker::PhantomData;

/// Proof that the process has a single thread, which makes `fork` safe to use freely: the
/// child cannot inherit a lock held by another thread.
///
/// Neither `Send` nor `Sync`: it vouches for the thread that holds it. A bareipc program's
/// entry point creates it; nothing else in a bareipc binary starts threads.
#[derive(Debug)]
pub struct SingleThreaded(PhantomData<*const ()>);

impl SingleThreaded {
    /// Asserts that the calling process has exactly one thread.
    ///
    /// # Safety
    /// The process must have one thread now and start no other while the token lives, or
    /// every child forked with it must restrict itself to async-signal-safe work.
    pub unsafe fn assume() -> SingleThreaded {
        SingleThreaded(PhantomData)
    }
}

/// Proof that no libc or other runtime in this process uses the process-wide state that
/// [`Workers::start`] takes over: the thread's robust futex list (`set_robust_list`), the
/// dispositions of SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGXFSZ, SIGCHLD and of the watchdog
/// tick's real-time signal (34, glibc's `SIGRTMIN`), and
/// those signals' place in the mask (see [`supervise`]). It creates one POSIX timer and
/// leaves `ITIMER_REAL` (`alarm`) alone.
///
/// Neither `Send` nor `Sync`. A libc-free program's runtime hands one to `main` (the repository's `program!`); a std
/// program has glibc's robust list and must not make one.
#[derive(Debug)]
pub struct NoLibc(PhantomData<*const ()>);

impl NoLibc {
    /// Asserts that nothing else in the process owns the state listed above.
    ///
    /// # Safety
    /// No libc, runtime or other code of the process may rely on its robust futex list
    /// or on the dispositions of those signals while the process lives:
    /// bareipc replaces them for good (glibc's robust mutexes, for instance, would no
    /// longer be released when a thread dies).
    pub unsafe fn assume() -> NoLibc {
        NoLibc(PhantomData)
    }
}

/// What can go wrong with workers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Error {
    /// A system call failed (`fork`, `wait4`, `rt_sigaction`, …).
    Sys(CallError),
    /// Worker `index` did not end with exit status 0.
    Worker {
        /// The worker's number, in the order of [`Workers::spawn`].
        index: usize,
        /// How it ended.
        fate: Fate,
    },
    /// A stop signal (SIGHUP, SIGINT, SIGTERM) came: the run is to end.
    Stopped {
        /// The signal's number.
        signal: i32,
    },
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Error {
        Error::Sys(e)
    }
}

impl Describe for Error {
    fn describe(&self, l: &mut Line) {
        match *self {
            Error::Sys(e) => e.describe(l),
            Error::Worker { index, fate } => {
                l.fill("worker # ", &[index as u64]);
                fate.describe(l);
            }
            Error::Stopped { signal } => {
                match signal_abbrev(signal) {
                    Some(name) => l.str("stopped by SIG").str(name),
                    None => l.str("stopped by a signal"),
                };
            }
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut l = Line::new();
        self.describe(&mut l);
        f.write_str(core::str::from_utf8(l.as_bytes()).unwrap_or("?"))
    }
}

impl core::error::Error for Error {}

#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    /// A failed call keeps its error number; a worker's failure or a stop is "other".
    fn from(e: Error) -> std::io::Error {
        match e {
            Error::Sys(e) => e.into(),
            e => std::io::Error::other(e),
        }
    }
}

/// The error of a call that failed with `errno`.
pub(crate) fn failed(call: &'static str, errno: Errno) -> Error {
    Error::Sys(CallError { call, errno })
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
    pub(crate) fn from_status(status: rustix::process::WaitStatus) -> Fate {
        match (status.exit_status(), status.terminating_signal()) {
            (Some(code), _) => Fate::Exited(code),
            (None, Some(sig)) => Fate::Signaled(sig),
            // wait4 without WUNTRACED/WCONTINUED reports only terminations: this cannot be
            // reached, and says so if it ever is.
            (None, None) => Fate::Exited(-1),
        }
    }
}

impl Describe for Fate {
    /// `exited with status N` or `was killed by signal N (SIGNAME)`.
    fn describe(&self, l: &mut Line) {
        match *self {
            Fate::Exited(code) => {
                // 0..=255 from wait4 (unsigned: no minus sign to print in any binary).
                l.fill("exited with status #", &[code as u32 as u64]);
            }
            Fate::Signaled(sig) => {
                l.fill("was killed by signal #", &[sig as u64]);
                if let Some(name) = signal_abbrev(sig) {
                    l.str(" (SIG").str(name).str(")");
                }
            }
        }
    }
}

/// The abbreviation of signal `sig` (1..=31 on x86_64), as `kill -l` prints it: `"KILL"`.
pub fn signal_abbrev(sig: i32) -> Option<&'static str> {
    // One string rather than 31: no table of pointers in every binary.
    const NAMES: &str = "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM \
        STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS";
    if !(1..=31).contains(&sig) {
        return None;
    }
    crate::fmt::field(NAMES, b' ', sig as usize - 1)
}

/// `kill(getpid(), SIGSTOP)`: stops this process — a stop its parent sees with
/// [`wait_stopped`] — until another sends it SIGCONT (or kills it).
#[doc(alias = "raise")]
pub fn stop_self() -> Result<(), Errno> {
    sys::kill(rustix::process::getpid().as_raw_nonzero().get(), sys::abi::SIGSTOP)
}

/// `kill(pid, SIGCONT)`: continues a stopped process (nothing happens to a running one).
pub fn resume(pid: i32) -> Result<(), Errno> {
    sys::kill(pid, sys::abi::SIGCONT)
}

/// `waitid(P_ALL, 0, &info, WSTOPPED, NULL)`: blocks until a child of this process stops
/// and returns its pid and the signal that stopped it. Each stop is reported once; ends
/// are not reported (nor reaped): [`Workers`] reaps. EINTR if a signal handler
/// interrupts; ECHILD if there is no child.
#[doc(alias = "waitid")]
pub fn wait_stopped() -> Result<(i32, i32), Errno> {
    loop {
        let info = sys::wait_stopped()?;
        // Only stops are asked for; anything else (none is known) is waited past.
        if info.code == sys::abi::CLD_STOPPED {
            // For a stop, si_status holds the signal that stopped the child.
            return Ok((info.pid, info.status()));
        }
    }
}

/// `prctl(PR_SET_DUMPABLE, 0)`: keeps the other processes of this user out of this one, as
/// if they were another user's — no `ptrace`, no `/proc/PID/mem`, no reopening its
/// descriptors through `/proc/PID/fd`, no `process_vm_readv`/`process_vm_writev`, and no
/// core dump; only a holder of CAP_SYS_PTRACE (root) still may. Inherited by `fork`,
/// undone by `execve`. [`Workers::start`] does it for every supervised run: the run's
/// secrets (the pi programs' run key) and its unnamed objects stay its own.
///
/// References: [prctl(2)](https://man7.org/linux/man-pages/man2/prctl.2.html),
/// [ptrace(2)](https://man7.org/linux/man-pages/man2/ptrace.2.html) ("Ptrace access mode
/// checking")
#[doc(alias = "PR_SET_DUMPABLE")]
pub fn forbid_inspection() -> Result<(), Errno> {
    use rustix::process::{DumpableBehavior, set_dumpable_behavior};
    Ok(set_dumpable_behavior(DumpableBehavior::NotDumpable)?)
}

/// `prctl(PR_SET_DUMPABLE, 1)`: undoes [`forbid_inspection`] in this process — for a worker
/// whose parent reads its memory ([`process_vm`](crate::ipc::process_vm)), which the
/// kernel allows a process of the same user only into a dumpable one.
#[doc(alias = "PR_SET_DUMPABLE")]
pub fn allow_inspection() -> Result<(), Errno> {
    use rustix::process::{DumpableBehavior, set_dumpable_behavior};
    Ok(set_dumpable_behavior(DumpableBehavior::Dumpable)?)
}

/// `prctl(PR_SET_PDEATHSIG, SIGKILL)`: the kernel kills this process when its parent
/// dies — even a stopped process, which checks no lifeline.
pub fn die_with_parent() -> Result<(), Errno> {
    sys::set_parent_death_signal(sys::abi::SIGKILL)
}

/// The handler of [`exit_on_sigbus`]: one line, then exit status 1. Async-signal-safe:
/// a line built on the stack, one `write`, `exit_group`; it never returns to the access
/// that faulted.
extern "C" fn on_sigbus(_: i32) {
    let mut l = crate::io::report_line();
    l.str("SIGBUS: a shared object was truncated by another process while mapped here\n");
    crate::io::eprint(&l);
    sys::exit_group(1)
}

/// Makes SIGBUS end the process with one line on stderr and exit status 1 instead of a
/// death by the signal. SIGBUS is what touching a page of a shared mapping raises once
/// another process has shrunk the file under it: a program that maps objects strangers
/// can truncate (a tool given any name: the `unsafe` of
/// [`ShmObject::map`](crate::ipc::shm::ShmObject::map)) cannot keep their promise, but
/// with this the broken promise ends the process before any code sees the missing memory.
/// Takes [`NoLibc`]: signal dispositions belong to the runtime that owns the process.
pub fn exit_on_sigbus(_: &NoLibc) -> Result<(), Errno> {
    sys::set_signal_handler(sys::abi::SIGBUS, on_sigbus, 0).map(drop)
}

/// The soft limit of the stack (RLIMIT_STACK, `ulimit -s`), in bytes: `u64::MAX` where
/// there is none, or the call fails. `prlimit64(0, RLIMIT_STACK, NULL, &limit)`.
pub fn stack_limit() -> u64 {
    sys::stack_limit()
}

/// `exit_group(code)`: ends the process now. No destructor runs, which is what a forked
/// worker needs: its copies of the parent's handles must not unlink the parent's objects.
#[inline]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names() {
        assert_eq!(signal_abbrev(9), Some("KILL"));
        assert_eq!(signal_abbrev(15), Some("TERM"));
        assert_eq!(signal_abbrev(31), Some("SYS"));
        assert_eq!(signal_abbrev(0), None);
        assert_eq!(signal_abbrev(64), None);
        for (sig, name) in [(libc::SIGCHLD, "CHLD"), (libc::SIGPIPE, "PIPE"), (libc::SIGPWR, "PWR")]
        {
            assert_eq!(signal_abbrev(sig), Some(name));
        }
    }
}
