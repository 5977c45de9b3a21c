//! The one place that executes raw `syscall` instructions.
//!
//! rustix covers most of what bareipc needs; this module adds what it lacks (`fork`,
//! `exit_group`, the POSIX message queue and SysV message calls, `rt_sigaction`). Every
//! function here is a thin, typed shim: it passes its arguments to the kernel unchanged
//! and turns the kernel's `-errno` return into an [`Errno`]. The safe wrappers that give
//! these calls meaning live in the modules above.

use crate::errno::Errno;
use core::arch::asm;

use crate::abi::nr;

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

/// Issues system call `nr` with no arguments.
///
/// # Safety
/// The call must be one whose effects the caller has accounted for (memory it writes,
/// descriptors it creates or closes, processes it creates).
#[inline]
unsafe fn syscall0(nr: usize) -> Result<usize, Errno> {
    let ret: usize;
    // SAFETY: the caller vouches for the call's effects; `syscall` clobbers rcx and r11
    // and returns in rax, as declared.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, lateout("rcx") _, lateout("r11") _,
             options(nostack));
    }
    check(ret)
}

/// Issues system call `nr` with one argument.
///
/// # Safety
/// As for [`syscall0`]; the argument must be what the kernel expects for `nr`.
#[inline]
unsafe fn syscall1(nr: usize, a0: usize) -> Result<usize, Errno> {
    let ret: usize;
    // SAFETY: see `syscall0`; rdi carries the first argument.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0,
             lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    check(ret)
}

/// Issues system call `nr` with two arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
pub(crate) unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> Result<usize, Errno> {
    // SAFETY: the caller's contract is syscall4's; unused argument registers are ignored.
    unsafe { syscall4(nr, a0, a1, 0, 0) }
}

/// Issues system call `nr` with three arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
pub(crate) unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> Result<usize, Errno> {
    // SAFETY: as for syscall2.
    unsafe { syscall4(nr, a0, a1, a2, 0) }
}

/// Issues system call `nr` with four arguments.
///
/// # Safety
/// As for [`syscall0`]; the arguments must be what the kernel expects for `nr`, and any
/// pointer among them must be valid for the access the call makes.
#[inline]
pub(crate) unsafe fn syscall4(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
) -> Result<usize, Errno> {
    let ret: usize;
    // SAFETY: see `syscall0`; the x86_64 syscall ABI passes arguments in rdi, rsi, rdx, r10.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, lateout("rcx") _, lateout("r11") _,
             options(nostack));
    }
    check(ret)
}

/// Issues system call `nr` with five arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
pub(crate) unsafe fn syscall5(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
) -> Result<usize, Errno> {
    let ret: usize;
    // SAFETY: see `syscall4`; the fifth argument goes in r8.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, in("r8") a4, lateout("rcx") _, lateout("r11") _,
             options(nostack));
    }
    check(ret)
}

/// `fork()`: duplicates the calling process. Returns 0 in the child and the child's pid
/// in the parent.
///
/// A raw `fork` rather than `clone3`: container seccomp profiles answer `clone3` with
/// ENOSYS, and `fork` needs no arguments.
///
/// # Safety
/// In a process with more than one thread the child holds copies of locks other threads
/// may have held; it must then restrict itself to async-signal-safe work.
pub(crate) unsafe fn fork() -> Result<u32, Errno> {
    // SAFETY: fork takes no arguments and writes no memory of ours; the caller handles the
    // multi-threading caveat.
    unsafe { syscall0(nr::FORK) }.map(|pid| pid as u32)
}

/// `exit_group(code)`: ends every thread of the process at once, running no destructors.
pub(crate) fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group never returns and touches no memory of ours.
    let _ = unsafe { syscall1(nr::EXIT_GROUP, code as u32 as usize) };
    // Unreachable: exit_group cannot fail. Spin rather than invoke undefined behaviour.
    loop {
        core::hint::spin_loop();
    }
}

/// The kernel's `struct sigaction` on x86_64 (not glibc's, which has a 1024-bit mask).
#[repr(C)]
pub(crate) struct KernelSigaction {
    pub handler: usize,
    pub flags: u64,
    pub restorer: usize,
    pub mask: u64,
}

/// Returns from a signal handler: the trampoline the kernel jumps to when a handler
/// returns. It must not touch the stack, which holds the signal frame.
#[unsafe(naked)]
unsafe extern "C" fn restore_rt() {
    core::arch::naked_asm!("mov eax, {nr}", "syscall", "ud2", nr = const nr::RT_SIGRETURN);
}

