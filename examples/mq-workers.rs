//! A POSIX message queue between a parent and forked children, with clean shutdown, in an
//! ordinary std program that uses only bareipc's public API (and its `std` feature, so
//! `?` turns every bareipc error into a `std::io::Error`).
//!
//! `cargo run --features std --example mq-workers`
//!
//! The queue is unlinked as soon as it exists: the descriptor the children inherit keeps
//! it alive, and nothing can be left behind in /dev/mqueue whatever happens. A [`Run`]
//! owns the workers and the queue: on any error below, its drop kills and reaps the
//! workers first, then closes the queue.

use bareipc::errno::Context;
use bareipc::ipc::mq::{self, Access, MessageQueue, MqAttr};
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
        run.spawn(&single, |queue| {
            let text = format!("hello from worker {i}, pid {}", std::process::id());
            queue.send(text.as_bytes(), i, None).call("mq_send")
        })?;
    }
    let (workers, queue) = run.split();
    let mut buf = [0u8; 64];
    for _ in 0..WORKERS {
        let (len, priority) = queue.receive(&mut buf, None).call("mq_receive")?;
        println!("priority {priority}: {}", String::from_utf8_lossy(&buf[..len]));
    }
    workers.reap_all()?;
    println!("{WORKERS} workers reaped, queue closed, nothing left in /dev/mqueue");
    Ok(())
}
