//! bareipc: Linux interprocess communication from first principles.
//!
//! A `no_std` library of safe wrappers over [`rustix`] (linux_raw backend) and a few raw
//! system calls, from which each program in `src/bin` is built as a tiny, fully static,
//! libc-free executable.
//!
//! | module | what it holds |
//! |---|---|
//! | [`pipe`], [`socket`], [`mq`], [`msg`], [`shm`], [`sem`] | the mechanisms' handles and calls |
//! | [`name`] | unique POSIX object names and their kernel forms |
//! | [`process`] | `fork`, a reaped set of workers, exit statuses, `exit` |
//! | [`protocol`] | the workers' result message and the parent's tally |
//! | [`pi`] | the series, its slices, `sqrt` |
//! | [`io`] | whole-message read/write, EINTR retry, stdout/stderr |
//! | [`errno`], [`error`] | error numbers with names; the one-line error report |
//! | [`fmt`] | a stack line buffer, integers, an exact fixed-point `f64` printer |
//! | [`args`] | `argv` and option parsing |
//! | [`app`] | what every program shares: options, help, result, exit status |
//! | [`rt`] | `_start`, panic handler, `mem*` for the binaries ([`program!`]) |
//!
//! The one module that executes `syscall` instructions is private (`sys`); everything
//! above it is safe Rust.
#![cfg_attr(not(test), no_std)]

pub mod abi;
pub mod app;
pub mod args;
pub mod errno;
pub mod error;
pub mod fmt;
pub mod io;
pub mod mq;
pub mod msg;
pub mod name;
pub mod pi;
pub mod pipe;
pub mod process;
pub mod protocol;
pub mod rt;
pub mod sem;
pub mod shm;
pub mod socket;
mod sys;
