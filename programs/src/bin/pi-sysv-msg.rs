//! pi over a System V message queue: one queue whose key names the run (so a later run
//! can remove it if this one is killed); the workers know its id because they are forked.
//! Each worker sends its result as a message of type index + 1; the parent receives W
//! messages of any type, then removes the queue.
#![no_std]
#![no_main]

use bareipc::errno::{Context, Errno};
use bareipc::ipc::msg::{self, Message, MsgFlags, SysvQueue};
use bareipc::process::supervise::{self, wait_slice};
use bareipc::process::{self, Run, Workers};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Tally, Wait};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-sysv-msg", main, errnos: bareipc::errno::QUEUES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers over one System V message queue", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// System V message queues.
static HINTS: &str = "\
msgget 28 no SysV queue left (kernel.msgmni; see `ipcs -q`)
msgget 38 this kernel has no System V IPC
msgsnd 22 message beyond kernel.msgmax, or the queue was removed
msgsnd 11 the queue cannot hold one message: its byte limit (kernel.msgmnb) is below the message's size
* 43 the queue was removed while the run used it (ipcrm?)";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    // Queues that runs killed by SIGKILL could not remove (best effort: a failure here
    // must not stop this run).
    let _ = msg::remove_abandoned();
    let key = RunKey::new()?;
    // Removed by its drop (msgctl IPC_RMID) on every path out of this function.
    let queue = SysvQueue::create_for_run(workers.parent_pid(), 0o600).call("msgget")?;

    let mut run = Run::new(workers, queue);
    for index in 0..job.workers {
        run.spawn(&start.single, |queue| -> Result<(), Error> {
            let mut msg = Message::<{ Partial::SIZE }>::new(index as i64 + 1);
            msg.text = Partial::compute(job, index).seal(&key);
            // While the queue is full, wait for room: a blocking msgsnd, which has no
            // timeout but which the worker's own tick interrupts every 100 ms (so the
            // worker ends if the parent dies meanwhile; without a timer, it sleeps its
            // slices instead) — unless the queue could never hold the message
            // (kernel.msgmnb below its size), which is an error.
            let mut flags = MsgFlags::NOWAIT;
            supervise::patiently(|deadline| match queue.send(&msg, Partial::SIZE, flags) {
                // Checked again after every slice of a blocking wait: another process of
                // the user may lower the limit meanwhile (msgctl IPC_SET), and a blocked
                // msgsnd would then wait forever.
                Err(Errno::EAGAIN | Errno::EINTR)
                    if queue.status()?.qbytes < Partial::SIZE as u64 =>
                {
                    Err(Errno::EAGAIN)
                }
                Err(Errno::EAGAIN) if supervise::tick_in_worker().is_ok() => {
                    flags = MsgFlags::EMPTY;
                    Err(Errno::EINTR)
                }
                Err(Errno::EAGAIN) => wait_slice(deadline),
                sent => sent,
            })
            .call("msgsnd")?;
            Ok(())
        })?;
    }
    let mut tally = Tally::new(job.workers, key);
    let mut msg = Message::<{ Partial::SIZE }>::new(0);
    let (workers, queue) = run.split();
    protocol::gather(workers, &mut tally, "msgrcv", |buf, wait| {
        let flags = if wait == Wait::No { MsgFlags::NOWAIT } else { MsgFlags::EMPTY };
        let len = queue.receive(&mut msg, 0, flags)?;
        *buf = msg.text;
        Ok(len)
    })?;
    workers.reap_all()?;
    // Every worker is reaped: the queue can go first, reporting a failure to remove it.
    let (workers, queue) = run.into_parts();
    queue.remove().call("msgctl")?;
    process::keep_until_exit(workers);
    tally.total()
}
