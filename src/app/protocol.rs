//! The result message every worker sends, and the parent's tally of them.
//!
//! A message is 16 bytes — magic, worker index, the partial sum's bits — well under
//! `PIPE_BUF`, so a single `write` delivers it whole on every mechanism.

use super::error::{Error, Problem};
use crate::errno::{CallError, Context, Errno};
use crate::process::{Fate, MAX_WORKERS, Workers};
use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::{Acquire, Relaxed};
use rustix::fd::AsFd;

/// `"bPI1"`: marks a bareipc result message.
const MAGIC: u32 = u32::from_le_bytes(*b"bPI1");

/// Worker `index`'s partial sum, as carried between processes.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Partial {
    /// The worker's number.
    pub index: u32,
    /// Its partial sum.
    pub sum: f64,
}

impl Partial {
    /// Bytes of an encoded message.
    pub const SIZE: usize = 16;

    /// The message for worker `index` of `job`, computing its slice.
    pub fn compute(job: &super::pi::Job, index: usize) -> Partial {
        Partial { index: index as u32, sum: job.partial(index) }
    }

    /// Little-endian encoding; the sum travels bit for bit.
    pub fn encode(&self) -> [u8; Partial::SIZE] {
        let mut b = [0u8; Partial::SIZE];
        b[..4].copy_from_slice(&MAGIC.to_le_bytes());
        b[4..8].copy_from_slice(&self.index.to_le_bytes());
        b[8..].copy_from_slice(&self.sum.to_bits().to_le_bytes());
        b
    }

    /// Decodes a message; `None` unless it is exactly a bareipc result message.
    pub fn decode(b: &[u8]) -> Option<Partial> {
        let b: &[u8; Partial::SIZE] = b.try_into().ok()?;
        let word = |r: core::ops::Range<usize>| {
            let mut w = [0u8; 8];
            w[..r.len()].copy_from_slice(&b[r]);
            u64::from_le_bytes(w)
        };
        if word(0..4) as u32 != MAGIC {
            return None;
        }
        Some(Partial { index: word(4..8) as u32, sum: f64::from_bits(word(8..16)) })
    }
}

/// Sends `partial` down a byte stream (a pipe or a socket) in one `write`.
pub fn send(to: impl AsFd, partial: &Partial) -> Result<(), Error> {
    Ok(crate::io::write_all(to, &partial.encode()).call("write")?)
}

/// Reads worker `index`'s message from its own byte stream into `tally`: a stream that
/// ends early means the message is missing or short, and the worker's fate is reported
/// if it died. While the read blocks, every tick of the run's timer looks at all workers
/// ([`Workers::interrupted`]): another worker that died, or a stop signal, ends the wait.
///
/// [`Workers::interrupted`]: crate::process::Workers::interrupted
pub fn receive(
    from: impl AsFd,
    index: usize,
    tally: &mut Tally,
    workers: &mut Workers,
) -> Result<(), Error> {
    let mut buf = [0u8; Partial::SIZE];
    let mut got = 0;
    while got < buf.len() {
        match rustix::io::read(from.as_fd(), &mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(rustix::io::Errno::INTR) => {
                workers.interrupted()?;
            }
            Err(e) => return Err(CallError { call: "read", errno: e.into() }.into()),
        }
    }
    tally.record_from(index, &buf, got).map_err(|e| blame(workers, index, e))
}

/// The error to report for worker `index` whose message went wrong: its fate if it died
/// or failed (the root cause), else `problem` itself.
pub fn blame(workers: &mut Workers, index: usize, problem: Error) -> Error {
    match workers.reap(index) {
        Ok(Fate::Exited(0)) | Err(_) => problem,
        Ok(fate) => crate::process::Error::Worker { index, fate }.into(),
    }
}

/// How [`gather`] wants a receive done.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wait {
    /// Block until a message comes (or a signal interrupts: EINTR).
    Block,
    /// Return at once; an empty queue is EAGAIN, ETIMEDOUT or ENOMSG.
    No,
}

