//! pi over POSIX shared memory guarded by a POSIX named semaphore, as in the original:
//! one f64 accumulator in a shared mapping; each worker waits on the semaphore, adds its
//! slice, posts. Both names are unlinked as soon as they are created: the mappings,
//! inherited by every worker, keep the objects alive, and nothing is left in /dev/shm.
#![no_std]
#![no_main]

use bareipc::args::Args;
use bareipc::error::{Context, Error, Problem};
use bareipc::name::Name;
use bareipc::pi::Job;
use bareipc::process::{self, MAX_WORKERS, SingleThreaded, Workers};
use bareipc::sem::{self, NamedSemaphore};
use bareipc::shm::{self, ShmObject};
use core::sync::atomic::Ordering::Relaxed;

bareipc::program!("pi-shm-sem", main, hints: bareipc::shm::HINTS);

fn main(args: Args, single: SingleThreaded) -> i32 {
    bareipc::app::pi_main(
        args,
        single,
        "pi from W workers adding into shared memory under a semaphore",
        run,
    )
}

/// Word 0: the sum's bits. Words 1..: one bit per worker that has added its slice.
const WORDS: usize = 1 + MAX_WORKERS / 64;

fn run(job: &Job, single: &SingleThreaded) -> Result<f64, Error> {
    // One name for both objects: the memory is /dev/shm/NAME, the semaphore sem.NAME.
    let workers = Workers::start(single)?;
    let name = Name::unique_for("pi", workers.parent_pid()).call("getrandom")?;
    let memory = ShmObject::create(&name, 0o600).call("shm_open")?;
    shm::unlink(&name).call("shm_unlink")?;
    memory.allocate((WORDS * 8) as u64).call("fallocate")?;
    let shared = memory.map_unchecked_size(WORDS * 8).call("mmap")?;
    drop(memory);
    let lock = NamedSemaphore::create(&name, 0o600, 1).call("sem_open")?;
    sem::unlink(&name).call("sem_unlink")?;

    // Rebound after the run's channels and objects so that it is dropped before them: on
    // a failure the workers are killed and reaped before anything they use goes away
    // (a worker would otherwise report EPIPE or EIDRM on top of the real error).
    let mut workers = workers;
    for index in 0..job.workers {
        workers.spawn(single, || {
            let part = job.partial(index);
            // Waits in slices, so the worker ends if the parent dies meanwhile.
            process::patiently(|deadline| lock.wait_until(Some(deadline))).call("sem_wait")?;
            let words = shared.words();
            words[0].store((f64::from_bits(words[0].load(Relaxed)) + part).to_bits(), Relaxed);
            let before = words[1 + index / 64].fetch_or(1 << (index % 64), Relaxed);
            lock.post().call("sem_post")?;
            match before & 1 << (index % 64) {
                0 => Ok(()),
                _ => Err(Error::Message { index, problem: Problem::Duplicate }),
            }
        })?;
    }
    workers.reap_all()?;
    let words = shared.words();
    if let Some(index) =
        (0..job.workers).find(|i| words[1 + i / 64].load(Relaxed) & 1 << (i % 64) == 0)
    {
        return Err(Error::Message { index, problem: Problem::Missing });
    }
    let sum = f64::from_bits(words[0].load(Relaxed));
    process::keep_until_exit((shared, lock, workers));
    Ok(sum)
}
