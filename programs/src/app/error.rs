//! What can go wrong in a pi program, and the one-line report of it on stderr:
//! `PROGRAM: CALL: ENAME (meaning): hint`.

use super::hints::HINTS;
use bareipc::errno::{CallError, Errno};
use bareipc::fmt::{Describe, Line};
use bareipc::process;
use bareipc::setting::Setting;
use core::sync::atomic::Ordering;

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
    /// Worker `index` sent no result that proved itself, and `refused` messages were
    /// refused meanwhile: messages from outside the run, or a worker's message mangled.
    Refused {
        /// The first worker without a result.
        index: usize,
        /// Messages refused.
        refused: usize,
    },
    /// A check of the mechanism's own failed; the text says which (it lives in the one
    /// program that makes the check, not in every binary).
    Broken(&'static str),
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
    /// The channel closed before a whole message came, or the bytes are not a result
    /// message of this worker's, sealed with the run's key.
    Malformed,
    /// A second message claimed to come from the same worker.
    Duplicate,
}

static EXTRA_HINTS: Setting<&'static str> = Setting::new();

/// Records the program's own hint table (see [`hints`](super::hints)).
pub fn set_hints(table: &'static &'static str) {
    EXTRA_HINTS.set(table);
}

/// The advice for `call` failing with `errno`, from the program's table or [`HINTS`].
///
/// Two errors name one of two limits, and a call (made only here, on the way out of a
/// failed run) tells which. fork's EAGAIN is RLIMIT_NPROC only for a process it applies
/// to — not root's — and otherwise a cgroup's pids.max or the system's thread limit.
/// EMFILE is the descriptor limit, except from `mq_open`, where it may also be
/// RLIMIT_MSGQUEUE: a program that makes queues asks for the check that tells them apart
/// ([`tell_descriptor_limit`]); the others do not carry it.
fn hint(call: &'static str, errno: Errno) -> Option<&'static str> {
    let call = match (call, errno) {
        ("fork", Errno::EAGAIN) if rustix::process::getuid().is_root() => "fork:pids",
        (_, Errno::EMFILE) if TELL_DESCRIPTOR_LIMIT.load(Ordering::Relaxed) => {
            if bareipc::io::descriptor_limit_reached() {
                "*"
            } else {
                call
            }
        }
        _ => call,
    };
    hint_from(extra_hints(), call, errno)
}

/// Whether an EMFILE is told apart from the descriptor limit ([`tell_descriptor_limit`]).
static TELL_DESCRIPTOR_LIMIT: core::sync::atomic::AtomicBool =
    core::sync::atomic::AtomicBool::new(false);

/// For a program whose calls may fail with EMFILE for another reason than the descriptor
/// limit (`mq_open`: RLIMIT_MSGQUEUE): on such a failure, the report tries to open a
/// descriptor (`open("/", O_PATH)`, closed at once) and names the descriptor limit only
/// if none can be opened.
pub fn tell_descriptor_limit() {
    TELL_DESCRIPTOR_LIMIT.store(true, Ordering::Relaxed);
}

/// The program's own table ([`set_hints`]), or none.
fn extra_hints() -> &'static str {
    EXTRA_HINTS.get().copied().unwrap_or("")
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

/// The entry for `who` (a call, or `*`) and `errno` in one table; an entry for errno 0
/// serves every errno of its call (the errno's own name and meaning say which).
fn hint_in(table: &'static str, call: &str, errno: Errno) -> Option<&'static str> {
    let mut line = 0;
    while let Some(entry) = bareipc::fmt::field(table, b'\n', line) {
        line += 1;
        let (Some(who), Some(code)) =
            (bareipc::fmt::field(entry, b' ', 0), bareipc::fmt::field(entry, b' ', 1))
        else {
            continue;
        };
        let value = code.bytes().fold(0i32, |v, d| v * 10 + (d - b'0') as i32);
        if who == call && (value == errno.raw() || value == 0) {
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
    let mut l = bareipc::io::report_line();
    e.describe(&mut l);
    if let Some(h) = hint_from(extra_hints(), e.call, e.errno) {
        l.str(": ").str(h);
    }
    bareipc::io::eprint(l.str("\n"));
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
                let text = match problem {
                    Problem::Missing => "worker #: sent no result",
                    Problem::Malformed => "worker #: malformed result message",
                    Problem::Duplicate => "worker #: sent a second result",
                };
                l.fill(text, &[index as u64]);
            }
            Error::Refused { index, refused } => {
                let text = "worker #: sent no result; refused, not from this run's workers: #";
                l.fill(text, &[index as u64, refused as u64]);
            }
            Error::Broken(what) => {
                l.str(what);
            }
        }
    }
}

impl Error {
    /// Writes `PROGRAM: description` and a newline to stderr.
    pub fn report(&self) {
        let mut l = bareipc::io::report_line();
        self.describe(&mut l);
        l.str("\n");
        bareipc::io::eprint(&l);
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
        use bareipc::errno::Context;
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
        // Tables of the programs' form (theirs are checked against their errno names by
        // tests/programs.rs, which reads them from the programs' files).
        const MQ: &str = "\
mq_open 24 the queue memory is used up
mq_open 28 too many queues";
        const SHM: &str = "\
* 2 /dev/shm is missing
* 28 /dev/shm is full";
        const FIFO: &str = "chdir 0 set TMPDIR";
        let first = |h: Option<&str>| h.unwrap().split(' ').next().map(str::to_owned);
        assert_eq!(first(hint_with(MQ, "mq_open", Errno::EMFILE)).as_deref(), Some("the"));
        // The common table answers what the program's does not.
        assert!(hint_with(MQ, "pipe2", Errno::EMFILE).unwrap().starts_with("descriptor"));
        let missing = hint_with(SHM, "sem_open", Errno::ENOENT).unwrap();
        assert!(missing.starts_with("/dev/shm is missing"));
        let full = hint_with(SHM, "fallocate", Errno::ENOSPC).unwrap();
        assert!(full.starts_with("/dev/shm is full"));
        // An entry for the call itself beats a `*` one, the common table's too.
        assert!(hint_with(SHM, "write", Errno::ENOSPC).unwrap().starts_with("no space"));
        assert_eq!(hint_with(MQ, "mq_open", Errno::ENOSPC), Some("too many queues"));
        // A program carries only its own mechanism's advice.
        assert_eq!(hint_with(MQ, "msgget", Errno::ENOSPC), None);
        assert_eq!(hint_with("", "read", Errno::EIO), None);
        // An entry for errno 0 serves every errno of its call, and only that call.
        for errno in [Errno::ENOENT, Errno::ENOTDIR, Errno::ELOOP] {
            assert_eq!(hint_with(FIFO, "chdir", errno), Some("set TMPDIR"));
        }
        assert_eq!(hint_with(FIFO, "open", Errno::ENOENT), None);
        // The common table's entries name errnos every program registers.
        for line in HINTS.lines() {
            let mut f = line.splitn(3, ' ');
            let (call, code, text) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let errno = Errno::from_raw(code.parse().unwrap());
            assert!(bareipc::errno::NONE.names(errno), "{line}");
            if !call.contains(':') {
                assert_eq!(hint_with("", call, errno), Some(text), "{line}");
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
            text(Error::Message { index: 1, problem: Problem::Malformed }),
            "worker 1: malformed result message"
        );
        assert_eq!(text(Error::Broken("a rule")), "a rule");
        assert_eq!(
            text(Error::Refused { index: 2, refused: 7 }),
            "worker 2: sent no result; refused, not from this run's workers: 7"
        );
    }
}
