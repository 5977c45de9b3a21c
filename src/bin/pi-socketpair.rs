//! pi over socket pairs: one connected AF_UNIX stream pair per worker, used in both
//! directions. The parent writes worker i its slice of the series; the worker reads it,
//! sums it and writes back its 16-byte result on the same socket.
#![no_std]
#![no_main]

use bareipc::args::Args;
use bareipc::error::{Context, Error, Problem};
use bareipc::pi::{self, Job};
use bareipc::process::{self, MAX_WORKERS, SingleThreaded, Workers};
use bareipc::protocol::{self, Partial, Tally};
use bareipc::socket::{self, Stream};

bareipc::program!("pi-socketpair", main, errnos: bareipc::errno::SOCKETS);

fn main(args: Args, single: SingleThreaded) -> i32 {
    bareipc::app::pi_main(args, single, "pi from W workers, one socket pair each", run)
}

fn run(job: &Job, single: &SingleThreaded) -> Result<f64, Error> {
    let workers = Workers::start(single)?;
    let mut parent_ends: [Option<Stream>; MAX_WORKERS] = [const { None }; MAX_WORKERS];
    // Rebound after the run's channels and objects so that it is dropped before them: on
    // a failure the workers are killed and reaped before anything they use goes away
    // (a worker would otherwise report EPIPE or EIDRM on top of the real error).
    let mut workers = workers;
    for (index, slot) in parent_ends[..job.workers].iter_mut().enumerate() {
        let (parent_end, worker_end) = socket::stream_pair().call("socketpair")?;
        // Parent to worker: the slice to sum, as two little-endian u64s. Written before
        // the fork, so it waits in the socket and the worker's read never blocks.
        let slice = job.slice(index);
        let mut task = [0u8; 16];
        task[..8].copy_from_slice(&slice.start.to_le_bytes());
        task[8..].copy_from_slice(&slice.end.to_le_bytes());
        parent_end.write_all(&task).call("write")?;
        workers.spawn(single, || work(&worker_end, index))?;
        // The child now holds the only other end: its exit is the parent's end of file.
        drop(worker_end);
        *slot = Some(parent_end);
    }
    let mut tally = Tally::new(job.workers);
    for (index, end) in parent_ends[..job.workers].iter().enumerate() {
        let end = end.as_ref().expect("one socket per worker");
        protocol::receive(end, index, &mut tally, &mut workers)?;
    }
    workers.reap_all()?;
    process::keep_until_exit((parent_ends, workers));
    tally.total()
}

/// Worker: read the slice from the parent, answer with its partial sum.
fn work(parent: &Stream, index: usize) -> Result<(), Error> {
    let mut task = [0u8; 16];
    if parent.read_full(&mut task).call("read")? != task.len() {
        return Err(Error::Message { index, problem: Problem::Missing });
    }
    let word = |i: usize| u64::from_le_bytes(task[i..i + 8].try_into().unwrap_or_default());
    let sum = pi::series_checked(word(0)..word(8), process::exit_if_orphaned);
    protocol::send(parent, &Partial { index: index as u32, sum })
}
