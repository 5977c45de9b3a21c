//! pi over UDP on the loopback interface: the parent binds a socket to 127.0.0.1 and an
//! ephemeral port and forks; each worker connects a socket of its own to that port, sends
//! its 24-byte sealed result as one datagram and waits for the parent's one-byte receipt.
//! UDP has no flow control — a datagram that finds the parent's buffer full is dropped
//! without a word — so a worker with no receipt after 100 ms sends again. Anyone in the
//! network namespace may send to the port: a datagram without the run's tag gets no
//! receipt and is refused and counted. Nothing to remove: the port goes with the socket.
#![no_std]
#![no_main]

use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::udp::UdpSocket;
use bareipc::process::{self, Run, Workers, supervise};
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::{self, Partial, RunKey, Tally, Wait};
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-udp", main, errnos: bareipc::errno::UDP);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers sending UDP datagrams over loopback", hints: &HINTS, run };

/// Its advice: "call errno text" lines (errno 0: any).
static HINTS: &str = "\
bind 99 no loopback address here (ip link set lo up)
sendto 101 no loopback interface up here (ip link set lo up)
sendto 111 nobody listens at the port: the parent has gone
recvfrom 111 nobody listens at the port: the parent has gone
recvfrom 110 no receipt in 64 tries of 100 ms: the parent's buffer dropped every copy
socket 97 this kernel has no IPv4";

/// How often a worker sends before it gives up, 100 ms apart.
const TRIES: usize = 64;

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let key = RunKey::new()?;
    let (socket, port) = UdpSocket::loopback()?;
    let mut run = Run::new(workers, socket);
    for index in 0..job.workers {
        run.spawn(&start.single, |_| -> Result<(), Error> {
            let sealed = Partial::compute(job, index).seal(&key);
            // Connected: it hears only the parent's port, so no one else can fake a receipt.
            let socket = UdpSocket::connect_loopback(port)?;
            socket.set_receive_timeout(100_000).call("setsockopt")?;
            let mut receipt = [0u8; 1];
            for _ in 0..TRIES {
                socket.send(&sealed).call("sendto")?;
                match socket.receive(&mut receipt, true) {
                    Ok(_) => {
                        // exit_group closes the socket: no `close` of its own.
                        process::keep_until_exit(socket);
                        return Ok(());
                    }
                    // No receipt yet: the datagram may have been dropped. Send again,
                    // unless the parent has died meanwhile.
                    Err(Errno::EAGAIN | Errno::EINTR) => supervise::exit_if_orphaned(),
                    Err(errno) => return Err(CallError { call: "recvfrom", errno }.into()),
                }
            }
            Err(CallError { call: "recvfrom", errno: Errno::ETIMEDOUT }.into())
        })?;
    }
    let mut tally = Tally::new(job.workers, key);
    let (workers, socket) = run.split();
    protocol::gather(workers, &mut tally, "recvfrom", |buf, wait| {
        let (n, peer) = socket.receive_from(buf, wait == Wait::Block)?;
        // A result that proves itself gets its receipt — a copy sent again too, whose
        // first receipt came late.
        if Partial::open(&buf[..n.min(Partial::SIZE)], &key).is_some() {
            let _ = socket.send_to(&[1], &peer, false);
        }
        Ok(n)
    })?;
    workers.reap_all()?;
    run.keep_until_exit();
    tally.total()
}
