//! pi over TCP on the loopback interface: the parent listens on 127.0.0.1 at an ephemeral
//! port (`getsockname` tells which) and forks; each worker computes, connects, writes its
//! 24-byte result and waits for one byte back — the parent's receipt — before it exits.
//! The parent polls the listener and the connections it has accepted, reads one result
//! from each, answers, closes, then reaps. The whole network stack for a same-host job —
//! see `make ipc-bench` for what it costs.
//!
//! Any process of the network namespace can connect to the port (every user can read it
//! in /proc/net/tcp): a connection that sends nothing never holds the parent, and one
//! whose bytes are not a result sealed with the run's key is refused.
#![no_std]
#![no_main]

use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Tally};
use programs::app::{self, Pi};

use bareipc::ipc::tcp::{TcpListener, TcpStream};
use bareipc::process::{MAX_WORKERS, Run, Workers};
use programs::rt::{Args, Start};

programs::program!("pi-tcp", main, errnos: bareipc::errno::SOCKETS);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi { about: "pi from W workers connecting over loopback TCP", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// TCP over the loopback interface.
static HINTS: &str = "\
bind 99 no loopback address here (ip link set lo up)
connect 101 no loopback interface up here (ip link set lo up)
connect 99 no local port left (net.ipv4.ip_local_port_range)
connect 111 nobody listens: the parent has gone
socket 97 this kernel has no IPv4";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let key = RunKey::new()?;
    let (listener, port) = TcpListener::loopback(MAX_WORKERS as i32)?;
    let mut run = Run::new(workers, listener);
    for index in 0..job.workers {
        run.spawn(&start.single, |_| {
            let sealed = Partial::compute(job, index).seal(&key);
            // Connects, writes, and waits for the parent's receipt: exit_group then
            // closes the connection.
            protocol::deliver(&sealed, || TcpStream::loopback(port))
        })?;
    }
    let mut tally = Tally::new(job.workers, key);
    let (workers, listener) = run.split();
    protocol::serve(listener, workers, &mut tally)?;
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}
