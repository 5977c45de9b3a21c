//! What can go wrong in a bareipc program, and the one-line report of it on stderr:
//! `PROGRAM: CALL: ENAME (meaning): hint`.

use crate::errno::Errno;
use crate::fmt::Line;
use crate::process::Fate;
use core::sync::atomic::{AtomicPtr, Ordering};

/// Everything a program can fail with after its arguments were accepted.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Error {
    /// A system call failed.
    Sys { call: &'static str, errno: Errno },
    /// Worker `index` did not end with exit status 0.
    Worker { index: usize, fate: Fate },
    /// The message from worker `index` was missing, short, duplicated or malformed.
    Message { index: usize, problem: Problem },
    /// A message of `len` bytes on a shared channel was no worker's result.
    Stray { len: usize },
}

/// What was wrong with a worker's message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Problem {
    /// The channel closed before any byte arrived.
    Missing,
    /// The channel closed after `got` of the message's bytes.
    Short { got: usize },
    /// The bytes are not a bareipc result message.
    Malformed,
    /// A second message claimed to come from the same worker.
    Duplicate,
    /// A message on this worker's private channel carried another worker's index.
    WrongIndex { claimed: u32 },
}

/// Attaches the name of the failing call to a system call's error.
pub trait Context<T> {
    /// Names the call (as strace shows it) that produced the error.
    fn call(self, call: &'static str) -> Result<T, Error>;
}

impl<T> Context<T> for Result<T, Errno> {
    fn call(self, call: &'static str) -> Result<T, Error> {
        self.map_err(|errno| Error::Sys { call, errno })
    }
}

impl<T> Context<T> for Result<T, rustix::io::Errno> {
    fn call(self, call: &'static str) -> Result<T, Error> {
        self.map_err(|e| Error::Sys { call, errno: e.into() })
    }
}

/// Advice for the errors users meet: one line per entry, `CALL ERRNO advice`, where CALL
/// `*` matches any call; the first match wins. (One string, searched by a loop: a `match`
/// on string pairs costs each binary a kilobyte of comparisons.)
const HINTS: &str = "\
fork 11 process limit reached (RLIMIT_NPROC, see `ulimit -u`); use fewer workers
mq_open 24 the user's POSIX message queue memory is used up (RLIMIT_MSGQUEUE, see `ulimit -q`)
mq_open 22 queue size beyond /proc/sys/fs/mqueue/msg_max or msgsize_max
mq_open 28 too many queues (/proc/sys/fs/mqueue/queues_max)
mq_open 38 this kernel has no POSIX message queues
msgget 28 no SysV queue left (kernel.msgmni; see `ipcs -q`)
msgget 38 this kernel has no System V IPC
msgsnd 22 message beyond kernel.msgmax, or the queue was removed
* 2 /dev/shm is missing: mount a tmpfs there (docker run --tmpfs /dev/shm, or --shm-size)
* 17 an object of that name exists already
sem_open 22 the semaphore file is shorter than a sem_t (truncated?)
* 28 /dev/shm is full (docker run --shm-size)
* 30 /dev/shm is read-only
* 40 a symbolic link sits at the object's name; not followed
* 24 descriptor limit reached (RLIMIT_NOFILE, see `ulimit -n`); use fewer workers";

/// The advice for `call` failing with `errno`, if [`HINTS`] has one.
fn hint(call: &str, errno: Errno) -> Option<&'static str> {
    let mut line = 0;
    while let Some(entry) = crate::fmt::field(HINTS, b'\n', line) {
        line += 1;
        let (Some(who), Some(code)) =
            (crate::fmt::field(entry, b' ', 0), crate::fmt::field(entry, b' ', 1))
        else {
            continue;
        };
        let code = code.bytes().fold(0i32, |v, d| v * 10 + (d - b'0') as i32);
        if (who == "*" || who == call) && code == errno.raw() {
            return entry.get(who.len() + code_len(code) + 2..);
        }
    }
    None
}

