//! pi over an AF_UNIX SOCK_SEQPACKET socket bound to a path: the parent enters the
//! directory for temporary files (`$TMPDIR`, else `/tmp`), binds a listening socket there
//! (`bareipc-unix-PID-RANDOM`) and forks; each worker computes, connects to the
//! path, sends its partial sum's 8 bytes as one message and waits for one byte back. The
//! parent accepts, asks the kernel who connected (`SO_PEERCRED`), answers a connection
//! that is a worker's and reads its sum; then it reaps, and removes the socket's file (its
//! workers do, if it is killed: the will).
//!
//! The proof that a result is a worker's is the kernel's: the pid it recorded at
//! `connect`, which no peer can choose. A worker stays alive until the parent's answer,
//! so that pid cannot have passed to another process meanwhile. Other processes may connect —
//! the user's, and others' where the umask lets them write the socket file (022, the
//! default, does not): their connections are closed unread.
#![no_std]
#![no_main]

use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::dir::{self, RunFile};
use bareipc::ipc::seqpacket::{SeqpacketListener, SeqpacketStream};
use bareipc::ipc::socket::UnixAddr;
use bareipc::process::{self, MAX_WORKERS, Run, Workers, supervise};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::Tally;
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-unix", main, errnos: bareipc::errno::UNIX_SOCKETS);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers connecting to a seqpacket socket", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// A Unix seqpacket socket bound to a path in TMPDIR (else /tmp, else /dev/shm).
static HINTS: &str = "\
chdir 0 TMPDIR is no directory this user can use: set TMPDIR
bind 0 no file can be made in TMPDIR: set TMPDIR";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let base = dir::temp_base(start.env.get(b"TMPDIR"));
    // Entered: bind and connect take a path (of at most 107 bytes), and the socket's is
    // its bare name, however long TMPDIR is.
    let file = RunFile::enter(base, "unix", workers.parent_pid() as u64)?;
    let addr = UnixAddr::path(&[file.name()]).call("bind")?;
    let listener = SeqpacketListener::bind(&addr, MAX_WORKERS as i32)?;
    // Removed on every way out by the run's will — by the parent, or by its orphans if it
    // is killed.
    supervise::will(&file);
    let mut run = Run::new(workers, listener);
    for index in 0..job.workers {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let sum = job.partial(index).to_bits().to_le_bytes();
            // A connection waits in the listener's queue, which the other workers' copies
            // of the listener keep open: should the parent die, the answer would never
            // come. From now on the kernel ends this worker then.
            process::die_with_parent().call("prctl")?;
            supervise::exit_if_orphaned(); // the parent died before the prctl
            let stream = SeqpacketStream::connect(&addr)?;
            stream.send(&sum).call("sendto")?;
            // Alive until the parent has looked at who connected: the pid the kernel gave
            // the connection is this worker's for as long as the parent looks at it.
            let mut answer = [0u8];
            if stream.receive(&mut answer, true).call("recvfrom")? != 1 {
                return Err(Errno::ECONNRESET).call("recvfrom")?;
            }
            // exit_group closes it.
            process::keep_until_exit(stream);
            Ok(())
        })?;
    }
    let mut tally = Tally::unsealed(job.workers);
    let (workers, listener) = run.split();
    while tally.first_missing().is_some() {
        // accept4 blocks until a process connects, recvfrom until a worker's bytes come;
        // the watchdog tick interrupts either to look at the workers (one that died
        // before connecting never will). Each worker waits for the answer to its
        // connection, so once all have ended every connection has been read: the
        // results are in, or missing for good.
        let stream = match listener.accept() {
            Ok(stream) => stream,
            Err(Errno::EINTR) if workers.interrupted()? > 0 => continue,
            Err(Errno::EINTR) => break,
            Err(errno) => return Err(CallError { call: "accept4", errno }.into()),
        };
        // Who connected, as the kernel says: a connection from any other process is
        // closed unread.
        let Some(index) = stream.peer_pid().ok().and_then(|pid| workers.index_of(pid)) else {
            tally.refuse();
            continue;
        };
        // Known: the worker may go. What it sent stays in the connection, to be read
        // (and a send it made that came to nothing ends as end of file, not a wait). A
        // worker already dead misses the answer: reaping names it.
        let _ = stream.send(&[1]);
        let mut sum = [0u8; 8];
        let got = loop {
            match stream.receive(&mut sum, true) {
                Err(Errno::EINTR) => workers.interrupted()?,
                // The worker died with the answer unread: as an end of file.
                Err(Errno::ECONNRESET) => break 0,
                got => break got.call("recvfrom")?,
            };
        };
        // A worker that died after connecting: its end closed (reaping names it).
        if got == sum.len() {
            tally.accept(index, f64::from_bits(u64::from_le_bytes(sum)))?;
        }
    }
    workers.reap_all()?;
    supervise::fulfil_will()?;
    run.keep_until_exit();
    tally.total()
}