/// Collects one message per worker from a queue they all share, into `tally`.
///
/// A queue has no end of file: a worker that dies before sending would leave the parent
/// blocked forever. So the blocking receive is interrupted by the run's timer (EINTR),
/// on which the parent reaps the workers that have ended ([`Workers::interrupted`]): one
/// that failed, or a stop signal, ends the run at once; once all have ended well, what
/// they sent is in the queue, and receives stop waiting — an empty queue then means a
/// message is missing.
///
/// [`Workers::interrupted`]: crate::process::Workers::interrupted
pub fn gather(
    workers: &mut Workers,
    tally: &mut Tally,
    call: &'static str,
    mut receive: impl FnMut(&mut [u8; Partial::SIZE], Wait) -> Result<usize, Errno>,
) -> Result<(), Error> {
    let mut wait = Wait::Block;
    let mut buf = [0u8; Partial::SIZE];
    while tally.first_missing().is_some() {
        match receive(&mut buf, wait) {
            Ok(n) => tally.record(&buf[..n.min(Partial::SIZE)])?,
            Err(Errno::EINTR) => {
                if workers.interrupted()? == 0 {
                    wait = Wait::No;
                }
            }
            Err(Errno::EAGAIN | Errno::ETIMEDOUT | Errno::ENOMSG) if wait == Wait::No => {
                return tally.total().map(drop);
            }
            Err(errno) => return Err(CallError { call, errno }.into()),
        }
    }
    Ok(())
}

/// The total of `workers` partial sums left in shared memory, one 64-bit slot each (the
/// sum's bits), once every worker has ended well: a slot still 0 — a sum of positive
/// terms is never +0.0 — names a missing result.
pub fn total_of_slots(slots: &[AtomicU64], workers: usize) -> Result<f64, Error> {
    total_of_bits(workers, |index| slots.get(index).map_or(0, |s| s.load(Acquire)))
}

/// [`total_of_slots`] for slots read by other means: `bits(i)` is worker i's slot.
pub fn total_of_bits(workers: usize, bits: impl Fn(usize) -> u64) -> Result<f64, Error> {
    let mut tally = Tally::new(workers);
    for index in 0..workers {
        let bits = bits(index);
        if bits == 0 {
            return Err(Error::Message { index, problem: Problem::Missing });
        }
        let msg = Partial { index: index as u32, sum: f64::from_bits(bits) }.encode();
        tally.record_from(index, &msg, msg.len())?;
    }
    tally.total()
}

/// Words of a shared accumulator: word 0 holds the sum's bits, the words after it one
/// bit per worker that has added its part (so a second add, or a missing one, is named).
pub const ACCUMULATOR_WORDS: usize = 1 + MAX_WORKERS / 64;

/// Adds worker `index`'s `part` into the shared accumulator `words` (see
/// [`ACCUMULATOR_WORDS`]). The caller holds the lock that orders the adds.
pub fn accumulate(words: &[AtomicU64], index: usize, part: f64) -> Result<(), Error> {
    let (sum, done) = (&words[0], &words[1 + index / 64]);
    sum.store((f64::from_bits(sum.load(Relaxed)) + part).to_bits(), Relaxed);
    match done.fetch_or(1 << (index % 64), Relaxed) & 1 << (index % 64) {
        0 => Ok(()),
        _ => Err(Error::Message { index, problem: Problem::Duplicate }),
    }
}

/// The sum in the shared accumulator once all `workers` have ended well; the first
/// worker whose bit is missing is named.
pub fn accumulated(words: &[AtomicU64], workers: usize) -> Result<f64, Error> {
    match (0..workers).find(|i| words[1 + i / 64].load(Acquire) & 1 << (i % 64) == 0) {
        Some(index) => Err(Error::Message { index, problem: Problem::Missing }),
        None => Ok(f64::from_bits(words[0].load(Acquire))),
    }
}

/// The partial sums received so far, by worker index.
#[derive(Debug)]
pub struct Tally {
    workers: usize,
    sums: [f64; MAX_WORKERS],
    /// Bit i set: worker i's sum has arrived. (Half the stack of `[Option<f64>; N]`.)
    seen: [u64; MAX_WORKERS / 64],
}

impl Tally {
    /// Expects one message from each of `workers` workers.
    pub fn new(workers: usize) -> Tally {
        Tally {
            workers: workers.min(MAX_WORKERS),
            sums: [0.0; MAX_WORKERS],
            seen: [0; MAX_WORKERS / 64],
        }
    }

    /// Records a message from a channel that all workers share: the message names its
    /// sender.
    pub fn record(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match Partial::decode(bytes) {
            Some(p) if (p.index as usize) < self.workers => self.store(p.index as usize, p.sum),
            _ => Err(Error::Stray { len: bytes.len() }),
        }
    }

