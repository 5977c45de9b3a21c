//! The result message every worker sends, and the parent's tally of them.
//!
//! A message is 24 bytes — magic, worker index, the partial sum's bits, and the tag that
//! proves a worker of this run made it ([`proof`](super::proof)) — well under `PIPE_BUF`,
//! so a single `write` delivers it whole on every mechanism.

use super::error::{Error, Problem};
pub use super::proof::RunKey;
use bareipc::errno::{CallError, Context, Errno};
use bareipc::io::{POLLIN, PollFd};
use bareipc::ipc::tcp::{TcpListener, TcpStream};
use bareipc::process::{Fate, MAX_WORKERS, Workers};
use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::{Acquire, Relaxed};
use rustix::fd::AsFd;

/// `"bPI2"`: marks a bareipc result message (version 2: with a tag).
const MAGIC: u32 = u32::from_le_bytes(*b"bPI2");

/// Worker `index`'s partial sum, as carried between processes.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Partial {
    /// The worker's number.
    pub index: u32,
    /// Its partial sum.
    pub sum: f64,
}

/// An encoded result: `SIZE` bytes.
pub type Sealed = [u8; Partial::SIZE];

impl Partial {
    /// Bytes of an encoded message.
    pub const SIZE: usize = 24;

    /// The result of worker `index` of `job`, computing its slice.
    pub fn compute(job: &super::pi::Job, index: usize) -> Partial {
        Partial { index: index as u32, sum: job.partial(index) }
    }

    /// The two words the tag covers: magic and index, then the sum's bits.
    fn words(&self) -> [u64; 2] {
        [MAGIC as u64 | (self.index as u64) << 32, self.sum.to_bits()]
    }

    /// The tag that proves this result, made with `key`.
    pub fn tag(&self, key: &RunKey) -> u64 {
        key.tag(self.words())
    }

    /// Little-endian encoding, the sum bit for bit, and the tag made with `key`.
    pub fn seal(&self, key: &RunKey) -> Sealed {
        self.with_tag(self.tag(key))
    }

    /// The message with `tag` as its proof: for a result whose tag travelled apart (a
    /// signal carries eight bytes), put together again to be [`open`](Self::open)ed.
    pub fn with_tag(&self, tag: u64) -> Sealed {
        let words = self.words();
        let mut b = [0u8; Partial::SIZE];
        for (chunk, w) in b.chunks_exact_mut(8).zip([words[0], words[1], tag]) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// Decodes a message; `None` unless it is exactly a result message whose tag `key`
    /// made.
    pub fn open(b: &[u8], key: &RunKey) -> Option<Partial> {
        let b: &Sealed = b.try_into().ok()?;
        let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
        let p = Partial { index: (word(0) >> 32) as u32, sum: f64::from_bits(word(8)) };
        (word(0) as u32 == MAGIC && key.tag([word(0), word(8)]) == word(16)).then_some(p)
    }
}

/// Sends a sealed result down a byte stream (a pipe or a socket) in one `write`.
pub fn send(to: impl AsFd, sealed: &Sealed) -> Result<(), Error> {
    Ok(bareipc::io::write_all(to, sealed).call("write")?)
}

/// Reads worker `index`'s message from its own byte stream into `tally`: a stream that
/// ends early means the message is missing or short, and the worker's fate is reported
/// if it died. While the read blocks, every tick of the run's timer looks at all workers
/// ([`Workers::interrupted`]): another worker that died, or a stop signal, ends the wait.
///
/// [`Workers::interrupted`]: bareipc::process::Workers::interrupted
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
        Ok(fate) => bareipc::process::Error::Worker { index, fate }.into(),
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
/// [`Workers::interrupted`]: bareipc::process::Workers::interrupted
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
            Ok(n)
                if tally.record(&buf[..n.min(Partial::SIZE)])
                    || !tally.refused().is_multiple_of(64) =>
            {
                continue;
            }
            // The tick, or a stop signal — or a stranger's 64th message: a flood of them
            // could keep the receive from ever waiting, and so from ever being interrupted
            // by the tick. Look at the workers.
            Ok(_) | Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN | Errno::ETIMEDOUT | Errno::ENOMSG) if wait == Wait::No => {
                return tally.total().map(drop);
            }
            Err(errno) => return Err(CallError { call, errno }.into()),
        }
        if workers.interrupted()? == 0 {
            wait = Wait::No;
        }
    }
    Ok(())
}

/// Connections [`serve`] reads at once. When all are open and another comes, the oldest
/// is closed: a peer that connects and sends nothing holds a place only until others come.
const OPEN: usize = 16;

