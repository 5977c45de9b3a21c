//! bareipc: Linux interprocess communication from first principles.
//!
//! A `no_std` library of safe wrappers over [`rustix`] (linux_raw backend) and a few raw
//! system calls. The repository's programs (`programs/`, a crate of their own) are built
//! from it as tiny, fully static, libc-free executables; std programs use it as well.
//!
//! The layers, each using only those below it (`ARCHITECTURE.md` has the rules):
//!
//! | layer | what it holds |
//! |---|---|
//! | [`process`] | workers (fork, reap, fates), a [`Run`](process::Run) that owns workers and objects, supervision |
//! | [`ipc`] | one module per mechanism: pipes, sockets, queues, shared memory, semaphores, futexes |
//! | [`io`], [`errno`], [`fmt`] | whole-message I/O and the standard streams; error numbers; text without `core::fmt` |
//! | `sys` (private) | the floor: raw system calls, numbers and kernel structs, per architecture |
//!
//! Everything above `sys` is safe Rust except where a function's contract cannot be
//! checked (mapping memory that other processes can shrink, borrowing the initial stack):
//! those functions are `unsafe` and say what the caller promises.
//!
//! # Errors
//!
//! One rule says which error a function returns. A function that makes one system call
//! returns its [`Errno`](errno::Errno): the caller knows the call and names it with
//! [`.call("mq_open")`](errno::Context::call). A function that makes several (a TCP
//! listener's `socket`, `bind`, `listen`, `getsockname`) returns a
//! [`CallError`](errno::CallError) that names the one that failed. The workers' functions
//! return [`process::Error`], which also names a worker that failed and how.
//!
//! With the `std` feature all three convert into `std::io::Error`, so a std program can
//! use `?` on any call (and `errno::os_error` gives the number back); a worker's work
//! may return `io::Error` or `Box<dyn Error>`.
//!
//! # Example
//!
//! A worker forked from this process sends the parent eight bytes through a pipe; the
//! parent reads them, then reaps the worker and learns how it ended. Every failure names
//! its call (`pipe2: EMFILE (Too many open files)`).
//!
//! ```
//! use bareipc::errno::Context;
//! use bareipc::ipc::pipe;
//! use bareipc::process::{SingleThreaded, Workers};
//!
//! # fn main() -> Result<(), bareipc::process::Error> {
//! // SAFETY: this program has one thread: fork copies only the calling one.
//! let single = unsafe { SingleThreaded::assume() };
//! let (reader, writer) = pipe::pipe().call("pipe2")?;
//! let mut workers = Workers::new(&single);
//! workers.spawn(&single, || writer.write_all(&42u64.to_le_bytes()).call("write"))?;
//! drop(writer); // the parent's copy: end of file once the worker's is gone too
//! let mut bytes = [0u8; 8];
//! let got = reader.read_full(&mut bytes).call("read")?;
//! workers.reap_all()?; // Err if the worker failed or died
//! assert_eq!((got, u64::from_le_bytes(bytes)), (8, 42));
//! # Ok(())
//! # }
//! ```
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod errno;
pub mod fmt;
pub mod io;
pub mod ipc;
pub mod process;
pub mod setting;
mod sys;

/// Serialises the unit tests that fork with those that count a System V segment's
/// attachments: a child forked by one test thread inherits every attachment the process
/// holds at that moment, so another thread's count would be one too many.
#[cfg(test)]
pub(crate) fn serial_forks() -> std::sync::MutexGuard<'static, ()> {
    static FORKS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    FORKS.lock().unwrap_or_else(|e| e.into_inner())
}
