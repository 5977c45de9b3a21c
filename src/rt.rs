//! The runtime of a libc-free binary: entry point, panic handler, and the memory
//! functions the compiler calls. [`program!`](crate::program) puts them into a binary;
//! the library itself never defines these symbols, so its std test build is untouched.

use crate::args::Args;
use crate::process::{self, SingleThreaded};

/// A program's `main`: the arguments after `argv[0]`, and the single-thread token.
pub type Main = fn(Args, SingleThreaded) -> i32;

/// Continues `_start`: reads `argc` and `argv` from the initial stack, runs `main`, exits
/// with its status.
///
/// # Safety
/// `sp` must be the stack pointer the kernel handed to `_start`: it points to `argc`,
/// followed by `argc` argument pointers. The process must have a single thread.
pub unsafe fn start(sp: *const usize, main: Main) -> ! {
    // SAFETY: the kernel's initial stack layout: argc, then argv[0..argc], then NULL.
    let args = unsafe { Args::from_raw(*sp, sp.add(1) as *const *const u8) };
    // SAFETY: nothing has started a thread; bareipc programs never do.
    let single = unsafe { SingleThreaded::assume() };
    process::exit(main(args, single))
}

/// Reports an internal error and exits with status 70 (`EX_SOFTWARE`). Panics are bugs:
/// there is no unwinding in the binaries, and formatting the message would cost kilobytes.
pub fn panic_exit() -> ! {
    let mut l = crate::error::line();
    l.str("internal error (panic); please report it\n");
    crate::io::eprint(&l);
    process::exit(70)
}

/// `memcpy`, `memmove`, `memset`, `memcmp`, `strlen`, which compiled Rust code calls.
///
/// Copies and fills use `rep movsb`/`rep stosb` (fast on CPUs with ERMS, and a few bytes
/// of code); compares and `strlen` read through volatile loads so the optimiser cannot
/// turn the loop back into a call to the very function being defined.
pub mod mem {
    use core::arch::asm;

    /// `memcpy(dest, src, n)`.
    ///
    /// # Safety
    /// `dest` and `src` valid for `n` bytes, not overlapping.
    #[inline]
    pub unsafe fn copy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the caller guarantees both ranges; rep movsb copies rcx bytes forward
        // (the ABI keeps the direction flag clear).
        unsafe {
            asm!("rep movsb", inout("rcx") n => _, inout("rdi") dest => _, inout("rsi") src => _,
                 options(nostack, preserves_flags));
        }
        dest
    }

    /// `memmove(dest, src, n)`: like `copy`, but the ranges may overlap.
    ///
    /// # Safety
    /// `dest` and `src` valid for `n` bytes.
    #[inline]
    pub unsafe fn copy_overlapping(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        if (dest as usize).wrapping_sub(src as usize) >= n {
            // dest is below src, or past its end: a forward copy never overwrites
            // a byte before reading it.
            // SAFETY: as for `copy`; forward order is safe for this overlap.
            return unsafe { copy(dest, src, n) };
        }
        // SAFETY: dest lies inside (src, src+n): copy backwards from the last byte, with
        // the direction flag set for the copy and cleared again as the ABI requires.
        unsafe {
            asm!("std", "rep movsb", "cld",
                 inout("rcx") n => _, inout("rdi") dest.add(n - 1) => _,
                 inout("rsi") src.add(n - 1) => _, options(nostack));
        }
        dest
    }

    /// `memset(dest, c, n)`.
    ///
    /// # Safety
    /// `dest` valid for `n` bytes.
    #[inline]
    pub unsafe fn fill(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
        // SAFETY: the caller guarantees the range; rep stosb stores al rcx times.
        unsafe {
            asm!("rep stosb", inout("rcx") n => _, inout("rdi") dest => _, in("al") c as u8,
                 options(nostack, preserves_flags));
        }
        dest
    }

    /// `memcmp(a, b, n)` (also serves as `bcmp`).
    ///
    /// # Safety
    /// `a` and `b` valid for `n` bytes.
    #[inline]
    pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
        for i in 0..n {
            // SAFETY: i < n, within both ranges.
            let (x, y) = unsafe { (a.add(i).read_volatile(), b.add(i).read_volatile()) };
            if x != y {
                return x as i32 - y as i32;
            }
        }
        0
    }

    /// `strlen(s)`.
    ///
    /// # Safety
    /// `s` points to a NUL-terminated string.
    #[inline]
    pub unsafe fn length(s: *const u8) -> usize {
        let mut n = 0;
        // SAFETY: every byte up to and including the NUL is readable.
        while unsafe { s.add(n).read_volatile() } != 0 {
            n += 1;
        }
        n
    }
}

