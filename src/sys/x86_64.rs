//! x86_64: the `syscall` instruction, the system call numbers and the signal-return
//! trampoline. Another architecture gets a file of its own with the same items.

use core::arch::asm;

/// System call numbers, from `arch/x86/entry/syscalls/syscall_64.tbl`.
pub mod nr {
    pub const RT_SIGACTION: usize = 13;
    pub const RT_SIGRETURN: usize = 15;
    pub const RT_SIGPROCMASK: usize = 14;
    pub const RT_SIGTIMEDWAIT: usize = 128;
    pub const RT_SIGQUEUEINFO: usize = 129;
    pub const SOCKET: usize = 41;
    pub const CONNECT: usize = 42;
    pub const SENDTO: usize = 44;
    pub const RECVFROM: usize = 45;
    pub const SENDMSG: usize = 46;
    pub const RECVMSG: usize = 47;
    pub const SOCKETPAIR: usize = 53;
    pub const BIND: usize = 49;
    pub const LISTEN: usize = 50;
    pub const ACCEPT4: usize = 288;
    pub const OPENAT: usize = 257;
    pub const MKNODAT: usize = 259;
    pub const UNLINKAT: usize = 263;
    #[cfg_attr(feature = "std", allow(dead_code))]
    pub const FORK: usize = 57;
    pub const SCHED_YIELD: usize = 24;
    pub const WAITID: usize = 247;
    pub const PRCTL: usize = 157;
    pub const PROCESS_VM_READV: usize = 310;
    pub const KILL: usize = 62;
    pub const MSGGET: usize = 68;
    pub const MSGSND: usize = 69;
    pub const MSGRCV: usize = 70;
    pub const MSGCTL: usize = 71;
    pub const SHMGET: usize = 29;
    pub const SHMAT: usize = 30;
    pub const SHMCTL: usize = 31;
    pub const SEMGET: usize = 64;
    pub const SEMCTL: usize = 66;
    pub const SHMDT: usize = 67;
    pub const SEMTIMEDOP: usize = 220;
    pub const TIMER_CREATE: usize = 222;
    pub const TIMER_SETTIME: usize = 223;
    pub const CLOCK_GETTIME: usize = 228;
    pub const EXIT_GROUP: usize = 231;
    pub const MQ_OPEN: usize = 240;
    pub const MQ_UNLINK: usize = 241;
    pub const MQ_TIMEDSEND: usize = 242;
    pub const MQ_TIMEDRECEIVE: usize = 243;
    pub const MQ_GETSETATTR: usize = 245;
    pub const SET_ROBUST_LIST: usize = 273;
    pub const PPOLL: usize = 271;
    pub const PRLIMIT64: usize = 302;
    pub const GETSOCKOPT: usize = 55;
    pub const GETSOCKNAME: usize = 51;
}

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
