//! pi over real-time signals: the parent blocks signals 35 and 36 (SIGRTMIN + 1 and + 2)
//! and forks; each worker computes and queues two signals to the parent
//! (`rt_sigqueueinfo`, as `sigqueue` does): 35 with its partial sum's 64 bits as the
//! value, then 36 with the tag that proves the sum is a worker's of this run. The parent
//! takes them with `rt_sigtimedwait` — the sender's pid says which worker — then reaps.
//! Nothing to remove: a pending signal goes with the process.
//!
//! Why two: a signal carries eight bytes, and anyone allowed to signal the parent (its
//! user) may queue one with any `si_pid` it likes: the kernel checks neither. A sum whose
//! tag does not match is refused. Real-time signals are taken lowest number first, so a
//! worker's 35 is always taken before its 36.
#![no_std]
#![no_main]

use bareipc::errno::{Context, Errno};
use bareipc::ipc::rtsig::{self, RtSignal};
use bareipc::process::supervise::{self, wait_slice};
use bareipc::process::{MAX_WORKERS, Run, Workers};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Sealed, Tally, Wait};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};
use rustix::process::Signal;

programs::program!("pi-signal", main, errnos: bareipc::errno::QUEUES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi { about: "pi from W workers queueing real-time signals", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// Real-time signals.
static HINTS: &str = "\
rt_sigqueueinfo 11 the pending signals are at their limit (RLIMIT_SIGPENDING, see `ulimit -i`)
timer_create 11 the pending signals are at their limit (RLIMIT_SIGPENDING, see `ulimit -i`)";

/// The signal of a worker's sum, and of its tag: the real-time signals after the run's
/// watchdog tick (34).
const SUM: i32 = supervise::TICK + 1;
const TAG: i32 = supervise::TICK + 2;

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let key = RunKey::new()?;
    let signals = [RtSignal::new(SUM), RtSignal::new(TAG)];
    let [Ok(sum_signal), Ok(tag_signal)] = signals else {
        return Err(Errno::EINVAL).call("rt_sigprocmask")?;
    };
    // Blocked before the first worker exists: a result is never delivered (its default
    // action would end the parent), it waits in the queue for rt_sigtimedwait. SIGCHLD
    // too: under strace it would be delivered and cut the wait short (EINTR).
    rtsig::block(&[SUM, TAG, Signal::CHILD.as_raw()]).call("rt_sigprocmask")?;
    let parent = workers.parent_pid();
    let mut run = Run::new(workers, ());
    let mut pids = [0; MAX_WORKERS];
    for (index, pid) in pids[..job.workers].iter_mut().enumerate() {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let sealed = Partial::compute(job, index).seal(&key);
            let me = rustix::process::getpid().as_raw_nonzero().get();
            for (signal, value) in [(sum_signal, word(&sealed, 8)), (tag_signal, word(&sealed, 16))]
            {
                // At RLIMIT_SIGPENDING the send is refused (EAGAIN), never lost: try again
                // while the parent takes signals, for about a second, then say so.
                let mut tries = 0;
                supervise::patiently(|deadline| match signal.queue(parent, me, value) {
                    Err(Errno::EAGAIN) if tries < 10 => {
                        tries += 1;
                        wait_slice(deadline)
                    }
                    sent => sent,
                })
                .call("rt_sigqueueinfo")?;
            }
            Ok(())
        })?;
        // Recorded now, before anything reaps the worker: its signals may be taken after.
        *pid = run.workers().pid(index).unwrap_or(0);
    }
    let mut tally = Tally::new(job.workers, key);
    // The last sum taken from each worker, waiting for its tag.
    let mut sums = [0u64; MAX_WORKERS];
    let (workers, _) = run.split();
    protocol::gather(workers, &mut tally, "rt_sigtimedwait", |buf, wait| {
        loop {
            let got = rtsig::take_any(&[sum_signal, tag_signal], wait == Wait::Block)?;
            // A signal from a process that is none of the workers: no result.
            let Some(index) = pids[..job.workers].iter().position(|&p| p == got.pid) else {
                return Ok(0);
            };
            if got.signal == SUM {
                sums[index] = got.value;
                continue;
            }
            // Its tag: the message the worker sealed, if the sum is the one it sent.
            *buf = Partial { index: index as u32, sum: f64::from_bits(sums[index]) }
                .with_tag(got.value);
            return Ok(Partial::SIZE);
        }
    })?;
    run.workers().reap_all()?;
    run.keep_until_exit();
    tally.total()
}

/// The 64-bit word at `at` of a sealed result.
fn word(sealed: &Sealed, at: usize) -> u64 {
    u64::from_le_bytes(sealed[at..at + 8].try_into().unwrap_or_default())
}
