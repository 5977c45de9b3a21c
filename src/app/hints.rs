//! Advice for the errors users meet: one line per entry, `CALL ERRNO advice`, where CALL
//! `*` matches any call. (One string, searched by a loop: a `match` on string pairs costs
//! each binary a kilobyte of comparisons.) [`HINTS`] serves every program; each mechanism
//! has its own table, which its program hands to [`pi_main`](super::pi_main) and which is
//! searched first: a binary carries only the advice its calls can need.

/// Advice for every program.
pub const HINTS: &str = "\
write 9 standard output is closed
write 28 no space left where standard output goes
write 32 standard output is a pipe nobody reads any more
fork 11 process limit reached (RLIMIT_NPROC, see `ulimit -u`); use fewer workers
* 24 descriptor limit reached (RLIMIT_NOFILE, see `ulimit -n`); use fewer workers";

/// No advice beyond [`HINTS`].
pub const NONE: &str = "";

/// POSIX message queues.
pub const MQ: &str = "\
mq_open 24 the user's POSIX message queue memory is used up (RLIMIT_MSGQUEUE, see `ulimit -q`)
mq_open 22 queue size beyond /proc/sys/fs/mqueue/msg_max or msgsize_max
mq_open 28 too many queues (/proc/sys/fs/mqueue/queues_max)
mq_open 38 this kernel has no POSIX message queues
mq_open 17 a queue of that name exists already";

/// System V message queues.
pub const MSG: &str = "\
msgget 28 no SysV queue left (kernel.msgmni; see `ipcs -q`)
msgget 38 this kernel has no System V IPC
msgsnd 22 message beyond kernel.msgmax, or the queue was removed";

/// Shared memory and named semaphores, which live in `/dev/shm`.
pub const SHM: &str = "\
* 2 /dev/shm is missing: mount a tmpfs there (docker run --tmpfs /dev/shm, or --shm-size)
* 17 an object of that name exists already
sem_open 22 the semaphore file is shorter than a sem_t (truncated?)
* 28 /dev/shm is full (docker run --shm-size)
* 30 /dev/shm is read-only
* 40 a symbolic link sits at the object's name; not followed
* 21 a directory sits at the object's name";
