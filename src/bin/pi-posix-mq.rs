//! pi over a POSIX message queue: one queue for all workers, created exclusively and
//! unlinked at once (the descriptor, inherited by every worker, keeps it alive). Each
//! worker sends its 16-byte result; the parent receives W messages, then reaps.
#![no_std]
#![no_main]

use bareipc::args::Args;
use bareipc::error::{Context, Error};
use bareipc::mq::{self, Access, MessageQueue, MqAttr, Timespec};
use bareipc::name::Name;
use bareipc::pi::Job;
use bareipc::process::{self, SingleThreaded, Workers};
use bareipc::protocol::{self, Partial, Tally, Wait};

bareipc::program!("pi-posix-mq", main, hints: bareipc::mq::HINTS, errnos: bareipc::errno::QUEUES);

fn main(args: Args, single: SingleThreaded) -> i32 {
    bareipc::app::pi_main(args, single, "pi from W workers over one POSIX message queue", run)
}

/// Unprivileged queues hold at most `/proc/sys/fs/mqueue/msg_max` (10) messages; more
/// workers simply block in mq_send until the parent makes room.
const CAPACITY: usize = 10;

fn run(job: &Job, single: &SingleThreaded) -> Result<f64, Error> {
    let workers = Workers::start(single)?;
    let name = Name::unique_for("mq", workers.parent_pid()).call("getrandom")?;
    let attr = MqAttr::new(job.workers.min(CAPACITY) as i64, Partial::SIZE as i64);
    let queue = MessageQueue::create(&name, Access::ReadWrite, 0o600, &attr).call("mq_open")?;
    mq::unlink(&name).call("mq_unlink")?;

    // Rebound after the run's channels and objects so that it is dropped before them: on
    // a failure the workers are killed and reaped before anything they use goes away
    // (a worker would otherwise report EPIPE or EIDRM on top of the real error).
    let mut workers = workers;
    for index in 0..job.workers {
        workers.spawn(single, || {
            let msg = Partial::compute(job, index).encode();
            // Blocks only while the queue is full (more than 10 workers): in slices, so
            // the worker ends if the parent dies meanwhile.
            process::patiently(|deadline| queue.send(&msg, 0, Some(deadline))).call("mq_timedsend")
        })?;
    }
    let mut tally = Tally::new(job.workers);
    let now = Timespec { tv_sec: 0, tv_nsec: 0 };
    protocol::gather(&mut workers, &mut tally, "mq_timedreceive", |buf, wait| {
        let deadline = if wait == Wait::No { Some(&now) } else { None };
        queue.receive(buf, deadline).map(|(len, _priority)| len)
    })?;
    workers.reap_all()?;
    process::keep_until_exit((queue, workers));
    tally.total()
}
