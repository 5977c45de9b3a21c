//! pi over AF_UNIX datagrams to an abstract name: the parent binds a socket to
//! `\0bareipc-dgram-PID` — a name in the network namespace's table, not a file —
//! and forks; each worker opens its own socket and sends its 16-byte result to that name
//! (`sendto`); the parent receives W datagrams, then reaps. Nothing to remove: the name
//! goes with the parent's socket, however the parent ends.
#![no_std]
#![no_main]

use bareipc::app::error::Error;
use bareipc::app::pi::Job;
use bareipc::app::protocol::{self, Partial, Tally, Wait};
use bareipc::app::{self, Pi, hints};
use bareipc::errno::{Context, Errno};
use bareipc::fmt::Line;
use bareipc::ipc::dgram::DgramSocket;
use bareipc::ipc::socket::UnixAddr;
use bareipc::process::supervise::{self, wait_slice};
use bareipc::process::{self, Run, Workers};
use bareipc::rt::{Args, Start};

bareipc::program!("pi-unix-dgram", main, errnos: bareipc::errno::UNIX_SOCKETS);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi {
    about: "pi from W workers sending datagrams to an abstract AF_UNIX name",
    hints: &hints::DGRAM,
    run,
};

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    // `bareipc-dgram-PID`: unique among the runs of this network namespace's PID
    // namespace; a name already held (a squatter, or a run of another PID namespace that
    // shares the network namespace) is EADDRINUSE, reported before any worker starts.
    let mut line = Line::new();
    line.str("bareipc-dgram-").u64(workers.parent_pid() as u64);
    let name = UnixAddr::abstract_name(line.as_bytes()).call("bind")?;
    let socket = DgramSocket::bind(&name).call("bind")?;
    let mut run = Run::new(workers, socket);
    for index in 0..job.workers {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let msg = Partial::compute(job, index).encode();
            let sender = DgramSocket::new().call("socket")?;
            // The parent's queue holds net.unix.max_dgram_qlen datagrams (10): while it is
            // full, try again every 100 ms, so the worker ends if the parent dies meanwhile.
            supervise::patiently(|deadline| match sender.send_to(&msg, &name, false) {
                Err(Errno::EAGAIN) => wait_slice(deadline),
                sent => sent,
            })
            .call("sendto")?;
            // exit_group closes it: no `close` of its own.
            process::keep_until_exit(sender);
            Ok(())
        })?;
    }
    let mut tally = Tally::new(job.workers);
    let (workers, socket) = run.split();
    protocol::gather(workers, &mut tally, "recvfrom", |buf, wait| {
        socket.receive(buf, wait == Wait::Block)
    })?;
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}
