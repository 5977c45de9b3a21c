//! The one place that executes raw `syscall` instructions.
//!
//! rustix covers most of what bareipc needs; this module adds what it lacks (`fork`,
//! `exit_group`, the POSIX message queue and SysV message calls, `rt_sigaction`). Every
//! function here is a thin, typed shim: it passes its arguments to the kernel unchanged
//! and turns the kernel's `-errno` return into an [`Errno`]. The safe wrappers that give
//! these calls meaning live in the modules above.

use crate::errno::Errno;
use core::arch::asm;

/// System call numbers (x86_64), from `linux/arch/x86/entry/syscalls/syscall_64.tbl`.
pub(crate) mod nr {
    pub const FORK: usize = 57;
    pub const EXIT_GROUP: usize = 231;
}

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

/// Issues system call `nr` with four arguments.
///
/// # Safety
/// As for [`syscall0`]; the arguments must be what the kernel expects for `nr`, and any
/// pointer among them must be valid for the access the call makes.
#[inline]
#[allow(dead_code)]
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
#[allow(dead_code)]
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
