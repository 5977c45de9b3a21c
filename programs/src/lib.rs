//! What the bareipc programs share and the library does not offer: the pi application
//! ([`app`]: options, help, the series, the sealed result message, reports and advice)
//! and the runtime of a libc-free binary ([`rt`]: `_start`, the panic handler, the memory
//! functions the compiler calls, `argv`), put into each binary by [`program!`].
//!
//! Each program in `src/bin` is a user of the `bareipc` library like any other; this
//! crate is not published.
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod app;
pub mod rt;

/// The library, for the expansion of [`program!`] in a binary.
#[doc(hidden)]
pub use bareipc as lib;
