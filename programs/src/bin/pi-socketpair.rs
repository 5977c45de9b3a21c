//! pi over socket pairs: one connected AF_UNIX stream pair per worker, used in both
//! directions. The parent writes worker i its slice of the series; the worker reads it,
//! sums it and writes back its 24-byte result on the same socket.
#![no_std]
#![no_main]

use bareipc::errno::Context;
use bareipc::ipc::socket::{self, Stream};
use bareipc::process::{MAX_WORKERS, Run, Workers, supervise};
use programs::app::error::{Error, Problem};
use programs::app::pi::{self, Job};
use programs::app::protocol::{self, Partial, RunKey, Tally};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-socketpair", main, errnos: bareipc::errno::SOCKETS);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi { about: "pi from W workers, one socket pair each", hints: &"", run };

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let key = RunKey::new()?;
    let parent_ends: [Option<Stream>; MAX_WORKERS] = [const { None }; MAX_WORKERS];
    let mut run = Run::new(workers, parent_ends);
    for index in 0..job.workers {
        let (parent_end, worker_end) = socket::stream_pair().call("socketpair")?;
        // Parent to worker: the slice to sum, as two little-endian u64s. Written before
        // the fork, so it waits in the socket and the worker's read never blocks.
        let slice = job.slice(index);
        let mut task = [0u8; 16];
        task[..8].copy_from_slice(&slice.start.to_le_bytes());
        task[8..].copy_from_slice(&slice.end.to_le_bytes());
        parent_end.write_all(&task).call("write")?;
        run.spawn(&start.single, |_| work(&worker_end, index, &key))?;
        // The child now holds the only other end: its exit is the parent's end of file.
        drop(worker_end);
        run.objects_mut()[index] = Some(parent_end);
    }
    let mut tally = Tally::new(job.workers, key);
    let (workers, parent_ends) = run.split();
    for (index, end) in parent_ends[..job.workers].iter().enumerate() {
        let end = end.as_ref().expect("one socket per worker");
        protocol::receive(end, index, &mut tally, workers)?;
    }
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}

/// Worker: read the slice from the parent, answer with its partial sum.
fn work(parent: &Stream, index: usize, key: &RunKey) -> Result<(), Error> {
    let mut task = [0u8; 16];
    if parent.read_full(&mut task).call("read")? != task.len() {
        return Err(Error::Message { index, problem: Problem::Missing });
    }
    let word = |i: usize| u64::from_le_bytes(task[i..i + 8].try_into().unwrap_or_default());
    let sum = pi::series_checked(word(0)..word(8), supervise::exit_if_orphaned);
    protocol::send(parent, &Partial { index: index as u32, sum }.seal(key))
}
