//! pi over shared memory and a futex: no lock, no name, no kernel object. The parent maps
//! one `MAP_SHARED | MAP_ANONYMOUS` region before forking: a done counter, then one slot
//! per worker. Each worker stores its partial sum's bits in its own slot (release), adds
//! one to the counter (release), and the worker that makes it W wakes the parent
//! (`FUTEX_WAKE`); the parent sleeps on the counter (`FUTEX_WAIT`) until it reads W.
//!
//! Only the last worker wakes: the parent waits for nothing else, so W − 1 wakes would
//! be system calls for nobody. A wake that is lost anyway (a worker killed between its
//! add and its wake) costs at most the watchdog's 200 ms tick, on which the parent looks
//! at its workers and at the counter again.
#![no_std]
#![no_main]

use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::futex::{self, Clock};
use bareipc::ipc::shm::Mapping;
use bareipc::process::{Run, Workers};
use core::sync::atomic::Ordering::{AcqRel, Acquire, Release};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-futex", main);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi { about: "pi from W workers writing slots of one shared page", hints: &"", run };

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    // Word 0: the done counter (its low 32 bits are the futex word); word 1 + i: worker
    // i's sum, 0 until stored (a sum of positive terms is never +0.0).
    let shared = Mapping::anonymous(8 * (1 + job.workers)).call("mmap")?;
    let mut run = Run::new(workers, shared);
    for index in 0..job.workers {
        run.spawn(&start.single, |shared| -> Result<(), Error> {
            let partial = Partial::compute(job, index);
            shared.words()[1 + index].store(partial.sum.to_bits(), Release);
            // AcqRel: the last adder sees every other worker's slot before it wakes.
            let done = &shared.words32()[0];
            if done.fetch_add(1, AcqRel) + 1 == job.workers as u32 {
                futex::wake(done, 1).call("futex")?;
            }
            Ok(())
        })?;
    }
    let (workers, shared) = run.split();
    let done = &shared.words32()[0];
    loop {
        let now = done.load(Acquire);
        if now as usize == job.workers {
            break;
        }
        match futex::wait(done, now, None, Clock::Monotonic) {
            // Woken, or the counter moved before the kernel looked: read it again.
            Ok(()) | Err(Errno::EAGAIN) => {}
            // The tick: look at the workers. Once all have ended, what they stored is
            // there, and the slots say which is missing.
            Err(Errno::EINTR) => {
                if workers.interrupted()? == 0 {
                    break;
                }
            }
            Err(errno) => return Err(CallError { call: "futex", errno }.into()),
        }
    }
    workers.reap_all()?;
    let total = protocol::total_of_slots(&shared.words()[1..], job.workers);
    run.keep_until_exit();
    total
}
