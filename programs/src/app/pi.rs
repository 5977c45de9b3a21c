//! The series: pi²/8 = Σ_{k≥0} 1/(2k+1)², summed in slices by the workers.

use core::ops::Range;

/// Workers when `-w` is not given.
pub const DEFAULT_WORKERS: usize = 10;
/// Terms when `-n` is not given.
pub const DEFAULT_TERMS: u64 = 10_000_000;
/// The most terms accepted: every odd number 2k+1 below 2·10^15 is exact in an f64 (< 2^53).
pub const MAX_TERMS: u64 = 1_000_000_000_000_000;
// Job::slice multiplies a worker index by the terms in u64.
static_assertions::const_assert!(
    MAX_TERMS as u128 * bareipc::process::MAX_WORKERS as u128 <= u64::MAX as u128
);

/// Decimal places printed.
pub const DECIMALS: u32 = 11;

/// One run: `terms` terms split among `workers` workers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Job {
    /// Worker processes.
    pub workers: usize,
    /// Terms of the series.
    pub terms: u64,
}

impl Default for Job {
    fn default() -> Job {
        Job { workers: DEFAULT_WORKERS, terms: DEFAULT_TERMS }
    }
}

impl Job {
    /// The terms worker `index` sums: `[index·n/W, (index+1)·n/W)`. The slices of all
    /// workers cover `[0, n)` exactly, each of ⌊n/W⌋ or ⌈n/W⌉ terms.
    pub fn slice(&self, index: usize) -> Range<u64> {
        // index ≤ 512 and terms ≤ 10^15: the product stays below 2^59, so u64 arithmetic
        // is exact (and needs no 128-bit division routine in every binary).
        let at = |i: usize| i as u64 * self.terms / self.workers as u64;
        at(index)..at(index + 1)
    }

    /// Worker `index`'s partial sum. Between chunks of [`CHUNK`] terms (about a
    /// millisecond each) a worker whose parent has died ends
    /// ([`exit_if_orphaned`](bareipc::process::supervise::exit_if_orphaned)).
    pub fn partial(&self, index: usize) -> f64 {
        series_checked(self.slice(index), bareipc::process::supervise::exit_if_orphaned)
    }
}

/// Terms summed between two calls of the check of [`series_checked`].
pub const CHUNK: u64 = 1 << 20;

/// Σ 1/(2k+1)² over `terms`: see [`series_checked`].
pub fn series(terms: Range<u64>) -> f64 {
    series_checked(terms, || {})
}

/// Σ 1/(2k+1)² over `terms`, calling `check` before every [`CHUNK`] terms.
///
/// The divider is the limit: the original spends two divisions on each term
/// (`1.0 / odd / odd`). This spends one, `1 / odd²`, and makes it on two terms at once
/// (SSE2 `divpd`, the x86_64 baseline) with two vectors in flight, so the divider never
/// waits. Each of the four running sums is compensated (Kahan): the terms shrink to
/// ~10^-15 of the sum, and plain addition would lose most of their bits. (An AVX kernel,
/// four terms per `vdivpd`, cost every binary 448 bytes when tried. It gains nothing where
/// a 256-bit division issues at half the rate of a 128-bit one — the Intel Xeons measured
/// so far, `make bench`'s divider probe: the same terms per ns at every width — and would
/// double the rate where both issue alike, as on AMD Zen 4.)
///
/// Accuracy, measured for n = 10^7 against a long double sum of the same terms: the
/// original's serial sum is 6.8·10^-13 off (relative); this one stays within 10^-15 (a
/// test checks 10^-14 against a double-double reference).
///
/// On aarch64 the same kernel runs on NEON (`fdiv` of two lanes, which every arm64 CPU
/// has); elsewhere (riscv64) four scalar lanes, one division per term, compensated alike.
pub fn series_checked(terms: Range<u64>, check: impl Fn()) -> f64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86_64 baseline: every CPU this code runs on has it.
    return unsafe { series_sse2(terms, check) };
    #[cfg(target_arch = "aarch64")]
    // SAFETY: NEON is part of the arm64 baseline: every CPU this code runs on has it.
    return unsafe { series_neon(terms, check) };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    return series_scalar(terms, check);
}

