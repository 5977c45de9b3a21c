//! riscv64: the `ecall` instruction and `fork` (as `clone`). Its
//! `struct sigaction` has no `sa_restorer`: a handler returns through the vDSO's
//! trampoline, which the kernel sets up itself.

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
    // SAFETY: the caller vouches for the call's effects; `ecall` takes the number in a7
    // and returns in a0, clobbering nothing else.
    unsafe { asm!("ecall", in("a7") nr, lateout("a0") ret, options(nostack)) };
    ret
}

/// Issues system call `nr` with one argument.
///
/// # Safety
/// As for [`syscall0`]; the argument must be what the kernel expects for `nr`.
#[inline]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    let ret: usize;
    // SAFETY: see `syscall0`; a0 carries the first argument.
    unsafe { asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, options(nostack)) };
    ret
}

/// Issues system call `nr` with four arguments.
///
/// # Safety
/// As for [`syscall1`].
#[inline]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret: usize;
    // SAFETY: see `syscall0`; arguments in a0..a3.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2,
             in("a3") a3, options(nostack));
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
    // SAFETY: see `syscall4`; the fifth argument goes in a4.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2,
             in("a3") a3, in("a4") a4, options(nostack));
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
    // SAFETY: see `syscall4`; the fifth and sixth arguments go in a4 and a5.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a[0] => ret, in("a1") a[1], in("a2") a[2],
             in("a3") a[3], in("a4") a[4], in("a5") a[5], options(nostack));
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