/// Digits of a non-negative number.
fn code_len(mut v: i32) -> usize {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

static PROGRAM: AtomicPtr<&'static str> = AtomicPtr::new(core::ptr::null_mut());

/// Records the program name used at the start of every report line.
pub fn set_program(name: &'static &'static str) {
    PROGRAM.store(name as *const &str as *mut &str, Ordering::Relaxed);
}

/// The program name given to [`set_program`], or `"bareipc"`.
pub fn program() -> &'static str {
    let p = PROGRAM.load(Ordering::Relaxed);
    if p.is_null() {
        "bareipc"
    } else {
        // SAFETY: the only non-null value ever stored comes from a `&'static &'static str`.
        unsafe { *p }
    }
}

/// Starts a report line: `PROGRAM: `.
pub fn line() -> Line {
    let mut l = Line::new();
    l.str(program()).str(": ");
    l
}

/// Appends `ENAME (meaning)` for `errno`.
pub fn push_errno(l: &mut Line, errno: Errno) {
    match (errno.name(), errno.meaning()) {
        (Some(name), Some(meaning)) => l.str(name).str(" (").str(meaning).str(")"),
        _ => l.str("errno ").i64(errno.raw() as i64),
    };
}

impl Error {
    /// Appends the description of this error, without the program name or newline.
    pub fn describe(&self, l: &mut Line) {
        match *self {
            Error::Sys { call, errno } => {
                l.str(call).str(": ");
                push_errno(l, errno);
                if let Some(h) = hint(call, errno) {
                    l.str(": ").str(h);
                }
            }
            Error::Worker { index, fate } => {
                l.str("worker ").u64(index as u64).str(" ");
                fate.describe(l);
            }
            Error::Message { index, problem } => {
                l.str("worker ").u64(index as u64).str(": ");
                match problem {
                    Problem::Missing => l.str("sent no result"),
                    Problem::Short { got } => {
                        l.str("short result message (").u64(got as u64).str(" of ");
                        l.u64(crate::protocol::Partial::SIZE as u64).str(" bytes)")
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
        }
    }

    /// Writes `PROGRAM: description` and a newline to stderr.
    pub fn report(&self) {
        let mut l = line();
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
        let e: Result<(), Errno> = Err(Errno::EMFILE);
        assert_eq!(
            text(e.call("pipe2").unwrap_err()),
            "pipe2: EMFILE (Too many open files): descriptor limit reached \
             (RLIMIT_NOFILE, see `ulimit -n`); use fewer workers"
        );
        let e: Result<(), Errno> = Err(Errno::from_raw(250));
        assert_eq!(text(e.call("read").unwrap_err()), "read: errno 250");
    }

    #[test]
    fn hints_match_call_and_errno_with_wildcards() {
        assert_eq!(hint("mq_open", Errno::EMFILE).unwrap().split(' ').next(), Some("the"));
        assert!(hint("pipe2", Errno::EMFILE).unwrap().starts_with("descriptor limit"));
        assert!(hint("sem_open", Errno::ENOENT).unwrap().starts_with("/dev/shm is missing"));
        assert!(hint("fallocate", Errno::ENOSPC).unwrap().starts_with("/dev/shm is full"));
        assert_eq!(
            hint("mq_open", Errno::ENOSPC),
            Some("too many queues (/proc/sys/fs/mqueue/queues_max)")
        );
        assert_eq!(hint("read", Errno::EIO), None);
        for line in HINTS.lines() {
            let mut f = line.splitn(3, ' ');
            let (call, code, text) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let errno = Errno::from_raw(code.parse().unwrap());
            assert!(errno.name().is_some(), "{line}");
            if call != "*" {
                assert_eq!(hint(call, errno), Some(text), "{line}");
            }
        }
    }

    #[test]
    fn worker_and_message_errors_name_the_worker() {
        assert_eq!(
            text(Error::Worker { index: 3, fate: Fate::Signaled(9) }),
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
    }
}
