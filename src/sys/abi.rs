//! The kernel ABI bareipc speaks beyond its system call numbers: flags, constants and
//! structs. Constants come from `linux-raw-sys` (generated from each architecture's kernel
//! headers, and rustix's own source of them) where it has them; what it lacks — the
//! System V IPC commands and structs, `mq_attr`, the `siginfo_t` view, glibc's SIGRTMIN —
//! is written out here. All of it is checked against the libc crate by the tests.
//!
//! Why not take them from the libc crate at build time: any use of `libc` in the programs
//! makes rustc pass `-lc` (and `-lm`, `-lrt`, …) to the linker, and lld then gives the
//! "static" executable a `PT_DYNAMIC` segment exporting `memcpy` and friends. Measured;
//! see docs/build.md. The libc crate is a dev-dependency only.

use linux_raw_sys::{general, net};

pub const O_RDONLY: i32 = general::O_RDONLY as i32;
pub const O_WRONLY: i32 = general::O_WRONLY as i32;
pub const O_RDWR: i32 = general::O_RDWR as i32;
pub const O_CREAT: i32 = general::O_CREAT as i32;
pub const O_EXCL: i32 = general::O_EXCL as i32;
pub const O_NONBLOCK: i32 = general::O_NONBLOCK as i32;
pub const O_NOFOLLOW: i32 = general::O_NOFOLLOW as i32;
pub const O_CLOEXEC: i32 = general::O_CLOEXEC as i32;
/// `open` flag: a descriptor that only names a file (no reads or writes through it).
pub const O_PATH: i32 = general::O_PATH as i32;
/// `open` flag: a new regular file with no name in the directory given (it includes
/// O_DIRECTORY, so a kernel that predates it fails with EISDIR rather than misread it).
pub const O_TMPFILE: i32 = general::O_TMPFILE as i32;
/// File type bits of `mknod`'s mode: a FIFO.
pub const S_IFIFO: u32 = general::S_IFIFO;

pub const IPC_PRIVATE: i32 = 0;
pub const IPC_CREAT: i32 = 0o1000;
pub const IPC_EXCL: i32 = 0o2000;
pub const IPC_NOWAIT: i32 = 0o4000;
/// `msgrcv` flag: cut a message longer than the buffer instead of failing with E2BIG.
pub const MSG_NOERROR: i32 = 0o10000;
pub const IPC_RMID: i32 = 0;
pub const IPC_STAT: i32 = 2;
/// `msgctl` command: the index of the highest queue in use, and a [`MsgInfo`].
pub const MSG_INFO: i32 = 12;
/// `msgctl` command: like IPC_STAT, but given an index into the kernel's table; returns
/// the queue's identifier.
pub const MSG_STAT: i32 = 11;
/// The `*_STAT_ANY` commands (Linux 4.17): as `*_STAT`, without the read permission
/// check — what `/proc/sysvipc` shows every user.
pub const MSG_STAT_ANY: i32 = 13;
pub const SEM_STAT_ANY: i32 = 20;
pub const SHM_STAT_ANY: i32 = 15;
/// `shmctl` commands: the state of the segment at a table index; the system's use.
pub const SHM_STAT: i32 = 13;
pub const SHM_INFO: i32 = 14;

pub const AF_UNIX: u32 = net::AF_UNIX;
pub const AF_INET: u32 = net::AF_INET;
pub const SOCK_STREAM: u32 = net::SOCK_STREAM;
pub const SOCK_DGRAM: u32 = net::SOCK_DGRAM;
pub const SOCK_SEQPACKET: u32 = net::SOCK_SEQPACKET;
/// `socket` and `accept4` flag: the new descriptor is closed on `exec`.
pub const SOCK_CLOEXEC: u32 = 0o2000000;
/// `socket` and `accept4` flag: the new descriptor's reads and writes never block
/// (EAGAIN instead).
pub const SOCK_NONBLOCK: u32 = 0o4000;
pub const MSG_TRUNC: u32 = net::MSG_TRUNC;
/// `send` flag: a peer gone is EPIPE only, no SIGPIPE.
pub const MSG_NOSIGNAL: u32 = net::MSG_NOSIGNAL;
/// `recvmsg` flag: the descriptors received are closed on `exec`.
pub const MSG_CMSG_CLOEXEC: u32 = net::MSG_CMSG_CLOEXEC;
pub const SOL_SOCKET: i32 = net::SOL_SOCKET as i32;
/// `prlimit64` resource: the stack's size.
pub const RLIMIT_STACK: usize = general::RLIMIT_STACK as usize;
/// `getsockopt` option: the credentials of the peer of a connected AF_UNIX socket.
/// `setsockopt` option: how long a blocking send waits for room (a `struct timeval`).
pub const SO_SNDTIMEO: i32 = net::SO_SNDTIMEO as i32;
/// `setsockopt` option: how long a blocking receive waits (a `struct timeval`).
pub const SO_RCVTIMEO: i32 = net::SO_RCVTIMEO as i32;
pub const SO_PEERCRED: i32 = net::SO_PEERCRED as i32;
/// Ancillary message type: descriptors.
pub const SCM_RIGHTS: i32 = net::SCM_RIGHTS as i32;
pub const MSG_DONTWAIT: u32 = net::MSG_DONTWAIT;

