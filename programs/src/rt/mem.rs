//! `memcpy`, `memmove`, `memset`, `memcmp`, `strlen`, which compiled Rust code calls.
//!
//! On x86_64, copies and fills use `rep movsb`/`rep stosb` (fast on CPUs with ERMS, and a
//! few bytes of code). Elsewhere they are plain loops, a machine word at a time where
//! both ends allow it, through volatile accesses so that the optimiser cannot turn a loop
//! back into a call to the very function being defined; compares and `strlen` read
//! through volatile loads everywhere.

#[cfg(target_arch = "x86_64")]
use core::arch::asm;

/// `memcpy(dest, src, n)`.
///
/// # Safety
/// `dest` and `src` valid for `n` bytes, not overlapping.
#[cfg(target_arch = "x86_64")]
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
#[cfg(target_arch = "x86_64")]
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
#[cfg(target_arch = "x86_64")]
#[inline]
pub unsafe fn fill(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: the caller guarantees the range; rep stosb stores al rcx times.
    unsafe {
        asm!("rep stosb", inout("rcx") n => _, inout("rdi") dest => _, in("al") c as u8,
             options(nostack, preserves_flags));
    }
    dest
}

/// `memcpy(dest, src, n)`.
///
/// # Safety
/// `dest` and `src` valid for `n` bytes, not overlapping.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub unsafe fn copy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    let mut i = 0;
    const W: usize = core::mem::size_of::<usize>();
    if (dest as usize | src as usize).is_multiple_of(W) {
        while i + W <= n {
            // SAFETY: both aligned to a word and in range (i + W <= n).
            unsafe {
                let w = src.add(i).cast::<usize>().read_volatile();
                dest.add(i).cast::<usize>().write_volatile(w);
            }
            i += W;
        }
    }
    while i < n {
        // SAFETY: i < n, within both ranges.
        unsafe { dest.add(i).write_volatile(src.add(i).read_volatile()) };
        i += 1;
    }
    dest
}

/// `memmove(dest, src, n)`: like `copy`, but the ranges may overlap.
///
/// # Safety
/// `dest` and `src` valid for `n` bytes.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub unsafe fn copy_overlapping(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dest as usize).wrapping_sub(src as usize) >= n {
        // dest is below src, or past its end: a forward copy never overwrites a byte
        // before reading it.
        // SAFETY: as for `copy`; forward order is safe for this overlap.
        return unsafe { copy(dest, src, n) };
    }
    // dest lies inside (src, src+n): copy backwards, one byte at a time.
    let mut i = n;
    while i > 0 {
        i -= 1;
        // SAFETY: i < n, within both ranges; bytes above i are already copied.
        unsafe { dest.add(i).write_volatile(src.add(i).read_volatile()) };
    }
    dest
}

/// `memset(dest, c, n)`.
///
/// # Safety
/// `dest` valid for `n` bytes.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub unsafe fn fill(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: i < n, within the range.
        unsafe { dest.add(i).write_volatile(c as u8) };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_functions_agree_with_slices() {
        let src: Vec<u8> = (0..200u8).collect();
        for n in [0usize, 1, 7, 64, 200] {
            let mut dst = vec![0u8; 200];
            // SAFETY: both buffers hold at least n bytes and do not overlap.
            unsafe { copy(dst.as_mut_ptr(), src.as_ptr(), n) };
            assert_eq!(&dst[..n], &src[..n]);
        }
        for (from, to, n) in
            [(0usize, 10usize, 100usize), (10, 0, 100), (5, 6, 50), (6, 5, 50), (3, 3, 9)]
        {
            let mut buf: Vec<u8> = (0..150u8).collect();
            let mut want = buf.clone();
            want.copy_within(from..from + n, to);
            // SAFETY: both ranges lie inside `buf`.
            unsafe { copy_overlapping(buf.as_mut_ptr().add(to), buf.as_ptr().add(from), n) };
            assert_eq!(buf, want, "{from}->{to} x{n}");
        }
        let mut buf = [1u8; 33];
        // SAFETY: 32 bytes lie inside buf.
        unsafe { fill(buf.as_mut_ptr(), 0x1ab, 32) };
        assert!(buf[..32].iter().all(|&b| b == 0xab) && buf[32] == 1);
        // SAFETY: all ranges are within the arrays; the literal is NUL-terminated.
        unsafe {
            assert_eq!(compare(b"abc".as_ptr(), b"abd".as_ptr(), 3), -1);
            assert_eq!(compare(b"abc".as_ptr(), b"abd".as_ptr(), 2), 0);
            assert!(compare(b"\xff".as_ptr(), b"\x01".as_ptr(), 1) > 0);
            assert_eq!(length(c"hello".as_ptr().cast()), 5);
        }
    }
}
