//! The kernel ABI bareipc speaks (x86_64): system call numbers, flags and structs,
//! written out here and checked against the libc crate by the tests.
//!
//! Why not take them from the libc crate at build time: any use of `libc` in the programs
//! makes rustc pass `-lc` (and `-lm`, `-lrt`, …) to the linker, and lld then gives the
//! "static" executable a `PT_DYNAMIC` segment exporting `memcpy` and friends. Measured;
//! see the README. The libc crate is a dev-dependency only.

/// System call numbers, from `arch/x86/entry/syscalls/syscall_64.tbl`.
pub mod nr {
    pub const RT_SIGACTION: usize = 13;
    pub const RT_SIGRETURN: usize = 15;
    pub const SETITIMER: usize = 38;
    pub const FORK: usize = 57;
    pub const KILL: usize = 62;
    pub const MSGGET: usize = 68;
    pub const MSGSND: usize = 69;
    pub const MSGRCV: usize = 70;
    pub const MSGCTL: usize = 71;
    pub const CLOCK_GETTIME: usize = 228;
    pub const EXIT_GROUP: usize = 231;
    pub const MQ_OPEN: usize = 240;
    pub const MQ_UNLINK: usize = 241;
    pub const MQ_TIMEDSEND: usize = 242;
    pub const MQ_TIMEDRECEIVE: usize = 243;
    pub const MQ_GETSETATTR: usize = 245;
    pub const SET_ROBUST_LIST: usize = 273;
}

pub const O_RDONLY: i32 = 0;
pub const O_WRONLY: i32 = 1;
pub const O_RDWR: i32 = 2;
pub const O_CREAT: i32 = 0o100;
pub const O_EXCL: i32 = 0o200;
pub const O_NONBLOCK: i32 = 0o4000;
pub const O_NOFOLLOW: i32 = 0o400000;
pub const O_CLOEXEC: i32 = 0o2000000;

pub const IPC_PRIVATE: i32 = 0;
pub const IPC_CREAT: i32 = 0o1000;
pub const IPC_EXCL: i32 = 0o2000;
pub const IPC_NOWAIT: i32 = 0o4000;
pub const IPC_RMID: i32 = 0;
pub const IPC_STAT: i32 = 2;
/// `msgctl` command: the index of the highest queue in use, and a [`MsgInfo`].
pub const MSG_INFO: i32 = 12;
/// `msgctl` command: like IPC_STAT, but given an index into the kernel's table; returns
/// the queue's identifier.
pub const MSG_STAT: i32 = 11;

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGKILL: i32 = 9;
pub const SIGPIPE: i32 = 13;
pub const SIGALRM: i32 = 14;
pub const SIGTERM: i32 = 15;
/// `rt_sigaction` handlers that are not functions.
pub const SIG_DFL: usize = 0;
pub const SIG_IGN: usize = 1;
/// Set by the kernel in a robust futex word whose owner died.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// `CLOCK_REALTIME`, the clock of POSIX absolute timeouts.
pub const CLOCK_REALTIME: usize = 0;
/// `sa_flags` bit: the handler returns through `sa_restorer`.
pub const SA_RESTORER: u64 = 0x0400_0000;

/// `struct timespec`: seconds and nanoseconds.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

/// The kernel's `struct msqid64_ds` (glibc's `struct msqid_ds` on x86_64).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct MsqidDs {
    pub key: i32,
    pub uid: u32,
    pub gid: u32,
    pub cuid: u32,
    pub cgid: u32,
    /// Permission bits in the low 16 bits.
    pub mode: u32,
    pub seq: u16,
    pad: u16,
    unused: [u64; 2],
    pub stime: i64,
    pub rtime: i64,
    pub ctime: i64,
    pub cbytes: u64,
    /// Messages in the queue.
    pub qnum: u64,
    /// Bytes the queue may hold (`kernel.msgmnb` by default).
    pub qbytes: u64,
    pub lspid: i32,
    pub lrpid: i32,
    reserved: [u64; 2],
}

/// The kernel's `struct msginfo`, filled by `msgctl(…, MSG_INFO, …)`.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
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

static_assertions::const_assert_eq!(core::mem::size_of::<Timespec>(), 16);
static_assertions::const_assert_eq!(core::mem::size_of::<MsgInfo>(), 32);
static_assertions::const_assert_eq!(core::mem::size_of::<MsqidDs>(), 120);
static_assertions::const_assert_eq!(core::mem::offset_of!(MsqidDs, qnum), 80);

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn numbers_match_the_libc_crate() {
        let pairs = [
            (nr::RT_SIGACTION, libc::SYS_rt_sigaction),
            (nr::RT_SIGRETURN, libc::SYS_rt_sigreturn),
            (nr::SETITIMER, libc::SYS_setitimer),
            (nr::FORK, libc::SYS_fork),
            (nr::KILL, libc::SYS_kill),
            (nr::CLOCK_GETTIME, libc::SYS_clock_gettime),
            (nr::SET_ROBUST_LIST, libc::SYS_set_robust_list),
            (nr::MSGGET, libc::SYS_msgget),
            (nr::MSGSND, libc::SYS_msgsnd),
            (nr::MSGRCV, libc::SYS_msgrcv),
            (nr::MSGCTL, libc::SYS_msgctl),
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
            (IPC_PRIVATE, libc::IPC_PRIVATE),
            (IPC_CREAT, libc::IPC_CREAT),
            (IPC_EXCL, libc::IPC_EXCL),
            (IPC_NOWAIT, libc::IPC_NOWAIT),
            (IPC_RMID, libc::IPC_RMID),
            (IPC_STAT, libc::IPC_STAT),
            (MSG_INFO, libc::MSG_INFO),
            (MSG_STAT, libc::MSG_STAT),
            (SIGHUP, libc::SIGHUP),
            (SIGINT, libc::SIGINT),
            (SIGKILL, libc::SIGKILL),
            (SIGPIPE, libc::SIGPIPE),
            (SIGALRM, libc::SIGALRM),
            (SIGTERM, libc::SIGTERM),
            (CLOCK_REALTIME as i32, libc::CLOCK_REALTIME),
            (FUTEX_OWNER_DIED as i32, libc::FUTEX_OWNER_DIED as i32),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(ours, theirs);
        }
        // glibc keeps SA_RESTORER private; the kernel value is in asm/signal.h.
        assert_eq!(SA_RESTORER, 0x0400_0000);
    }

    #[test]
    fn structs_match_the_libc_crate() {
        assert_eq!(size_of::<Timespec>(), size_of::<libc::timespec>());
        assert_eq!(size_of::<MsqidDs>(), size_of::<libc::msqid_ds>());
        assert_eq!(offset_of!(MsqidDs, qnum), offset_of!(libc::msqid_ds, msg_qnum));
        assert_eq!(offset_of!(MsqidDs, qbytes), offset_of!(libc::msqid_ds, msg_qbytes));
        assert_eq!(offset_of!(MsqidDs, lspid), offset_of!(libc::msqid_ds, msg_lspid));
        assert_eq!(offset_of!(MsqidDs, stime), offset_of!(libc::msqid_ds, msg_stime));
        assert_eq!(size_of::<crate::sys::MqAttr>(), size_of::<libc::mq_attr>());
        assert_eq!(size_of::<libc::sem_t>(), 32);
        assert_eq!(size_of::<MsgInfo>(), size_of::<libc::msginfo>());
        assert_eq!(SIG_DFL, libc::SIG_DFL);
        assert_eq!(SIG_IGN, libc::SIG_IGN);
    }
}
