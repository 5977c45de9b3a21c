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

/// Σ 1/(2k+1)² over `terms` with the fastest kernel this CPU has ([`Kernel::best`]): see
/// [`series_checked`].
pub fn series(terms: Range<u64>) -> f64 {
    series_with(Kernel::best(), terms, || {})
}

/// Σ 1/(2k+1)² over `terms`, calling `check` before every [`CHUNK`] terms, with the
/// kernel the program chose ([`Kernel::chosen`]: a pi program chooses the fastest this
/// CPU has before it forks).
///
/// The divider is the limit: the original spends two divisions on each term
/// (`1.0 / odd / odd`). This spends one, `1 / odd²`, on vectors of terms. A step takes 16
/// terms as four vectors of four lanes, adds their reciprocals lane by lane,
/// (v0 + v1) + (v2 + v3), and that into a running sum per lane, compensated (Kahan): the
/// terms shrink to ~10^-15 of the sum, and plain addition would lose most of their bits.
/// Four independent divisions for each chain of four dependent additions: the divider
/// never waits. A kernel's registers hold all four lanes of a vector (AVX's `vdivpd`) or
/// two (SSE2's `divpd`, the x86_64 baseline, and NEON's `fdiv`: the two halves in turn)
/// or one (scalar code, riscv64).
///
/// Every kernel makes the same operations on each lane in the same order, so all sum to
/// the same bits, on every architecture (IEEE 754 rounds each operation alike, and Rust
/// fuses none): a worker's part is the same on every CPU, and so is what a program
/// prints, at every `-d` — but for the two whose workers add into one shared sum as they
/// finish (pi-shm-sem, pi-sysv-shm-sem): there the order shows past the 15th digit.
///
/// Accuracy, measured for n = 10^7 against a long double sum of the same terms: the
/// original's serial sum is 6.8·10^-13 off (relative); this one stays within 10^-15 (a
/// test checks 10^-14 against a double-double reference, for every kernel).
pub fn series_checked(terms: Range<u64>, check: impl Fn()) -> f64 {
    series_with(Kernel::chosen(), terms, check)
}

/// [`series_checked`] with a given kernel.
pub fn series_with(kernel: Kernel, terms: Range<u64>, check: impl Fn()) -> f64 {
    let (mut k, end) = (terms.start, terms.end);
    // Each lane's running sum, then what its additions lost.
    let mut acc = [0.0; 8];
    while end - k >= STEP {
        check();
        let steps = (end - k).min(CHUNK) / STEP;
        kernel.steps(k, steps, &mut acc);
        k += steps * STEP;
    }
    // Each lane's sum less what it lost, then the last terms (fewer than a step) one by
    // one. 2k+1 as an f64: exact below 2^53 (every odd < 2·10^15 + 1); a signed
    // conversion (k < 2^63), since the unsigned one is longer.
    let mut sum = 0.0;
    for lane in 0..4 {
        sum += acc[lane] - acc[4 + lane];
    }
    let mut odd = (2 * k + 1) as i64 as f64;
    while k < end {
        sum += 1.0 / (odd * odd);
        odd += 2.0;
        k += 1;
    }
    sum
}

/// Terms a step of every kernel sums: four vectors of four lanes.
const STEP: u64 = 16;

/// Which instructions sum the series: one this CPU has (a `Kernel` exists only for
/// those).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Kernel(Path);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    #[cfg(target_arch = "x86_64")]
    Sse2,
    #[cfg(target_arch = "x86_64")]
    Avx,
    #[cfg(target_arch = "aarch64")]
    Neon,
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    Scalar,
}

/// The kernel [`series_checked`] runs, once [`Kernel::choose`] has set it: true for AVX.
#[cfg(target_arch = "x86_64")]
static CHOSEN: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

