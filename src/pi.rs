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
    MAX_TERMS as u128 * crate::process::MAX_WORKERS as u128 <= u64::MAX as u128
);

/// Decimal places printed.
pub const DECIMALS: u32 = 11;

/// One run: `terms` terms split among `workers` workers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Job {
    pub workers: usize,
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
    /// ([`exit_if_orphaned`](crate::process::exit_if_orphaned)).
    pub fn partial(&self, index: usize) -> f64 {
        series_checked(self.slice(index), crate::process::exit_if_orphaned)
    }
}

/// Terms summed between two calls of the check of [`series_checked`].
pub const CHUNK: u64 = 1 << 20;

/// Σ 1/(2k+1)/(2k+1) over `terms`, in increasing k, with the two divisions of the original.
pub fn series(terms: Range<u64>) -> f64 {
    series_checked(terms, || {})
}

/// [`series`], calling `check` before every [`CHUNK`] terms. The terms are added in the
/// same order, so the sum is the same to the bit.
pub fn series_checked(terms: Range<u64>, check: impl Fn()) -> f64 {
    let mut sum = 0.0;
    // 2k+1 kept as an f64 and stepped by 2.0: exact below 2^53, and no int-to-float
    // conversion in the loop.
    let mut odd = (2 * terms.start + 1) as f64;
    let mut k = terms.start;
    while k < terms.end {
        check();
        let end = terms.end.min(k.saturating_add(CHUNK));
        for _ in k..end {
            sum += 1.0 / odd / odd;
            odd += 2.0;
        }
        k = end;
    }
    sum
}

/// √x, correctly rounded (the `sqrtsd` instruction; `f64::sqrt` is not in `core`).
pub fn sqrt(x: f64) -> f64 {
    use core::arch::x86_64::{_mm_cvtsd_f64, _mm_set_sd, _mm_sqrt_sd};
    // SAFETY: SSE2 is part of the x86_64 baseline, so these instructions always exist.
    unsafe {
        let v = _mm_set_sd(x);
        _mm_cvtsd_f64(_mm_sqrt_sd(v, v))
    }
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

    #[test]
    fn series_matches_the_integer_formula() {
        let naive: f64 = (0..1000u64).map(|k| 1.0 / (2 * k + 1) as f64 / (2 * k + 1) as f64).sum();
        assert_eq!(series(0..1000), naive);
        assert_eq!(series(5..5), 0.0);
        assert_eq!(series(0..1), 1.0);
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
