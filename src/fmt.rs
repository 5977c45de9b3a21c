//! Text output without `core::fmt`: a fixed-capacity line buffer, integers, and an exact
//! fixed-point printer for `f64`.
//!
//! `core::fmt`'s float formatting would cost each binary about 15 KB; the printer here is
//! well under 1 KB and gives the same digits as std's `{:.N}` (checked in the tests).

/// Field `n` (from 0) of `text` split at every `sep` byte. A byte loop: `str::split`
/// costs each binary 700 bytes of searcher code.
pub fn field(text: &'static str, sep: u8, n: usize) -> Option<&'static str> {
    let mut start = 0;
    let mut seen = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b == sep {
            if seen == n {
                return text.get(start..i);
            }
            seen += 1;
            start = i + 1;
        }
    }
    if seen == n { text.get(start..) } else { None }
}

/// `write!` into a line, for code that has `core::fmt` anyway (std programs): text past
/// the capacity is cut off, as with [`Line::str`], and never an error.
impl core::fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.str(s);
        Ok(())
    }
}

/// Something that can say what it is in a few words on a [`Line`]: the part of a one-line
/// report after `PROGRAM: `. The text-only counterpart of `Display`, which the programs
/// avoid for size.
pub trait Describe {
    /// Appends the description, without a newline.
    fn describe(&self, line: &mut Line);
}

/// A line of text built on the stack, written out with a single `write` so that lines from
/// concurrent processes never interleave. Text past the capacity is cut off.
pub struct Line {
    buf: [u8; Line::CAPACITY],
    len: usize,
}

impl core::fmt::Debug for Line {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match core::str::from_utf8(self.as_bytes()) {
            Ok(text) => f.debug_tuple("Line").field(&text).finish(),
            Err(_) => f.debug_tuple("Line").field(&self.as_bytes()).finish(),
        }
    }
}

impl Default for Line {
    fn default() -> Self {
        Self::new()
    }
}

impl Line {
    /// Bytes a line holds; longer text is truncated.
    pub const CAPACITY: usize = 1024;

    /// An empty line.
    pub const fn new() -> Line {
        Line { buf: [0; Line::CAPACITY], len: 0 }
    }

    /// The text so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Line {
        let n = b.len().min(Line::CAPACITY - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
        self
    }

    /// Appends a string.
    pub fn str(&mut self, s: &str) -> &mut Line {
        self.bytes(s.as_bytes())
    }

    /// Appends an unsigned integer in decimal.
    pub fn u64(&mut self, mut v: u64) -> &mut Line {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.bytes(&digits[i..])
    }

    /// Appends `template`, each `#` in it replaced by the next of `numbers` in decimal (a
    /// `#` with no number left stays a `#`). One call for a sentence with numbers in it:
    /// every `str` or `u64` call costs each binary its own few instructions.
    #[inline(never)]
    pub fn fill(&mut self, template: &str, numbers: &[u64]) -> &mut Line {
        let mut numbers = numbers.iter();
        for b in template.bytes() {
            match (b, numbers.len()) {
                (b'#', 1..) => self.u64(numbers.next().copied().unwrap_or_default()),
                _ => self.bytes(&[b]),
            };
        }
        self
    }

    /// Appends a signed integer in decimal.
    pub fn i64(&mut self, v: i64) -> &mut Line {
        if v < 0 {
            self.str("-");
        }
        self.u64(v.unsigned_abs())
    }