/// `waitid` id type: any child.
pub const P_ALL: i32 = general::P_ALL as i32;
/// `waitid` option: report children that stopped.
pub const WSTOPPED: i32 = general::WSTOPPED as i32;
/// `si_code` of a child's stop, in `waitid`'s siginfo.
pub const CLD_STOPPED: i32 = general::CLD_STOPPED as i32;
/// `prctl` option: the signal this process gets when its parent dies.
pub const PR_SET_PDEATHSIG: i32 = 1;

pub const SIGHUP: i32 = general::SIGHUP as i32;
pub const SIGINT: i32 = general::SIGINT as i32;
/// The kernel's `struct msghdr` (64-bit): what `sendmsg` and `recvmsg` read and fill.
#[repr(C)]
#[derive(Debug)]
pub struct MsgHdr {
    pub name: usize,
    pub name_len: u32,
    pub iov: usize,
    pub iov_len: usize,
    pub control: usize,
    pub control_len: usize,
    pub flags: i32,
}

/// `struct iovec`.
#[repr(C)]
#[derive(Debug)]
pub struct IoVec {
    pub base: usize,
    pub len: usize,
}

/// One `struct cmsghdr` carrying one descriptor: `CMSG_SPACE(sizeof(int))` bytes, of
/// which `CMSG_LEN(sizeof(int))` are the message.
#[repr(C)]
#[derive(Debug, Default)]
pub struct CmsgFd {
    pub len: usize,
    pub level: i32,
    pub kind: i32,
    pub fd: i32,
    pub pad: i32,
}

/// `CMSG_LEN(sizeof(int))`: the header and one descriptor.
pub const CMSG_FD_LEN: usize = 20;

static_assertions::const_assert_eq!(core::mem::size_of::<MsgHdr>(), 56);
static_assertions::const_assert_eq!(core::mem::size_of::<CmsgFd>(), 24);

pub const SIGKILL: i32 = general::SIGKILL as i32;
pub const SIGPIPE: i32 = general::SIGPIPE as i32;
pub const SIGTERM: i32 = general::SIGTERM as i32;
pub const SIGCHLD: i32 = general::SIGCHLD as i32;
pub const SIGCONT: i32 = general::SIGCONT as i32;
pub const SIGSTOP: i32 = general::SIGSTOP as i32;
pub const SIGXFSZ: i32 = general::SIGXFSZ as i32;
/// Touching a page of a mapping past the end of its file.
pub const SIGBUS: i32 = general::SIGBUS as i32;
/// The first real-time signal a program without libc may use (glibc takes 32 and 33
/// for itself and calls 34 `SIGRTMIN`).
pub const SIGRTMIN: i32 = 34;
/// `rt_sigprocmask`'s `how`: block the given signals.
pub const SIG_BLOCK: usize = general::SIG_BLOCK as usize;
/// `rt_sigprocmask`'s `how`: unblock the given signals.
pub const SIG_UNBLOCK: usize = general::SIG_UNBLOCK as usize;
/// `si_code` of a signal sent by `sigqueue` (`rt_sigqueueinfo`).
pub const SI_QUEUE: i32 = general::SI_QUEUE;
/// `rt_sigaction` handlers that are not functions.
pub const SIG_DFL: usize = 0;
pub const SIG_IGN: usize = 1;
/// Set by the kernel in a robust futex word whose owner died.
pub const FUTEX_OWNER_DIED: u32 = general::FUTEX_OWNER_DIED;
/// `CLOCK_REALTIME`, the clock of POSIX absolute timeouts.
pub const CLOCK_REALTIME: usize = general::CLOCK_REALTIME as usize;
/// `CLOCK_MONOTONIC`: never set, never jumps.
pub const CLOCK_MONOTONIC: usize = general::CLOCK_MONOTONIC as usize;

