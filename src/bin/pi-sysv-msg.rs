//! pi over a System V message queue: one queue whose key names the run (so a later run
//! can remove it if this one is killed); the workers know its id because they are forked.
//! Each worker sends its result as a message of type index + 1; the parent receives W
//! messages of any type, then removes the queue.
#![no_std]
#![no_main]

use bareipc::args::Args;
use bareipc::errno::Errno;
use bareipc::error::{Context, Error};
use bareipc::msg::{self, IPC_NOWAIT, Message, SysvQueue};
use bareipc::pi::Job;
use bareipc::process::{self, SingleThreaded, Workers, sleep_until};
use bareipc::protocol::{self, Partial, Tally, Wait};

bareipc::program!("pi-sysv-msg", main, hints: bareipc::msg::HINTS, errnos: bareipc::errno::QUEUES);

fn main(args: Args, single: SingleThreaded) -> i32 {
    bareipc::app::pi_main(args, single, "pi from W workers over one System V message queue", run)
}

fn run(job: &Job, single: &SingleThreaded) -> Result<f64, Error> {
    let workers = Workers::start(single)?;
    // Queues that runs killed by SIGKILL could not remove (best effort: a failure here
    // must not stop this run).
    let _ = msg::remove_abandoned();
    // Removed by its drop (msgctl IPC_RMID) on every path out of this function.
    let queue = SysvQueue::create_for_run(workers.parent_pid(), 0o600).call("msgget")?;

    // Rebound after the run's channels and objects so that it is dropped before them: on
    // a failure the workers are killed and reaped before anything they use goes away
    // (a worker would otherwise report EPIPE or EIDRM on top of the real error).
    let mut workers = workers;
    for index in 0..job.workers {
        workers.spawn(single, || {
            let mut msg = Message::<{ Partial::SIZE }>::new(index as i64 + 1);
            msg.text = Partial::compute(job, index).encode();
            // msgsnd has no timeout: while the queue is full, try again every 100 ms
            // (so the worker ends if the parent dies meanwhile).
            process::patiently(|deadline| match queue.send(&msg, Partial::SIZE, IPC_NOWAIT) {
                Err(Errno::EAGAIN) => sleep_until(deadline),
                sent => sent,
            })
            .call("msgsnd")
        })?;
    }
    let mut tally = Tally::new(job.workers);
    let mut msg = Message::<{ Partial::SIZE }>::new(0);
    protocol::gather(&mut workers, &mut tally, "msgrcv", |buf, wait| {
        let flags = if wait == Wait::No { IPC_NOWAIT } else { 0 };
        let len = queue.receive(&mut msg, 0, flags)?;
        *buf = msg.text;
        Ok(len)
    })?;
    workers.reap_all()?;
    queue.remove().call("msgctl")?;
    process::keep_until_exit(workers);
    tally.total()
}
