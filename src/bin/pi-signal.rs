//! pi over real-time signals: the parent blocks signal 35 (SIGRTMIN + 1) and forks; each
//! worker computes and queues the signal to the parent with its partial sum's 64 bits as
//! the value (`rt_sigqueueinfo`, as `sigqueue` does); the parent takes W of them with
//! `rt_sigtimedwait` — the sender's pid says which worker — then reaps. Nothing to
//! remove: a pending signal goes with the process.
#![no_std]
#![no_main]

use bareipc::app::error::Error;
use bareipc::app::pi::Job;
use bareipc::app::protocol::{self, Partial, Tally, Wait};
use bareipc::app::{self, Pi, hints};
use bareipc::errno::{Context, Errno};
use bareipc::ipc::rtsig::{self, RtSignal};
use bareipc::process::supervise::{self, wait_slice};
use bareipc::process::{MAX_WORKERS, Run, Workers};
use bareipc::rt::{Args, Start};
use rustix::process::Signal;

bareipc::program!("pi-signal", main, errnos: bareipc::errno::QUEUES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers queueing real-time signals", hints: &hints::SIGNAL, run };

/// The result signal: the first real-time signal after the run's watchdog tick (34).
const RESULT: i32 = supervise::TICK + 1;

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let signal = RtSignal::new(RESULT).call("rt_sigprocmask")?;
    // Blocked before the first worker exists: a result is never delivered (its default
    // action would end the parent), it waits in the queue for rt_sigtimedwait. SIGCHLD
    // too: under strace it would be delivered and cut the wait short (EINTR).
    rtsig::block(&[RESULT, Signal::CHILD.as_raw()]).call("rt_sigprocmask")?;
    let parent = workers.parent_pid();
    let mut run = Run::new(workers, ());
    let mut pids = [0; MAX_WORKERS];
    for (index, pid) in pids[..job.workers].iter_mut().enumerate() {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let sum = job.partial(index).to_bits();
            let me = rustix::process::getpid().as_raw_nonzero().get();
            // At RLIMIT_SIGPENDING the send is refused (EAGAIN), never lost: try again
            // while the parent takes signals, for about a second, then say so.
            let mut tries = 0;
            supervise::patiently(|deadline| match signal.queue(parent, me, sum) {
                Err(Errno::EAGAIN) if tries < 10 => {
                    tries += 1;
                    wait_slice(deadline)
                }
                sent => sent,
            })
            .call("rt_sigqueueinfo")?;
            Ok(())
        })?;
        // Recorded now, before anything reaps the worker: its signal may be taken after.
        *pid = run.workers().pid(index).unwrap_or(0);
    }
    let mut tally = Tally::new(job.workers);
    let (workers, _) = run.split();
    protocol::gather(workers, &mut tally, "rt_sigtimedwait", |buf, wait| {
        let got = signal.take(wait == Wait::Block)?;
        // A signal from a process that is none of the workers: eight bytes that are no
        // worker's result.
        *buf = [0; Partial::SIZE];
        let Some(index) = pids[..job.workers].iter().position(|&p| p == got.pid) else {
            return Ok(8);
        };
        *buf = Partial { index: index as u32, sum: f64::from_bits(got.value) }.encode();
        Ok(Partial::SIZE)
    })?;
    run.workers().reap_all()?;
    run.keep_until_exit();
    tally.total()
}