    /// Appends `x` with exactly `decimals` digits after the point, rounded half to even
    /// from its exact binary value, as std's `format!("{x:.decimals$}")` does.
    ///
    /// Covers `decimals <= 20` and every `x` from `2^-8` (`0.00390625`) to below `2^52`
    /// (`4503599627370496`); anything else — zero, a negative number, a smaller or larger
    /// one, `inf`, `NaN` — appends `<out of range>`. That is what the pi programs print,
    /// √(8·sum) near 3, and all they need: a range down to the smallest subnormal takes
    /// 128-bit arithmetic, and signs, zeros and infinities take branches, which together
    /// cost every program 350 bytes.
    ///
    /// How: `x = m · 2^-s` exactly, with `s` from 1 to 60 in that range. The integer part
    /// is `m >> s`; the fraction, `s` bits, yields one decimal digit per multiplication by
    /// 10 (the digit is what rises above bit `s`; fraction · 10 < 2^64), and what remains
    /// after the last digit decides the rounding. Only shifts, masks and multiplications
    /// by 10: no division.
    pub fn fixed(&mut self, x: f64, decimals: u32) -> &mut Line {
        let bits = x.to_bits();
        // For a positive normal x, m · 2^-s with m < 2^53; a set sign bit or an exponent
        // of all ones (inf, NaN) puts s far out of range, and so does zero's.
        let s = 1075 - (bits >> 52) as i64;
        if decimals > 20 || !(1..=60).contains(&s) {
            return self.str("<out of range>");
        }
        let m = bits & ((1u64 << 52) - 1) | 1 << 52;
        let (mut int, mut frac) = (m >> s, m & ((1u64 << s) - 1));
        let mask = (1u64 << s) - 1;
        let mut digits = [b'0'; 20];
        let digits = &mut digits[..decimals as usize];
        for d in digits.iter_mut() {
            // frac < 2^s <= 2^60, so frac · 10 < 2^64.
            frac *= 10;
            *d = b'0' + (frac >> s) as u8;
            frac &= mask;
        }
        let half = 1u64 << (s - 1);
        let odd = digits.last().map_or(int & 1 == 1, |d| d & 1 == 1);
        if frac > half || (frac == half && odd) {
            // Round up: carry through the trailing 9s into the integer part.
            let mut carry = true;
            for d in digits.iter_mut().rev() {
                if *d == b'9' {
                    *d = b'0';
                } else {
                    *d += 1;
                    carry = false;
                    break;
                }
            }
            // No overflow: int < 2^52.
            int += carry as u64;
        }
        self.u64(int);
        if decimals > 0 {
            self.str(".").bytes(digits);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(x: f64, d: u32) -> String {
        let mut line = Line::new();
        line.fixed(x, d);
        String::from_utf8(line.as_bytes().to_vec()).unwrap()
    }

    /// A small deterministic generator (xorshift64*), so failures reproduce.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed;
        move || {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            s.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    #[test]
    fn edge_cases_match_std() {
        let cases = [
            1.0,
            0.5,
            1.5,
            2.5,
            0.125,
            0.375,
            0.999_999_999_995,
            0.999_999_999_994_999,
            9.999_999_999_995,
            core::f64::consts::PI,
            3.141_592_621_764_962,
            2f64.powi(-8),
            2f64.powi(52) * 0.999_999_999_999_999_9,
            2f64.powi(51) + 0.5,
            9.5,
            0.003_906_25,
            0.003_906_250_000_000_001,
            99.999_999_999_999_99,
            123_456_789.123_456_78,
        ];
        for x in cases {
            for d in [0, 1, 2, 5, 11, 17, 20] {
                assert_eq!(fixed(x, d), format!("{x:.*}", d as usize), "x={x:e} d={d}");
            }
        }
    }

    #[test]
    fn random_values_match_std() {
        let mut next = rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..200_000 {
            let x = match i % 3 {
                // Any positive bit pattern with an exponent from 2^-8 to below 2^52.
                0 => f64::from_bits(next() >> 12 | (1015 + next() % (1075 - 1015)) << 52),
                // Values near the pi programs' range.
                1 => 2.0 + (next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0,
                // Exact ties at 11 decimals: k/2 · 10^-11 is not exactly representable,
                // but k · 2^-j with small j is, and often a tie.
                _ => (1 + next() % 1_000_000) as f64 / 256.0,
            };
            let d = (next() % 21) as u32;
            assert_eq!(
                fixed(x, d),
                format!("{x:.*}", d as usize),
                "x={x:e} bits={:#x} d={d}",
                x.to_bits()
            );
        }
    }

    #[test]
    fn out_of_range() {
        let out = [
            0.0,
            -0.0,
            -1.0,
            -core::f64::consts::PI,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            f64::EPSILON,
            0.001,
            2f64.powi(-8) * 0.999_999_999_999_999_9,
            2f64.powi(52),
            2f64.powi(63),
        ];
        for x in out {
            assert_eq!(fixed(x, 11), "<out of range>", "{x:e}");
        }
        assert_eq!(fixed(1.0, 21), "<out of range>");
        assert_eq!(fixed(1.0, 20), "1.00000000000000000000");
    }

    #[test]
    fn fields() {
        for (n, want) in [(0, Some("a")), (1, Some("")), (2, Some("bc")), (3, None)] {
            assert_eq!(field("a::bc", b':', n), want);
        }
        assert_eq!(field("", b':', 0), Some(""));
    }

    #[test]
    fn integers_and_truncation() {
        let mut line = Line::new();
        line.u64(0).str(" ").u64(u64::MAX).str(" ").i64(i64::MIN);
        assert_eq!(line.as_bytes(), format!("0 {} {}", u64::MAX, i64::MIN).as_bytes());
        let mut long = Line::new();
        for _ in 0..Line::CAPACITY {
            long.str("ab");
        }
        assert_eq!(long.as_bytes().len(), Line::CAPACITY);
    }
}
