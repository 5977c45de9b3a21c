//! A worker never returns into its parent's code: a panic that unwinds out of its work
//! (tests and std programs unwind) ends that child with a failure status, and the code
//! after `spawn` runs in the parent only. And a set of workers waits for, reaps and kills
//! only its own: not a `std::process::Command`'s child, not another set's workers.
//!
//! Its own test binary, without the libtest harness (`harness = false`): the harness runs
//! tests on threads, and `fork` is only sound here because this process has one thread.

use bareipc::errno::{CallError, Context, Errno};
use bareipc::io::read_full;
use bareipc::ipc::mq::{self, Access, MessageQueue, MqAttr, Timespec};
use bareipc::ipc::name::Name;
use bareipc::ipc::{deadline_after, pipe};
use bareipc::process::{Error, Fate, SingleThreaded, Workers};
use rustix::process::Signal;
use std::process::ExitCode;

fn main() -> ExitCode {
    // SAFETY: without the harness, main is this process's only thread, and nothing here
    // starts another.
    let single = unsafe { SingleThreaded::assume() };
    let (reader, writer) = pipe::pipe().expect("pipe");
    let mut workers = Workers::new(&single);
    let me = std::process::id();

    // The parent catches panics, as a test harness or a server loop does: a child whose
    // panic unwound out of `spawn` would land here and carry on with the parent's code.
    let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        workers.spawn(&single, || -> Result<(), CallError> { panic!("a worker's bug") })
    }));
    // Whoever gets here writes its pid: the parent must be the only one.
    writer.write_all(&std::process::id().to_le_bytes()).expect("write");
    if std::process::id() != me {
        std::process::exit(0); // the bug: a child in its parent's code
    }
    assert!(matches!(spawned, Ok(Ok(()))), "{spawned:?}");
    let fate = workers.reap(0);
    drop(writer);
    let mut buf = [0u8; 64];
    let got = read_full(&reader, &mut buf).expect("read");

    let mut results = Vec::new();
    results.push((
        "the panicking worker exits with status 101, not 0",
        fate == Ok(Fate::Exited(101)),
        format!("{fate:?}"),
    ));
    results.push((
        "only the parent ran the code after spawn",
        got == 4 && buf[..4] == me.to_le_bytes(),
        format!("{got} bytes: {:?}", &buf[..got]),
    ));
    // A worker whose work fails (no panic) exits 1 and the parent names it.
    workers
        .spawn(&single, || Err(CallError { call: "test", errno: bareipc::errno::Errno::EIO }))
        .expect("spawn");
    let failed = workers.reap_all();
    results.push((
        "a failing worker is named by reap_all",
        failed == Err(Error::Worker { index: 1, fate: Fate::Exited(1) }),
        format!("{failed:?}"),
    ));

    // Reaping is the set's own business: a child that `std::process::Command` started
    // beside the workers, and another set's failed worker, are neither reaped nor taken
    // for this set's (a wait for any child would reap them, and the set's drop would then
    // SIGKILL a pid it no longer owns).
    let mut other = std::process::Command::new("sh").args(["-c", "exit 7"]).spawn().expect("sh");
    let mut first = Workers::new(&single);
    let mut second = Workers::new(&single);
    first
        .spawn(&single, || Err(CallError { call: "test", errno: bareipc::errno::Errno::EIO }))
        .expect("spawn");
    second.spawn(&single, || Ok::<(), CallError>(())).expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(100)); // every child has ended
    let second_reaped = second.reap_all();
    results.push((
        "a set reaps its own workers only (another set's failure is not its own)",
        second_reaped.is_ok(),
        format!("{second_reaped:?}"),
    ));
    let first_reaped = first.reap_all();
    results.push((
        "the other set still finds its failed worker, and names it",
        first_reaped == Err(Error::Worker { index: 0, fate: Fate::Exited(1) }),
        format!("{first_reaped:?}"),
    ));
    let again = first.reap(0);
    results.push((
        "reap(i) after reap_all gives how the worker ended",
        again == Ok(Fate::Exited(1)),
        format!("{again:?}"),
    ));
    let status = other.wait().map(|s| s.code());
    results.push((
        "a Command's child beside the workers is left to its own wait",
        matches!(status, Ok(Some(7))),
        format!("{status:?}"),
    ));

    // The natural std program — workers send on a queue, the parent receives — ends when
    // a worker dies before it sends, naming it, and when every worker ended without
    // sending: `wait_for` receives in bounded tries and checks the workers between them.
    let name = Name::unique("test").expect("getrandom");
    let attr = MqAttr::new(4, 8);
    let queue = MessageQueue::create(&name, Access::ReadWrite, 0o600, &attr).expect("mq_open");
    mq::unlink(&name).expect("mq_unlink");
    let mut senders = Workers::new(&single);
    senders.spawn(&single, || queue.send(b"one", 0, None).call("mq_send")).expect("spawn");
    senders
        .spawn(&single, || -> Result<(), CallError> {
            rustix::process::kill_process(rustix::process::getpid(), Signal::KILL).ok();
            Ok(())
        })
        .expect("spawn");
    let started = std::time::Instant::now();
    let mut buf = [0u8; 8];
    let mut receive = || {
        let deadline = deadline_after(&Timespec { tv_sec: 0, tv_nsec: 50_000_000 })?;
        queue.receive(&mut buf, Some(&deadline))
    };
    let first = senders.wait_for("mq_timedreceive", &mut receive);
    let second = senders.wait_for("mq_timedreceive", &mut receive);
    results.push((
        "a std program's receive ends when a worker dies before it sends, naming it",
        matches!(first, Ok((3, 0)))
            && second == Err(Error::Worker { index: 1, fate: Fate::Signaled(9) })
            && started.elapsed() < std::time::Duration::from_secs(10),
        format!("{first:?}, {second:?}"),
    ));
    let mut quiet = Workers::new(&single);
    quiet.spawn(&single, || Ok::<(), CallError>(())).expect("spawn");
    let none = quiet.wait_for("mq_timedreceive", &mut receive);
    results.push((
        "and when every worker ended without sending, with the receive's ETIMEDOUT",
        none == Err(Error::Sys(CallError { call: "mq_timedreceive", errno: Errno::ETIMEDOUT })),
        format!("{none:?}"),
    ));

    let passed = results.iter().filter(|r| r.1).count();
    for (what, ok, got) in &results {
        println!(
            "test {what} ... {}",
            if *ok { "ok".to_string() } else { format!("FAILED: {got}") }
        );
    }
    println!("{passed} passed, {} failed", results.len() - passed);
    if passed == results.len() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
