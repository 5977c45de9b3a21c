//! pi over a POSIX message queue: one queue for all workers, created exclusively and
//! unlinked at once (the descriptor, inherited by every worker, keeps it alive). Each
//! worker sends its 24-byte result; the parent receives W messages, then reaps.
#![no_std]
#![no_main]

use bareipc::errno::Context;
use bareipc::ipc::mq::{self, Access, MessageQueue, MqAttr, Timespec};
use bareipc::ipc::name::Name;
use bareipc::process::{Run, Workers, supervise};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Tally, Wait};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-posix-mq", main, errnos: bareipc::errno::QUEUES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi { about: "pi from W workers over one POSIX message queue", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// POSIX message queues.
static HINTS: &str = "\
mq_open 24 the user's POSIX message queue memory is used up (RLIMIT_MSGQUEUE, see `ulimit -q`)
mq_open 22 queue size beyond /proc/sys/fs/mqueue/msg_max or msgsize_max
mq_open 28 too many queues (/proc/sys/fs/mqueue/queues_max)
mq_open 38 this kernel has no POSIX message queues
mq_open 17 a queue of that name exists already
mq_open 13 no permission to create queues (the mqueue file system's mode)";

/// Unprivileged queues hold at most `/proc/sys/fs/mqueue/msg_max` (10) messages; more
/// workers simply block in mq_send until the parent makes room.
const CAPACITY: usize = 10;

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    // mq_open's EMFILE is RLIMIT_MSGQUEUE or the descriptor limit: a report tells which.
    app::error::tell_descriptor_limit();
    let key = RunKey::new()?;
    let name = Name::unique_for("mq", workers.parent_pid()).call("getrandom")?;
    let attr = MqAttr::new(job.workers.min(CAPACITY) as i64, Partial::SIZE as i64);
    let queue = MessageQueue::create(&name, Access::ReadWrite, 0o600, &attr).call("mq_open")?;
    mq::unlink(&name).call("mq_unlink")?;

    let mut run = Run::new(workers, queue);
    for index in 0..job.workers {
        run.spawn(&start.single, |queue| -> Result<(), Error> {
            let msg = Partial::compute(job, index).seal(&key);
            // Blocks only while the queue is full (more than 10 workers): in slices, so
            // the worker ends if the parent dies meanwhile.
            supervise::patiently(|deadline| queue.send(&msg, 0, Some(deadline)))
                .call("mq_timedsend")?;
            Ok(())
        })?;
    }
    let mut tally = Tally::new(job.workers, key);
    let now = Timespec { tv_sec: 0, tv_nsec: 0 };
    let (workers, queue) = run.split();
    protocol::gather(workers, &mut tally, "mq_timedreceive", |buf, wait| {
        let deadline = if wait == Wait::No { Some(&now) } else { None };
        queue.receive(buf, deadline).map(|(len, _priority)| len)
    })?;
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}