impl Kernel {
    /// Every kernel of this architecture, by name; the ones this CPU lacks are `None`.
    pub fn all() -> [(&'static str, Option<Kernel>); KERNELS] {
        #[cfg(target_arch = "x86_64")]
        return [
            ("sse2", Some(Kernel(Path::Sse2))),
            ("avx", avx_usable().then_some(Kernel(Path::Avx))),
        ];
        #[cfg(target_arch = "aarch64")]
        return [("neon", Some(Kernel(Path::Neon)))];
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        return [("scalar", Some(Kernel(Path::Scalar)))];
    }

    /// The fastest kernel this CPU has: on x86_64 AVX where the CPU has it and the
    /// operating system saves its registers, else SSE2. Chosen by measurement: `make bench`
    /// times every kernel the CPU has against a probe of its divider at each width, and
    /// says whether this choice is the fastest there. On the Intel Xeon (Emerald Rapids)
    /// measured, both kernels run at the divider's rate (a 256-bit division issues half
    /// as often as a 128-bit one: the same lanes a nanosecond); on AMD Zen 4 the probe
    /// found 256-bit divisions issuing as often as 128-bit ones, twice the lanes. No
    /// AVX-512 kernel: the probe found 512-bit divisions no faster per lane than 256-bit
    /// ones on that Xeon, and 7 % faster on Zen 4.
    ///
    /// Asks the CPU (`cpuid`, which takes a microsecond and a half in a virtual machine,
    /// where the hypervisor answers it): a program asks once, before it forks
    /// ([`choose`](Kernel::choose)).
    #[inline(never)]
    pub fn best() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        return Kernel(if avx_usable() { Path::Avx } else { Path::Sse2 });
        #[cfg(not(target_arch = "x86_64"))]
        Kernel::chosen()
    }

    /// Makes this the kernel [`series_checked`] runs, in this process and in the
    /// processes it forks from now on.
    pub fn choose(self) {
        #[cfg(target_arch = "x86_64")]
        CHOSEN.store(self.0 == Path::Avx, core::sync::atomic::Ordering::Relaxed);
    }

    /// The kernel [`series_checked`] runs: the one [`choose`](Kernel::choose) set, else
    /// the architecture's baseline (SSE2, NEON, scalar).
    pub fn chosen() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        return Kernel(match CHOSEN.load(core::sync::atomic::Ordering::Relaxed) {
            true => Path::Avx,
            false => Path::Sse2,
        });
        #[cfg(target_arch = "aarch64")]
        return Kernel(Path::Neon);
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        return Kernel(Path::Scalar);
    }

    /// Runs `steps` steps from term `k` on the running sums `acc`.
    fn steps(self, k: u64, steps: u64, acc: &mut [f64; 8]) {
        match self.0 {
            // SAFETY: SSE2 is part of the x86_64 baseline.
            #[cfg(target_arch = "x86_64")]
            Path::Sse2 => unsafe { steps_sse2(k, steps, acc) },
            // SAFETY: a Kernel(Avx) is made only where avx_usable() said so (all, best),
            // or by chosen() once choose() was given such a kernel.
            #[cfg(target_arch = "x86_64")]
            Path::Avx => unsafe { steps_avx(k, steps, acc) },
            // SAFETY: NEON is part of the arm64 baseline.
            #[cfg(target_arch = "aarch64")]
            Path::Neon => unsafe { steps_neon(k, steps, acc) },
            #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
            Path::Scalar => steps_scalar(k, steps, acc),
        }
    }
}

/// Kernels of this architecture ([`Kernel::all`]).
pub const KERNELS: usize = if cfg!(target_arch = "x86_64") { 2 } else { 1 };

/// Whether AVX's instructions run here: the CPU has them (CPUID.1:ECX.AVX) and the kernel
/// saves the upper halves of the ymm registers on a switch (OSXSAVE, then XCR0's SSE and
/// AVX bits).
#[cfg(target_arch = "x86_64")]
fn avx_usable() -> bool {
    const OSXSAVE_AVX: u32 = 3 << 27;
    if core::arch::x86_64::__cpuid(1).ecx & OSXSAVE_AVX != OSXSAVE_AVX {
        return false;
    }
    let xcr0: u32;
    // SAFETY: with OSXSAVE set, xgetbv exists and is enabled; it reads XCR0 into edx:eax
    // and touches nothing else.
    unsafe {
        core::arch::asm!("xgetbv", in("ecx") 0, out("eax") xcr0, out("edx") _,
                         options(nomem, nostack, preserves_flags));
    }
    xcr0 & 6 == 6
}