/// `struct pollfd`: a descriptor to watch (skipped if negative), the events wanted, and
/// those that came.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PollFd {
    /// The descriptor (skipped if negative).
    pub fd: i32,
    /// The events wanted ([`POLLIN`]).
    pub events: i16,
    /// The events that came, written by the call.
    pub revents: i16,
}

/// `poll` event: there is something to read (or to accept).
pub const POLLIN: i16 = general::POLLIN as i16;
/// `poll` event: there is room to write.
pub const POLLOUT: i16 = general::POLLOUT as i16;

/// `struct timespec`: seconds and nanoseconds.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds, `0..10^9`.
    pub tv_nsec: i64,
}

/// The kernel's `struct msqid64_ds` (glibc's `struct msqid_ds`; the same on x86_64 and
/// asm-generic's 64-bit architectures).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct MsqidDs {
    /// The key it was created with (0: IPC_PRIVATE).
    pub key: i32,
    /// Owner's user id.
    pub uid: u32,
    /// Owner's group id.
    pub gid: u32,
    /// Creator's user id.
    pub cuid: u32,
    /// Creator's group id.
    pub cgid: u32,
    /// Permission bits in the low 16 bits.
    pub mode: u32,
    /// Slot usage sequence number.
    pub seq: u16,
    pad: u16,
    unused: [u64; 2],
    /// Time of the last `msgsnd`.
    pub stime: i64,
    /// Time of the last `msgrcv`.
    pub rtime: i64,
    /// Time of the last change.
    pub ctime: i64,
    /// Bytes in the queue now.
    pub cbytes: u64,
    /// Messages in the queue.
    pub qnum: u64,
    /// Bytes the queue may hold (`kernel.msgmnb` by default).
    pub qbytes: u64,
    /// Pid of the last `msgsnd`.
    pub lspid: i32,
    /// Pid of the last `msgrcv`.
    pub lrpid: i32,
    reserved: [u64; 2],
}

/// `struct sembuf` flag: the kernel keeps the operation's inverse and applies it when the
/// process exits (a dead holder's lock is released).
pub const SEM_UNDO: i16 = 0x1000;
/// `semctl` commands: a semaphore's value; set it; the state of the set at a table index
/// (as MSG_STAT); the system's limits and use.
pub const GETVAL: i32 = 12;
/// `semctl` command: the pid of the last process that operated on a semaphore.
pub const GETPID: i32 = 11;
pub const SETVAL: i32 = 16;
pub const SEM_STAT: i32 = 18;
pub const SEM_INFO: i32 = 19;

/// One operation of `semop`/`semtimedop`: add `op` to semaphore `num` (0: wait for zero).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Sembuf {
    /// The semaphore's index in its set.
    pub num: u16,
    /// Added to the value (negative: wait until it can be subtracted; 0: wait for zero).
    pub op: i16,
    /// IPC_NOWAIT, SEM_UNDO.
    pub flg: i16,
}

/// The kernel's `struct ipc64_perm`: how every System V object is owned.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct IpcPerm {
    /// The key it was created with (0: IPC_PRIVATE, or removed while still attached).
    pub key: i32,
    /// Owner's user id.
    pub uid: u32,
    /// Owner's group id.
    pub gid: u32,
    /// Creator's user id.
    pub cuid: u32,
    /// Creator's group id.
    pub cgid: u32,
    /// Permission bits in the low 9 bits; for a segment also SHM_DEST (0o1000: removed,
    /// destroyed at the last detach) and SHM_LOCKED (0o2000: locked in memory).
    pub mode: u32,
    /// Slot usage sequence number.
    pub seq: u16,
    pad: u16,
    unused: [u64; 2],
}