/// Makes the current crate a bareipc program named `$name` whose entry is `$main`
/// (a [`Main`]): defines `_start`, the panic handler and the C memory functions.
/// Optional: `hints: TABLE` (the mechanism's advice, such as `mq::HINTS`) and
/// `errnos: TABLE` (the error names only its calls meet, such as `errno::QUEUES`).
#[macro_export]
macro_rules! program {
    ($name:literal, $main:path $(, hints: $hints:expr)? $(, errnos: $errnos:expr)?) => {
        static __BAREIPC_NAME: &str = $name;
        static __BAREIPC_HINTS: &str = $crate::__or!($($hints)?, "");
        static __BAREIPC_ERRNOS: $crate::errno::Extra =
            $crate::__or!($($errnos)?, $crate::errno::NONE);

        /// The ELF entry point: hands the kernel's initial stack pointer to Rust.
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

        unsafe extern "C" fn __bareipc_start(sp: *const usize) -> ! {
            $crate::error::set_program(&__BAREIPC_NAME);
            $crate::error::set_hints(&__BAREIPC_HINTS);
            $crate::errno::set_extra(&__BAREIPC_ERRNOS);
            // SAFETY: called only by `_start` with the kernel's initial stack pointer,
            // before anything could start a thread.
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

#[cfg(test)]
mod tests {
    use super::mem;

    #[test]
    fn memory_functions_agree_with_slices() {
        let src: Vec<u8> = (0..200u8).collect();
        for n in [0usize, 1, 7, 64, 200] {
            let mut dst = vec![0u8; 200];
            // SAFETY: both buffers hold at least n bytes and do not overlap.
            unsafe { mem::copy(dst.as_mut_ptr(), src.as_ptr(), n) };
            assert_eq!(&dst[..n], &src[..n]);
        }
        for (from, to, n) in
            [(0usize, 10usize, 100usize), (10, 0, 100), (5, 6, 50), (6, 5, 50), (3, 3, 9)]
        {
            let mut buf: Vec<u8> = (0..150u8).collect();
            let mut want = buf.clone();
            want.copy_within(from..from + n, to);
            // SAFETY: both ranges lie inside `buf`.
            unsafe { mem::copy_overlapping(buf.as_mut_ptr().add(to), buf.as_ptr().add(from), n) };
            assert_eq!(buf, want, "{from}->{to} x{n}");
        }
        let mut buf = [1u8; 33];
        // SAFETY: 32 bytes lie inside buf.
        unsafe { mem::fill(buf.as_mut_ptr(), 0x1ab, 32) };
        assert!(buf[..32].iter().all(|&b| b == 0xab) && buf[32] == 1);
        // SAFETY: all ranges are within the arrays; the literal is NUL-terminated.
        unsafe {
            assert_eq!(mem::compare(b"abc".as_ptr(), b"abd".as_ptr(), 3), -1);
            assert_eq!(mem::compare(b"abc".as_ptr(), b"abd".as_ptr(), 2), 0);
            assert!(mem::compare(b"\xff".as_ptr(), b"\x01".as_ptr(), 1) > 0);
            assert_eq!(mem::length(c"hello".as_ptr().cast()), 5);
        }
    }
}
