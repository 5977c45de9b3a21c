//! System call numbers of the asm-generic table (`include/uapi/asm-generic/unistd.h`),
//! which aarch64 and riscv64 share. It has no `fork`, `open` or `pipe`: `clone` with
//! SIGCHLD, `openat` and `pipe2` stand for them.

pub const RT_SIGACTION: usize = 134;
pub const RT_SIGPROCMASK: usize = 135;
pub const RT_SIGTIMEDWAIT: usize = 137;
pub const RT_SIGQUEUEINFO: usize = 138;
// Used by arm64's trampoline (riscv64 returns through the vDSO's).
#[cfg_attr(target_arch = "riscv64", allow(dead_code))]
pub const RT_SIGRETURN: usize = 139;
pub const SOCKET: usize = 198;
pub const SOCKETPAIR: usize = 199;
pub const BIND: usize = 200;
pub const LISTEN: usize = 201;
pub const CONNECT: usize = 203;
pub const SENDTO: usize = 206;
pub const RECVFROM: usize = 207;
pub const SENDMSG: usize = 211;
pub const RECVMSG: usize = 212;
pub const ACCEPT4: usize = 242;
pub const MKNODAT: usize = 33;
pub const UNLINKAT: usize = 35;
pub const OPENAT: usize = 56;
pub const CLONE: usize = 220;
pub const SCHED_YIELD: usize = 124;
pub const WAITID: usize = 95;
pub const PRCTL: usize = 167;
pub const PROCESS_VM_READV: usize = 270;
pub const KILL: usize = 129;
pub const MSGGET: usize = 186;
pub const MSGCTL: usize = 187;
pub const MSGRCV: usize = 188;
pub const MSGSND: usize = 189;
pub const SEMGET: usize = 190;
pub const SEMCTL: usize = 191;
pub const SEMTIMEDOP: usize = 192;
pub const SHMGET: usize = 194;
pub const SHMCTL: usize = 195;
pub const SHMAT: usize = 196;
pub const SHMDT: usize = 197;
pub const TIMER_CREATE: usize = 107;
pub const TIMER_SETTIME: usize = 110;
pub const CLOCK_GETTIME: usize = 113;
pub const EXIT_GROUP: usize = 94;
pub const MQ_OPEN: usize = 180;
pub const MQ_UNLINK: usize = 181;
pub const MQ_TIMEDSEND: usize = 182;
pub const MQ_TIMEDRECEIVE: usize = 183;
pub const MQ_GETSETATTR: usize = 185;
pub const SET_ROBUST_LIST: usize = 99;
pub const PPOLL: usize = 73;
pub const PRLIMIT64: usize = 261;
pub const GETSOCKOPT: usize = 209;
pub const GETSOCKNAME: usize = 204;
