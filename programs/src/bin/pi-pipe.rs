//! pi over pipes: one pipe per worker. Worker i writes its 24-byte result into its pipe and
//! exits; the parent reads each pipe in turn (end of file before 24 bytes means the worker
//! died), then reaps every worker.
#![no_std]
#![no_main]

use bareipc::errno::Context;
use bareipc::ipc::pipe::{self, PipeReader};
use bareipc::process::{MAX_WORKERS, Run, Workers};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Tally};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-pipe", main);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi { about: "pi from W workers, one pipe each", hints: &"", run };

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let key = RunKey::new()?;
    let readers: [Option<PipeReader>; MAX_WORKERS] = [const { None }; MAX_WORKERS];
    let mut run = Run::new(workers, readers);
    for index in 0..job.workers {
        let (reader, writer) = pipe::pipe().call("pipe2")?;
        run.spawn(&start.single, |_| {
            protocol::send(&writer, &Partial::compute(job, index).seal(&key))
        })?;
        // The child now holds the only write end: its exit is the reader's end of file.
        drop(writer);
        run.objects_mut()[index] = Some(reader);
    }
    let mut tally = Tally::new(job.workers, key);
    let (workers, readers) = run.split();
    for (index, reader) in readers[..job.workers].iter().enumerate() {
        let reader = reader.as_ref().expect("one reader per worker");
        protocol::receive(reader, index, &mut tally, workers)?;
    }
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}
