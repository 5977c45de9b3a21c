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
fork 11 process limit reached (RLIMIT_NPROC, see `ulimit -u`, or a cgroup's pids.max); use fewer workers
fork:pids 11 process limit reached (a cgroup's pids.max: --pids-limit; or kernel.threads-max); use fewer workers
* 24 descriptor limit reached (RLIMIT_NOFILE, see `ulimit -n`); use fewer workers
* 27 file size limit reached (RLIMIT_FSIZE, see `ulimit -f`)
* 12 out of memory (or cgroup memory.max, RLIMIT_AS)";

/// No advice beyond [`HINTS`].
pub const NONE: &str = "";

/// A FIFO made in TMPDIR (else /tmp, else /dev/shm). (Errno 0: any.)
pub const FIFO: &str = "\
chdir 0 TMPDIR is no directory this user can use: set TMPDIR
mknodat 0 no file can be made in TMPDIR: set TMPDIR";

/// A Unix seqpacket socket bound to a path in TMPDIR (else /tmp, else /dev/shm).
pub const UNIX: &str = "\
chdir 0 TMPDIR is no directory this user can use: set TMPDIR
bind 0 no file can be made in TMPDIR: set TMPDIR";

/// A file with no name in TMPDIR (else /tmp, else /dev/shm), mapped shared. (Not errno 0
/// for `open`, which may meet the descriptor limit.)
pub const MMAP_FILE: &str = "\
open 95 TMPDIR's file system has no O_TMPFILE (tmpfs, ext4, xfs, btrfs have it): set TMPDIR
open 2 no file can be made in TMPDIR: set TMPDIR
open 20 no file can be made in TMPDIR: set TMPDIR
open 40 no file can be made in TMPDIR: set TMPDIR
open 13 no file can be made in TMPDIR: set TMPDIR
open 30 no file can be made in TMPDIR: set TMPDIR
fallocate 28 TMPDIR's file system is full: set TMPDIR";

/// A memfd passed over a socket.
pub const MEMFD: &str = "\
sendmsg 109 descriptors in flight passed RLIMIT_NOFILE (see `ulimit -n`); use fewer workers
memfd_create 38 this kernel has no memfd_create (Linux 3.17 and later)";

/// Reading workers' memory.
pub const PROCESS_VM: &str = "\
process_vm_readv 1 reading a worker's memory is refused here: kernel.yama.ptrace_scope 2 or 3, a seccomp profile, or no CAP_SYS_PTRACE
process_vm_readv 38 process_vm_readv is not available here (a seccomp profile, or qemu-user)";

/// Real-time signals.
pub const SIGNAL: &str = "\
rt_sigqueueinfo 11 the pending signals are at their limit (RLIMIT_SIGPENDING, see `ulimit -i`)
timer_create 11 the pending signals are at their limit (RLIMIT_SIGPENDING, see `ulimit -i`)";

/// AF_UNIX datagrams to an abstract name.
pub const DGRAM: &str = "\
bind 98 another socket of this network namespace holds the name
sendto 111 no socket holds the name any more (the parent has gone)
socket 97 this kernel has no AF_UNIX sockets";

/// TCP over the loopback interface.
pub const TCP: &str = "\
bind 99 no loopback address here (ip link set lo up)
connect 101 no loopback interface up here (ip link set lo up)
connect 99 no local port left (net.ipv4.ip_local_port_range)
connect 111 nobody listens: the parent has gone
socket 97 this kernel has no IPv4";

/// The eventfd counter.
pub const EVENTFD: &str = "\
write 11 the eventfd counter would pass its limit (2^64 - 2)
read 11 no worker's result reached the counter";

/// POSIX message queues.
pub const MQ: &str = "\
mq_open 24 the user's POSIX message queue memory is used up (RLIMIT_MSGQUEUE, see `ulimit -q`)
mq_open 22 queue size beyond /proc/sys/fs/mqueue/msg_max or msgsize_max
mq_open 28 too many queues (/proc/sys/fs/mqueue/queues_max)
mq_open 38 this kernel has no POSIX message queues
mq_open 17 a queue of that name exists already
mq_open 13 no permission to create queues (the mqueue file system's mode)";

/// System V message queues.
pub const MSG: &str = "\
msgget 28 no SysV queue left (kernel.msgmni; see `ipcs -q`)
msgget 38 this kernel has no System V IPC
msgsnd 22 message beyond kernel.msgmax, or the queue was removed
msgsnd 11 the queue cannot hold one message: its byte limit (kernel.msgmnb) is below the message's size
* 43 the queue was removed while the run used it (ipcrm?)";

/// A System V segment and semaphore set.
pub const SYSV_SHM: &str = "\
shmget 22 segment larger than kernel.shmmax
shmget 28 no System V segment left (kernel.shmmni segments, or kernel.shmall pages; see `ipcs -m`)
semget 28 no System V semaphore left (kernel.sem: SEMMNI sets, SEMMNS semaphores; see `ipcs -s`)
* 38 this kernel has no System V IPC
* 43 the semaphore set was removed while the run used it (ipcrm?)";

/// Shared memory and named semaphores, which live in `/dev/shm`. (The program creates
/// both with O_CREAT | O_EXCL | O_NOFOLLOW: a file, symbolic link or directory at the
/// name is EEXIST.)
pub const SHM: &str = "\
* 2 /dev/shm is missing: mount a tmpfs there (a container's --tmpfs /dev/shm, or an --ipc mode other than none)
* 17 an object of that name exists already
* 28 /dev/shm is full (a container's --shm-size)
* 13 no permission to create files in /dev/shm
* 30 /dev/shm is read-only";

/// The `bareipc` tool: objects named on its command line.
pub const TOOL: &str = "\
mq_open 22 sizes over fs.mqueue.msg_max or msgsize_max
mq_open 24 RLIMIT_MSGQUEUE reached (see `ulimit -q`)
* 110 the timeout passed
sem_open 22 not a semaphore: the file is shorter than a sem_t
semtimedop 11 not possible at once, or within the timeout
semtimedop 27 no semaphore of that number in the set
* 2 no such object (bareipc ls lists them)
* 17 the name or key is taken
* 43 the object was removed meanwhile
* 22 no such object, or a bad argument
* 13 its owner and mode (bareipc ls) do not allow it
* 1 only its owner, its creator or root may do that";