/// How often a worker connects and sends before it gives up ([`deliver`]).
const TRIES: usize = 64;

/// Collects one result per connection from workers that connect to `listener` (a TCP or
/// AF_UNIX stream or seqpacket socket, listening), into `tally`. One `poll` waits for the
/// listener and every open connection at once, so no peer can hold the parent: a
/// connection is accepted non-blocking (`accept4`), read once its bytes come, and closed
/// then — or before, when 16 newer ones came or the watchdog's tick finds it silent. A
/// worker sends its 24 bytes in one write, which loopback TCP and a seqpacket socket
/// deliver in one piece: a result that proves itself is answered with one byte before the
/// close, the worker's receipt ([`deliver`]); 24 bytes that do not are refused and
/// counted; and a worker that gets no receipt sends again.
///
/// A worker exits only once its result is taken, so when every worker has ended (the
/// watchdog tick looks) the results are all in or missing for good; a stop signal ends
/// the wait at once, whatever the peers do.
pub fn serve(
    listener: &TcpListener,
    workers: &mut Workers,
    tally: &mut Tally,
) -> Result<(), Error> {
    use rustix::fd::AsRawFd;
    let mut open: [Option<TcpStream>; OPEN] = [const { None }; OPEN];
    // The listener, then one entry per place (-1: empty, which poll skips).
    let mut fds = [PollFd { fd: -1, events: POLLIN, revents: 0 }; OPEN + 1];
    // The place of the next connection: the oldest one's.
    let mut next = 0;
    let mut accepted = 0u32;
    while tally.first_missing().is_some() {
        fds[0].fd = listener.as_fd().as_raw_fd();
        for (fd, place) in fds[1..].iter_mut().zip(&open) {
            fd.fd = place.as_ref().map_or(-1, |c| c.as_fd().as_raw_fd());
        }
        match bareipc::io::poll(&mut fds) {
            Ok(_) => {}
            // The tick, or a stop signal: look at the workers. A connection still silent
            // when the tick comes — a peer that sends nothing, a worker whose bytes were
            // lost — is closed: a worker that gets no receipt sends again.
            Err(Errno::EINTR) => {
                if workers.interrupted()? == 0 {
                    return tally.total().map(drop);
                }
                open = [const { None }; OPEN];
                continue;
            }
            Err(errno) => return Err(CallError { call: "poll", errno }.into()),
        }
        for (fd, place) in fds[1..].iter().zip(&mut open) {
            if fd.revents != 0 {
                read_result(place, tally);
            }
        }
        if fds[0].revents != 0 {
            match listener.try_accept() {
                Ok(stream) => {
                    open[next] = Some(stream);
                    // Its bytes are often there already.
                    read_result(&mut open[next], tally);
                    next = (next + 1) % OPEN;
                    // A flood of connections could keep poll from ever waiting, and so
                    // from the tick: at every 64th, look at the workers as the tick would.
                    accepted += 1;
                    if accepted.is_multiple_of(64) && workers.interrupted()? == 0 {
                        return tally.total().map(drop);
                    }
                }
                // Gone before it was accepted, or a signal: poll again.
                Err(Errno::ECONNABORTED | Errno::EAGAIN | Errno::EINTR) => {}
                Err(errno) => return Err(CallError { call: "accept4", errno }.into()),
            }
        }
    }
    Ok(())
}

/// Reads the result that has come on the connection at `place`, if any has, then closes
/// it — answering a result that proves itself with its receipt.
fn read_result(place: &mut Option<TcpStream>, tally: &mut Tally) {
    let Some(fd) = place else { return };
    let mut buf = [0u8; Partial::SIZE];
    match rustix::io::read(fd.as_fd(), &mut buf) {
        Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => return,
        // The receipt: the worker waits for it before it exits.
        Ok(Partial::SIZE) if tally.record(&buf) => drop(rustix::io::write(fd.as_fd(), &[1])),
        // Refused by the tally, or no message: closed before 24 bytes, or failed.
        _ => {}
    }
    *place = None;
}