/// The kernel's `struct semid64_ds` (glibc's `struct semid_ds`): x86_64 pads each time
/// with a word, asm-generic's 64-bit layout does not.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct SemidDs {
    /// Owner and permissions.
    pub perm: IpcPerm,
    /// Time of the last `semop`.
    pub otime: i64,
    #[cfg(target_arch = "x86_64")]
    unused1: u64,
    /// Time of the last change.
    pub ctime: i64,
    #[cfg(target_arch = "x86_64")]
    unused2: u64,
    /// Semaphores in the set.
    pub nsems: u64,
    unused3: [u64; 2],
}

/// The kernel's `struct seminfo`, filled by `semctl(0, 0, SEM_INFO, …)`.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
#[allow(missing_docs)]
pub struct SemInfo {
    pub semmap: i32,
    /// The most sets the system holds (`kernel.sem`'s fourth field).
    pub semmni: i32,
    /// The most semaphores in all sets (its second field).
    pub semmns: i32,
    pub semmnu: i32,
    /// The most semaphores in one set (its first field).
    pub semmsl: i32,
    pub semopm: i32,
    pub semume: i32,
    /// With SEM_INFO: how many sets exist.
    pub semusz: i32,
    pub semvmx: i32,
    /// With SEM_INFO: how many semaphores exist.
    pub semaem: i32,
}

/// `ipc_perm.mode` bit of a removed segment that still has attachments.
pub const SHM_DEST: u32 = 0o1000;
/// `ipc_perm.mode` bit of a segment locked in memory (`shmctl(SHM_LOCK)`): never swapped.
pub const SHM_LOCKED: u32 = 0o2000;

/// The kernel's `struct shmid64_ds` on x86_64 (glibc's `struct shmid_ds`).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct ShmidDs {
    /// Owner and permissions.
    pub perm: IpcPerm,
    /// Size in bytes, as asked of `shmget` (attachments round it up to pages).
    pub segsz: u64,
    /// Time of the last attach.
    pub atime: i64,
    /// Time of the last detach.
    pub dtime: i64,
    /// Time of the last change.
    pub ctime: i64,
    /// Pid of the creator.
    pub cpid: i32,
    /// Pid of the last attach or detach.
    pub lpid: i32,
    /// Attachments now.
    pub nattch: u64,
    unused: [u64; 2],
}

/// The kernel's `struct sigaction` (not glibc's, which has a 1024-bit mask). riscv64's
/// has no `sa_restorer`: a handler returns through the vDSO's trampoline.
#[repr(C)]
pub struct KernelSigaction {
    /// A function, or `SIG_DFL` (0), `SIG_IGN` (1).
    pub handler: usize,
    /// `SA_*` bits.
    pub flags: u64,
    /// Where a handler returns to (with SA_RESTORER).
    #[cfg(not(target_arch = "riscv64"))]
    pub restorer: usize,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

/// The kernel's `struct msginfo`, filled by `msgctl(…, MSG_INFO, …)`.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
#[allow(missing_docs)]
pub struct MsgInfo {
    /// With MSG_INFO: how many queues exist.
    pub msgpool: i32,
    pub msgmap: i32,
    pub msgmax: i32,
    pub msgmnb: i32,
    pub msgmni: i32,
    pub msgssz: i32,
    pub msgtql: i32,
    pub msgseg: u16,
}

/// The kernel's `struct shm_info`, filled by `shmctl(0, SHM_INFO, …)`.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct ShmInfo {
    /// Segments that exist.
    pub used_ids: i32,
    /// Pages of all segments, resident, swapped; swap counters (unused by Linux).
    pub totals: [u64; 5],
}

static_assertions::const_assert_eq!(core::mem::size_of::<ShmInfo>(), 48);

/// The kernel's and glibc's `struct mq_attr` on x86_64: eight `long`s.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct MqAttr {
    /// `O_NONBLOCK` or 0 (only this field is changed by `mq_setattr`).
    pub flags: i64,
    /// Most messages the queue holds.
    pub maxmsg: i64,
    /// Largest message, in bytes.
    pub msgsize: i64,
    /// Messages in the queue now.
    pub curmsgs: i64,
    pub(crate) reserved: [i64; 4],
}

/// `siginfo_t` as `rt_sigqueueinfo` takes it and `rt_sigtimedwait` fills it, for a
/// signal queued by a process (the `_rt` member of its union): 128 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SigInfo {
    pub signo: i32,
    pub errno: i32,
    pub code: i32,
    _pad: i32,
    /// The sender's pid — as the sender says: `rt_sigqueueinfo` passes it unchecked.
    pub pid: i32,
    pub uid: u32,
    /// `union sigval`: the value queued with the signal.
    pub value: u64,
    _rest: [u64; 12],
}