/// [`series_checked`]'s body, where SSE2's intrinsics are safe to call.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn series_sse2(terms: Range<u64>, check: impl Fn()) -> f64 {
    use core::arch::x86_64::*;
    let (mut k, end) = (terms.start, terms.end);
    // 2k+1 kept as an f64: exact below 2^53 (every odd < 2·10^15 + 1), no conversions in
    // the loop (and a signed one before it: k < 2^63, and the unsigned one is longer).
    // Lanes: a = (2k+1, 2k+3), b = (2k+5, 2k+7); each step adds 8.
    let mut a = _mm_add_pd(_mm_set1_pd((2 * k + 1) as i64 as f64), _mm_set_pd(2.0, 0.0));
    let four = _mm_set1_pd(4.0);
    let mut b = _mm_add_pd(a, four);
    let (step, one) = (_mm_add_pd(four, four), _mm_set1_pd(1.0));
    let (mut sa, mut ca, mut sb, mut cb) =
        (_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd());
    while end - k >= 4 {
        check();
        let stop = k + ((end - k).min(CHUNK) & !3);
        while k < stop {
            let ta = _mm_div_pd(one, _mm_mul_pd(a, a));
            let tb = _mm_div_pd(one, _mm_mul_pd(b, b));
            // Kahan: c holds what the last addition lost, taken back from the next term.
            let ya = _mm_sub_pd(ta, ca);
            let yb = _mm_sub_pd(tb, cb);
            let na = _mm_add_pd(sa, ya);
            let nb = _mm_add_pd(sb, yb);
            ca = _mm_sub_pd(_mm_sub_pd(na, sa), ya);
            cb = _mm_sub_pd(_mm_sub_pd(nb, sb), yb);
            (sa, sb) = (na, nb);
            a = _mm_add_pd(a, step);
            b = _mm_add_pd(b, step);
            k += 4;
        }
    }
    // Lane sums less what they lost, then the last terms (fewer than four) one by one,
    // starting from a's low lane, which holds the next odd number.
    let sc = _mm_sub_pd(_mm_add_pd(sa, sb), _mm_add_pd(ca, cb));
    let mut sum = _mm_cvtsd_f64(_mm_add_sd(sc, _mm_unpackhi_pd(sc, sc)));
    let mut odd = _mm_cvtsd_f64(a);
    while k < end {
        sum += 1.0 / (odd * odd);
        odd += 2.0;
        k += 1;
    }
    sum
}

/// [`series_checked`]'s body on aarch64: the SSE2 kernel's steps with NEON's two-lane
/// `float64x2_t` (NEON is part of the arm64 baseline).
#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
fn series_neon(terms: Range<u64>, check: impl Fn()) -> f64 {
    use core::arch::aarch64::*;
    let (mut k, end) = (terms.start, terms.end);
    let first = (2 * k + 1) as i64 as f64;
    let mut a = vaddq_f64(vdupq_n_f64(first), vcombine_f64(vdup_n_f64(0.0), vdup_n_f64(2.0)));
    let four = vdupq_n_f64(4.0);
    let mut b = vaddq_f64(a, four);
    let (step, one) = (vaddq_f64(four, four), vdupq_n_f64(1.0));
    let zero = vdupq_n_f64(0.0);
    let (mut sa, mut ca, mut sb, mut cb) = (zero, zero, zero, zero);
    while end - k >= 4 {
        check();
        let stop = k + ((end - k).min(CHUNK) & !3);
        while k < stop {
            let ta = vdivq_f64(one, vmulq_f64(a, a));
            let tb = vdivq_f64(one, vmulq_f64(b, b));
            let ya = vsubq_f64(ta, ca);
            let yb = vsubq_f64(tb, cb);
            let na = vaddq_f64(sa, ya);
            let nb = vaddq_f64(sb, yb);
            ca = vsubq_f64(vsubq_f64(na, sa), ya);
            cb = vsubq_f64(vsubq_f64(nb, sb), yb);
            (sa, sb) = (na, nb);
            a = vaddq_f64(a, step);
            b = vaddq_f64(b, step);
            k += 4;
        }
    }
    let sc = vsubq_f64(vaddq_f64(sa, sb), vaddq_f64(ca, cb));
    let mut sum = vgetq_lane_f64::<0>(sc) + vgetq_lane_f64::<1>(sc);
    let mut odd = vgetq_lane_f64::<0>(a);
    while k < end {
        sum += 1.0 / (odd * odd);
        odd += 2.0;
        k += 1;
    }
    sum
}

