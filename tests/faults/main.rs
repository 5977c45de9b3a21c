//! The fault matrix: every program, faults injected at exact points, in a sandbox where
//! leaks are counted exactly and nothing of the host is touched.
//!
//! Each case runs in the tests' one sandbox (scripts/sandbox.sh: fresh IPC, mount, PID,
//! network and UTS namespaces with their own tmpfs at `/dev/shm`, mqueue mount and /proc).
//! Faults come from outside the binaries, which carry no test hook: `strace -f -e
//! inject=SYSCALL:signal=SIGKILL:when=N` (or `:retval=N`) at an exact system call, or a
//! signal sent to the parent or to worker i once all workers run. Every case asserts the
//! exit status, the one stderr line, the time from fault to exit, and that nothing is left:
//! no live process in the namespace, `/dev/shm` (the sandbox's TMPDIR too: a FIFO or socket
//! file left there counts) and the mqueue mount empty, no System V
//! object — except the SysV queue or semaphore set of a parent killed by SIGKILL, which
//! the kernel gives no way to remove; there the case runs the program once more and
//! asserts it is gone.
//!
//! With `BAREIPC_FAULT_LOG=DIR`, each test writes its cases and measured times to
//! `DIR/NAME.tsv`; `make readme` builds the README's table from them. While working on
//! one program, `BAREIPC_FAULT_ONLY=TEXT` runs only the cases whose "program / fault"
//! contains TEXT (`make test` never sets it).

#[path = "../common/mod.rs"]
mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How a case brings its fault about.
#[derive(Clone)]
enum How {
    /// The program (with `args`) runs under `strace -f -e inject=SPEC`.
    Inject(&'static str),
    /// The program runs with many terms, started by `tests/launch.py LAUNCH` (options,
    /// `--`, and optionally a command that runs the program, such as `qemu-x86_64`; see
    /// [`signal`]); once its workers exist, each signal of `signals` (space-separated,
    /// 300 ms apart) goes to the parent (`None`) or to worker `Some(i)` (fork order).
    Signal { launch: &'static str, to: Option<usize>, signals: &'static str },
    /// A shell command line; `$BIN` is the program, `$ARGS` its arguments. It redirects
    /// the program's output itself (`>$OUT 2>$ERR`) and leaves its status in `st`.
    Shell(String),
}

/// What a case must end with.
#[derive(Clone)]
struct Want {
    status: i32,
    /// A pattern the stderr line must contain (`#` matches a run of digits); empty: stderr
    /// must be empty.
    stderr: &'static str,
    /// Whether a System V object is expected to remain (parent killed by SIGKILL).
    sysv_left: bool,
    /// System V objects removed by the run (dead runs' objects made by the setup).
    sysv_removed: usize,
    /// What stdout must be, when the run succeeds.
    stdout: &'static str,
}

#[derive(Clone)]
struct Case {
    program: &'static str,
    /// The fault, in the words of the README's table.
    fault: String,
    /// Shell commands run in the sandbox before the program (limits, pre-made objects).
    setup: String,
    how: How,
    args: &'static str,
    want: Want,
}

/// What the sandbox reports after a case.
#[derive(Debug, Default)]
struct Report {
    status: i32,
    /// Milliseconds from the fault (or from the start, for injected faults) to exit.
    ms: u64,
    live: usize,
    /// Entries in /dev/shm and the mqueue mount, and SysV objects (queues, semaphore sets,
    /// segments), beyond what the setup made.
    shm: i64,
    mq: i64,
    sysv: i64,
    /// The same count of System V objects after one more run of the program.
    sysv_after: i64,
    stdout: String,
    stderr: String,
}

fn sandbox_works() -> bool {
    Command::new(sandbox()).arg("true").status().map(|s| s.success()).unwrap_or(false)
}

/// A directory holding copies of the binaries, readable and executable by everyone (the
/// limit cases run them as `nobody`).
fn public_bins() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt;
        remove_dead_runs_dirs();
        let dir = std::env::temp_dir().join(format!("bareipc-faults-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        for p in all_programs() {
            std::fs::copy(bin(p), dir.join(p)).unwrap();
        }
        for script in ["launch.py", "forge.py"] {
            let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(script);
            std::fs::copy(from, dir.join(script)).unwrap();
        }
        // Removed when the test process exits (a killed one's is removed by the next run).
        // SAFETY: registers a function that takes no arguments and only removes a directory.
        unsafe { libc::atexit(remove_own_dir) };
        dir
    })
    .clone()
}