/// In a worker: sends `sealed` over a connection that `connect` makes and waits for the
/// parent's receipt ([`serve`]): a connection closed before it — the parent had closed it
/// to make way for newer ones — is made again, up to 64 times. Returns once the result is
/// taken, so a worker that exits 0 has delivered. Fails as `connect` does, or — when every
/// try was closed unread — naming the `read` of the receipt.
pub fn deliver<S: AsFd>(
    sealed: &Sealed,
    connect: impl Fn() -> Result<S, CallError>,
) -> Result<(), Error> {
    // A worker whose connection waits in the listener's queue, which its fellow workers'
    // copies of the listener keep open, would wait for the receipt for ever if the parent
    // died: from now on the kernel ends it then. (A dead parent is otherwise ECONNREFUSED
    // at `connect`, which an orphan reports to nobody.)
    bareipc::process::die_with_parent().call("prctl")?;
    bareipc::process::supervise::exit_if_orphaned(); // the parent died before the prctl
    for _ in 0..TRIES {
        let stream = connect()?;
        let mut receipt = [0u8];
        if bareipc::io::write_all(&stream, sealed).is_ok()
            && bareipc::io::read_full(&stream, &mut receipt) == Ok(1)
        {
            // exit_group closes it.
            bareipc::process::keep_until_exit(stream);
            return Ok(());
        }
    }
    Err(CallError { call: "read", errno: Errno::ECONNRESET }.into())
}

/// The total of `workers` partial sums left in shared memory, one 64-bit slot each (the
/// sum's bits), once every worker has ended well: a slot still 0 — a sum of positive
/// terms is never +0.0 — names a missing result.
pub fn total_of_slots(slots: &[AtomicU64], workers: usize) -> Result<f64, Error> {
    total_of_bits(workers, |index| slots.get(index).map_or(0, |s| s.load(Acquire)))
}

