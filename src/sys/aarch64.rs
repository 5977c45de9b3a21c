//! aarch64: the `svc #0` instruction, `fork` (as `clone`) and the
//! signal-return trampoline (arm64 keeps `sa_restorer`).

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
    // SAFETY: the caller vouches for the call's effects; `svc #0` takes the number in x8
    // and returns in x0, clobbering nothing else.
    unsafe { asm!("svc #0", in("x8") nr, lateout("x0") ret, options(nostack)) };
    ret
}

/// Issues system call `nr` with one argument.
///
/// # Safety
/// As for [`syscall0`]; the argument must be what the kernel expects for `nr`.
#[inline]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    let ret: usize;
    // SAFETY: see `syscall0`; x0 carries the first argument.
    unsafe { asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, options(nostack)) };
    ret
}

/// Issues system call `nr` with four arguments.
///
/// # Safety
/// As for [`syscall1`].
#[inline]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret: usize;
    // SAFETY: see `syscall0`; arguments in x0..x3.
    unsafe {
        asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
             in("x3") a3, options(nostack));
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
    // SAFETY: see `syscall4`; the fifth argument goes in x4.
    unsafe {
        asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
             in("x3") a3, in("x4") a4, options(nostack));
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
    // SAFETY: see `syscall4`; the fifth and sixth arguments go in x4 and x5.
    unsafe {
        asm!("svc #0", in("x8") nr, inlateout("x0") a[0] => ret, in("x1") a[1], in("x2") a[2],
             in("x3") a[3], in("x4") a[4], in("x5") a[5], options(nostack));
    }
    ret
}

/// `fork()`: asm-generic has none; `clone(SIGCHLD, 0, 0, 0, 0)` is the same call.
///
/// # Safety
/// As for `fork`: see `sys::fork`.
#[inline]
#[cfg_attr(feature = "std", allow(dead_code))] // std programs fork through the C library
pub unsafe fn fork() -> usize {
    // SAFETY: a plain clone with no new stack, no shared memory and no tid pointers is a
    // fork; the caller handles the rest.
    unsafe { syscall5(nr::CLONE, super::abi::SIGCHLD as usize, 0, 0, 0, 0) }
}

/// `sa_flags` bit: the handler returns through `sa_restorer`.
pub const SA_RESTORER: u64 = 0x0400_0000;

/// Returns from a signal handler: the trampoline the kernel jumps to when a handler
/// returns. It must not touch the stack, which holds the signal frame.
#[unsafe(naked)]
pub unsafe extern "C" fn restore_rt() {
    core::arch::naked_asm!("mov x8, #{nr}", "svc #0", "udf #0", nr = const nr::RT_SIGRETURN);
}
