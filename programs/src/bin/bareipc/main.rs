//! `bareipc`: see and use every IPC object from a shell — POSIX queues, shared memory and
//! named semaphores, System V queues, semaphore sets and segments — with no libc, in a
//! FROM scratch container as on a host. A user of the library like any other: each
//! subcommand is a few calls of `bareipc::ipc`, found in one table (`commands::GROUPS`).
//!
//! Exit status: 0 done, 1 a call failed (one line: the call, the errno's name, a hint),
//! 2 a bad command line (one line). A failure is reported where it happens, so what
//! travels back up is only the exit status ([`args::Exit`]).
#![no_std]
#![no_main]

mod args;
mod commands;
mod list;
mod out;
mod posix;
mod sysv;

use args::OrFail;
use programs::rt::{Args, Start};

programs::program!("bareipc", main, errnos: bareipc::errno::TOOL);

fn main(args: Args, start: Start) -> i32 {
    programs::app::error::set_hints(&programs::app::hints::TOOL);

    // A semaphore that another process truncates while it is mapped here ends the tool
    // with one line instead of a death by SIGBUS (see posix.rs).
    let armed = bareipc::process::exit_on_sigbus(&start.no_libc);
    let done = args::parse(args, commands::GROUPS).and_then(|mut cmd| {
        armed.or_fail("rt_sigaction")?;
        // Where `ls` and `clean` look for the programs' FIFOs and socket files.
        cmd.tmpdir = start.env.get(b"TMPDIR");
        (cmd.verb.run)(&cmd)
    });
    match done {
        Ok(()) => 0,
        Err(args::Exit(status)) => status,
    }
}
