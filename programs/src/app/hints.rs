//! Advice for the errors users meet: one line per entry, `CALL ERRNO advice`, where CALL
//! `*` matches any call. (One string, searched by a loop: a `match` on string pairs costs
//! each binary a kilobyte of comparisons.) [`HINTS`] serves every program; each program
//! declares its own table in its file (`static HINTS`), hands it to
//! [`pi_main`](super::pi_main), and it is searched first: a binary carries only the advice
//! its calls can need, and a mechanism's advice is written where its calls are.

/// Advice for every program.
pub const HINTS: &str = "\
write 9 standard output is closed
write 28 no space left where standard output goes
write 32 standard output is a pipe nobody reads any more
fork 11 process limit reached (RLIMIT_NPROC, see `ulimit -u`, or a cgroup's pids.max); use fewer workers
fork:pids 11 process limit reached (a cgroup's pids.max: --pids-limit; or kernel.threads-max); use fewer workers
* 24 descriptor limit reached (RLIMIT_NOFILE, see `ulimit -n`); use fewer workers
* 27 file size limit reached (RLIMIT_FSIZE, see `ulimit -f`)
* 12 out of memory (or cgroup memory.max, RLIMIT_AS)";
