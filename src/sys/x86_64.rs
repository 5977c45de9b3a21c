//! x86_64: the `syscall` instruction, `fork` and the signal-return
//! trampoline. Another architecture gets a file of its own with the same items.

use super::nr;
use core::arch::asm;

/// Issues system call `nr` with no arguments; returns the raw result: a value, or
/// `-errno` in `-4095..=-1`.
///
/// # Safety
/// The call must be one whose effects the caller has accounted for (memory it reads or
/// writes, descriptors it creates or closes, processes it creates).
#[inline]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the call's effects; `syscall` takes the number in
    // rax, returns in rax and clobbers rcx and r11, as declared.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, lateout("rcx") _, lateout("r11") _,
             options(nostack));
    }
    ret
}

/// Issues system call `nr` with one argument.
///
/// # Safety
/// As for [`syscall0`]; the argument must be what the kernel expects for `nr`.
#[inline]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    let ret: usize;
    // SAFETY: see `syscall0`; rdi carries the first argument.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0,
             lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    ret
}

/// Issues system call `nr` with four arguments (fewer: pass 0 for the rest).
///
/// # Safety
/// As for [`syscall0`]; the arguments must be what the kernel expects for `nr`, and any
/// pointer among them must be valid for the access the call makes.
#[inline]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret: usize;
    // SAFETY: see `syscall0`; the x86_64 syscall ABI passes arguments in rdi, rsi, rdx, r10.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, lateout("rcx") _, lateout("r11") _,
             options(nostack));
    }
    ret
}

/// Issues system call `nr` with five arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret: usize;
    // SAFETY: see `syscall4`; the fifth argument goes in r8.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, in("r8") a4, lateout("rcx") _, lateout("r11") _,
             options(nostack));
    }
    ret
}

/// Issues system call `nr` with six arguments.
///
/// # Safety
/// As for [`syscall4`].
#[inline]
pub unsafe fn syscall6(nr: usize, a: [usize; 6]) -> usize {
    let ret: usize;
    // SAFETY: see `syscall4`; the fifth and sixth arguments go in r8 and r9.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a[0], in("rsi") a[1],
             in("rdx") a[2], in("r10") a[3], in("r8") a[4], in("r9") a[5],
             lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    ret
}

/// `fork()`.
///
/// # Safety
/// As for `fork`: see `sys::fork`.
#[inline]
#[cfg_attr(feature = "std", allow(dead_code))] // std programs fork through the C library
pub unsafe fn fork() -> usize {
    // SAFETY: fork takes no arguments and writes no memory of ours; the caller handles
    // the rest.
    unsafe { syscall0(nr::FORK) }
}

/// `sa_flags` bit: the handler returns through `sa_restorer`.
pub const SA_RESTORER: u64 = 0x0400_0000;

/// Returns from a signal handler: the trampoline the kernel jumps to when a handler
/// returns. It must not touch the stack, which holds the signal frame.
#[unsafe(naked)]
pub unsafe extern "C" fn restore_rt() {
    core::arch::naked_asm!("mov eax, {nr}", "syscall", "ud2", nr = const nr::RT_SIGRETURN);
}
