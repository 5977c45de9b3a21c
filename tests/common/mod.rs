//! Helpers shared by the integration tests: locating the release binaries, running them
//! with a deadline, the serial reference sum, ELF inspection.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Every program, from programs/Cargo.toml's `[[bin]]` tables: the one list (see scripts/programs.py).
pub fn all_programs() -> impl Iterator<Item = &'static str> {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            let manifest =
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/programs/Cargo.toml"));
            let mut names = Vec::new();
            let mut in_bin = false;
            for line in manifest.lines().map(str::trim) {
                if line.starts_with('[') {
                    in_bin = line == "[[bin]]";
                } else if let Some(v) = line.strip_prefix("name = ").filter(|_| in_bin) {
                    names.push(v.trim_matches('"'));
                }
            }
            assert!(names.len() >= 7, "programs/Cargo.toml lists {names:?}");
            names
        })
        .iter()
        .copied()
}

/// The call pi program `program`'s parent blocks in while its workers compute, and which
/// occurrence of it: `blocking = ["CALL", N]` in its manifest (programs/src/bin/PROGRAM.toml,
/// checked by scripts/manifest.py). Panics if the manifest or the line is missing: every
/// program states it, there is no default.
pub fn blocking(program: &str) -> (String, u32) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(format!("programs/src/bin/{program}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("blocking = ["))
        .unwrap_or_else(|| panic!("{}: no `blocking = [\"CALL\", N]`", path.display()));
    let (call, when) = line.trim_end_matches(']').split_once(',').expect("[\"CALL\", N]");
    (call.trim().trim_matches('"').to_string(), when.trim().parse().expect("N"))
}

/// A text fact from pi program `program`'s manifest: the top-level line `KEY = "TEXT"` of
/// programs/src/bin/PROGRAM.toml (checked by scripts/manifest.py), if it has one.
pub fn manifest_text(program: &str, key: &str) -> Option<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(format!("programs/src/bin/{program}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let prefix = format!("{key} = \"");
    let line =
        text.lines().take_while(|l| !l.starts_with('[')).find_map(|l| l.strip_prefix(&prefix))?;
    Some(line.trim_end().trim_end_matches('"').to_string())
}

/// What a SIGKILL of pi program `program`'s parent leaves, and who removes it: its
/// manifest's `killed_leaves` (None: nothing).
pub fn killed_leaves(program: &str) -> Option<String> {
    manifest_text(program, "killed_leaves")
}

/// The pi programs, one per mechanism: names that start with `pi-`.
pub fn pi_programs() -> impl Iterator<Item = &'static str> {
    all_programs().filter(|p| p.starts_with("pi-"))
}

/// The single-process demos: names that end with `-single`.
pub fn demos() -> impl Iterator<Item = &'static str> {
    all_programs().filter(|p| p.ends_with("-single"))
}

/// A fact about all the programs: `KEY = VALUE` in programs/Cargo.toml's
/// `[package.metadata.bareipc]` (also read by scripts/programs.py --meta), quotes removed.
pub fn meta(key: &str) -> &'static str {
    let manifest = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/programs/Cargo.toml"));
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[package.metadata.bareipc]";
        } else if let Some((_, v)) = line.split_once(" = ").filter(|(k, _)| inside && *k == key) {
            return v.trim_matches('"');
        }
    }
    panic!("programs/Cargo.toml: no `{key}` in [package.metadata.bareipc]")
}

/// What every pi program prints with the defaults, newline included (`digits`).
pub fn digits() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| format!("{}\n", meta("digits")))
}

/// A binary's size limit in bytes, on every architecture (`size-limit` for a program, pi
/// or demo; `tool-size-limit` for the `bareipc` tool).
pub fn size_limit(program: &str) -> usize {
    let key = if program.starts_with("pi-") || program.ends_with("-single") {
        "size-limit"
    } else {
        "tool-size-limit"
    };
    meta(key).parse().expect("a size limit is a number of bytes")
}

