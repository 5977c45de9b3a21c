//! pi with no channel at all: each worker leaves its result in its own memory and stops
//! itself; the parent, woken by `waitid(WSTOPPED)`, copies the result out of the worker's
//! memory with `process_vm_readv`, then ends the worker (SIGKILL, reaped at once).
//!
//! The result's address is the same in every worker and in the parent: `fork` copies the
//! address space, so the parent names a static of its own. Reading another process's
//! memory needs the permission to attach a debugger to it (same user, dumpable, Yama's
//! ptrace_scope, a seccomp profile that allows the call): refused, the run says so in one
//! line. A stopped worker checks no lifeline, so each asks the kernel to kill it should
//! its parent die (PR_SET_PDEATHSIG) before it stops.
#![no_std]
#![no_main]

use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::process_vm;
use bareipc::process::{self, Workers, supervise};
use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::Relaxed;
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol::Tally;
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-process-vm", main, errnos: bareipc::errno::PROCESSES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi =
    Pi { about: "pi from W workers' own memory, read with process_vm_readv", hints: &HINTS, run };

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// Reading workers' memory.
static HINTS: &str = "\
process_vm_readv 1 reading a worker's memory is refused here: kernel.yama.ptrace_scope 2 or 3, a seccomp profile, or no CAP_SYS_PTRACE
process_vm_readv 38 process_vm_readv is not available here (a seccomp profile, or qemu-user)";

/// A worker's result, in its own copy of this static: its sum's bits, then its index + 1
/// once the sum is there. The parent's copy stays zero.
static RESULT: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let mut workers = Workers::start(&start.single, &start.no_libc)?;
    for index in 0..job.workers {
        workers.spawn(&start.single, || -> Result<(), Error> {
            // Killed by the kernel if the parent dies: a stopped worker looks at nothing.
            process::die_with_parent().call("prctl")?;
            supervise::exit_if_orphaned(); // the parent died before the prctl
            RESULT[0].store(job.partial(index).to_bits(), Relaxed);
            RESULT[1].store(index as u64 + 1, Relaxed);
            // The run keeps other processes of its user out (PR_SET_DUMPABLE 0, inherited):
            // the kernel lets the parent read a worker's memory only once it lets them in.
            process::allow_inspection().call("prctl")?;
            // Stopped until the parent has read the result and ends it; continued by
            // someone else meanwhile, it stops again.
            loop {
                process::stop_self().call("kill")?;
            }
        })?;
    }
    let mut tally = Tally::unsealed(job.workers);
    while tally.first_missing().is_some() {
        // Blocks until a worker stops; the tick interrupts it to look at the workers (one
        // that died instead never stops).
        let (pid, _) = match process::wait_stopped() {
            Ok(stopped) => stopped,
            Err(Errno::EINTR) => {
                workers.interrupted()?;
                continue;
            }
            // No child left to stop: the total names the first result missing.
            Err(Errno::ECHILD) => break,
            Err(errno) => return Err(CallError { call: "waitid", errno }.into()),
        };
        let mut bytes = [0u8; 16];
        let got = process_vm::read(pid, RESULT.as_ptr() as usize, &mut bytes);
        let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or_default());
        match (workers.index_of(pid), got) {
            // Its result: the worker has done its part, and is ended.
            (Some(index), Ok(16)) if word(8) == index as u64 + 1 => {
                workers.end(index)?;
                tally.accept(index, f64::from_bits(word(0)))?;
            }
            // Stopped by someone else before its result was written: it computes on.
            (_, Ok(_)) => process::resume(pid).call("kill")?,
            (_, Err(errno)) => return Err(CallError { call: "process_vm_readv", errno }.into()),
        }
    }
    workers.reap_all()?;
    tally.total()
}
