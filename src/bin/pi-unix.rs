//! pi over an AF_UNIX SOCK_SEQPACKET socket bound to a path: the parent makes a private
//! directory (`$TMPDIR`, else `/tmp`), binds a listening socket there and forks; each
//! worker computes, connects to the path and sends its 16-byte result as one message;
//! the parent accepts W connections and receives one message on each, reaps, then removes
//! the socket's file and the directory (its workers do, if it is killed: the will).
#![no_std]
#![no_main]

use bareipc::app::error::Error;
use bareipc::app::pi::Job;
use bareipc::app::protocol::{Partial, Tally};
use bareipc::app::{self, Pi, hints};
use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::dir::{self, PrivateDir};
use bareipc::ipc::seqpacket::{SeqpacketListener, SeqpacketStream};
use bareipc::ipc::socket::UnixAddr;
use bareipc::process::{self, MAX_WORKERS, Run, Workers, supervise};
use bareipc::rt::{Args, Start};

bareipc::program!("pi-unix", main, errnos: bareipc::errno::UNIX_SOCKETS);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers connecting to a seqpacket socket", hints: &hints::UNIX, run };

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let base = dir::temp_base(start.env.get(b"TMPDIR"));
    let pid = workers.parent_pid() as u64;
    // Removed on every way out by the run's will — by the parent, or by its orphans if it
    // is killed — rather than by the directory's own drop.
    let dir = PrivateDir::create(base, c"bareipc-unix-", pid, c"socket")?.leak();
    supervise::will(&dir);
    // bind and connect take a path, not a directory descriptor: the whole path.
    let addr = UnixAddr::path(&[base, c"/", dir.entry()]).call("bind")?;
    let listener = SeqpacketListener::bind(&addr, MAX_WORKERS as i32)?;
    let mut run = Run::new(workers, listener);
    for index in 0..job.workers {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let partial = Partial::compute(job, index);
            let stream = SeqpacketStream::connect(&addr)?;
            stream.send(&partial.encode()).call("sendto")?;
            // exit_group closes it.
            process::keep_until_exit(stream);
            Ok(())
        })?;
    }
    let mut tally = Tally::new(job.workers);
    let (workers, listener) = run.split();
    // The connection accepted whose message has not come yet.
    let mut stream = None;
    let mut buf = [0u8; Partial::SIZE];
    // Whether to wait: once every worker has ended, what they sent is queued.
    let mut wait = true;
    let mut left = job.workers;
    while left > 0 {
        // accept4 blocks until a worker connects, recvfrom until its message comes; the
        // watchdog tick interrupts either to look at the workers (one that died before
        // connecting never will). Each worker that ended well has connected and sent.
        let step = match &stream {
            None => listener.accept().map(|s| stream = Some(s)).map(|()| None),
            Some(s) => s.receive(&mut buf, wait).map(Some),
        };
        match step {
            Ok(None) => {}
            // The connection closed, or will bring nothing: a worker died after
            // connecting (reaping names it), or the connection was no worker's (the total
            // names the first result missing).
            Ok(Some(0)) => break,
            Ok(Some(got)) => {
                tally.record(&buf[..got.min(Partial::SIZE)])?;
                process::keep_until_exit(stream.take());
                left -= 1;
            }
            Err(Errno::EINTR) => wait = workers.interrupted()? > 0,
            Err(Errno::EAGAIN) if !wait => break,
            Err(errno) => {
                let call = if stream.is_some() { "recvfrom" } else { "accept4" };
                return Err(CallError { call, errno }.into());
            }
        }
    }
    workers.reap_all()?;
    supervise::fulfil_will()?;
    run.keep_until_exit();
    tally.total()
}