/// Reports a test that cannot run here, and why. Under `CI=true` that is a failure: a
/// green CI means every test ran.
pub fn skip(why: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("SKIP is a failure under CI=true: {why}");
    }
    eprintln!("SKIP: {why}");
    // For the summary `make test` ends with (scripts/test-summary.py): which test, and why.
    if let Some(log) = std::env::var_os("BAREIPC_SKIP_LOG") {
        let binary = std::env::args().next().unwrap_or_default();
        let binary = std::path::Path::new(&binary).file_stem().map(|s| s.to_string_lossy());
        let binary = binary.as_deref().unwrap_or("?").split('-').next().unwrap_or("?").to_owned();
        let test = std::thread::current().name().unwrap_or("main").to_owned();
        // A test of its own folder (tests/faults/) or file (tests/leaks.rs).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let place =
            if root.join(&binary).is_dir() { format!("{binary}/") } else { format!("{binary}.rs") };
        let line = format!("skip\ttests/{place}: {test}\t{why}\n");
        let file = std::fs::OpenOptions::new().append(true).create(true).open(log);
        // One write of one line: tests skip from several threads at once.
        if let Ok(mut file) = file {
            use std::io::Write;
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// The directory of the programs under test: `$BAREIPC_BIN_DIR` if set (other
/// architectures' builds), else a fresh release build of this very source, made once per
/// test binary (`cargo build --release -p bareipc-programs --bins`, a no-op when up to date) and stripped as
/// `make all` strips — so a test never runs a stale `bin/`, and needs no `make all` first.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BAREIPC_BIN_DIR") {
        return PathBuf::from(dir);
    }
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target"));
            let status = Command::new(cargo)
                .args(["build", "--release", "-p", "bareipc-programs", "--bins", "--quiet"])
                .current_dir(&root)
                .status()
                .expect("run cargo build");
            assert!(status.success(), "cargo build --release --bins failed");
            // One directory per test process; those of processes that have ended go.
            for old in std::fs::read_dir(&target).into_iter().flatten().flatten() {
                let name = old.file_name().to_string_lossy().into_owned();
                let ended = |pid: &str| !std::path::Path::new(&format!("/proc/{pid}")).exists();
                if name.strip_prefix("test-bin-").is_some_and(ended) {
                    std::fs::remove_dir_all(old.path()).ok();
                }
            }
            let dir = target.join(format!("test-bin-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let mut strip = Command::new(root.join("scripts/strip-section-headers.py"));
            for p in all_programs() {
                std::fs::copy(target.join("release").join(p), dir.join(p)).unwrap();
                strip.arg(dir.join(p));
            }
            assert!(strip.status().map(|s| s.success()).unwrap_or(false), "strip failed");
            dir
        })
        .clone()
}

/// The architectures other than the host's that the tests build for and run under
/// qemu-user: (architecture as `uname -m` says it, Rust target, qemu-user command, ELF
/// `e_machine`). The same list as `scripts/cross.sh --targets`.
pub fn other_arches() -> Vec<(&'static str, &'static str, &'static str, u16)> {
    let host = std::env::consts::ARCH;
    [
        ("x86_64", "x86_64-unknown-linux-gnu", "qemu-x86_64", 62),
        ("aarch64", "aarch64-unknown-linux-gnu", "qemu-aarch64", 183),
        ("riscv64", "riscv64gc-unknown-linux-gnu", "qemu-riscv64", 243),
    ]
    .into_iter()
    .filter(|a| a.0 != host)
    .collect()
}

/// Every program built for every architecture of [`other_arches`] by `scripts/cross.sh
/// --out DIR` (what `make cross` does), in `dir/ARCH/`; or why they cannot be built here
/// (no such Rust target installed, no cross linker: see `.ci/run`).
pub fn cross_bins(dir: &std::path::Path) -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/cross.sh"))
        .arg("--out")
        .arg(dir)
        .current_dir(&root)
        .output()
        .map_err(|e| format!("scripts/cross.sh: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("scripts/cross.sh failed: {}", err.trim()));
    }
    Ok(dir.to_path_buf())
}

/// The ELF header's `e_machine` of the file at `path`.
pub fn elf_machine(path: &std::path::Path) -> u16 {
    let b = std::fs::read(path).unwrap();
    u16::from_le_bytes([b[18], b[19]])
}

/// Path of program `name`'s binary (see [`bin_dir`]).
pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(path.is_file(), "{} is missing", path.display());
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

/// Whether `program args` runs and exits with status 0.
pub fn command_works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
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

/// A bash snippet for the sandbox ([`sandbox`]): waits, up to about five seconds, until no
/// process is alive but the sandbox's first (pid 1, the script itself) — zombies do not
/// count — and leaves how many were still alive in `live`.
pub const WAIT_UNTIL_ALONE: &str = r#"for i in $(seq 1000); do
  live=0
  for d in /proc/[0-9]*; do
    n=${d#/proc/}; [ "$n" = 1 ] && continue
    read -r _ _ state _ < $d/stat 2>/dev/null || continue
    [ "$state" = Z ] || live=$((live + 1))
  done
  [ $live = 0 ] && break; sleep 0.005
done"#;

/// Whether the tests run as root (else scripts/sandbox.sh makes a user namespace, where
/// the tests' user is uid 0 and the only uid).
pub fn root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The tests' one sandbox: scripts/sandbox.sh (fresh IPC, mount, PID, network and UTS
/// namespaces, their own /dev/shm, mqueue mount and /proc).
pub fn sandbox() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/sandbox.sh")
}
