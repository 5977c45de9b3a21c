//! What can go wrong in a pi program, and the one-line report of it on stderr:
//! `PROGRAM: CALL: ENAME (meaning): hint`.

use super::hints::HINTS;
use crate::errno::{CallError, Errno};
use crate::fmt::{Describe, Line};
use crate::process;
use core::sync::atomic::{AtomicPtr, Ordering};

/// Everything a pi program or demo can fail with after its arguments were accepted: what
/// the process layer reports (a failed call, a worker's death, a stop signal), or a
/// message that was not what the protocol expects.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Error {
    /// A failed call, a worker that did not exit with 0, or a stop signal.
    Process(process::Error),
    /// The message from worker `index` was missing, short, duplicated or malformed.
    Message {
        /// The worker's number.
        index: usize,
        /// What was wrong.
        problem: Problem,
    },
    /// A message of `len` bytes on a shared channel was no worker's result.
    Stray {
        /// Its length.
        len: usize,
    },
    /// A channel that counts results (an eventfd counter) counted `got`, not `want`.
    Count {
        /// Results counted.
        got: usize,
        /// Workers.
        want: usize,
    },
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Error {
        Error::Process(process::Error::Sys(e))
    }
}

impl From<process::Error> for Error {
    fn from(e: process::Error) -> Error {
        Error::Process(e)
    }
}

/// What was wrong with a worker's message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Problem {
    /// The channel closed before any byte arrived.
    Missing,
    /// The channel closed after `got` of the message's bytes.
    Short {
        /// Bytes that arrived.
        got: usize,
    },
    /// The bytes are not a bareipc result message.
    Malformed,
    /// A second message claimed to come from the same worker.
    Duplicate,
    /// A message on this worker's private channel carried another worker's index.
    WrongIndex {
        /// The index it carried.
        claimed: u32,
    },
}

static EXTRA_HINTS: AtomicPtr<&'static str> = AtomicPtr::new(core::ptr::null_mut());

/// Records the program's own hint table (see [`hints`](super::hints)).
pub fn set_hints(table: &'static &'static str) {
    EXTRA_HINTS.store(table as *const &str as *mut &str, Ordering::Relaxed);
}

/// The advice for `call` failing with `errno`, from the program's table or [`HINTS`].
///
/// Two errors name one of two limits, and a call or two (made only here, on the way out
/// of a failed run) tells which: EMFILE is the descriptor limit if no descriptor can be
/// opened now (else, from `mq_open`, RLIMIT_MSGQUEUE); fork's EAGAIN is RLIMIT_NPROC
/// only for a process it applies to — not root's, and not without a finite limit — and
/// otherwise a cgroup's pids.max or the system's thread limit.
fn hint(call: &str, errno: Errno) -> Option<&'static str> {
    let call = match (call, errno) {
        (_, Errno::EMFILE) if !descriptor_left() => "*",
        ("fork", Errno::EAGAIN) if !nproc_applies() => "fork:pids",
        _ => call,
    };
    hint_from(extra_hints(), call, errno)
}

/// The program's own table ([`set_hints`]), or none.
fn extra_hints() -> &'static str {
    let extra = EXTRA_HINTS.load(Ordering::Relaxed);
    // SAFETY: the only non-null value ever stored comes from a `&'static &'static str`.
    if extra.is_null() { "" } else { unsafe { *extra } }
}

/// Whether a descriptor can be opened now (`open("/", O_PATH)`, closed at once).
fn descriptor_left() -> bool {
    use crate::sys::{self, abi};
    let flags = abi::O_PATH | abi::O_CLOEXEC;
    !matches!(sys::openat(rustix::fs::CWD, c"/", flags, 0), Err(Errno::EMFILE))
}

/// Whether RLIMIT_NPROC can be what stopped a `fork`: a finite limit, and a real user
/// other than root (whom the kernel exempts).
fn nproc_applies() -> bool {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nproc);
    limit.current.is_some() && !rustix::process::getuid().is_root()
}

