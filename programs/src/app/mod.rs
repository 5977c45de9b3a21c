//! The pi application: what every program shares around its mechanism — options, help,
//! version, the series, the result message and its tally, printing the result, and
//! turning errors into a report line (with advice) and an exit status (0 success, 1
//! failure, 2 bad command line, 128+N stopped by signal N).
//!
//! The top layer: it uses every layer below and none uses it.

pub mod cli;
pub mod error;
pub mod hints;
pub mod pi;
pub mod proof;
pub mod protocol;

use self::cli::{Opt, Usage};
use self::error::Error;
use self::pi::Job;
use crate::rt::Start;
use bareipc::errno::Context;
use bareipc::fmt::{Describe, Line};
use bareipc::io;
use bareipc::process::{self, Fate, MAX_WORKERS};

/// The crate version, printed by `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The stack a run needs, in bytes: its deepest frames take under 32 KiB (pi-pipe's and
/// pi-signal's, with their per-worker arrays), the environment and arguments a few more.
const STACK: u64 = 64 * 1024;

/// Exit status of a run that failed.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status of a rejected command line.
pub const EXIT_USAGE: i32 = 2;

const HELP: Opt = Opt { short: b'h', long: "help", value: None };
const VERSION_OPT: Opt = Opt { short: b'V', long: "version", value: None };

const PI_OPTS: &[Opt] = &[
    Opt { short: b'w', long: "workers", value: Some("N") },
    Opt { short: b'n', long: "terms", value: Some("N") },
    Opt { short: b'd', long: "decimals", value: Some("N") },
    HELP,
    VERSION_OPT,
];

/// The help of the pi programs after `Usage: PROGRAM` (one text rather than lines built
/// from the option table: smaller; a test checks that it lists every option).
const PI_HELP: &str = concat!(
    " [-w N] [-n N] [-d N]\n\n",
    "  -w, --workers N   worker processes, 1 to 512 (default 10)\n",
    "  -n, --terms N     terms, W to 10^15 (default 10000000)\n",
    "  -d, --decimals N  decimals, 0 to 20 (default 11)\n",
    "  -h, --help        this help\n",
    "  -V, --version     the version\n\n",
    "Prints sqrt(8 * sum of 1/(2k+1)^2, k < N): 3.14159262176 by default.\n",
    "Exit: 0, 1 failed, 2 bad usage, 128+N stopped by signal N.\n",
);

/// What the command line asked for.
enum Action {
    Run,
    Help,
    Version,
}

/// Reports a rejected command line and returns [`EXIT_USAGE`].
fn usage_error(u: Usage) -> i32 {
    let mut l = io::report_line();
    u.describe(&mut l);
    l.str(" (try '").str(io::program()).str(" --help')\n");
    io::eprint(&l);
    EXIT_USAGE
}

/// ` VERSION`: what follows the program's name in `--version` and `--help`.
const SPACE_VERSION: &str = concat!(" ", env!("CARGO_PKG_VERSION"));

/// `PROGRAM VERSION` and a newline (`--version`); with `help` = (about, rest), instead
/// `PROGRAM VERSION: about`, `Usage: PROGRAM` and `rest` (the usage's arguments, options
/// and notes) for `--help`. (One function for both, in few pieces: each piece costs a
/// call in every binary.)
fn banner(help: Option<(&str, &str)>) -> i32 {
    let mut l = Line::new();
    let name = io::program();
    l.str(name).str(SPACE_VERSION);
    match help {
        Some((about, rest)) => l.str(": ").str(about).str("\n\nUsage: ").str(name).str(rest),
        None => l.str("\n"),
    };
    emit(&l)
}

/// Prints `line` to stdout; a failed write (closed stdout, full disk, EFBIG beyond
/// RLIMIT_FSIZE) is a failed run, and a stop signal that interrupts a write blocked on a
/// full pipe stops it.
fn emit(line: &Line) -> i32 {
    match io::print(line).call("write") {
        Ok(()) => 0,
        Err(e) => match bareipc::process::supervise::stop_signal() {
            Some(signal) if e.errno == bareipc::errno::Errno::EINTR => stopped(signal),
            _ => {
                Error::from(e).report();
                EXIT_FAILURE
            }
        },
    }
}

/// Reports a run stopped by `signal`; returns 128 + `signal`.
fn stopped(signal: i32) -> i32 {
    Error::from(process::Error::Stopped { signal }).report();
    128 + signal
}

/// What a pi program is: its one-line description, its mechanism's advice, its run.
#[derive(Debug)]
pub struct Pi {
    /// What `--help` says it does.
    pub about: &'static str,
    /// The mechanism's advice table ([`hints`]).
    pub hints: &'static &'static str,
    /// Computes the sum of all workers' partial sums for a job.
    pub run: fn(&Job, &Start) -> Result<f64, Error>,
}