impl SigInfo {
    /// A `siginfo_t` for `rt_sigqueueinfo`: signal `signo` from `pid`, carrying `value`.
    pub const fn queued(signo: i32, pid: i32, value: u64) -> SigInfo {
        SigInfo { signo, errno: 0, code: SI_QUEUE, _pad: 0, pid, uid: 0, value, _rest: [0; 12] }
    }

    /// For SIGCHLD and `waitid`: `si_status`, the exit status or the signal, which the
    /// kernel keeps where a queued signal's value begins (after si_pid and si_uid).
    pub const fn status(&self) -> i32 {
        self.value as u32 as i32
    }
}

static_assertions::const_assert_eq!(core::mem::size_of::<SigInfo>(), 128);
static_assertions::const_assert_eq!(core::mem::offset_of!(SigInfo, pid), 16);
static_assertions::const_assert_eq!(core::mem::size_of::<PollFd>(), 8);
static_assertions::const_assert_eq!(core::mem::offset_of!(SigInfo, value), 24);
static_assertions::const_assert_eq!(core::mem::size_of::<MqAttr>(), 64);
static_assertions::const_assert_eq!(core::mem::offset_of!(MqAttr, msgsize), 16);

impl MqAttr {
    /// Attributes for a new queue of `maxmsg` messages of at most `msgsize` bytes.
    pub const fn new(maxmsg: i64, msgsize: i64) -> MqAttr {
        MqAttr { flags: 0, maxmsg, msgsize, curmsgs: 0, reserved: [0; 4] }
    }
}