/// The advice for `call` failing with `errno` from `table` and [`HINTS`]: an entry for
/// this very call wins over a `*` entry in either.
fn hint_from(table: &'static str, call: &str, errno: Errno) -> Option<&'static str> {
    for who in [call, "*"] {
        for t in [table, HINTS] {
            if let Some(h) = hint_in(t, who, errno) {
                return Some(h);
            }
        }
    }
    None
}

/// The entry for `who` (a call, or `*`) and `errno` in one table.
fn hint_in(table: &'static str, call: &str, errno: Errno) -> Option<&'static str> {
    let mut line = 0;
    while let Some(entry) = crate::fmt::field(table, b'\n', line) {
        line += 1;
        let (Some(who), Some(code)) =
            (crate::fmt::field(entry, b' ', 0), crate::fmt::field(entry, b' ', 1))
        else {
            continue;
        };
        let value = code.bytes().fold(0i32, |v, d| v * 10 + (d - b'0') as i32);
        if who == call && value == errno.raw() {
            return entry.get(who.len() + code.len() + 2..);
        }
    }
    None
}

/// Reports a failed call in one line on stderr — `PROGRAM: CALL: ENAME (meaning): hint` —
/// with the advice of the program's table ([`set_hints`]): the report of [`Error`] for a
/// program with no run and no workers (a tool), without the rest of it (nor the calls
/// that tell which limit an EMFILE or a fork's EAGAIN met: a tool forks nothing and opens
/// one or two descriptors).
pub fn report_call(e: &CallError) {
    let mut l = crate::io::report_line();
    e.describe(&mut l);
    if let Some(h) = hint_from(extra_hints(), e.call, e.errno) {
        l.str(": ").str(h);
    }
    crate::io::eprint(l.str("\n"));
}

impl Describe for Error {
    /// The description of this error, without the program name or newline.
    fn describe(&self, l: &mut Line) {
        match *self {
            Error::Process(e) => {
                e.describe(l);
                match e {
                    process::Error::Sys(e) => {
                        if let Some(h) = hint(e.call, e.errno) {
                            l.str(": ").str(h);
                        }
                    }
                    process::Error::Stopped { .. } => {
                        l.str("; workers stopped, objects removed");
                    }
                    process::Error::Worker { .. } => {}
                }
            }
            Error::Message { index, problem } => {
                l.str("worker ").u64(index as u64).str(": ");
                match problem {
                    Problem::Missing => l.str("sent no result"),
                    Problem::Short { got } => {
                        const _: () = assert!(super::protocol::Partial::SIZE == 16);
                        l.str("short result message (").u64(got as u64).str(" of 16 bytes)")
                    }
                    Problem::Malformed => l.str("malformed result message"),
                    Problem::Duplicate => l.str("sent a second result"),
                    Problem::WrongIndex { claimed } => {
                        l.str("result message claims to be from worker ").u64(claimed as u64)
                    }
                };
            }
            Error::Stray { len } => {
                l.str("received a message of ").u64(len as u64);
                l.str(" bytes that is no worker's result");
            }
            Error::Count { got, want } => {
                l.str("counted ").u64(got as u64).str(" results of ").u64(want as u64);
            }
        }
    }
}

impl Error {
    /// Writes `PROGRAM: description` and a newline to stderr.
    pub fn report(&self) {
        let mut l = crate::io::report_line();
        self.describe(&mut l);
        l.str("\n");
        crate::io::eprint(&l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: Error) -> String {
        let mut l = Line::new();
        e.describe(&mut l);
        String::from_utf8(l.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn system_call_errors_name_call_errno_and_hint() {
        use crate::errno::Context;
        let e: Result<(), Errno> = Err(Errno::EMFILE);
        assert_eq!(
            text(e.call("pipe2").unwrap_err().into()),
            "pipe2: EMFILE (Too many open files): descriptor limit reached \
             (RLIMIT_NOFILE, see `ulimit -n`); use fewer workers"
        );
        let e: Result<(), Errno> = Err(Errno::from_raw(250));
        assert_eq!(text(e.call("read").unwrap_err().into()), "read: errno 250");
    }

    use hint_from as hint_with;

    #[test]
    fn hints_match_call_and_errno_with_wildcards() {
        use crate::app::hints::{MQ, MSG, SHM};
        let first = |h: Option<&str>| h.unwrap().split(' ').next().map(str::to_owned);
        assert_eq!(first(hint_with(MQ, "mq_open", Errno::EMFILE)).as_deref(), Some("the"));
        assert!(hint_with(MQ, "pipe2", Errno::EMFILE).unwrap().starts_with("descriptor"));
        let missing = hint_with(SHM, "sem_open", Errno::ENOENT).unwrap();
        assert!(missing.starts_with("/dev/shm is missing"));
        let full = hint_with(SHM, "fallocate", Errno::ENOSPC).unwrap();
        assert!(full.starts_with("/dev/shm is full"));
        assert!(hint_with(SHM, "write", Errno::ENOSPC).unwrap().starts_with("no space"));
        assert_eq!(
            hint_with(MQ, "mq_open", Errno::ENOSPC),
            Some("too many queues (/proc/sys/fs/mqueue/queues_max)")
        );
        // A program carries only its own mechanism's advice.
        assert_eq!(hint_with(MQ, "msgget", Errno::ENOSPC), None);
        assert_eq!(hint_with("", "read", Errno::EIO), None);
        // Each table with the errno names its program registers.
        use crate::errno::{NONE, QUEUES};
        for (table, names) in [(HINTS, &NONE), (MQ, &QUEUES), (MSG, &QUEUES), (SHM, &NONE)] {
            for line in table.lines() {
                let mut f = line.splitn(3, ' ');
                let (call, code, text) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
                let errno = Errno::from_raw(code.parse().unwrap());
                assert!(names.names(errno), "{line}");
                if call != "*" {
                    assert_eq!(hint_with(table, call, errno), Some(text), "{line}");
                }
            }
        }
    }

    #[test]
    fn worker_and_message_errors_name_the_worker() {
        assert_eq!(
            text(process::Error::Worker { index: 3, fate: process::Fate::Signaled(9) }.into()),
            "worker 3 was killed by signal 9 (SIGKILL)"
        );
        assert_eq!(
            text(Error::Message { index: 1, problem: Problem::Short { got: 5 } }),
            "worker 1: short result message (5 of 16 bytes)"
        );
        assert_eq!(
            text(Error::Message { index: 0, problem: Problem::WrongIndex { claimed: 7 } }),
            "worker 0: result message claims to be from worker 7"
        );
        assert_eq!(text(Error::Count { got: 3, want: 4 }), "counted 3 results of 4");
    }
}
