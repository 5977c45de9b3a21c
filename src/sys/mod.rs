//! The floor: the one layer that executes system call instructions or lays out kernel
//! structs, and the only one whose unsafety is about the kernel ABI.
//!
//! rustix covers most of what bareipc needs; this layer adds what it lacks (`fork`,
//! `exit_group`, the POSIX message queue calls, the System V message, semaphore and
//! shared memory calls, `rt_sigaction`, `rt_sigprocmask`, `rt_sigqueueinfo`,
//! `rt_sigtimedwait`, `timer_create`, `set_robust_list`), and takes over a few calls rustix has where its general
//! conversions cost more bytes than a 16 KiB binary can spare: the AF_UNIX socket calls
//! and the file calls of a run's named file (`openat`, `mknodat`, `unlinkat`),
//! 20 to 30 bytes a call. Every function here is a thin, typed shim: it passes its
//! arguments to the kernel unchanged and turns the kernel's `-errno` return into an
//! [`Errno`]. What is specific to an architecture (the instruction, the numbers, the
//! signal trampoline) is in its own file, [`arch`]; the constants and structs the kernel
//! shares across architectures are in [`abi`]; the call numbers in [`nr`]. The calls
//! themselves are grouped by topic, as the kernel's headers group them: [`fs`], [`net`],
//! [`process`], [`signal`], [`mq`], [`sysv`]; this file keeps the raw entry points they
//! share. Everything here is internal to the crate: the layers above give these calls
//! meaning and safe types.

pub(crate) mod abi;
#[cfg(target_arch = "x86_64")]
#[path = "x86_64.rs"]
pub(crate) mod arch;
#[cfg(target_arch = "aarch64")]
#[path = "aarch64.rs"]
pub(crate) mod arch;
#[cfg(target_arch = "riscv64")]
#[path = "riscv64.rs"]
pub(crate) mod arch;

use crate::errno::Errno;
use rustix::fd::{FromRawFd, OwnedFd};

/// System call numbers, from `linux-raw-sys` (generated from each architecture's kernel
/// headers): x86_64's own table, the asm-generic one of aarch64 and riscv64. Each call
/// site names its call; the checks against libc's `SYS_*` in `abi.rs` test them.
pub(crate) mod nr {
    use linux_raw_sys::general as g;
    pub const RT_SIGACTION: usize = g::__NR_rt_sigaction as usize;
    // Used by the trampolines of x86_64 and arm64 (riscv64 returns through the vDSO's).
    #[cfg_attr(target_arch = "riscv64", allow(dead_code))]
    pub const RT_SIGRETURN: usize = g::__NR_rt_sigreturn as usize;
    pub const RT_SIGPROCMASK: usize = g::__NR_rt_sigprocmask as usize;
    pub const RT_SIGTIMEDWAIT: usize = g::__NR_rt_sigtimedwait as usize;
    pub const RT_SIGQUEUEINFO: usize = g::__NR_rt_sigqueueinfo as usize;
    pub const SOCKET: usize = g::__NR_socket as usize;
    pub const CONNECT: usize = g::__NR_connect as usize;
    pub const SENDTO: usize = g::__NR_sendto as usize;
    pub const RECVFROM: usize = g::__NR_recvfrom as usize;
    pub const SENDMSG: usize = g::__NR_sendmsg as usize;
    pub const RECVMSG: usize = g::__NR_recvmsg as usize;
    pub const SOCKETPAIR: usize = g::__NR_socketpair as usize;
    pub const BIND: usize = g::__NR_bind as usize;
    pub const LISTEN: usize = g::__NR_listen as usize;
    pub const ACCEPT4: usize = g::__NR_accept4 as usize;
    pub const OPENAT: usize = g::__NR_openat as usize;
    pub const MKNODAT: usize = g::__NR_mknodat as usize;
    pub const UNLINKAT: usize = g::__NR_unlinkat as usize;
    #[cfg(target_arch = "x86_64")]
    #[cfg_attr(feature = "std", allow(dead_code))]
    pub const FORK: usize = g::__NR_fork as usize;
    pub const SCHED_YIELD: usize = g::__NR_sched_yield as usize;
    pub const WAITID: usize = g::__NR_waitid as usize;
    pub const PRCTL: usize = g::__NR_prctl as usize;
    pub const PROCESS_VM_READV: usize = g::__NR_process_vm_readv as usize;
    pub const KILL: usize = g::__NR_kill as usize;
    pub const MSGGET: usize = g::__NR_msgget as usize;
    pub const MSGSND: usize = g::__NR_msgsnd as usize;
    pub const MSGRCV: usize = g::__NR_msgrcv as usize;
    pub const MSGCTL: usize = g::__NR_msgctl as usize;
    pub const SHMGET: usize = g::__NR_shmget as usize;
    pub const SHMAT: usize = g::__NR_shmat as usize;
    pub const SHMCTL: usize = g::__NR_shmctl as usize;
    pub const SEMGET: usize = g::__NR_semget as usize;
    pub const SEMCTL: usize = g::__NR_semctl as usize;
    pub const SHMDT: usize = g::__NR_shmdt as usize;
    pub const SEMTIMEDOP: usize = g::__NR_semtimedop as usize;
    pub const TIMER_CREATE: usize = g::__NR_timer_create as usize;
    pub const TIMER_SETTIME: usize = g::__NR_timer_settime as usize;
    pub const CLOCK_GETTIME: usize = g::__NR_clock_gettime as usize;
    pub const EXIT_GROUP: usize = g::__NR_exit_group as usize;
    pub const MQ_OPEN: usize = g::__NR_mq_open as usize;
    pub const MQ_UNLINK: usize = g::__NR_mq_unlink as usize;
    pub const MQ_TIMEDSEND: usize = g::__NR_mq_timedsend as usize;
    pub const MQ_TIMEDRECEIVE: usize = g::__NR_mq_timedreceive as usize;
    pub const MQ_GETSETATTR: usize = g::__NR_mq_getsetattr as usize;
    pub const SET_ROBUST_LIST: usize = g::__NR_set_robust_list as usize;
    pub const PPOLL: usize = g::__NR_ppoll as usize;
    pub const PRLIMIT64: usize = g::__NR_prlimit64 as usize;
    pub const GETSOCKOPT: usize = g::__NR_getsockopt as usize;
    pub const SETSOCKOPT: usize = g::__NR_setsockopt as usize;
    pub const GETSOCKNAME: usize = g::__NR_getsockname as usize;
    #[cfg(not(target_arch = "x86_64"))]
    pub const CLONE: usize = g::__NR_clone as usize;
}

