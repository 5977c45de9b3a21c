//! pi over POSIX shared memory guarded by a POSIX semaphore, as in the original: one f64
//! accumulator in a shared mapping; each worker waits on the semaphore, adds its slice,
//! posts. Both are files of the tmpfs at /dev/shm, as `shm_open` and `sem_open` make them
//! (the semaphore in glibc's format), but with no name: `O_TMPFILE` makes a file that no
//! other process can open, from its first instant. The mappings, inherited by every
//! worker, keep them alive; nothing is ever left in /dev/shm, and nobody else can write
//! the sum or shrink a file under the workers (SIGBUS).
#![no_std]
#![no_main]

use bareipc::errno::Context;
use bareipc::ipc::sem::NamedSemaphore;
use bareipc::ipc::shm::Mapping;
use bareipc::process::{Run, Workers, supervise};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, ACCUMULATOR_WORDS};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-shm-sem", main);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi {
    about: "pi from W workers adding into shared memory under a semaphore",
    hints: &HINTS,
    run,
};

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// Shared memory and named semaphores, which live in `/dev/shm`. (The program creates
/// both with O_CREAT | O_EXCL | O_NOFOLLOW: a file, symbolic link or directory at the
/// name is EEXIST.)
static HINTS: &str = "\
* 2 /dev/shm is missing: mount a tmpfs there (a container's --tmpfs /dev/shm, or an --ipc mode other than none)
* 17 an object of that name exists already
* 28 /dev/shm is full (a container's --shm-size)
* 13 no permission to create files in /dev/shm
* 30 /dev/shm is read-only";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    // Files of /dev/shm with no name: only this process and its workers reach them.
    let shared = Mapping::create_unnamed(ACCUMULATOR_WORDS * 8)?;
    let lock = NamedSemaphore::create_unnamed(1)?;

    let mut run = Run::new(workers, (shared, lock));
    for index in 0..job.workers {
        run.spawn(&start.single, |(shared, lock)| {
            let part = job.partial(index);
            // Waits in slices, so the worker ends if the parent dies meanwhile.
            supervise::patiently(|deadline| lock.wait_until(Some(deadline))).call("sem_wait")?;
            let added = protocol::accumulate(shared.words(), index, part);
            lock.post().call("sem_post")?;
            added
        })?;
    }
    let (workers, (shared, _)) = run.split();
    workers.reap_all()?;
    let sum = protocol::accumulated(shared.words(), job.workers)?;
    run.keep_until_exit();
    Ok(sum)
}
