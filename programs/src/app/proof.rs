//! Proof that a result comes from one of the run's own workers.
//!
//! Some endpoints can be reached by processes that are not the run's: a loopback TCP port
//! or an abstract AF_UNIX name by any user of the network namespace, a System V queue or a
//! FIFO by any process of the same user, a real-time signal by anyone allowed to signal
//! the parent (and `si_pid` says what the sender wants it to say). So every result a
//! worker sends carries a tag: SipHash-2-4, keyed with 128 random bits that the parent
//! draws (`getrandom`) before its first `fork`, over the worker's index and its partial
//! sum. The key is never written anywhere — not on the command line, in the environment,
//! in a name or in a message: the workers have it because `fork` copied the parent's
//! memory, and the parent refuses the `ptrace`-like access of other processes of its user
//! ([`process::forbid_inspection`](bareipc::process::forbid_inspection)). A message without the right tag is
//! refused and counted; guessing a tag succeeds once in 2^64 tries.
//!
//! SipHash-2-4 is Aumasson and Bernstein's keyed hash for short inputs (2012), a
//! pseudorandom function: seeing the tags of some results (a process that may read a queue
//! sees them) tells nothing about the tag of any other.
//!
//! References: [SipHash](https://www.aumasson.jp/siphash/siphash.pdf),
//! [getrandom(2)](https://man7.org/linux/man-pages/man2/getrandom.2.html)

use bareipc::errno::{CallError, Context};

/// The run's secret: 128 bits from `getrandom`, drawn by the parent before it forks.
/// Its `Debug` never shows the bits.
#[derive(Clone, Copy)]
pub struct RunKey([u64; 2]);

impl core::fmt::Debug for RunKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RunKey(..)")
    }
}

impl RunKey {
    /// 128 random bits (`getrandom`, one call: a request of at most 256 bytes is never cut
    /// short once the kernel's pool is ready, and waits until it is). Fails as `getrandom`.
    #[doc(alias = "getrandom")]
    pub fn new() -> Result<RunKey, CallError> {
        let mut bytes = [0u8; 16];
        bareipc::ipc::name::random(&mut bytes).call("getrandom")?;
        let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or_default());
        Ok(RunKey([word(0), word(8)]))
    }

    /// A key of known bits, for tests.
    #[cfg(test)]
    pub(crate) const fn from_words(k0: u64, k1: u64) -> RunKey {
        RunKey([k0, k1])
    }

    /// SipHash-2-4 of the 16 bytes whose little-endian words are `m`.
    pub fn tag(&self, m: [u64; 2]) -> u64 {
        let [k0, k1] = self.0;
        // "somepseudorandomlygeneratedbytes"
        let mut v = [
            k0 ^ 0x736f_6d65_7073_6575,
            k1 ^ 0x646f_7261_6e64_6f6d,
            k0 ^ 0x6c79_6765_6e65_7261,
            k1 ^ 0x7465_6462_7974_6573,
        ];
        // The two message words, then the last block: the length (16) in its top byte.
        for w in [m[0], m[1], 16 << 56] {
            v[3] ^= w;
            rounds(&mut v, 2);
            v[0] ^= w;
        }
        v[2] ^= 0xff;
        rounds(&mut v, 4);
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }
}

/// `n` SipRounds. (Not inlined: one copy of the round is smaller than six.)
#[inline(never)]
fn rounds(v: &mut [u64; 4], n: usize) {
    for _ in 0..n {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SipHash-2-4 of `bytes` by core's own implementation (deprecated as a `Hasher` for
    /// hash tables, not as a function).
    #[allow(deprecated)]
    fn reference(k0: u64, k1: u64, bytes: &[u8]) -> u64 {
        use core::hash::Hasher;
        let mut h = core::hash::SipHasher::new_with_keys(k0, k1);
        h.write(bytes);
        h.finish()
    }

    #[test]
    fn tags_are_siphash_2_4() {
        // The paper's vector: key 00..0f, message 00..0e (15 bytes).
        let (k0, k1) = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        let fifteen: Vec<u8> = (0..15).collect();
        assert_eq!(reference(k0, k1, &fifteen), 0xa129_ca61_49be_45e5);
        // Sixteen bytes, as the results carry them, against the reference.
        let key = RunKey::from_words(k0, k1);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = [x, x.rotate_left(29) ^ 0x5555];
            let bytes = [m[0].to_le_bytes(), m[1].to_le_bytes()].concat();
            assert_eq!(key.tag(m), reference(k0, k1, &bytes));
        }
    }

    #[test]
    fn keys_are_random_and_never_printed() {
        let (a, b) = (RunKey::new().unwrap(), RunKey::new().unwrap());
        assert_ne!(a.0, b.0);
        assert_eq!(format!("{a:?}"), "RunKey(..)");
        assert_ne!(a.tag([1, 2]), b.tag([1, 2]));
    }
}
