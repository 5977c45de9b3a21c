//! pi over a named pipe: the parent enters the directory for temporary files (`$TMPDIR`,
//! else `/tmp`), makes a FIFO there (`bareipc-fifo-PID-RANDOM`, mode 0600), opens it to
//! read and forks; each worker computes, opens the FIFO *by name* to write, and writes its
//! 24-byte result — one atomic write, at most PIPE_BUF bytes, so W writers never
//! interleave. The parent reads W results, then reaps and removes the FIFO. Should the
//! parent be killed, its workers remove it on their way out (the lifeline's will).
//!
//! Other processes of the user may open the FIFO too (mode 0600 keeps out other users):
//! what they write is refused unless sealed with the run's key.
#![no_std]
#![no_main]

use bareipc::errno::{Context, Errno};
use bareipc::ipc::dir::{RunFile, temp_base};
use bareipc::ipc::fifo::{self, Fifo};
use bareipc::process::supervise;
use bareipc::process::{self, Run, Workers};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Tally, Wait};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};
use rustix::fs::CWD;

programs::program!("pi-fifo", main, errnos: bareipc::errno::FILES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi { about: "pi from W workers writing to one named pipe", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// A FIFO made in TMPDIR (else /tmp, else /dev/shm). (Errno 0: any.)
static HINTS: &str = "\
chdir 0 TMPDIR is no directory this user can use: set TMPDIR
mknodat 0 no file can be made in TMPDIR: set TMPDIR";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let key = RunKey::new()?;
    let base = temp_base(start.env.get(b"TMPDIR"));
    let file = RunFile::enter(base, "fifo", workers.parent_pid() as u64)?;
    fifo::make(CWD, file.name(), 0o600).call("mknodat")?;
    // Removed on every way out by the run's will — by the parent, or by its orphans if it
    // is killed.
    supervise::will(&file);
    // Read and write: opening never waits for a writer, and reads wait for data rather
    // than see end of file before the first worker opens (the end is known by count).
    let reader = Fifo::open_reader(CWD, file.name()).call("openat")?;
    let mut run = Run::new(workers, (file, reader));
    for index in 0..job.workers {
        run.spawn(&start.single, |(file, _)| -> Result<(), Error> {
            let msg = Partial::compute(job, index).seal(&key);
            // Non-blocking: with no reader (the parent has died) ENXIO, not a wait forever.
            let fifo = Fifo::open_writer(CWD, file.name()).call("openat")?;
            // The pipe holds 2730 results (170 once the user's pipes pass
            // pipe-user-pages-soft): while it is full, wait for room, in slices.
            supervise::patiently(|_| match fifo.write(&msg) {
                Err(Errno::EAGAIN) => {
                    fifo.wait_for_room(&supervise::SLICE).and(Err(Errno::ETIMEDOUT))
                }
                sent => sent,
            })
            .call("write")?;
            process::keep_until_exit(fifo);
            Ok(())
        })?;
    }
    let mut tally = Tally::new(job.workers, key);
    let (workers, (_, reader)) = run.split();
    protocol::gather(workers, &mut tally, "read", |buf, wait| match wait {
        // The reader holds a write end too, so no end of file: once every worker has
        // ended, what is not in the pipe never comes.
        Wait::No if reader.pending()? == 0 => Err(Errno::EAGAIN),
        _ => reader.read(buf),
    })?;
    workers.reap_all()?;
    // No worker is left: the parent carries out the will itself.
    supervise::fulfil_will()?;
    run.keep_until_exit();
    tally.total()
}
