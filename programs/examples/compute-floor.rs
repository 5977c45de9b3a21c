//! The compute floor of `make bench`: the whole series summed in one process with the
//! programs' own kernel — no fork, no IPC — and printed as they print it. A pi program
//! slower than this pays more for its processes and messages than it gains from running
//! on several CPUs.
//!
//! Usage: compute-floor [N] [KERNEL]: N terms (default 10,000,000) with the kernel named
//! KERNEL (default: the one the programs choose on this CPU). `compute-floor --kernels`
//! lists this architecture's kernels: `NAME yes|no`, whether this CPU has it, and the
//! name of the one the programs choose last.

use programs::app::pi::{self, Kernel};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = |k: Kernel| Kernel::all().into_iter().find(|(_, o)| *o == Some(k)).unwrap().0;
    if args.first().map(String::as_str) == Some("--kernels") {
        for (name, kernel) in Kernel::all() {
            println!("{name} {}", if kernel.is_some() { "yes" } else { "no" });
        }
        println!("{}", name(Kernel::best()));
        return;
    }
    let fail = |what: &str| -> ! {
        eprintln!("compute-floor: {what}");
        std::process::exit(2)
    };
    let terms = args.first().map_or(pi::DEFAULT_TERMS, |a| {
        a.parse().unwrap_or_else(|_| fail(&format!("not a number of terms: {a}")))
    });
    let kernel = match args.get(1) {
        None => Kernel::best(),
        Some(want) => match Kernel::all().into_iter().find(|(n, _)| n == want) {
            Some((_, Some(k))) => k,
            Some((_, None)) => fail(&format!("this CPU has no {want}")),
            None => fail(&format!("no kernel named {want}")),
        },
    };
    let pi = pi::pi_from_sum(pi::series_with(kernel, 0..terms, || {}));
    println!("{pi:.11}");
}