/// The atexit handler of [`public_bins`]: removes this process's copy of the binaries.
extern "C" fn remove_own_dir() {
    let dir = std::env::temp_dir().join(format!("bareipc-faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(dir);
}

/// Removes what earlier runs of this test left in the temporary directory — the binaries'
/// copies (`bareipc-faults-PID`) and case directories (`bareipc-case-PID-N`) of test
/// processes that no longer exist (a run that was killed, or that timed out on a case).
/// Test binaries have no teardown: the next run cleans up.
fn remove_dead_runs_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("bareipc-faults-")
            .or_else(|| name.strip_prefix("bareipc-case-").and_then(|r| r.split('-').next()));
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The bash script that sets the sandbox up, runs `case`, and prints its report.
fn script(case: &Case, work: &Path) -> String {
    let bin = public_bins().join(case.program);
    let run = match &case.how {
        How::Inject(spec) => format!(
            "tf=$(date +%s%N); strace -f -qq -o /dev/null -e inject={spec} $BIN $ARGS \
             >$OUT 2>$ERR; st=$?"
        ),
        How::Signal { launch, to, signals } => {
            let target = match to {
                None => "$p".to_string(),
                Some(i) => format!("${{kids[{i}]}}"),
            };
            let send = signals
                .split(' ')
                .map(|s| format!("tf=$(date +%s%N); kill -{s} {target}"))
                .collect::<Vec<_>>()
                .join("; sleep 0.3; ");
            format!(
                "python3 $LAUNCH {launch} $BIN $ARGS >$OUT 2>$ERR & p=$!
                 for i in $(seq 1000); do
                   kids=()
                   for d in /proc/[0-9]*; do
                     read -r pid _ _ ppid _ < $d/stat 2>/dev/null && [ \"$ppid\" = $p ] && kids+=($pid)
                   done
                   [ ${{#kids[@]}} -ge 4 ] && break; sleep 0.005
                 done
                 kids=($(printf '%s\\n' \"${{kids[@]}}\" | sort -n))
                 sleep 0.05; {send}; wait $p; st=$?"
            )
        }
        How::Shell(line) => format!("tf=$(date +%s%N); {line}"),
    };
    let again = if killed_leaves(case.program).is_some() {
        "$RUN $BIN -w 1 -n 10 >/dev/null 2>&1"
    } else {
        "true"
    };
    format!(
        "set -e
         BIN={bin}; ARGS='{args}'; OUT={w}/out; ERR={w}/err; LAUNCH={launch}; W={w}; RUN=
         AS_USER='{as_user}'
         FORGE={forge}
         sysv() {{ echo $(( $(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm | wc -l) - 3 )); }}
         {setup}
         base_shm=$(ls -A /dev/shm 2>/dev/null | wc -l); base_mq=$(ls -A /dev/mqueue | wc -l)
         base_sysv=$(sysv)
         set +e
         {run}
         t1=$(date +%s%N)
         {WAIT_UNTIL_ALONE}
         shm=$(( $(ls -A /dev/shm 2>/dev/null | wc -l) - base_shm ))
         mq=$(( $(ls -A /dev/mqueue | wc -l) - base_mq ))
         sysv=$(( $(sysv) - base_sysv ))
         {again}
         after=$(( $(sysv) - base_sysv ))
         echo \"REPORT $st $(( (t1 - tf) / 1000000 )) $live $shm $mq $sysv $after\"",
        bin = bin.display(),
        launch = public_bins().join("launch.py").display(),
        forge = public_bins().join("forge.py").display(),
        w = work.display(),
        args = case.args,
        setup = case.setup,
        as_user = if root() { NOBODY } else { UNPRIVILEGED },
    )
}

fn run_case(case: &Case) -> Report {
    let work = tempdir();
    let mut cmd = Command::new(sandbox());
    cmd.args(["bash", "-c", &script(case, &work)]);
    let o = run_cmd(cmd, Duration::from_secs(60));
    let line = o.stdout.lines().find(|l| l.starts_with("REPORT ")).unwrap_or_else(|| {
        panic!("{} / {}: no report: {o:?}", case.program, case.fault);
    });
    let v: Vec<i64> = line.split(' ').skip(1).map(|f| f.parse().unwrap_or(-1)).collect();
    let read = |f: &str| std::fs::read_to_string(work.join(f)).unwrap_or_default();
    let r = Report {
        status: v[0] as i32,
        ms: v[1] as u64,
        live: v[2] as usize,
        shm: v[3],
        mq: v[4],
        sysv: v[5],
        sysv_after: v[6],
        stdout: read("out"),
        stderr: read("err"),
    };
    std::fs::remove_dir_all(&work).ok();
    r
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bareipc-case-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `text` contains `pattern`, where `#` in the pattern matches one or more digits.
fn matches(text: &str, pattern: &str) -> bool {
    fn at(t: &[u8], p: &[u8]) -> bool {
        match p.split_first() {
            None => true,
            Some((b'#', rest)) => {
                let digits = t.iter().take_while(|c| c.is_ascii_digit()).count();
                digits > 0 && at(&t[digits..], rest)
            }
            Some((c, rest)) => t.first() == Some(c) && at(&t[1..], rest),
        }
    }
    (0..=text.len()).any(|i| at(&text.as_bytes()[i..], pattern.as_bytes()))
}

/// Runs `cases` (all of them, then fails listing every case that went wrong), and logs
/// them for the README when `BAREIPC_FAULT_LOG` is set.
fn run_matrix(name: &str, cases: &[Case]) {
    if !sandbox_works() {
        skip("scripts/sandbox.sh cannot make its namespaces here");
        return;
    }
    // Injected faults need strace; so do shell cases that call it (a predictable name).
    let traced = |c: &Case| match &c.how {
        How::Inject(_) => true,
        How::Shell(line) => line.contains("strace "),
        How::Signal { .. } => false,
    };
    // Where strace cannot trace, the cases that need it are skipped and the rest run.
    let untraceable = cases.iter().any(traced) && !strace_works();
    if untraceable {
        let n = cases.iter().filter(|c| traced(c)).count();
        skip(&format!("strace cannot trace here: {n} of the {name} cases need it"));
    }
    // Without root, the cases that need another uid or the host's cgroups are skipped.
    let privileged = cases.iter().filter(|c| root_only(c).is_some()).count();
    if !root() && privileged > 0 {
        let what: std::collections::BTreeSet<_> = cases.iter().filter_map(root_only).collect();
        let what: Vec<_> = what.into_iter().collect();
        skip(&format!("not root: {privileged} of the {name} cases need {}", what.join(" or ")));
    }
    let mut failures = Vec::new();
    let mut log = String::new();
    let mut slowest = (0, String::new());
    let only = std::env::var("BAREIPC_FAULT_ONLY").unwrap_or_default();
    let cases: Vec<&Case> = cases
        .iter()
        .filter(|c| !(untraceable && traced(c)))
        .filter(|c| root() || root_only(c).is_none())
        .filter(|c| format!("{} / {}", c.program, c.fault).contains(&only))
        .collect();
    for &case in &cases {
        let r = run_case(case);
        let mut wrong = Vec::new();
        if r.status != case.want.status {
            wrong.push(format!("status {} (want {})", r.status, case.want.status));
        }
        let err = r.stderr.trim_end();
        if case.want.stderr.is_empty() {
            if !err.is_empty() {
                wrong.push(format!("stderr not empty: {err:?}"));
            }
        } else if !matches(err, case.want.stderr) || err.lines().count() != 1 {
            wrong.push(format!("stderr {err:?} (want one line with {:?})", case.want.stderr));
        }
        if r.status != 0 && !r.stdout.is_empty() {
            wrong.push(format!("a failed run printed {:?}", r.stdout));
        }
        if r.status == 0 && r.stdout != case.want.stdout {
            wrong.push(format!("printed {:?} (want {:?})", r.stdout, case.want.stdout));
        }
        if r.live != 0 {
            wrong.push(format!("{} processes left", r.live));
        }
        if r.shm != 0 || r.mq != 0 {
            wrong.push(format!("left {} in /dev/shm, {} queues", r.shm, r.mq));
        }
        match (case.want.sysv_left, r.sysv, r.sysv_after) {
            (true, 1, 0) => {}
            (false, n, _) if n == -(case.want.sysv_removed as i64) => {}
            (_, left, after) => {
                wrong.push(format!("SysV objects: {left} left, {after} after rerun"))
            }
        }
        if r.ms > 5000 {
            wrong.push(format!("took {} ms", r.ms));
        }
        if r.ms > slowest.0 {
            slowest = (r.ms, format!("{} / {}", case.program, case.fault));
        }
        let outcome = match err.lines().next() {
            Some(line) => format!("exit {}: `{}`", r.status, line),
            None => format!("exit {}", r.status),
        };
        log.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            case.program,
            case.fault,
            outcome,
            match case.want.sysv_left {
                false => "nothing".to_string(),
                true => killed_leaves(case.program).expect("its manifest's killed_leaves"),
            },
            r.ms
        ));
        if !wrong.is_empty() {
            failures.push(format!("{} / {}: {}", case.program, case.fault, wrong.join("; ")));
        }
    }
    eprintln!("{name}: {} cases; slowest {} ms ({})", cases.len(), slowest.0, slowest.1);
    if let Some(dir) = std::env::var_os("BAREIPC_FAULT_LOG") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.tsv")), log).unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Enough terms that workers are still computing when a fault comes (seconds of work).
const LONG: &str = "-w 4 -n 100000000000";
/// Enough terms that workers run a little while under strace.
const SHORT: &str = "-w 4 -n 400000000";

/// A signal sent once the workers run, to a program started as an interactive shell would
/// start it: a background job of the tests' non-interactive shell has SIGINT ignored
/// (POSIX), which the programs honour, so the launcher puts the default back.
fn signal(to: Option<usize>, signals: &'static str) -> How {
    How::Signal { launch: "--default INT --", to, signals }
}

fn case(program: &'static str, fault: &str, how: How, args: &'static str, want: Want) -> Case {
    Case { program, fault: fault.to_string(), setup: String::new(), how, args, want }
}

fn want(status: i32, stderr: &'static str) -> Want {
    Want { status, stderr, sysv_left: false, sysv_removed: 0, stdout: "" }
}

/// Success: the default output, nothing on stderr.
fn success() -> Want {
    Want { stdout: digits(), ..want(0, "") }
}

/// The parent killed by SIGKILL: status 137, no message, workers gone at once (the
/// lifeline), and what its manifest's `killed_leaves` says (a SysV queue or semaphore set
/// reclaimed by the next run; a SysV segment is destroyed with its last user).
fn killed(program: &str) -> Want {
    Want { sysv_left: killed_leaves(program).is_some(), ..want(137, "") }
}

/// `setpriv` prefix: the command runs as nobody (uid and gid 65534, no groups) — another
/// user than the tests'. Only root can do that: without root, a case that uses it is
/// skipped (and says so).
const NOBODY: &str = "setpriv --reuid=65534 --regid=65534 --clear-groups --";

/// `setpriv` prefix: the command runs as a uid that no other process has — this test
/// process's own (3,000,000 + its pid), so per-user counts (RLIMIT_NPROC's processes,
/// RLIMIT_SIGPENDING's signals) are the case's alone: as nobody, a forger of the hostile
/// cases running meanwhile made execve fail with EAGAIN once in a few runs. Root only.
fn loner() -> &'static str {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PREFIX.get_or_init(|| {
        let uid = 3_000_000 + std::process::id();
        format!("setpriv --reuid={uid} --regid={uid} --clear-groups --")
    })
}

/// Prefix: the command runs as a user without privileges, the same user as the other
/// commands of the case that have it — nobody when the tests run as root (so that file
/// modes and IPC permissions apply to it); without root, the tests' own user, in a user
/// namespace of its own below the sandbox's where it is uid 1000 with no capabilities
/// ([`UNPRIVILEGED`]): root of the sandbox's namespace could read an undumpable
/// process's /proc/PID/fd, the same user without privileges cannot.
const AS_USER: &str = "$AS_USER";

/// [`AS_USER`] without root.
const UNPRIVILEGED: &str = "unshare --user --map-user=1000 --map-group=1000 --";

/// What a case needs that only root has, if anything: another uid than the tests', or the
/// host's cgroups.
fn root_only(c: &Case) -> Option<&'static str> {
    let text = match &c.how {
        How::Shell(line) => format!("{} {line}", c.setup),
        _ => c.setup.clone(),
    };
    if text.contains("setpriv --reuid") {
        Some("another user (setpriv)")
    } else if text.contains("/sys/fs/cgroup") {
        Some("a cgroup of the host")
    } else {
        None
    }
}

mod hostile;
mod kills;
mod launcher;
mod limits;
mod qemu;
mod workers;