/// Runs a pi program: parses `-w`/`-n`/`-d`, calls its `run` (which returns the total of
/// the partial sums), prints √(8·sum) with 11 decimals. Returns the exit status: 0, 1, 2,
/// or 128 + the signal for a run stopped by SIGHUP, SIGINT or SIGTERM.
pub fn pi_main<'a>(args: impl IntoIterator<Item = &'a [u8]>, start: Start, program: &Pi) -> i32 {
    error::set_hints(program.hints);
    let about = program.about;
    let mut job = Job::default();
    let mut decimals = pi::DECIMALS;
    let mut action = Action::Run;
    let parsed = cli::parse(args, PI_OPTS, |i, v| {
        let v = v.unwrap_or_default();
        match i {
            0 => job.workers = cli::number("workers", v, 1, MAX_WORKERS as u64)? as usize,
            1 => job.terms = cli::number("terms", v, 1, pi::MAX_TERMS)?,
            2 => decimals = cli::number("decimals", v, 0, 20)? as u32,
            3 => action = Action::Help,
            _ => action = Action::Version,
        }
        Ok(())
    });
    if let Err(u) = parsed {
        return usage_error(u);
    }
    match action {
        Action::Help => {
            return banner(Some((about, PI_HELP)));
        }
        Action::Version => return banner(None),
        Action::Run => {}
    }
    if job.workers as u64 > job.terms {
        return usage_error(Usage::MoreWorkersThanTerms {
            workers: job.workers as u64,
            terms: job.terms,
        });
    }
    // A run's frames need tens of KiB of stack: below that, one line rather than a SIGSEGV
    // with none.
    if process::stack_limit() < STACK {
        let text = "stack limit below 64 KiB (RLIMIT_STACK, see `ulimit -s`)\n";
        io::eprint(io::report_line().str(text));
        return EXIT_FAILURE;
    }
    // Asked once, here, rather than by every worker: the workers inherit the answer.
    pi::Kernel::best().choose();
    let result = (program.run)(&job, &start);
    // A stop signal outranks whatever it caused (EINTR, workers killed by the same ^C):
    // the run was stopped, and says so.
    match (bareipc::process::supervise::stop_signal(), result) {
        (Some(signal), _) | (None, Err(Error::Process(process::Error::Stopped { signal }))) => {
            stopped(signal)
        }
        (None, Ok(sum)) => {
            let mut l = Line::new();
            l.fixed(pi::pi_from_sum(sum), decimals).str("\n");
            emit(&l)
        }
        // A worker that failed on its own (exit status 1) has reported why, on the same
        // stderr: one line says it all.
        (None, Err(Error::Process(process::Error::Worker { fate: Fate::Exited(1), .. }))) => {
            EXIT_FAILURE
        }
        (None, Err(e)) => {
            e.report();
            EXIT_FAILURE
        }
    }
}

/// The longest message the single-process demos accept: far below the pipe's and the
/// socket's buffer, so one process can write it and read it back without blocking.
pub const MAX_MESSAGE: usize = 256;

const DEMO_OPTS: &[Opt] =
    &[Opt { short: b'm', long: "message", value: Some("TEXT") }, HELP, VERSION_OPT];

/// The help of the demos after `Usage: PROGRAM`.
const DEMO_HELP: &str = concat!(
    " [-m TEXT]\n\nOptions:\n",
    "  -m, --message TEXT  the message to send (at most 256 bytes)\n",
    "  -h, --help          this help\n",
    "  -V, --version       the version\n\n",
    "Exit status: 0 done, 1 failed, 2 bad usage.\n",
);

/// Runs a single-process demo: parses `-m TEXT` and calls `run` with the message (or
/// `default`), which prints its own output.
pub fn demo_main<'a>(
    args: impl IntoIterator<Item = &'a [u8]>,
    about: &str,
    default: &'a [u8],
    run: fn(&[u8]) -> Result<Line, Error>,
) -> i32 {
    let mut message = default;
    let mut action = Action::Run;
    let parsed = cli::parse(args, DEMO_OPTS, |i, v| {
        match (i, v) {
            (0, Some(v)) if v.len() > MAX_MESSAGE => {
                return Err(Usage::Arg("message longer than 256 bytes:", v));
            }
            (0, Some(v)) => message = v,
            (1, _) => action = Action::Help,
            _ => action = Action::Version,
        }
        Ok(())
    });
    if let Err(u) = parsed {
        return usage_error(u);
    }
    match action {
        Action::Help => banner(Some((about, DEMO_HELP))),
        Action::Version => banner(None),
        Action::Run => match run(message) {
            Ok(out) => emit(&out),
            Err(e) => {
                e.report();
                EXIT_FAILURE
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_is_in_its_help_once() {
        for (opts, text) in [(PI_OPTS, PI_HELP), (DEMO_OPTS, DEMO_HELP)] {
            for o in opts {
                let mut line = format!("  -{}, --{}", o.short as char, o.long);
                if let Some(v) = o.value {
                    line = format!("{line} {v}");
                }
                assert_eq!(text.matches(&format!("{line} ")).count(), 1, "{line} in\n{text}");
            }
            assert_eq!(text.lines().filter(|l| l.starts_with("  -")).count(), opts.len());
        }
    }
}
