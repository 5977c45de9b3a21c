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
mod endpoint;
mod list;
mod out;
mod posix;
mod sysv;

use args::OrFail;
use programs::rt::{Args, Start};

programs::program!("bareipc", main, errnos: bareipc::errno::TOOL);

fn main(args: Args, start: Start) -> i32 {
    programs::app::error::set_hints(&HINTS);

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

/// Its advice, searched before the common one: objects named on its command line.
static HINTS: &str = "\
mq_open 22 sizes over fs.mqueue.msg_max or msgsize_max
mq_open 24 RLIMIT_MSGQUEUE reached (see `ulimit -q`)
* 110 the timeout passed
sem_open 22 not a semaphore: the file is shorter than a sem_t
semtimedop 11 not possible at once, or within the timeout
semtimedop 27 no semaphore of that number in the set
openat 6 nobody has the FIFO open for reading
openat 2 nothing at that path
mknodat 2 no such directory
connect 2 nothing at that path
connect 111 nobody listens there
connect 91 the socket there is of another kind (--seqpacket, --dgram, or neither)
connect 115 the timeout passed
bind 98 the address is taken (a file at the path, another socket at the name or port)
sendto 32 the peer has closed the connection
* 104 the peer reset the connection
rt_sigqueueinfo 11 the receiver's user has RLIMIT_SIGPENDING signals pending (see `ulimit -i`)
* 3 no such process
* 2 no such object (bareipc ls lists them)
* 17 the name or key is taken
* 43 the object was removed meanwhile
* 22 no such object, or a bad argument
* 13 its owner and mode (bareipc ls) do not allow it
* 1 only its owner, its creator or root may do that";
