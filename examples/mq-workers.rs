//! A POSIX message queue between a parent and forked children, with clean shutdown, in an
//! ordinary std program that uses only bareipc's public API (and its `std` feature, so
//! `?` turns every bareipc error into a `std::io::Error`).
//!
//! `cargo run --features std --example mq-workers`
//!
//! The queue is unlinked as soon as it exists: the descriptor the children inherit keeps
//! it alive, and nothing can be left behind in /dev/mqueue whatever happens. A [`Run`]
//! owns the workers and the queue: on any error below, its drop kills and reaps the
//! workers first, then closes the queue. The parent receives with `Workers::wait_for`:
//! bounded tries, with a look at the workers between them, so a worker that dies before it
//! sends ends the run with its name instead of leaving the parent waiting for ever.

use bareipc::errno::Context;
use bareipc::ipc::deadline_after;
use bareipc::ipc::mq::{self, Access, MessageQueue, MqAttr, Timespec};
use bareipc::ipc::name::Name;
use bareipc::process::{Run, SingleThreaded, Workers};

const WORKERS: u32 = 4;

fn main() -> std::io::Result<()> {
    // SAFETY: this program's main thread is its only thread, and it starts no other.
    let single = unsafe { SingleThreaded::assume() };
    let name = Name::unique("example").call("getrandom")?;
    let attr = MqAttr::new(WORKERS as i64, 64);
    let queue = MessageQueue::create(&name, Access::ReadWrite, 0o600, &attr).call("mq_open")?;
    mq::unlink(&name).call("mq_unlink")?;

    let mut run = Run::new(Workers::new(&single), queue);
    for i in 0..WORKERS {
        // A worker's work may fail with any error that says what it is: here `io::Error`.
        run.spawn(&single, |queue| -> std::io::Result<()> {
            let text = format!("hello from worker {i}, pid {}", std::process::id());
            queue.send(text.as_bytes(), i, None).call("mq_send")?;
            Ok(())
        })?;
    }
    let (workers, queue) = run.split();
    let mut buf = [0u8; 64];
    for _ in 0..WORKERS {
        let (len, priority) = workers.wait_for("mq_timedreceive", || {
            let deadline = deadline_after(&Timespec { tv_sec: 0, tv_nsec: 200_000_000 })?;
            queue.receive(&mut buf, Some(&deadline))
        })?;
        println!("priority {priority}: {}", String::from_utf8_lossy(&buf[..len]));
    }
    workers.reap_all()?;
    println!("{WORKERS} workers reaped, queue closed, nothing left in /dev/mqueue");
    Ok(())
}
