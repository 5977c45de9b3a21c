//! The runtime of a libc-free binary: entry point, panic handler, the memory functions the
//! compiler calls, and `argv`. [`program!`](crate::program) puts them into a binary; the
//! library itself never defines these symbols, so its std builds (tests, std programs)
//! are untouched.
//!
//! This layer sits above [`bareipc::process`]: it is where the tokens that unlock fork and
//! supervision ([`SingleThreaded`], [`NoLibc`]) are made, because only here is it known
//! that the process has one thread and no libc.

mod args;
pub mod mem;

pub use args::{Args, Env};

use bareipc::process::{self, NoLibc, SingleThreaded};

/// What the runtime hands a program's `main` besides its arguments: proof that the process
/// has one thread and no libc.
#[derive(Debug)]
pub struct Start {
    /// The process has one thread: `fork` freely.
    pub single: SingleThreaded,
    /// No libc owns the robust list or the signal dispositions: supervise.
    pub no_libc: NoLibc,
    /// The environment (`TMPDIR`, for the programs that make a directory).
    pub env: Env,
}

/// A program's `main`: the arguments after `argv[0]`, and the runtime's proofs.
pub type Main = fn(Args, Start) -> i32;

/// Continues `_start`: reads `argc`, `argv` and `envp` from the initial stack and makes
/// the runtime's proofs, for the program's `main` (which [`program!`](crate::program)
/// calls directly, so that it is inlined into its one caller).
///
/// # Safety
/// `sp` must be the stack pointer the kernel handed to `_start`: it points to `argc`,
/// followed by `argc` argument pointers, a NULL, and the NULL-terminated environment. The
/// process must have a single thread and no libc (a `#![no_std]`, `#![no_main]` binary
/// made with [`program!`](crate::program)).
pub unsafe fn start(sp: *const usize, main: Main) -> ! {
    // SAFETY: the kernel's initial stack layout: argc, then argv[0..argc], then NULL.
    let args = unsafe { Args::from_raw(*sp, sp.add(1) as *const *const u8) };
    // SAFETY: the kernel's initial stack layout: envp follows argv's NULL.
    let env = unsafe { Env::from_raw(sp.add(2 + *sp) as *const *const u8) };
    // SAFETY: the caller's promise: nothing has started a thread, and there is no libc to
    // own the process-wide state.
    let start =
        unsafe { Start { single: SingleThreaded::assume(), no_libc: NoLibc::assume(), env } };
    process::exit(main(args, start))
}

/// Reports an internal error and exits with status 70 (`EX_SOFTWARE`). Panics are bugs:
/// there is no unwinding in the binaries, and formatting the message would cost kilobytes.
pub fn panic_exit() -> ! {
    let mut l = bareipc::io::report_line();
    l.str("internal error (panic); please report it\n");
    bareipc::io::eprint(&l);
    process::exit(70)
}

/// Makes the current crate a bareipc program named `$name` whose entry is `$main`
/// (a [`Main`]): defines `_start`, the panic handler and the C memory functions.
/// Optional: `errnos: TABLE` (the error names only its calls meet, such as
/// [`errno::QUEUES`](bareipc::errno::QUEUES)).
///
/// For `#![no_std]`, `#![no_main]` binaries linked without libc (see `build.rs`) only:
/// it declares that the process has one thread and no libc.
#[macro_export]
macro_rules! program {
    ($name:literal, $main:path $(, errnos: $errnos:expr)?) => {
        static __BAREIPC_NAME: &str = $name;
        static __BAREIPC_ERRNOS: $crate::lib::errno::Extra =
            $crate::__or!($($errnos)?, $crate::lib::errno::NONE);

        /// The ELF entry point: hands the kernel's initial stack pointer to Rust.
        #[cfg(target_arch = "x86_64")]
        #[unsafe(naked)]
        #[unsafe(no_mangle)]
        unsafe extern "C" fn _start() -> ! {
            ::core::arch::naked_asm!(
                "xor ebp, ebp",   // outermost frame, for debuggers
                "mov rdi, rsp",   // argc, argv, envp, auxv start here
                "and rsp, -16",   // the ABI's alignment at the call
                "call {start}",
                "ud2",
                start = sym __bareipc_start,
            )
        }

        /// The ELF entry point: hands the kernel's initial stack pointer to Rust.
        #[cfg(target_arch = "aarch64")]
        #[unsafe(naked)]
        #[unsafe(no_mangle)]
        unsafe extern "C" fn _start() -> ! {
            ::core::arch::naked_asm!(
                "mov x29, #0",    // outermost frame, for debuggers
                "mov x30, #0",
                "mov x0, sp",     // argc, argv, envp, auxv start here (16-byte aligned)
                "bl {start}",
                "udf #0",
                start = sym __bareipc_start,
            )
        }

        /// The ELF entry point: hands the kernel's initial stack pointer to Rust.
        #[cfg(target_arch = "riscv64")]
        #[unsafe(naked)]
        #[unsafe(no_mangle)]
        unsafe extern "C" fn _start() -> ! {
            ::core::arch::naked_asm!(
                "li fp, 0",       // outermost frame, for debuggers
                "li ra, 0",
                "mv a0, sp",      // argc, argv, envp, auxv start here
                "andi sp, sp, -16",
                "call {start}",
                "unimp",
                start = sym __bareipc_start,
            )
        }

        unsafe extern "C" fn __bareipc_start(sp: *const usize) -> ! {
            $crate::lib::io::set_program(&__BAREIPC_NAME);
            $crate::lib::errno::set_extra(&__BAREIPC_ERRNOS);
            // SAFETY: called only by `_start` with the kernel's initial stack pointer, in
            // a libc-free binary, before anything could start a thread.
            unsafe { $crate::rt::start(sp, $main) }
        }

        #[panic_handler]
        fn __bareipc_panic(_: &::core::panic::PanicInfo) -> ! {
            $crate::rt::panic_exit()
        }

        /// Referenced by the precompiled `core` of unoptimised builds; never called, since
        /// nothing unwinds (panic = "abort").
        #[unsafe(no_mangle)]
        extern "C" fn rust_eh_personality() {}

        /// # Safety
        /// As C's `memcpy`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
            // SAFETY: the caller keeps memcpy's contract, which is `copy`'s.
            unsafe { $crate::rt::mem::copy(d, s, n) }
        }

        /// # Safety
        /// As C's `memmove`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
            // SAFETY: the caller keeps memmove's contract, which is `copy_overlapping`'s.
            unsafe { $crate::rt::mem::copy_overlapping(d, s, n) }
        }

        /// # Safety
        /// As C's `memset`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
            // SAFETY: the caller keeps memset's contract, which is `fill`'s.
            unsafe { $crate::rt::mem::fill(d, c, n) }
        }

        /// # Safety
        /// As C's `memcmp`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
            // SAFETY: the caller keeps memcmp's contract, which is `compare`'s.
            unsafe { $crate::rt::mem::compare(a, b, n) }
        }

        /// # Safety
        /// As C's `bcmp`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
            // SAFETY: as for memcmp.
            unsafe { $crate::rt::mem::compare(a, b, n) }
        }

        /// # Safety
        /// As C's `strlen`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn strlen(s: *const u8) -> usize {
            // SAFETY: the caller passes a NUL-terminated string.
            unsafe { $crate::rt::mem::length(s) }
        }
    };
}

/// `__or!(x, d)` is `x`, `__or!(, d)` is `d`: the default of an optional macro argument.
#[doc(hidden)]
#[macro_export]
macro_rules! __or {
    ($value:expr, $default:expr) => {
        $value
    };
    (, $default:expr) => {
        $default
    };
}
