//! pi over AF_UNIX datagrams to an abstract name: the parent binds a socket to
//! `\0bareipc-dgram-PID-RANDOM` — a name in the network namespace's table, not a file —
//! and forks; each worker opens its own socket and sends its 24-byte result to that name
//! (`sendto`); the parent receives W datagrams, then reaps. Nothing to remove: the name
//! goes with the parent's socket, however the parent ends. Anyone in the network namespace
//! may send to the name: a datagram without the run's tag is refused and counted.
#![no_std]
#![no_main]

use bareipc::errno::{Context, Errno};
use bareipc::ipc::dgram::DgramSocket;
use bareipc::ipc::name::Name;
use bareipc::ipc::socket::UnixAddr;
use bareipc::process::supervise;
use bareipc::process::{self, Run, Workers};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Tally, Wait};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-unix-dgram", main, errnos: bareipc::errno::UNIX_SOCKETS);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi {
    about: "pi from W workers sending datagrams to an abstract AF_UNIX name",
    hints: &HINTS,
    run,
};

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// AF_UNIX datagrams to an abstract name.
static HINTS: &str = "\
bind 98 another socket of this network namespace holds the name
sendto 111 no socket holds the name any more (the parent has gone)
socket 97 this kernel has no AF_UNIX sockets";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let key = RunKey::new()?;
    // `bareipc-dgram-PID-RANDOM`, as the POSIX names: the pid shows which run holds it, and
    // 64 random bits keep it from being taken first by anyone of the network namespace,
    // or by a run of another PID namespace that shares it (a pod).
    let unique = Name::unique_for("dgram", workers.parent_pid()).call("getrandom")?;
    let name = UnixAddr::abstract_name(unique.bare().to_bytes()).call("bind")?;
    let socket = DgramSocket::bind(&name).call("bind")?;
    let mut run = Run::new(workers, socket);
    for index in 0..job.workers {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let msg = Partial::compute(job, index).seal(&key);
            let sender = DgramSocket::new().call("socket")?;
            // The parent's queue holds net.unix.max_dgram_qlen datagrams (10). While it is
            // full the send waits for room — the kernel wakes it when the parent takes a
            // datagram — in slices of at most 100 ms, so the worker ends if the parent dies
            // meanwhile. The first try does not wait: most find room, with no extra call.
            let mut wait = false;
            loop {
                match sender.send_to(&msg, &name, wait) {
                    Err(Errno::EAGAIN | Errno::EINTR) => {
                        supervise::exit_if_orphaned();
                        if !wait {
                            sender.set_send_timeout(100_000).call("setsockopt")?;
                            wait = true;
                        }
                    }
                    sent => break sent,
                }
            }
            .call("sendto")?;
            // exit_group closes it: no `close` of its own.
            process::keep_until_exit(sender);
            Ok(())
        })?;
    }
    let mut tally = Tally::new(job.workers, key);
    let (workers, socket) = run.split();
    protocol::gather(workers, &mut tally, "recvfrom", |buf, wait| {
        socket.receive(buf, wait == Wait::Block)
    })?;
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}