/// `rt_sigaction(sig, &act, NULL, 8)` with `handler` (a function, or `SIG_DFL` = 0,
/// `SIG_IGN` = 1), `flags` (without SA_RESTORER, which this adds) and an empty mask.
pub(crate) fn set_signal_handler(sig: i32, handler: usize, flags: u64) -> Result<(), Errno> {
    let act = KernelSigaction {
        handler,
        flags: flags | crate::abi::SA_RESTORER,
        restorer: restore_rt as *const () as usize,
        mask: 0,
    };
    // SAFETY: `act` is a valid kernel sigaction read during the call; the restorer is
    // the trampoline above; the old action is not requested.
    unsafe { syscall4(nr::RT_SIGACTION, sig as usize, &act as *const _ as usize, 0, 8) }.map(drop)
}

/// `setitimer(ITIMER_REAL, {interval, value}, NULL)` with both times in microseconds
/// (`0, 0` disarms it).
pub(crate) fn set_real_timer(interval_us: u64, value_us: u64) -> Result<(), Errno> {
    let split = |us: u64| [(us / 1_000_000) as i64, (us % 1_000_000) as i64];
    let [a, b] = split(interval_us);
    let [c, d] = split(value_us);
    let itimerval: [i64; 4] = [a, b, c, d];
    // SAFETY: itimerval is a valid struct itimerval (two timevals of two i64) read by the
    // kernel during the call.
    unsafe { syscall3(nr::SETITIMER, 0, itimerval.as_ptr() as usize, 0) }.map(drop)
}

/// `kill(pid, sig)`.
pub(crate) fn kill(pid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall2(nr::KILL, pid as isize as usize, sig as usize) }.map(drop)
}

/// `clock_gettime(CLOCK_REALTIME, &now)` (a syscall: without libc there is no vDSO
/// lookup, and this is only called on slow paths).
pub(crate) fn realtime_now() -> Result<crate::abi::Timespec, Errno> {
    let mut now = crate::abi::Timespec::default();
    // SAFETY: now is a writable timespec.
    unsafe {
        syscall2(nr::CLOCK_GETTIME, crate::abi::CLOCK_REALTIME, &mut now as *mut _ as usize)
    }?;
    Ok(now)
}

/// `set_robust_list(head, 24)`: registers the calling thread's robust futex list.
///
/// # Safety
/// `head` must point to a `struct robust_list_head` that stays valid and mapped for as
/// long as the thread lives (the kernel walks it when the thread exits), and this must be
/// the only robust list user of the thread (it replaces any list a libc registered).
pub(crate) unsafe fn set_robust_list(head: *const u8) -> Result<(), Errno> {
    // SAFETY: the caller guarantees the list's lifetime; the kernel only stores the
    // pointer now.
    unsafe { syscall2(nr::SET_ROBUST_LIST, head as usize, 24) }.map(drop)
}

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

static_assertions::const_assert_eq!(core::mem::size_of::<MqAttr>(), 64);
static_assertions::const_assert_eq!(core::mem::offset_of!(MqAttr, msgsize), 16);

impl MqAttr {
    /// Attributes for a new queue of `maxmsg` messages of at most `msgsize` bytes.
    pub const fn new(maxmsg: i64, msgsize: i64) -> MqAttr {
        MqAttr { flags: 0, maxmsg, msgsize, curmsgs: 0, reserved: [0; 4] }
    }
}

fn opt_ptr<T>(v: Option<&T>) -> usize {
    v.map_or(0, |r| r as *const T as usize)
}

/// `mq_open(name, oflag, mode, attr)` as the kernel takes it: `name` without the leading
/// slash that POSIX (and glibc's wrapper) use.
pub(crate) fn mq_open(
    name: &core::ffi::CStr,
    oflag: i32,
    mode: u32,
    attr: Option<&MqAttr>,
) -> Result<rustix::fd::OwnedFd, Errno> {
    // SAFETY: name is NUL-terminated; attr is null or a valid mq_attr, read only.
    let fd = unsafe {
        syscall4(nr::MQ_OPEN, name.as_ptr() as usize, oflag as usize, mode as usize, opt_ptr(attr))
    }?;
    // SAFETY: on success mq_open returns a new descriptor that nothing else owns.
    let fd = unsafe { <rustix::fd::OwnedFd as rustix::fd::FromRawFd>::from_raw_fd(fd as i32) };
    crate::io::opened(&fd);
    Ok(fd)
}

/// `mq_unlink(name)`, `name` without the leading slash.
pub(crate) fn mq_unlink(name: &core::ffi::CStr) -> Result<(), Errno> {
    // SAFETY: name is NUL-terminated.
    unsafe { syscall2(nr::MQ_UNLINK, name.as_ptr() as usize, 0) }.map(drop)
}

