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

/// A line of text built on the stack, written out with a single `write` so that lines from
/// concurrent processes never interleave. Text past the capacity is cut off.
pub struct Line {
    buf: [u8; Line::CAPACITY],
    len: usize,
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
    pub fn u128(&mut self, mut v: u128) -> &mut Line {
        let mut digits = [0u8; 39];
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

    /// Appends an unsigned integer in decimal.
    pub fn u64(&mut self, v: u64) -> &mut Line {
        self.u128(v as u128)
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
    /// Covers every finite `|x| < 2^128` and `decimals <= 20`, plus `inf`, `-inf`, `NaN`;
    /// outside that it appends `<out of range>`.
    pub fn fixed(&mut self, x: f64, decimals: u32) -> &mut Line {
        match fixed_parts(x, decimals) {
            Fixed::Finite { negative, int, frac } => {
                if negative {
                    self.str("-");
                }
                self.u128(int);
                if decimals > 0 {
                    self.str(".");
                    // Leading zeros of the fraction.
                    let mut width = 1;
                    while width < decimals && frac >= 10u128.pow(width) {
                        width += 1;
                    }
                    for _ in width..decimals {
                        self.str("0");
                    }
                    self.u128(frac);
                }
                self
            }
            Fixed::Inf { negative: true } => self.str("-inf"),
            Fixed::Inf { negative: false } => self.str("inf"),
            Fixed::NaN => self.str("NaN"),
            Fixed::OutOfRange => self.str("<out of range>"),
        }
    }
}

/// `x` decomposed for fixed-point printing.
enum Fixed {
    /// `|x|` rounded half to even to `decimals` places: `int.frac`, and the sign bit.
    Finite {
        negative: bool,
        int: u128,
        frac: u128,
    },
    Inf {
        negative: bool,
    },
    NaN,
    OutOfRange,
}

fn fixed_parts(x: f64, decimals: u32) -> Fixed {
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    if biased == 0x7ff {
        return if fraction == 0 { Fixed::Inf { negative } } else { Fixed::NaN };
    }
    if decimals > 20 {
        return Fixed::OutOfRange;
    }
    // x = m · 2^e exactly, with m < 2^53.
    let (m, e) = if biased == 0 {
        (fraction as u128, -1074)
    } else {
        ((fraction | 1 << 52) as u128, biased - 1075)
    };
    let scale = 10u128.pow(decimals);
    if e >= 0 {
        // An integer, with no fraction; |x| < 2^128 needs 53 + e <= 128.
        if e > 75 {
            return Fixed::OutOfRange;
        }
        return Fixed::Finite { negative, int: m << e, frac: 0 };
    }
    // m · 10^d < 2^53 · 10^20 < 2^120: no overflow. Divide by 2^s, rounding half to even.
    let v = m * scale;
    let s = (-e) as u32;
    if s >= 121 {
        // v < 2^120 <= 2^(s-1), below half of one unit: rounds to zero.
        return Fixed::Finite { negative, int: 0, frac: 0 };
    }
    let mut q = v >> s;
    let r = v - (q << s);
    let half = 1u128 << (s - 1);
    if r > half || (r == half && q & 1 == 1) {
        q += 1;
    }
    Fixed::Finite { negative, int: q / scale, frac: q % scale }
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
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.5,
            2.5,
            0.125,
            0.375,
            5e-12,
            -5e-12,
            1.5e-11,
            2.5e-11,
            0.999_999_999_995,
            0.999_999_999_994_999,
            9.999_999_999_995,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            f64::EPSILON,
            core::f64::consts::PI,
            3.141_592_621_764_962,
            2f64.powi(100),
            2f64.powi(127) * 1.999_999_999,
            u64::MAX as f64,
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
                // Any bit pattern with an exponent below 2^128.
                0 => f64::from_bits(next() & !(0x7ffu64 << 52) | ((next() % 1150) << 52)),
                // Values near the pi programs' range.
                1 => (next() >> 11) as f64 / (1u64 << 53) as f64 * 4.0,
                // Exact ties at 11 decimals: k/2 · 10^-11 is not exactly representable,
                // but k · 2^-j with small j is, and often a tie.
                _ => (next() % 1_000_000) as f64 / 1024.0,
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
    fn specials_and_out_of_range() {
        assert_eq!(fixed(f64::INFINITY, 11), "inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 11), "-inf");
        assert_eq!(fixed(f64::NAN, 11), "NaN");
        assert_eq!(fixed(f64::MAX, 11), "<out of range>");
        assert_eq!(fixed(1.0, 21), "<out of range>");
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
        line.u64(0).str(" ").u64(u64::MAX).str(" ").i64(i64::MIN).str(" ").u128(u128::MAX);
        assert_eq!(
            line.as_bytes(),
            format!("0 {} {} {}", u64::MAX, i64::MIN, u128::MAX).as_bytes()
        );
        let mut long = Line::new();
        for _ in 0..Line::CAPACITY {
            long.str("ab");
        }
        assert_eq!(long.as_bytes().len(), Line::CAPACITY);
    }
}
