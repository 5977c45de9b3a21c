//! pi over a System V message queue: one private queue (no key reaches it; the workers
//! know its id because they are forked). Each worker sends its result as a message of
//! type index + 1; the parent receives W messages of any type, then removes the queue.
#![no_std]
#![no_main]

use bareipc::args::Args;
use bareipc::error::{Context, Error};
use bareipc::msg::{IPC_NOWAIT, Message, SysvQueue};
use bareipc::pi::Job;
use bareipc::process::{SingleThreaded, Workers};
use bareipc::protocol::{self, Partial, Tally, Wait};

bareipc::program!("pi-sysv-msg", main);

fn main(args: Args, single: SingleThreaded) -> i32 {
    bareipc::app::pi_main(args, single, "pi from W workers over one System V message queue", run)
}

fn run(job: &Job, single: &SingleThreaded) -> Result<f64, Error> {
    // Removed by its drop (msgctl IPC_RMID) on every path out of this function.
    let queue = SysvQueue::create_private(0o600).call("msgget")?;

    let mut workers = Workers::new();
    for index in 0..job.workers {
        workers.spawn(single, || {
            let mut msg = Message::<{ Partial::SIZE }>::new(index as i64 + 1);
            msg.text = Partial::compute(job, index).encode();
            queue.send(&msg, Partial::SIZE, 0).call("msgsnd")
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
    tally.total()
}