/// [`total_of_slots`] for slots read by other means: `bits(i)` is worker i's slot.
pub fn total_of_bits(workers: usize, bits: impl Fn(usize) -> u64) -> Result<f64, Error> {
    let mut sum = 0.0;
    for index in 0..workers {
        match bits(index) {
            0 => return Err(Error::Message { index, problem: Problem::Missing }),
            bits => sum += f64::from_bits(bits),
        }
    }
    Ok(sum)
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

/// Words of a shared accumulator that other processes may write (a System V segment its
/// owner can reach by identifier): the [`ACCUMULATOR_WORDS`], a count of adds, the order
/// of the adds (one worker index a word), and each worker's part and its tag, made with
/// the run's key (two words) — the proof that the sum is the workers' ([`accumulated_proved`]).
pub const fn proved_words(workers: usize) -> usize {
    ACCUMULATOR_WORDS + 1 + workers + 2 * workers
}

/// [`accumulate`], and the proof of it: the add's place in the order and worker `index`'s
/// sealed result (see [`proved_words`]). The caller holds the lock that orders the adds.
pub fn accumulate_proved(
    words: &[AtomicU64],
    workers: usize,
    index: usize,
    part: f64,
    key: &RunKey,
) -> Result<(), Error> {
    accumulate(words, index, part)?;
    let count = &words[ACCUMULATOR_WORDS];
    let at = count.load(Relaxed) as usize;
    count.store(at as u64 + 1, Relaxed);
    if let Some(place) = words.get(ACCUMULATOR_WORDS + 1 + at) {
        place.store(index as u64, Relaxed);
    }
    let slot = ACCUMULATOR_WORDS + 1 + workers + 2 * index;
    words[slot].store(part.to_bits(), Relaxed);
    words[slot + 1].store(Partial { index: index as u32, sum: part }.tag(key), Relaxed);
    Ok(())
}

/// The error of a shared sum that the workers' results do not prove.
pub const TAMPERED: Error =
    Error::Broken("another process wrote the shared sum: it is not the workers'");

/// [`accumulated`], once proved: every worker's sealed result opens with the run's `key`,
/// and adding them again in the order the adds were made gives the accumulator's very
/// bits. Anything else — a sum, an order or a result another process wrote — is
/// [`TAMPERED`], never a number.
pub fn accumulated_proved(words: &[AtomicU64], workers: usize, key: &RunKey) -> Result<f64, Error> {
    let sum = accumulated(words, workers)?;
    let mut seen = [0u64; MAX_WORKERS / 64];
    let mut replay = 0.0;
    for at in 0..workers {
        let index = words[ACCUMULATOR_WORDS + 1 + at].load(Acquire) as usize % workers;
        let slot = ACCUMULATOR_WORDS + 1 + workers + 2 * index;
        let part = Partial { index: index as u32, sum: f64::from_bits(words[slot].load(Acquire)) };
        let first = seen[index / 64] & 1 << (index % 64) == 0;
        seen[index / 64] |= 1 << (index % 64);
        if !first || part.tag(key) != words[slot + 1].load(Acquire) {
            return Err(TAMPERED);
        }
        replay += part.sum;
    }
    let added = words[ACCUMULATOR_WORDS].load(Acquire) as usize == workers;
    if !added || replay.to_bits() != sum.to_bits() {
        return Err(TAMPERED);
    }
    Ok(sum)
}

/// The partial sums received so far, by worker index, and how many messages were refused.
#[derive(Debug)]
pub struct Tally {
    workers: usize,
    /// The key results must be sealed with; none where the kernel vouches for each.
    key: Option<RunKey>,
    /// Messages that no worker of this run made (or that repeated one it had sent).
    refused: usize,
    sums: [f64; MAX_WORKERS],
    /// Bit i set: worker i's sum has arrived. (Half the stack of `[Option<f64>; N]`.)
    seen: [u64; MAX_WORKERS / 64],
}

impl Tally {
    /// Expects one message from each of `workers` workers, sealed with `key`.
    pub fn new(workers: usize, key: RunKey) -> Tally {
        Tally { key: Some(key), ..Tally::unsealed(workers) }
    }

    /// Expects one result from each of `workers` workers, each of which the kernel shows
    /// to be the worker's own ([`accept`](Self::accept)): no message can prove itself to
    /// this tally.
    pub fn unsealed(workers: usize) -> Tally {
        Tally {
            workers: workers.min(MAX_WORKERS),
            key: None,
            refused: 0,
            sums: [0.0; MAX_WORKERS],
            seen: [0; MAX_WORKERS / 64],
        }
    }

    /// Records a message from a channel that others than the workers may reach: the
    /// message names its sender and proves it. Anything else — a message with no valid
    /// tag, another worker count's index, a second copy of a result already recorded —
    /// is refused and counted, never added.
    /// Returns whether it was recorded.
    pub fn record(&mut self, bytes: &[u8]) -> bool {
        match self.open(bytes) {
            Some(p) if (p.index as usize) < self.workers && !self.has(p.index as usize) => {
                self.put(p.index as usize, p.sum);
                true
            }
            _ => {
                self.refuse();
                false
            }
        }
    }

    /// Counts one more message (or connection) that brought no result of this run.
    pub fn refuse(&mut self) {
        self.refused += 1;
    }

    /// Records a message from worker `index`'s own channel, where `got` bytes arrived
    /// before the channel closed (`got < bytes.len()` means it closed early).
    pub fn record_from(&mut self, index: usize, bytes: &[u8], got: usize) -> Result<(), Error> {
        let problem = match (got, self.open(&bytes[..got])) {
            (0, _) => Problem::Missing,
            (_, Some(p)) if p.index as usize == index => return self.accept(index, p.sum),
            // Not a result, not sealed with the run's key, or another worker's.
            _ => Problem::Malformed,
        };
        Err(Error::Message { index, problem })
    }

    /// Records worker `index`'s `sum`, which the kernel says is its own (read from the
    /// memory of the stopped worker itself); a second one is an error.
    pub fn accept(&mut self, index: usize, sum: f64) -> Result<(), Error> {
        if self.has(index) {
            return Err(Error::Message { index, problem: Problem::Duplicate });
        }
        self.put(index, sum);
        Ok(())
    }

    /// The message in `bytes`, if its tag is the run's.
    fn open(&self, bytes: &[u8]) -> Option<Partial> {
        Partial::open(bytes, self.key.as_ref()?)
    }

    fn put(&mut self, index: usize, sum: f64) {
        self.seen[index / 64] |= 1 << (index % 64);
        self.sums[index] = sum;
    }

    /// Whether worker `index`'s sum has arrived.
    pub fn has(&self, index: usize) -> bool {
        self.seen[index / 64] & 1 << (index % 64) != 0
    }

    /// How many messages were refused (see [`record`](Self::record)).
    pub fn refused(&self) -> usize {
        self.refused
    }

    /// The lowest worker index with no message yet.
    pub fn first_missing(&self) -> Option<usize> {
        (0..self.workers).find(|&i| !self.has(i))
    }

    /// The sum of all partial sums, added in worker order so the result does not depend
    /// on arrival order. Fails naming the first worker without a message, and how many
    /// messages were refused meanwhile.
    pub fn total(&self) -> Result<f64, Error> {
        match (self.first_missing(), self.refused) {
            (None, _) => Ok(self.sums[..self.workers].iter().sum()),
            (Some(index), 0) => Err(Error::Message { index, problem: Problem::Missing }),
            (Some(index), refused) => Err(Error::Refused { index, refused }),
        }
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

    const KEY: RunKey = RunKey::from_words(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);

    #[test]
    fn a_proved_accumulator_is_the_workers_sum_or_an_error() {
        let words: Vec<AtomicU64> = (0..proved_words(3)).map(|_| AtomicU64::new(0)).collect();
        for (index, part) in [(2, 0.125), (0, 0.5), (1, 0.25)] {
            accumulate_proved(&words, 3, index, part, &KEY).unwrap();
        }
        assert_eq!(accumulated_proved(&words, 3, &KEY), Ok(0.875));
        assert_eq!(accumulated_proved(&words, 3, &RunKey::from_words(1, 1)), Err(TAMPERED));
        // Each word that holds something of these three workers, changed: never a number.
        // (Words 2 to 8 hold the bits of workers 64 to 511.)
        for w in (0..2).chain(ACCUMULATOR_WORDS..words.len()) {
            let old = words[w].load(Relaxed);
            words[w].store(old ^ 1, Relaxed);
            let got = accumulated_proved(&words, 3, &KEY);
            assert!(matches!(got, Err(TAMPERED | Error::Message { .. })), "word {w}: {got:?}");
            words[w].store(old, Relaxed);
        }
        // The sum of the same results in another order, with the order to match, is still
        // the workers' sum: it proves itself (and differs at most in its last bits).
        let (a, b) = (ACCUMULATOR_WORDS + 1, ACCUMULATOR_WORDS + 2);
        let (x, y) = (words[a].load(Relaxed), words[b].load(Relaxed));
        words[a].store(y, Relaxed);
        words[b].store(x, Relaxed);
        let reordered = ((0.5f64 + 0.125) + 0.25).to_bits();
        words[0].store(reordered, Relaxed);
        assert_eq!(accumulated_proved(&words, 3, &KEY).map(f64::to_bits), Ok(reordered));
    }

    #[test]
    fn messages_round_trip_bit_exactly_and_prove_their_sender() {
        for sum in [0.0, -0.0, 1.0 / 3.0, f64::MIN_POSITIVE, f64::NAN, 1.2337005501361697] {
            let p = Partial { index: 511, sum };
            let back = Partial::open(&p.seal(&KEY), &KEY).unwrap();
            assert_eq!(back.index, 511);
            assert_eq!(back.sum.to_bits(), sum.to_bits());
        }
        let good = Partial { index: 0, sum: 1.0 }.seal(&KEY);
        // Any bit changed, or another key: refused.
        for bit in 0..8 * Partial::SIZE {
            let mut bad = good;
            bad[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(Partial::open(&bad, &KEY), None, "bit {bit}");
        }
        let other = RunKey::from_words(1, 2);
        assert_eq!(Partial::open(&good, &other), None);
        assert_eq!(Partial::open(&good[..23], &KEY), None);
        assert_eq!(Partial::open(&[good.as_slice(), &[0]].concat(), &KEY), None);
    }

    #[test]
    fn tally_refuses_and_counts_what_no_worker_sent() {
        let mut t = Tally::new(3, KEY);
        let m = |i: u32, s: f64| Partial { index: i, sum: s }.seal(&KEY);
        t.record(&m(2, 0.5));
        assert_eq!(t.first_missing(), Some(0));
        assert_eq!(t.total(), Err(Error::Message { index: 0, problem: Problem::Missing }));
        t.record(&m(2, 0.75)); // a second result for worker 2
        t.record(&m(3, 0.5)); // no such worker
        t.record(b"hello");
        t.record(&Partial { index: 0, sum: 4.0 }.seal(&RunKey::from_words(9, 9)));
        assert_eq!(t.refused(), 4);
        assert_eq!(t.total(), Err(Error::Refused { index: 0, refused: 4 }));
        let one = m(1, 0.25);
        assert_eq!(
            t.record_from(1, &one, 9),
            Err(Error::Message { index: 1, problem: Problem::Malformed })
        );
        assert_eq!(
            t.record_from(0, &one, 24),
            Err(Error::Message { index: 0, problem: Problem::Malformed })
        );
        assert_eq!(
            t.record_from(0, &one, 0),
            Err(Error::Message { index: 0, problem: Problem::Missing })
        );
        let mut forged = one;
        forged[20] ^= 1;
        assert_eq!(
            t.record_from(1, &forged, 24),
            Err(Error::Message { index: 1, problem: Problem::Malformed })
        );
        t.record_from(1, &one, 24).unwrap();
        t.accept(0, 1.0).unwrap();
        assert_eq!(t.accept(0, 1.0), Err(Error::Message { index: 0, problem: Problem::Duplicate }));
        assert_eq!(t.total(), Ok(1.75));
        // Where the kernel vouches for results, no message proves itself.
        let mut u = Tally::unsealed(1);
        u.record(&Partial { index: 0, sum: 1.0 }.seal(&KEY));
        assert_eq!(u.total(), Err(Error::Refused { index: 0, refused: 1 }));
        u.accept(0, 1.0).unwrap();
        assert_eq!(u.total(), Ok(1.0));
    }
}