    /// Records a message from worker `index`'s own channel, where `got` bytes arrived
    /// before the channel closed (`got < bytes.len()` means it closed early).
    pub fn record_from(&mut self, index: usize, bytes: &[u8], got: usize) -> Result<(), Error> {
        let problem = match (got, Partial::decode(&bytes[..got])) {
            (0, _) => Problem::Missing,
            (got, _) if got < Partial::SIZE => Problem::Short { got },
            (_, None) => Problem::Malformed,
            (_, Some(p)) if p.index as usize != index => Problem::WrongIndex { claimed: p.index },
            (_, Some(p)) => return self.store(index, p.sum),
        };
        Err(Error::Message { index, problem })
    }

    fn store(&mut self, index: usize, sum: f64) -> Result<(), Error> {
        if self.has(index) {
            return Err(Error::Message { index, problem: Problem::Duplicate });
        }
        self.seen[index / 64] |= 1 << (index % 64);
        self.sums[index] = sum;
        Ok(())
    }

    /// Whether worker `index`'s sum has arrived.
    pub fn has(&self, index: usize) -> bool {
        self.seen[index / 64] & 1 << (index % 64) != 0
    }

    /// The lowest worker index with no message yet.
    pub fn first_missing(&self) -> Option<usize> {
        (0..self.workers).find(|&i| !self.has(i))
    }

    /// The sum of all partial sums, added in worker order so the result does not depend
    /// on arrival order. Fails naming the first worker without a message.
    pub fn total(&self) -> Result<f64, Error> {
        if let Some(index) = self.first_missing() {
            return Err(Error::Message { index, problem: Problem::Missing });
        }
        Ok(self.sums[..self.workers].iter().sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_total_or_name_the_first_empty_one() {
        let slots: Vec<AtomicU64> =
            [0.5f64, 0.25, 0.125].map(|x| AtomicU64::new(x.to_bits())).into();
        assert_eq!(total_of_slots(&slots, 3), Ok(0.875));
        slots[1].store(0, core::sync::atomic::Ordering::Relaxed);
        assert_eq!(
            total_of_slots(&slots, 3),
            Err(Error::Message { index: 1, problem: Problem::Missing })
        );
        // Fewer slots than workers: the first one past the end is missing.
        assert_eq!(
            total_of_slots(&slots[..1], 2),
            Err(Error::Message { index: 1, problem: Problem::Missing })
        );
    }

    #[test]
    fn messages_round_trip_bit_exactly() {
        for sum in [0.0, -0.0, 1.0 / 3.0, f64::MIN_POSITIVE, f64::NAN, 1.2337005501361697] {
            let p = Partial { index: 511, sum };
            let back = Partial::decode(&p.encode()).unwrap();
            assert_eq!(back.index, 511);
            assert_eq!(back.sum.to_bits(), sum.to_bits());
        }
        let mut bad = Partial { index: 0, sum: 1.0 }.encode();
        bad[0] ^= 1;
        assert_eq!(Partial::decode(&bad), None);
        assert_eq!(Partial::decode(&[0u8; 15]), None);
    }

    #[test]
    fn tally_spots_missing_duplicate_short_and_foreign_messages() {
        let mut t = Tally::new(3);
        let m = |i: u32, s: f64| Partial { index: i, sum: s }.encode();
        t.record(&m(2, 0.5)).unwrap();
        assert_eq!(t.first_missing(), Some(0));
        assert_eq!(t.total(), Err(Error::Message { index: 0, problem: Problem::Missing }));
        assert_eq!(
            t.record(&m(2, 0.5)),
            Err(Error::Message { index: 2, problem: Problem::Duplicate })
        );
        assert_eq!(t.record(&m(3, 0.5)), Err(Error::Stray { len: 16 }));
        assert_eq!(t.record(b"hello"), Err(Error::Stray { len: 5 }));
        let one = m(1, 0.25);
        assert_eq!(
            t.record_from(1, &one, 9),
            Err(Error::Message { index: 1, problem: Problem::Short { got: 9 } })
        );
        assert_eq!(
            t.record_from(0, &one, 16),
            Err(Error::Message { index: 0, problem: Problem::WrongIndex { claimed: 1 } })
        );
        assert_eq!(
            t.record_from(0, &one, 0),
            Err(Error::Message { index: 0, problem: Problem::Missing })
        );
        t.record_from(1, &one, 16).unwrap();
        t.record_from(0, &m(0, 1.0), 16).unwrap();
        assert_eq!(t.total(), Ok(1.75));
    }
}
