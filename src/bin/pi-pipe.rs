//! pi over pipes: one pipe per worker. Worker i writes its 16-byte result into its pipe and
//! exits; the parent reads each pipe in turn (end of file before 16 bytes means the worker
//! died), then reaps every worker.
#![no_std]
#![no_main]

use bareipc::args::Args;
use bareipc::error::{Context, Error};
use bareipc::pi::Job;
use bareipc::pipe::{self, PipeReader};
use bareipc::process::{MAX_WORKERS, SingleThreaded, Workers};
use bareipc::protocol::{self, Partial, Tally};

bareipc::program!("pi-pipe", main);

fn main(args: Args, single: SingleThreaded) -> i32 {
    bareipc::app::pi_main(args, single, "pi from W workers, one pipe each", run)
}

fn run(job: &Job, single: &SingleThreaded) -> Result<f64, Error> {
    let mut workers = Workers::new();
    let mut readers: [Option<PipeReader>; MAX_WORKERS] = [const { None }; MAX_WORKERS];
    for (index, slot) in readers[..job.workers].iter_mut().enumerate() {
        let (reader, writer) = pipe::pipe().call("pipe2")?;
        // The closure owns the write end: the child writes and exits, the parent's copy
        // closes when spawn drops it, so the child holds the only write end.
        workers.spawn(single, move || protocol::send(&writer, &Partial::compute(job, index)))?;
        *slot = Some(reader);
    }
    let mut tally = Tally::new(job.workers);
    for (index, reader) in readers[..job.workers].iter_mut().enumerate() {
        let reader = reader.take().expect("one reader per worker");
        protocol::receive(&reader, index, &mut tally).map_err(|e| workers.blame(index, e))?;
    }
    workers.reap_all()?;
    tally.total()
}
