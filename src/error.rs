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

/// Advice for the errors users meet, keyed by call and errno.
fn hint(call: &str, errno: Errno) -> Option<&'static str> {
    const SHM_MISSING: &str = "/dev/shm is missing: mount a tmpfs there \
        (mount -t tmpfs tmpfs /dev/shm; docker run --tmpfs /dev/shm or --shm-size)";
    Some(match (call, errno) {
        ("fork", Errno::EAGAIN) => {
            "process limit reached (RLIMIT_NPROC, see `ulimit -u`); use fewer workers"
        }
        ("mq_open", Errno::EMFILE) => {
            "the user's POSIX message queue memory is used up (RLIMIT_MSGQUEUE, see `ulimit -q`)"
        }
        ("mq_open", Errno::EINVAL) => {
            "queue size beyond /proc/sys/fs/mqueue/msg_max or msgsize_max"
        }
        ("mq_open", Errno::ENOSPC) => "too many queues (/proc/sys/fs/mqueue/queues_max)",
        ("mq_open", Errno::ENOSYS) => "this kernel has no POSIX message queues",
        ("msgget", Errno::ENOSPC) => "no SysV queue left (kernel.msgmni; see `ipcs -q`)",
        ("msgsnd", Errno::EINVAL) => "message beyond kernel.msgmax, or the queue was removed",
        ("msgget", Errno::ENOSYS) => "this kernel has no System V IPC",
        ("shm_open" | "sem_open", Errno::ENOENT) => SHM_MISSING,
        ("shm_open" | "sem_open", Errno::EEXIST) => "an object of that name exists already",
        ("sem_open", Errno::EINVAL) => "the semaphore file is shorter than a sem_t (truncated?)",
        (_, Errno::ENOSPC) => "/dev/shm is full (docker run --shm-size)",
        (_, Errno::EROFS) => "/dev/shm is read-only",
        (_, Errno::ELOOP) => "a symbolic link sits at the object's name; not followed",
        (_, Errno::EMFILE) => {
            "descriptor limit reached (RLIMIT_NOFILE, see `ulimit -n`); use fewer workers"
        }
        _ => return None,
    })
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
