//! The compute floor of `make bench`: the whole series summed in one process with the
//! programs' own kernel — no fork, no IPC — and printed as they print it. A pi program
//! slower than this pays more for its processes and messages than it gains from running
//! on several CPUs.
//!
//! Usage: compute-floor [N] (terms, default 10,000,000).

fn main() {
    let terms = std::env::args().nth(1).map_or(programs::app::pi::DEFAULT_TERMS, |a| {
        a.parse().unwrap_or_else(|_| {
            eprintln!("compute-floor: not a number of terms: {a}");
            std::process::exit(2)
        })
    });
    let pi = programs::app::pi::pi_from_sum(programs::app::pi::series(0..terms));
    println!("{pi:.11}");
}
