//! pi over a sealed memfd handed to each worker over a socket: descriptor passing.
//! The parent makes a socket pair and forks the workers *first* — the memory does not
//! exist yet, so no worker can inherit it. Then it creates the memfd, sizes it, seals its
//! size (no process can shrink it: no SIGBUS), maps it, and sends it W times with
//! `SCM_RIGHTS`. Each worker closes its copy of the parent's end (so that a dead parent
//! is end of file, not a wait forever), computes, receives a descriptor of the memfd,
//! maps it (only once it has checked the seal) and stores its sum in its own slot; the
//! parent reaps them and reads the slots. No name anywhere: nothing to remove.
#![no_std]
#![no_main]

use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::memfd::Memfd;
use bareipc::ipc::seqpacket;
use bareipc::process::{self, Run, Workers};
use core::cell::Cell;
use core::sync::atomic::Ordering::Release;
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};
use rustix::fd::AsFd;

programs::program!("pi-memfd", main, errnos: bareipc::errno::FD_PASSING);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers writing a memfd passed over a socket", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// A memfd passed over a socket.
static HINTS: &str = "\
sendmsg 109 descriptors in flight passed RLIMIT_NOFILE (see `ulimit -n`); use fewer workers
memfd_create 38 this kernel has no memfd_create (Linux 3.17 and later)";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let len = 8 * job.workers;
    let (to_workers, from_parent) = seqpacket::pair().call("socketpair")?;
    let mut run = Run::new(workers, (Cell::new(Some(to_workers)), from_parent));
    for index in 0..job.workers {
        run.spawn(&start.single, |(to_workers, from_parent)| -> Result<(), Error> {
            // The worker closes its copy of the parent's end: once the parent's is gone
            // too (it died), receiving is end of file rather than a wait forever.
            drop(to_workers.take());
            let sum = Partial::compute(job, index).sum;
            let fd = from_parent.receive_fd(true).call("recvmsg")?;
            let memfd = Memfd::from(fd);
            let shared = memfd.map(len).call("mmap")?;
            shared.words()[index].store(sum.to_bits(), Release);
            // exit_group unmaps and closes.
            process::keep_until_exit((memfd, shared));
            Ok(())
        })?;
    }
    // Only now does the memory exist: the workers can get it by descriptor only.
    let memfd = Memfd::create(c"bareipc-pi").call("memfd_create")?;
    memfd.set_len(len as u64).call("ftruncate")?;
    memfd.seal_size().call("fcntl")?;
    let shared = memfd.map(len).call("mmap")?;
    let (workers, (to_workers, _)) = run.split();
    let to_workers = to_workers.take().ok_or(CallError { call: "sendmsg", errno: Errno::EBADF })?;
    for _ in 0..job.workers {
        // Blocks while the socket's buffer is full (workers take theirs once computed);
        // the tick interrupts it to look at the workers.
        loop {
            match to_workers.send_fd(memfd.as_fd()) {
                Ok(()) => break,
                Err(Errno::EINTR) => {
                    workers.interrupted()?;
                }
                Err(errno) => return Err(CallError { call: "sendmsg", errno }.into()),
            }
        }
    }
    workers.reap_all()?;
    // Every worker ended well, so each stored its sum (a sum of positive terms is never
    // +0.0, the slot's first value).
    let total = protocol::total_of_slots(shared.words(), job.workers);
    process::keep_until_exit((memfd, shared, to_workers));
    run.keep_until_exit();
    total
}