static_assertions::const_assert_eq!(core::mem::size_of::<Timespec>(), 16);
static_assertions::const_assert_eq!(core::mem::size_of::<MsgInfo>(), 32);
static_assertions::const_assert_eq!(core::mem::size_of::<MsqidDs>(), 120);
static_assertions::const_assert_eq!(core::mem::offset_of!(MsqidDs, qnum), 80);
static_assertions::const_assert_eq!(core::mem::size_of::<Sembuf>(), 6);
static_assertions::const_assert_eq!(core::mem::size_of::<IpcPerm>(), 48);
#[cfg(target_arch = "x86_64")]
static_assertions::const_assert_eq!(core::mem::size_of::<SemidDs>(), 104);
#[cfg(not(target_arch = "x86_64"))]
static_assertions::const_assert_eq!(core::mem::size_of::<SemidDs>(), 88);
static_assertions::const_assert_eq!(core::mem::size_of::<SemInfo>(), 40);
static_assertions::const_assert_eq!(core::mem::size_of::<ShmidDs>(), 112);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::nr;
    use core::mem::{offset_of, size_of};

    #[test]
    fn numbers_match_the_libc_crate() {
        let pairs = [
            (nr::RT_SIGACTION, libc::SYS_rt_sigaction),
            (nr::RT_SIGRETURN, libc::SYS_rt_sigreturn),
            (nr::RT_SIGPROCMASK, libc::SYS_rt_sigprocmask),
            (nr::TIMER_CREATE, libc::SYS_timer_create),
            (nr::TIMER_SETTIME, libc::SYS_timer_settime),
            (nr::KILL, libc::SYS_kill),
            (nr::RT_SIGTIMEDWAIT, libc::SYS_rt_sigtimedwait),
            (nr::RT_SIGQUEUEINFO, libc::SYS_rt_sigqueueinfo),
            (nr::SOCKET, libc::SYS_socket),
            (nr::SOCKETPAIR, libc::SYS_socketpair),
            (nr::BIND, libc::SYS_bind),
            (nr::LISTEN, libc::SYS_listen),
            (nr::CONNECT, libc::SYS_connect),
            (nr::ACCEPT4, libc::SYS_accept4),
            (nr::SENDTO, libc::SYS_sendto),
            (nr::RECVFROM, libc::SYS_recvfrom),
            (nr::SENDMSG, libc::SYS_sendmsg),
            (nr::RECVMSG, libc::SYS_recvmsg),
            (nr::OPENAT, libc::SYS_openat),
            (nr::MKNODAT, libc::SYS_mknodat),
            (nr::UNLINKAT, libc::SYS_unlinkat),
            (nr::SCHED_YIELD, libc::SYS_sched_yield),
            (nr::WAITID, libc::SYS_waitid),
            (nr::PRCTL, libc::SYS_prctl),
            (nr::PROCESS_VM_READV, libc::SYS_process_vm_readv),
            (nr::CLOCK_GETTIME, libc::SYS_clock_gettime),
            (nr::SET_ROBUST_LIST, libc::SYS_set_robust_list),
            (nr::PPOLL, libc::SYS_ppoll),
            (nr::PRLIMIT64, libc::SYS_prlimit64),
            (nr::GETSOCKOPT, libc::SYS_getsockopt),
            (nr::SETSOCKOPT, libc::SYS_setsockopt),
            (nr::GETSOCKNAME, libc::SYS_getsockname),
            (nr::MSGGET, libc::SYS_msgget),
            (nr::MSGSND, libc::SYS_msgsnd),
            (nr::MSGRCV, libc::SYS_msgrcv),
            (nr::MSGCTL, libc::SYS_msgctl),
            (nr::SHMGET, libc::SYS_shmget),
            (nr::SHMAT, libc::SYS_shmat),
            (nr::SHMCTL, libc::SYS_shmctl),
            (nr::SEMGET, libc::SYS_semget),
            (nr::SEMCTL, libc::SYS_semctl),
            (nr::SHMDT, libc::SYS_shmdt),
            (nr::SEMTIMEDOP, libc::SYS_semtimedop),
            (nr::EXIT_GROUP, libc::SYS_exit_group),
            (nr::MQ_OPEN, libc::SYS_mq_open),
            (nr::MQ_UNLINK, libc::SYS_mq_unlink),
            (nr::MQ_TIMEDSEND, libc::SYS_mq_timedsend),
            (nr::MQ_TIMEDRECEIVE, libc::SYS_mq_timedreceive),
            (nr::MQ_GETSETATTR, libc::SYS_mq_getsetattr),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(ours as i64, theirs);
        }
        // fork: its own call on x86_64; clone with SIGCHLD on asm-generic, which has none.
        #[cfg(target_arch = "x86_64")]
        assert_eq!(nr::FORK as i64, libc::SYS_fork);
        #[cfg(not(target_arch = "x86_64"))]
        assert_eq!(nr::CLONE as i64, libc::SYS_clone);
    }

    #[test]
    fn flags_match_the_libc_crate() {
        let pairs = [
            (O_RDONLY, libc::O_RDONLY),
            (O_WRONLY, libc::O_WRONLY),
            (O_RDWR, libc::O_RDWR),
            (O_CREAT, libc::O_CREAT),
            (O_EXCL, libc::O_EXCL),
            (O_NONBLOCK, libc::O_NONBLOCK),
            (O_NOFOLLOW, libc::O_NOFOLLOW),
            (O_CLOEXEC, libc::O_CLOEXEC),
            (general::O_DIRECTORY as i32, libc::O_DIRECTORY),
            (O_PATH, libc::O_PATH),
            (O_TMPFILE, libc::O_TMPFILE),
            (S_IFIFO as i32, libc::S_IFIFO as i32),
            (IPC_PRIVATE, libc::IPC_PRIVATE),
            (IPC_CREAT, libc::IPC_CREAT),
            (IPC_EXCL, libc::IPC_EXCL),
            (IPC_NOWAIT, libc::IPC_NOWAIT),
            (MSG_NOERROR, libc::MSG_NOERROR),
            (IPC_RMID, libc::IPC_RMID),
            (IPC_STAT, libc::IPC_STAT),
            (MSG_INFO, libc::MSG_INFO),
            (MSG_STAT, libc::MSG_STAT),
            (SEM_UNDO as i32, libc::SEM_UNDO),
            (GETVAL, libc::GETVAL),
            (SETVAL, libc::SETVAL),
            (SEM_STAT, libc::SEM_STAT),
            (SEM_INFO, libc::SEM_INFO),
            (SEM_STAT_ANY, libc::SEM_STAT_ANY),
            (GETPID, libc::GETPID),
            (AF_UNIX as i32, libc::AF_UNIX),
            (AF_INET as i32, libc::AF_INET),
            (SOCK_STREAM as i32, libc::SOCK_STREAM),
            (SOCK_DGRAM as i32, libc::SOCK_DGRAM),
            (SOCK_SEQPACKET as i32, libc::SOCK_SEQPACKET),
            (SOCK_CLOEXEC as i32, libc::SOCK_CLOEXEC),
            (SOCK_NONBLOCK as i32, libc::SOCK_NONBLOCK),
            (POLLIN as i32, libc::POLLIN as i32),
            (POLLOUT as i32, libc::POLLOUT as i32),
            (MSG_TRUNC as i32, libc::MSG_TRUNC),
            (MSG_NOSIGNAL as i32, libc::MSG_NOSIGNAL),
            (MSG_DONTWAIT as i32, libc::MSG_DONTWAIT),
            (MSG_CMSG_CLOEXEC as i32, libc::MSG_CMSG_CLOEXEC),
            (SOL_SOCKET, libc::SOL_SOCKET),
            (SO_PEERCRED, libc::SO_PEERCRED),
            (SO_SNDTIMEO, libc::SO_SNDTIMEO),
            (SO_RCVTIMEO, libc::SO_RCVTIMEO),
            (RLIMIT_STACK as i32, libc::RLIMIT_STACK as i32),
            (SCM_RIGHTS, libc::SCM_RIGHTS),
            (P_ALL, libc::P_ALL as i32),
            (WSTOPPED, libc::WSTOPPED),
            (CLD_STOPPED, libc::CLD_STOPPED),
            (PR_SET_PDEATHSIG, libc::PR_SET_PDEATHSIG),
            (SIGCONT, libc::SIGCONT),
            (SIGSTOP, libc::SIGSTOP),
            (SIGHUP, libc::SIGHUP),
            (SIGINT, libc::SIGINT),
            (SIGKILL, libc::SIGKILL),
            (SIGPIPE, libc::SIGPIPE),
            (SIGTERM, libc::SIGTERM),
            (SIGCHLD, libc::SIGCHLD),
            (SIGXFSZ, libc::SIGXFSZ),
            (SIGBUS, libc::SIGBUS),
            (SIG_UNBLOCK as i32, libc::SIG_UNBLOCK),
            (SIG_BLOCK as i32, libc::SIG_BLOCK),
            (SI_QUEUE, libc::SI_QUEUE),
            (CLOCK_REALTIME as i32, libc::CLOCK_REALTIME),
            (CLOCK_MONOTONIC as i32, libc::CLOCK_MONOTONIC),
            (FUTEX_OWNER_DIED as i32, libc::FUTEX_OWNER_DIED as i32),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(ours, theirs);
        }
        // glibc's SIGRTMIN is a function (it reserves signals for itself at run time).
        assert_eq!(SIGRTMIN, libc::SIGRTMIN());
        assert_eq!(core::mem::size_of::<libc::sigevent>(), 64);
        assert_eq!(core::mem::offset_of!(libc::sigevent, sigev_signo), 8);
        assert_eq!(core::mem::offset_of!(libc::sigevent, sigev_notify), 12);
        assert_eq!(libc::SIGEV_SIGNAL, 0);
        // glibc keeps SA_RESTORER private; the kernel value is in asm/signal.h (riscv64 has
        // none: its struct sigaction has no restorer).
        #[cfg(not(target_arch = "riscv64"))]
        assert_eq!(crate::sys::arch::SA_RESTORER, 0x0400_0000);
        #[cfg(target_arch = "riscv64")]
        assert_eq!(core::mem::size_of::<KernelSigaction>(), 24);
        #[cfg(not(target_arch = "riscv64"))]
        assert_eq!(core::mem::size_of::<KernelSigaction>(), 32);
    }

    #[test]
    fn structs_match_the_libc_crate() {
        assert_eq!(size_of::<Timespec>(), size_of::<libc::timespec>());
        assert_eq!(size_of::<MsqidDs>(), size_of::<libc::msqid_ds>());
        assert_eq!(offset_of!(MsqidDs, qnum), offset_of!(libc::msqid_ds, msg_qnum));
        assert_eq!(offset_of!(MsqidDs, qbytes), offset_of!(libc::msqid_ds, msg_qbytes));
        assert_eq!(offset_of!(MsqidDs, lspid), offset_of!(libc::msqid_ds, msg_lspid));
        assert_eq!(offset_of!(MsqidDs, stime), offset_of!(libc::msqid_ds, msg_stime));
        assert_eq!(size_of::<MqAttr>(), size_of::<libc::mq_attr>());
        assert_eq!(size_of::<IpcPerm>(), size_of::<libc::ipc_perm>());
        assert_eq!(offset_of!(IpcPerm, mode), offset_of!(libc::ipc_perm, mode));
        assert_eq!(offset_of!(IpcPerm, cuid), offset_of!(libc::ipc_perm, cuid));
        assert_eq!(size_of::<Sembuf>(), size_of::<libc::sembuf>());
        assert_eq!(offset_of!(Sembuf, op), offset_of!(libc::sembuf, sem_op));
        assert_eq!(offset_of!(Sembuf, flg), offset_of!(libc::sembuf, sem_flg));
        assert_eq!(size_of::<SemidDs>(), size_of::<libc::semid_ds>());
        assert_eq!(offset_of!(SemidDs, nsems), offset_of!(libc::semid_ds, sem_nsems));
        assert_eq!(size_of::<ShmidDs>(), size_of::<libc::shmid_ds>());
        assert_eq!(offset_of!(ShmidDs, segsz), offset_of!(libc::shmid_ds, shm_segsz));
        assert_eq!(offset_of!(ShmidDs, cpid), offset_of!(libc::shmid_ds, shm_cpid));
        assert_eq!(offset_of!(ShmidDs, nattch), offset_of!(libc::shmid_ds, shm_nattch));
        assert_eq!(size_of::<SigInfo>(), size_of::<libc::siginfo_t>());
        assert_eq!(size_of::<MsgHdr>(), size_of::<libc::msghdr>());
        assert_eq!(offset_of!(MsgHdr, iov), offset_of!(libc::msghdr, msg_iov));
        assert_eq!(offset_of!(MsgHdr, control), offset_of!(libc::msghdr, msg_control));
        assert_eq!(offset_of!(MsgHdr, control_len), offset_of!(libc::msghdr, msg_controllen));
        assert_eq!(offset_of!(MsgHdr, flags), offset_of!(libc::msghdr, msg_flags));
        assert_eq!(size_of::<IoVec>(), size_of::<libc::iovec>());
        // SAFETY: CMSG_SPACE and CMSG_LEN are arithmetic on their argument.
        let (space, len) = unsafe { (libc::CMSG_SPACE(4), libc::CMSG_LEN(4)) };
        assert_eq!((size_of::<CmsgFd>(), CMSG_FD_LEN), (space as usize, len as usize));
        assert_eq!(offset_of!(CmsgFd, fd), len as usize - 4);
        // libc exposes the union's members through methods only: read them back.
        // SAFETY: siginfo_t is plain integers and unions of them: all zeros is valid.
        let mut info: libc::siginfo_t = unsafe { core::mem::zeroed() };
        // SAFETY: both are plain 128-byte C structs; every bit pattern is valid for each.
        unsafe {
            (&raw mut info).cast::<SigInfo>().write(SigInfo::queued(
                35,
                1234,
                0xdead_beef_0000_0001,
            ))
        };
        // SAFETY: a queued signal's siginfo has the _rt member, which these read.
        let (pid, value) = unsafe { (info.si_pid(), info.si_value().sival_ptr as u64) };
        assert_eq!(
            (info.si_signo, info.si_code, pid, value),
            (35, libc::SI_QUEUE, 1234, 0xdead_beef_0000_0001)
        );
        // A child's stop, as waitid reports it: si_status where the value begins.
        let stop =
            SigInfo { code: CLD_STOPPED, value: SIGSTOP as u64, ..SigInfo::queued(17, 9, 0) };
        // SAFETY: as above.
        unsafe { (&raw mut info).cast::<SigInfo>().write(stop) };
        // SAFETY: a SIGCHLD siginfo has the _sigchld member, which these read.
        let (pid, status) = unsafe { (info.si_pid(), info.si_status()) };
        assert_eq!((pid, status), (9, libc::SIGSTOP));
        assert_eq!(size_of::<libc::sem_t>(), 32);
        assert_eq!(size_of::<MsgInfo>(), size_of::<libc::msginfo>());
        assert_eq!(SIG_DFL, libc::SIG_DFL);
        assert_eq!(SIG_IGN, libc::SIG_IGN);
    }
}