/// `mq_timedsend(mqd, msg, len, prio, deadline)`.
pub(crate) fn mq_timedsend(
    mqd: rustix::fd::BorrowedFd<'_>,
    msg: &[u8],
    prio: u32,
    deadline: Option<&crate::abi::Timespec>,
) -> Result<(), Errno> {
    use rustix::fd::AsRawFd;
    // SAFETY: msg is readable for its length; deadline is null or a valid timespec.
    unsafe {
        syscall5(
            nr::MQ_TIMEDSEND,
            mqd.as_raw_fd() as usize,
            msg.as_ptr() as usize,
            msg.len(),
            prio as usize,
            opt_ptr(deadline),
        )
    }
    .map(drop)
}

/// `mq_timedreceive(mqd, buf, len, &prio, deadline)`: returns the message length and
/// priority.
pub(crate) fn mq_timedreceive(
    mqd: rustix::fd::BorrowedFd<'_>,
    buf: &mut [u8],
    deadline: Option<&crate::abi::Timespec>,
) -> Result<(usize, u32), Errno> {
    use rustix::fd::AsRawFd;
    let mut prio = 0u32;
    // SAFETY: buf is writable for its length, prio for 4 bytes; deadline as above.
    let n = unsafe {
        syscall5(
            nr::MQ_TIMEDRECEIVE,
            mqd.as_raw_fd() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            &mut prio as *mut u32 as usize,
            opt_ptr(deadline),
        )
    }?;
    Ok((n, prio))
}

/// `mq_getsetattr(mqd, new, &old)`: sets `new.flags` if given; returns the attributes
/// from before.
pub(crate) fn mq_getsetattr(
    mqd: rustix::fd::BorrowedFd<'_>,
    new: Option<&MqAttr>,
) -> Result<MqAttr, Errno> {
    use rustix::fd::AsRawFd;
    let mut old = MqAttr::default();
    // SAFETY: new is null or readable; old is a writable mq_attr.
    unsafe {
        syscall3(
            nr::MQ_GETSETATTR,
            mqd.as_raw_fd() as usize,
            opt_ptr(new),
            &mut old as *mut MqAttr as usize,
        )
    }?;
    Ok(old)
}

/// `msgget(key, flags)`: returns the queue identifier.
pub(crate) fn msgget(key: i32, flags: i32) -> Result<i32, Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall2(nr::MSGGET, key as usize, flags as usize) }.map(|id| id as i32)
}

/// `msgsnd(id, msgp, msgsz, flags)`: `msg` is the whole `struct msgbuf` (an 8-byte
/// `mtype`, then the text); `msgsz` is the text's length.
pub(crate) fn msgsnd(id: i32, msg: &[u8], flags: i32) -> Result<(), Errno> {
    let text = msg.len().checked_sub(8).ok_or(Errno::EINVAL)?;
    // SAFETY: msg is readable for 8 + text bytes, as msgsnd reads.
    unsafe { syscall4(nr::MSGSND, id as usize, msg.as_ptr() as usize, text, flags as usize) }
        .map(drop)
}

/// `msgrcv(id, msgp, msgsz, msgtyp, flags)` into `buf` (8 bytes of `mtype`, then room for
/// the text): returns the text's length.
pub(crate) fn msgrcv(id: i32, buf: &mut [u8], msgtyp: i64, flags: i32) -> Result<usize, Errno> {
    let room = buf.len().checked_sub(8).ok_or(Errno::EINVAL)?;
    // SAFETY: buf is writable for 8 + room bytes, the most msgrcv writes.
    unsafe {
        syscall5(
            nr::MSGRCV,
            id as usize,
            buf.as_mut_ptr() as usize,
            room,
            msgtyp as usize,
            flags as usize,
        )
    }
}

/// `msgctl(id, cmd, buf)` with `buf` a `struct msqid_ds` (IPC_STAT, MSG_STAT) or null
/// (IPC_RMID): returns the call's value (MSG_STAT: the queue's identifier).
pub(crate) fn msgctl(
    id: i32,
    cmd: i32,
    buf: Option<&mut crate::abi::MsqidDs>,
) -> Result<usize, Errno> {
    let ptr = buf.map_or(0, |b| b as *mut crate::abi::MsqidDs as usize);
    // SAFETY: buf is null or a writable msqid_ds (its layout is the kernel's msqid64_ds
    // on x86_64, which the libc crate mirrors).
    unsafe { syscall3(nr::MSGCTL, id as usize, cmd as usize, ptr) }
}

/// `msgctl(0, MSG_INFO, &info)`: the system's queue limits and use; returns the index of
/// the highest queue in use (0 when none is).
pub(crate) fn msg_info(info: &mut crate::abi::MsgInfo) -> Result<usize, Errno> {
    // SAFETY: info is a writable struct msginfo, all MSG_INFO writes.
    unsafe { syscall3(nr::MSGCTL, 0, crate::abi::MSG_INFO as usize, info as *mut _ as usize) }
}