/// [`series_checked`]'s body where no vector kernel is written: four scalar lanes in the
/// same order as the vector kernels' (two pairs), each compensated.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn series_scalar(terms: Range<u64>, check: impl Fn()) -> f64 {
    let (mut k, end) = (terms.start, terms.end);
    let mut odd = [0.0f64; 4];
    let first = (2 * k + 1) as i64 as f64;
    for (lane, o) in odd.iter_mut().enumerate() {
        *o = first + 2.0 * lane as f64;
    }
    let (mut s, mut c) = ([0.0f64; 4], [0.0f64; 4]);
    while end - k >= 4 {
        check();
        let stop = k + ((end - k).min(CHUNK) & !3);
        while k < stop {
            for lane in 0..4 {
                let y = 1.0 / (odd[lane] * odd[lane]) - c[lane];
                let n = s[lane] + y;
                c[lane] = (n - s[lane]) - y;
                s[lane] = n;
                odd[lane] += 8.0;
            }
            k += 4;
        }
    }
    // As the vector kernels: lanes (0, 1) + (2, 3), less what they lost, then summed.
    let lo = (s[0] + s[2]) - (c[0] + c[2]);
    let hi = (s[1] + s[3]) - (c[1] + c[3]);
    let mut sum = lo + hi;
    let mut odd = odd[0];
    while k < end {
        sum += 1.0 / (odd * odd);
        odd += 2.0;
        k += 1;
    }
    sum
}

/// √x, correctly rounded (the `sqrtsd` instruction; `f64::sqrt` is not in `core`).
#[cfg(target_arch = "x86_64")]
pub fn sqrt(x: f64) -> f64 {
    use core::arch::x86_64::{_mm_cvtsd_f64, _mm_set_sd, _mm_sqrt_sd};
    // SAFETY: SSE2 is part of the x86_64 baseline, so these instructions always exist.
    unsafe {
        let v = _mm_set_sd(x);
        _mm_cvtsd_f64(_mm_sqrt_sd(v, v))
    }
}

/// √x, correctly rounded (NEON's `fsqrt`; `f64::sqrt` is not in `core`).
#[cfg(target_arch = "aarch64")]
pub fn sqrt(x: f64) -> f64 {
    use core::arch::aarch64::{vdupq_n_f64, vgetq_lane_f64, vsqrtq_f64};
    // SAFETY: NEON is part of the arm64 baseline, so these instructions always exist.
    unsafe { vgetq_lane_f64::<0>(vsqrtq_f64(vdupq_n_f64(x))) }
}

/// √x, correctly rounded (the D extension's `fsqrt.d`; `f64::sqrt` is not in `core`).
#[cfg(target_arch = "riscv64")]
pub fn sqrt(x: f64) -> f64 {
    let r: f64;
    // SAFETY: riscv64gc includes the D extension; fsqrt.d reads one register and writes
    // another, nothing else.
    unsafe {
        core::arch::asm!("fsqrt.d {r}, {x}", r = out(freg) r, x = in(freg) x,
                         options(pure, nomem, nostack));
    }
    r
}

