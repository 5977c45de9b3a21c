//! pi over TCP on the loopback interface: the parent listens on 127.0.0.1 at an ephemeral
//! port (`getsockname` tells which) and forks; each worker computes, connects, writes its
//! 16-byte result and exits (its end closes); the parent accepts W connections and reads
//! one result from each, then reaps. The whole network stack for a same-host job — see
//! `make ipc-bench` for what it costs.
#![no_std]
#![no_main]

use bareipc::app::error::Error;
use bareipc::app::pi::Job;
use bareipc::app::protocol::{Partial, Tally};
use bareipc::app::{self, Pi, hints};
use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::tcp::{TcpListener, TcpStream};
use bareipc::process::{self, MAX_WORKERS, Run, Workers};
use bareipc::rt::{Args, Start};

bareipc::program!("pi-tcp", main, errnos: bareipc::errno::SOCKETS);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers connecting over loopback TCP", hints: &hints::TCP, run };

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let (listener, port) = TcpListener::loopback(MAX_WORKERS as i32)?;
    let mut run = Run::new(workers, listener);
    for index in 0..job.workers {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let partial = Partial::compute(job, index);
            let stream = TcpStream::loopback(port)?;
            stream.write_all(&partial.encode()).call("write")?;
            // exit_group closes it: the parent's read then sees the end.
            process::keep_until_exit(stream);
            Ok(())
        })?;
    }
    let mut tally = Tally::new(job.workers);
    let (workers, listener) = run.split();
    for _ in 0..job.workers {
        // Blocks until a worker connects; the watchdog tick interrupts it to look at the
        // workers (one that died before connecting never will).
        let stream = loop {
            match listener.accept() {
                Ok(stream) => break stream,
                Err(Errno::EINTR) => {
                    workers.interrupted()?;
                }
                Err(errno) => return Err(CallError { call: "accept4", errno }.into()),
            }
        };
        let mut buf = [0u8; Partial::SIZE];
        let got = stream.read_full(&mut buf).call("read")?;
        // A short message: a worker died mid-way; name it if it has ended.
        if got < Partial::SIZE {
            workers.check()?;
        }
        tally.record(&buf[..got])?;
        process::keep_until_exit(stream);
    }
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}
