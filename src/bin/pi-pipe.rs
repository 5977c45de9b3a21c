//! pi over pipes: one pipe per worker. Worker i writes its 16-byte result into its pipe and
//! exits; the parent reads each pipe in turn (end of file before 16 bytes means the worker
//! died), then reaps every worker.
#![no_std]
#![no_main]

use bareipc::args::Args;
use bareipc::error::{Context, Error};
use bareipc::pi::Job;
use bareipc::pipe::{self, PipeReader};
use bareipc::process::{self, MAX_WORKERS, SingleThreaded, Workers};
use bareipc::protocol::{self, Partial, Tally};

bareipc::program!("pi-pipe", main);

fn main(args: Args, single: SingleThreaded) -> i32 {
    bareipc::app::pi_main(args, single, "pi from W workers, one pipe each", run)
}

fn run(job: &Job, single: &SingleThreaded) -> Result<f64, Error> {
    let workers = Workers::start(single)?;
    let mut readers: [Option<PipeReader>; MAX_WORKERS] = [const { None }; MAX_WORKERS];
    // Rebound after the run's channels and objects so that it is dropped before them: on
    // a failure the workers are killed and reaped before anything they use goes away
    // (a worker would otherwise report EPIPE or EIDRM on top of the real error).
    let mut workers = workers;
    for (index, slot) in readers[..job.workers].iter_mut().enumerate() {
        let (reader, writer) = pipe::pipe().call("pipe2")?;
        workers.spawn(single, || protocol::send(&writer, &Partial::compute(job, index)))?;
        // The child now holds the only write end: its exit is the reader's end of file.
        drop(writer);
        *slot = Some(reader);
    }
    let mut tally = Tally::new(job.workers);
    for (index, reader) in readers[..job.workers].iter().enumerate() {
        let reader = reader.as_ref().expect("one reader per worker");
        protocol::receive(reader, index, &mut tally, &mut workers)?;
    }
    workers.reap_all()?;
    process::keep_until_exit((readers, workers));
    tally.total()
}