/// pi from the complete sum: √(8·sum).
pub fn pi_from_sum(sum: f64) -> f64 {
    sqrt(8.0 * sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_all_terms_exactly() {
        for (w, n) in
            [(1, 1), (3, 7), (7, 1000), (10, 10_000_000), (64, 1_000_000), (512, 513), (5, 5)]
        {
            let job = Job { workers: w, terms: n };
            let mut next = 0;
            for i in 0..w {
                let s = job.slice(i);
                assert_eq!(s.start, next);
                let len = s.end - s.start;
                assert!(len == n / w as u64 || len == n.div_ceil(w as u64), "{w} {n} {i}");
                next = s.end;
            }
            assert_eq!(next, n);
        }
        let big = Job { workers: 512, terms: MAX_TERMS };
        assert_eq!(big.slice(511).end, MAX_TERMS);
    }

    /// Σ over `terms` of the original's terms, `1.0 / odd / odd`, summed in double-double
    /// (Knuth's TwoSum keeps every bit each addition would lose): the sum those terms
    /// really have, free of the serial loop's rounding.
    fn reference(terms: Range<u64>) -> f64 {
        let (mut hi, mut lo) = (0.0f64, 0.0f64);
        for k in terms {
            let odd = (2 * k + 1) as f64;
            let t = 1.0 / odd / odd;
            let s = hi + t;
            let bb = s - hi;
            lo += (hi - (s - bb)) + (t - bb);
            hi = s;
        }
        hi + lo
    }

    #[test]
    fn series_is_within_1e_14_of_the_exact_sum_of_the_original_terms() {
        for terms in [0..1, 0..3, 0..4, 0..5, 0..1000, 7..10_007, 0..CHUNK + 5, 999_999..3_000_001]
        {
            let (got, want) = (series(terms.clone()), reference(terms.clone()));
            assert!((got - want).abs() <= 1e-14 * want, "{terms:?}: {got:e} vs {want:e}");
        }
        assert_eq!(series(5..5), 0.0);
        assert_eq!(series(0..1), 1.0);
        // Near the top of the range the terms are ~10^-31: still exact enough.
        let top = MAX_TERMS - 1000..MAX_TERMS;
        let (got, want) = (series(top.clone()), reference(top));
        assert!((got - want).abs() <= 1e-14 * want, "{got:e} vs {want:e}");
    }

    #[test]
    fn the_kernel_agrees_with_the_exact_sum_at_every_remainder() {
        // Slices that end at every step of the four-term loop and across a chunk.
        for terms in [0..9, 3..1000, 7..CHUNK + 13, 999_999..3_000_001, 1..4, 2..7] {
            let want = reference(terms.clone());
            let got = series(terms.clone());
            assert!((got - want).abs() <= 1e-14 * want, "{terms:?}: {got:e} vs {want:e}");
        }
    }

    #[test]
    fn the_serial_loop_of_the_original_is_the_less_accurate_one() {
        // Why the kernel is not checked against the original's own loop: that loop's
        // rounding drifts far past 1e-14 over 10^7 terms.
        let n = 10_000_000u64;
        let mut serial = 0.0;
        let mut odd = 1.0f64;
        for _ in 0..n {
            serial += 1.0 / odd / odd;
            odd += 2.0;
        }
        let exact = reference(0..n);
        let (ours, theirs) = ((series(0..n) - exact).abs(), (serial - exact).abs());
        assert!(theirs > 1e-13 * exact, "serial error {theirs:e}");
        assert!(ours < 1e-15 * exact && ours < theirs / 100.0, "{ours:e} vs {theirs:e}");
    }

    #[test]
    fn default_job_gives_the_published_digits() {
        let job = Job::default();
        let sum: f64 = (0..job.workers).map(|i| job.partial(i)).sum();
        assert_eq!(format!("{:.11}", pi_from_sum(sum)), "3.14159262176");
    }

    #[test]
    fn sqrt_is_correctly_rounded() {
        for x in [0.0, 1.0, 2.0, 8.0 * 1.2337, 1e-300, 1e300, f64::MAX, 0.25] {
            assert_eq!(sqrt(x), x.sqrt());
        }
        assert!(sqrt(-1.0).is_nan());
    }
}
