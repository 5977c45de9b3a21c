//! pi over System V shared memory guarded by a System V semaphore: the walkthrough's
//! shared accumulator, with the objects System V offers. The segment is created, attached
//! and removed at once (`shmget`, `shmat`, `shmctl(IPC_RMID)`): the workers inherit the
//! attachment, and the kernel destroys the segment when the last of them exits, however
//! it ends. The lock is a one-semaphore set taken with SEM_UNDO, so the kernel releases it
//! if its holder dies holding it. Both are keyed by the run (0xB1 and the parent's pid),
//! so that a later run removes what a SIGKILL left (as pi-sysv-msg's queue).
//!
//! A segment can be reached by its identifier by any process of the user (its owner may
//! change its mode, and attach it even once removed): so each worker also leaves its
//! result, sealed with the run's key, and its place in the order of the adds, and the
//! parent prints the sum only once those results, added again in that order, give it
//! bit for bit.
#![no_std]
#![no_main]

use bareipc::errno::{Context, Errno};
use bareipc::ipc::semset::{self, SemaphoreSet, Timespec};
use bareipc::ipc::shmseg;
use bareipc::ipc::sysv::run_key;
use bareipc::process::{self, Run, Workers, supervise};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, RunKey};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-sysv-shm-sem", main, errnos: bareipc::errno::QUEUES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi {
    about: "pi from W workers adding into a System V segment under a System V semaphore",
    hints: &HINTS,
    run,
};

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// A System V segment and semaphore set.
static HINTS: &str = "\
shmget 22 segment larger than kernel.shmmax
shmget 28 no System V segment left (kernel.shmmni segments, or kernel.shmall pages; see `ipcs -m`)
semget 28 no System V semaphore left (kernel.sem: SEMMNI sets, SEMMNS semaphores; see `ipcs -s`)
* 38 this kernel has no System V IPC
* 43 the semaphore set was removed while the run used it (ipcrm?)";

/// How long one wait for the lock lasts before the worker looks at its parent.
const SLICE: Timespec = Timespec { tv_sec: 0, tv_nsec: 100_000_000 };

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    // Sets that runs killed by SIGKILL could not remove (best effort).
    let _ = semset::remove_abandoned();
    let _ = shmseg::remove_abandoned();
    let key = RunKey::new()?;
    // Destroyed by the kernel after the last detach: nothing to remove on any path.
    let words = protocol::proved_words(job.workers);
    let shared = shmseg::create_attached(run_key(workers.parent_pid()), words * 8, 0o600)?;
    // Removed by its drop (semctl IPC_RMID) on every path out of this function.
    let lock = SemaphoreSet::create_for_run(workers.parent_pid(), 1, 0o600).call("semget")?;

    let mut run = Run::new(workers, (shared, lock));
    for index in 0..job.workers {
        run.spawn(&start.single, |(shared, lock)| {
            let part = job.partial(index);
            // Waits in slices, so the worker ends if the parent dies meanwhile.
            supervise::patiently(|_| match lock.lock(0, Some(&SLICE)) {
                Err(Errno::EAGAIN) => Err(Errno::ETIMEDOUT),
                taken => taken,
            })
            .call("semtimedop")?;
            let added = protocol::accumulate_proved(shared.words(), job.workers, index, part, &key);
            lock.unlock(0).call("semtimedop")?;
            added
        })?;
    }
    let (workers, _) = run.split();
    workers.reap_all()?;
    let (workers, (shared, lock)) = run.into_parts();
    let sum = protocol::accumulated_proved(shared.words(), job.workers, &key)?;
    lock.remove().call("semctl")?;
    process::keep_until_exit((workers, shared));
    Ok(sum)
}