mod fs;
mod mq;
mod net;
mod process;
mod signal;
mod sysv;
pub(crate) use fs::*;
pub(crate) use mq::*;
pub(crate) use net::*;
pub(crate) use process::*;
pub(crate) use signal::*;
pub(crate) use sysv::*;

/// Turns a raw kernel return value into `Ok(value)` or `Err(errno)`.
///
/// The kernel reports failure as a value in `-4095..=-1`.
#[inline]
fn check(ret: usize) -> Result<usize, Errno> {
    if ret > (-4096isize) as usize {
        Err(Errno::from_raw((ret as isize).unsigned_abs() as i32))
    } else {
        Ok(ret)
    }
}

/// Issues system call `nr` with two arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> Result<usize, Errno> {
    // SAFETY: the caller's contract is syscall4's; unused argument registers are ignored.
    unsafe { syscall4(nr, a0, a1, 0, 0) }
}

/// Issues system call `nr` with three arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> Result<usize, Errno> {
    // SAFETY: as for syscall2.
    unsafe { syscall4(nr, a0, a1, a2, 0) }
}

/// Issues system call `nr` with four arguments.
///
/// # Safety
/// The call must be one whose effects the caller has accounted for (memory it reads or
/// writes, descriptors it creates or closes, processes it creates); every pointer among
/// the arguments must be valid for the access the call makes.
#[inline]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> Result<usize, Errno> {
    // SAFETY: the caller's contract is arch::syscall4's.
    check(unsafe { arch::syscall4(nr, a0, a1, a2, a3) })
}

/// Issues system call `nr` with five arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
unsafe fn syscall5(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
) -> Result<usize, Errno> {
    // SAFETY: the caller's contract is arch::syscall5's.
    check(unsafe { arch::syscall5(nr, a0, a1, a2, a3, a4) })
}

/// The owner of a descriptor the kernel has just returned.
///
/// # Safety
/// `fd` is what a successful call that creates a descriptor returned (0..=i32::MAX), and
/// nothing else owns it yet: the result closes it.
unsafe fn new_fd(fd: usize) -> OwnedFd {
    // SAFETY: the caller's promise: a new descriptor, owned by nothing else.
    unsafe { OwnedFd::from_raw_fd(fd as i32) }
}

fn opt_ptr<T>(v: Option<&T>) -> usize {
    v.map_or(0, |r| r as *const T as usize)
}