/// A kernel's steps on one vector type, `$w` lanes a register: the operations named
/// after the architecture's intrinsics (or [`scalar`]'s stand-ins).
///
/// Every kernel does the same arithmetic in the same order, whatever its width, so all
/// sum to the same bits (on every architecture: IEEE 754 rounds each operation alike,
/// and Rust fuses none): four 4-lane vectors of odd numbers — term k + 4v + j in lane j
/// of vector v — their terms added lane by lane, (v0 + v1) + (v2 + v3), then into one
/// compensated running sum per lane. A register of `$w` lanes holds a part of a vector:
/// AVX one, SSE2 and NEON half, scalar code a quarter.
macro_rules! steps {
    ($(#[$attr:meta])* $name:ident, $arch:path, $w:literal, [$($lane:literal),*],
     $load:ident, $store:ident, $splat:ident, $add:ident, $sub:ident, $mul:ident, $div:ident) => {
        $(#[$attr])*
        fn $name(k: u64, steps: u64, acc: &mut [f64; 8]) {
            // The parts one after the other: their lanes never meet, so the order is free,
            // and one part's code is smaller than all parts' unrolled.
            for p in 0..4 / $w {
                part(k + p as u64 * $w, steps, &mut acc[p * $w..]);
            }

            /// The steps of one part: lanes of odd numbers from term k's; their sums
            /// at acc[0..$w], what those lost at acc[4..4 + $w].
            $(#[$attr])*
            #[inline(never)]
            fn part(k: u64, steps: u64, acc: &mut [f64]) {
                use $arch::*;
                let acc = acc[..4 + $w].as_mut_ptr();
                let lanes: [f64; $w] = [$($lane),*];
                let (one, step, apart) = ($splat(1.0), $splat(32.0), $splat(8.0));
                // SAFETY: each load and store takes $w f64s from the start of `lanes`
                // ($w long), or at `acc` or `acc + 4`, the start of a slice 4 + $w long.
                unsafe {
                    let mut a = $add($splat((2 * k + 1) as i64 as f64), $load(lanes.as_ptr()));
                    let mut b = $add(a, apart);
                    let mut x = $add(b, apart);
                    let mut y = $add(x, apart);
                    let (mut sum, mut lost) = ($load(acc), $load(acc.add(4)));
                    for _ in 0..steps {
                        let ab = $add($div(one, $mul(a, a)), $div(one, $mul(b, b)));
                        let xy = $add($div(one, $mul(x, x)), $div(one, $mul(y, y)));
                        // Kahan: `lost` holds what the last addition lost, taken back
                        // from the next terms.
                        let t = $sub($add(ab, xy), lost);
                        let n = $add(sum, t);
                        lost = $sub($sub(n, sum), t);
                        sum = n;
                        (a, b) = ($add(a, step), $add(b, step));
                        (x, y) = ($add(x, step), $add(y, step));
                    }
                    $store(acc, sum);
                    $store(acc.add(4), lost);
                }
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
steps!(
    /// The steps with SSE2: two lanes a `divpd`.
    #[target_feature(enable = "sse2")]
    steps_sse2, core::arch::x86_64, 2, [0.0, 2.0],
    _mm_loadu_pd, _mm_storeu_pd, _mm_set1_pd, _mm_add_pd, _mm_sub_pd, _mm_mul_pd, _mm_div_pd
);

#[cfg(target_arch = "x86_64")]
steps!(
    /// The steps with AVX: four lanes a `vdivpd`.
    #[target_feature(enable = "avx")]
    steps_avx, core::arch::x86_64, 4, [0.0, 2.0, 4.0, 6.0],
    _mm256_loadu_pd, _mm256_storeu_pd, _mm256_set1_pd, _mm256_add_pd, _mm256_sub_pd,
    _mm256_mul_pd, _mm256_div_pd
);

#[cfg(target_arch = "aarch64")]
steps!(
    /// The steps with NEON: two lanes an `fdiv`.
    #[target_feature(enable = "neon")]
    steps_neon, core::arch::aarch64, 2, [0.0, 2.0],
    vld1q_f64, vst1q_f64, vdupq_n_f64, vaddq_f64, vsubq_f64, vmulq_f64, vdivq_f64
);

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
steps!(
    /// The steps on scalars: one lane a division.
    steps_scalar, scalar, 1, [0.0],
    load, store, splat, add, sub, mul, div
);

/// The scalar stand-ins for a vector's intrinsics, for [`steps_scalar`].
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod scalar {
    /// # Safety
    /// `p` is valid for reads.
    pub unsafe fn load(p: *const f64) -> f64 {
        // SAFETY: the caller's promise.
        unsafe { *p }
    }
    /// # Safety
    /// `p` is valid for writes.
    pub unsafe fn store(p: *mut f64, v: f64) {
        // SAFETY: the caller's promise.
        unsafe { *p = v }
    }
    pub fn splat(v: f64) -> f64 {
        v
    }
    pub fn add(a: f64, b: f64) -> f64 {
        a + b
    }
    pub fn sub(a: f64, b: f64) -> f64 {
        a - b
    }
    pub fn mul(a: f64, b: f64) -> f64 {
        a * b
    }
    pub fn div(a: f64, b: f64) -> f64 {
        a / b
    }
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

    /// Every kernel this CPU has, with its name.
    fn kernels() -> Vec<(&'static str, Kernel)> {
        Kernel::all().into_iter().filter_map(|(n, k)| Some((n, k?))).collect()
    }

    #[test]
    fn every_kernel_is_within_1e_14_of_the_exact_sum_of_the_original_terms() {
        for (name, kernel) in kernels() {
            let series = |terms: Range<u64>| series_with(kernel, terms, || {});
            for terms in
                [0..1, 0..3, 0..4, 0..5, 0..1000, 7..10_007, 0..CHUNK + 5, 999_999..3_000_001]
            {
                let (got, want) = (series(terms.clone()), reference(terms.clone()));
                assert!((got - want).abs() <= 1e-14 * want, "{name} {terms:?}: {got:e} {want:e}");
            }
            assert_eq!(series(5..5), 0.0);
            assert_eq!(series(0..1), 1.0);
            // Near the top of the range the terms are ~10^-31: still exact enough.
            let top = MAX_TERMS - 1000..MAX_TERMS;
            let (got, want) = (series(top.clone()), reference(top));
            assert!((got - want).abs() <= 1e-14 * want, "{name}: {got:e} vs {want:e}");
        }
    }

    #[test]
    fn every_kernel_agrees_with_the_exact_sum_at_every_remainder() {
        // Slices that end at every step of each kernel's loop (8 or 16 terms), and across
        // a chunk.
        for (name, kernel) in kernels() {
            for start in [0, 1, 5, 999_999] {
                for len in (0..40).chain([CHUNK - 1, CHUNK, CHUNK + 13]) {
                    let terms = start..start + len;
                    let want = reference(terms.clone());
                    let got = series_with(kernel, terms.clone(), || {});
                    assert!(
                        (got - want).abs() <= 1e-14 * want,
                        "{name} {terms:?}: {got:e} vs {want:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_kernel_prints_the_same_digits() {
        // The digits a run prints, for every kernel: the default job's, and 20 decimals of
        // odd-sized jobs (where the last digits would show a kernel that sums otherwise).
        for job in
            [Job::default(), Job { workers: 7, terms: 1_000_001 }, Job { workers: 3, terms: 77 }]
        {
            let mut printed = Vec::new();
            for (name, kernel) in kernels() {
                let sum: f64 =
                    (0..job.workers).map(|i| series_with(kernel, job.slice(i), || {})).sum();
                let mut l = bareipc::fmt::Line::new();
                l.fixed(pi_from_sum(sum), if job == Job::default() { 11 } else { 20 });
                printed.push((name, String::from_utf8(l.as_bytes().to_vec()).unwrap()));
            }
            assert!(printed.iter().all(|(_, p)| *p == printed[0].1), "{job:?}: {printed:?}");
            if job == Job::default() {
                assert_eq!(printed[0].1, "3.14159262176");
            }
        }
    }

    #[test]
    fn the_best_kernel_is_the_widest_this_cpu_has_and_a_choice_is_kept() {
        let best = Kernel::best();
        assert_eq!(Some(best), Kernel::all().into_iter().filter_map(|(_, k)| k).next_back());
        #[cfg(target_arch = "x86_64")]
        {
            // The kernel's own view: /proc/cpuinfo lists avx only where the kernel saves
            // the ymm registers.
            let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
            let flags = cpuinfo.lines().find(|l| l.starts_with("flags")).unwrap();
            let avx = flags.split_whitespace().any(|f| f == "avx");
            assert_eq!(Kernel::all()[1].1.is_some(), avx, "{flags}");
        }
        // Other tests of this binary run meanwhile: choose what they would (the best).
        best.choose();
        assert_eq!(Kernel::chosen(), best);
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
