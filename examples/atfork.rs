//! A std program's `pthread_atfork` handlers run in its workers: with the `std` feature,
//! bareipc forks as the C library does, so what other crates register there (a random
//! number generator that must reseed in the child, a lock a library must reset) works
//! as with `std::process` or `nix::unistd::fork`. Exits 1 if a handler did not run in
//! every worker, or ran in the parent (`make test` runs it).
//!
//! `cargo run --features std --example atfork`

use bareipc::errno::{CallError, Errno};
use bareipc::process::{SingleThreaded, Workers};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// How many times a child handler ran in this process.
static IN_CHILD: AtomicU32 = AtomicU32::new(0);

extern "C" fn child_handler() {
    IN_CHILD.fetch_add(1, Relaxed);
}

fn main() -> ExitCode {
    // SAFETY: the handler is an extern "C" fn that lives as long as the program and only
    // adds to an atomic, which is async-signal-safe.
    let registered = unsafe { libc::pthread_atfork(None, None, Some(child_handler)) };
    assert_eq!(registered, 0, "pthread_atfork");
    // SAFETY: without the harness, main is this process's only thread, and nothing here
    // starts another.
    let single = unsafe { SingleThreaded::assume() };
    let mut workers = Workers::new(&single);
    for _ in 0..3 {
        workers
            .spawn(&single, || match IN_CHILD.load(Relaxed) {
                1 => Ok(()),
                _ => {
                    Err(CallError { call: "pthread_atfork's child handler", errno: Errno::EINVAL })
                }
            })
            .expect("spawn");
    }
    let reaped = workers.reap_all();
    let parent = IN_CHILD.load(Relaxed);
    println!("workers: {reaped:?}; child handler runs in the parent: {parent}");
    if reaped.is_ok() && parent == 0 {
        println!("test the child handler runs once in each worker, never in the parent ... ok");
        ExitCode::SUCCESS
    } else {
        println!("test the child handler runs once in each worker, never in the parent ... FAILED");
        ExitCode::FAILURE
    }
}
