//! Helpers shared by the integration tests: locating the release binaries, running them
//! with a deadline, the serial reference sum, ELF inspection.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The pi programs, one per mechanism.
pub const PI_PROGRAMS: &[&str] =
    &["pi-pipe", "pi-socketpair", "pi-posix-mq", "pi-sysv-msg", "pi-shm-sem"];
/// The single-process demos.
pub const DEMOS: &[&str] = &["pipe-single", "socketpair-single"];

/// Every program.
pub fn all_programs() -> impl Iterator<Item = &'static str> {
    PI_PROGRAMS.iter().chain(DEMOS).copied()
}

/// Path of a release binary in `bin/` (or `$BAREIPC_BIN_DIR`), built by `make all`.
pub fn bin(name: &str) -> PathBuf {
    let dir = std::env::var_os("BAREIPC_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bin"));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `make all` first (`make test` does)",
        path.display()
    );
    path
}

/// What a finished run left.
#[derive(Debug)]
pub struct Outcome {
    /// Exit status, or `None` if a signal ended the process.
    pub code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Runs `cmd` to completion; kills it and fails the test if it outlives `limit`.
pub fn run_cmd(mut cmd: Command, limit: Duration) -> Outcome {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        out.read_to_end(&mut s).ok();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        err.read_to_end(&mut s).ok();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    let text = |v: Vec<u8>| String::from_utf8_lossy(&v).into_owned();
    Outcome {
        code: status.code(),
        signal: status.signal(),
        stdout: text(out_t.join().unwrap()),
        stderr: text(err_t.join().unwrap()),
        elapsed,
    }
}

/// Runs program `name` with `args`, with a generous deadline.
pub fn run(name: &str, args: &[&str]) -> Outcome {
    let mut cmd = Command::new(bin(name));
    cmd.args(args);
    run_cmd(cmd, Duration::from_secs(60))
}

/// pi from the series summed serially in one loop, with the two divisions of the original.
pub fn serial_pi(terms: u64) -> f64 {
    let mut sum = 0.0f64;
    for k in 0..terms {
        let d = (2 * k + 1) as f64;
        sum += 1.0 / d / d;
    }
    (8.0 * sum).sqrt()
}

/// The ELF program header types of the file at `path`, and its `e_type`.
pub fn elf_summary(path: &std::path::Path) -> (u16, Vec<u32>) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..4], b"\x7fELF", "{} is not ELF", path.display());
    assert_eq!(b[4], 2, "not ELF64");
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
    let (phoff, phentsize, phnum) = (u64_at(32) as usize, u16_at(54) as usize, u16_at(56));
    let types = (0..phnum as usize)
        .map(|i| {
            let o = phoff + i * phentsize;
            u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
        })
        .collect();
    (u16_at(16), types)
}

/// Whether `strace` is installed and allowed to trace here.
pub fn strace_works() -> bool {
    Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
