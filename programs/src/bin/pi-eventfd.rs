//! pi over one eventfd counter: the kernel does the addition. Each worker adds its
//! partial sum as a fixed-point integer with one write; the parent reaps every worker,
//! then reads the counter once.
//!
//! Scaling: a worker adds `round(partial · 2^52) · 2^10 + 1`. The low 10 bits count the
//! results (W ≤ 512 < 2^10), so a lost one shows; the rest is the sum with 52 fractional
//! bits. The whole series is below π²/8 < 1.234, so the counter stays below
//! 1.234 · 2^62 < 2^63, far from its limit of 2^64 − 2: a write that would pass it fails
//! with EAGAIN (the counter is non-blocking) and is reported, never a hang. Rounding each
//! partial to 2^-52 moves the sum by at most W · 2^-53 (6·10^-14 at W = 512), well below
//! the 11 decimals printed: the digits are those of every other program.
#![no_std]
#![no_main]

use bareipc::errno::Context;
use bareipc::ipc::eventfd::EventCounter;
use bareipc::process::{Run, Workers};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-eventfd", main);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers adding into one eventfd counter", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// The eventfd counter.
static HINTS: &str = "\
write 11 the eventfd counter would pass its limit (2^64 - 2)
read 11 no worker's result reached the counter";

/// Fractional bits of a partial sum, and bits of the result count below them.
const FRACTION: u32 = 52;
const COUNT: u32 = 10;

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let counter = EventCounter::new().call("eventfd2")?;
    let mut run = Run::new(workers, counter);
    for index in 0..job.workers {
        run.spawn(&start.single, |counter| -> Result<(), Error> {
            // partial ∈ [0, 1.234): the product is exact to the rounding, below 2^53.
            let fixed = (job.partial(index) * (1u64 << FRACTION) as f64 + 0.5) as u64;
            counter.add(fixed << COUNT | 1).call("write")?;
            Ok(())
        })?;
    }
    let (workers, counter) = run.split();
    workers.reap_all()?;
    // Every worker exited 0, so every one added: a counter still at zero is EAGAIN.
    let value = counter.take().call("read")?;
    let got = (value & ((1 << COUNT) - 1)) as usize;
    if got != job.workers {
        return Err(Error::Broken("the counter holds fewer results than workers: an add was lost"));
    }
    run.keep_until_exit();
    Ok((value >> COUNT) as f64 / (1u64 << FRACTION) as f64)
}
