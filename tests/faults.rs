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
        dir
    })
    .clone()
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
    let again = if case.program.starts_with("pi-sysv-") {
        "$RUN $BIN -w 1 -n 10 >/dev/null 2>&1"
    } else {
        "true"
    };
    format!(
        "set -e
         BIN={bin}; ARGS='{args}'; OUT={w}/out; ERR={w}/err; LAUNCH={launch}; W={w}; RUN=
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
    if cases.iter().any(|c| matches!(c.how, How::Inject(_))) && !strace_works() {
        skip("strace cannot trace here");
        return;
    }
    let mut failures = Vec::new();
    let mut log = String::new();
    let mut slowest = (0, String::new());
    let only = std::env::var("BAREIPC_FAULT_ONLY").unwrap_or_default();
    let cases: Vec<&Case> =
        cases.iter().filter(|c| format!("{} / {}", c.program, c.fault).contains(&only)).collect();
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
            match (case.want.sysv_left, case.program) {
                (false, _) => "nothing",
                (true, "pi-sysv-msg") => "the next run removes the SysV queue",
                (true, _) => "the next run removes the SysV semaphore set",
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
    Want { stdout: "3.14159262176\n", ..want(0, "") }
}

/// The parent killed by SIGKILL: status 137, no message, workers gone at once (the
/// lifeline), a SysV queue or semaphore set reclaimed by the next run (a SysV segment is
/// destroyed with its last user).
fn killed(program: &str) -> Want {
    Want { sysv_left: program.starts_with("pi-sysv-"), ..want(137, "") }
}

#[test]
fn parent_killed_at_any_point_leaves_nothing_running() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "parent SIGKILLed at its 2nd fork (1 worker running)",
            How::Inject("fork:signal=SIGKILL:when=2"),
            SHORT,
            killed(p),
        ));
        let (call, when) = match p {
            "pi-pipe" => ("read", 1),
            "pi-socketpair" => ("read", 2), // its workers read once: the 2nd read is the parent's
            "pi-posix-mq" => ("mq_timedreceive", 1),
            "pi-unix-dgram" => ("recvfrom", 1),
            "pi-fifo" => ("read", 1),
            "pi-unix" => ("accept4", 1),
            "pi-futex" => ("futex", 1),
            "pi-memfd" => ("sendmsg", 1),
            "pi-process-vm" => ("waitid", 1),
            "pi-signal" => ("rt_sigtimedwait", 1),
            "pi-tcp" => ("accept4", 1),
            "pi-sysv-msg" => ("msgrcv", 1),
            _ => ("wait4", 1),
        };
        let spec: &'static str =
            Box::leak(format!("{call}:signal=SIGKILL:when={when}").into_boxed_str());
        cases.push(case(
            p,
            &format!("parent SIGKILLed in its wait for results ({call} #{when})"),
            How::Inject(spec),
            SHORT,
            killed(p),
        ));
        cases.push(case(
            p,
            "parent SIGKILLed while workers compute",
            signal(None, "KILL"),
            LONG,
            killed(p),
        ));
    }
    run_matrix("parent-killed", &cases);
}

#[test]
fn stop_signals_stop_workers_remove_objects_and_exit_128_plus_signal() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        for (sig, status, text) in [
            ("INT", 130, "stopped by SIGINT"),
            ("TERM", 143, "stopped by SIGTERM"),
            ("HUP", 129, "stopped by SIGHUP"),
        ] {
            cases.push(case(
                p,
                &format!("SIG{sig} to the parent"),
                signal(None, sig),
                LONG,
                want(status, text),
            ));
        }
    }
    run_matrix("stop-signals", &cases);
}

#[test]
fn a_worker_that_dies_or_lies_is_named_and_the_run_stops() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "worker 1 SIGKILLed while it computes",
            signal(Some(1), "KILL"),
            LONG,
            want(1, "worker 1 was killed by signal 9 (SIGKILL)"),
        ));
        cases.push(case(
            p,
            "worker 2 gets SIGTERM",
            signal(Some(2), "TERM"),
            LONG,
            want(1, "worker 2 was killed by signal 15 (SIGTERM)"),
        ));
    }
    // The call, and what it returns on success (a lost message is a success returned).
    for (p, call, ok) in [
        ("pi-posix-mq", "mq_timedsend", 0),
        ("pi-sysv-msg", "msgsnd", 0),
        ("pi-unix-dgram", "sendto", 24),
        ("pi-signal", "rt_sigqueueinfo", 0),
    ] {
        let kill: &'static str =
            Box::leak(format!("{call}:signal=SIGKILL:when=1").into_boxed_str());
        cases.push(case(
            p,
            &format!("every worker SIGKILLed at its send ({call})"),
            How::Inject(kill),
            SHORT,
            want(1, "worker # was killed by signal 9 (SIGKILL)"),
        ));
        let lose: &'static str = Box::leak(format!("{call}:retval={ok}:when=1").into_boxed_str());
        cases.push(case(
            p,
            &format!("every worker's message lost ({call} skipped, success returned)"),
            How::Inject(lose),
            SHORT,
            want(1, "worker 0: sent no result"),
        ));
    }
    // A write that claims 8 bytes and writes none: the worker sends the rest only, which
    // is no result. (The parent's own first write, its report, loses its first 8 bytes.)
    cases.push(case(
        "pi-pipe",
        "every write returns 8 and writes nothing (workers send 16 of 24 bytes; the report loses 8)",
        How::Inject("write:retval=8:when=1"),
        SHORT,
        want(1, "worker 0: malformed result message"),
    ));
    // FIFO: a write is whole or EAGAIN (at most PIPE_BUF bytes); one that claims part of
    // the message is reported, and writes that claim success and write nothing leave the
    // results missing. (The parent's own first write, its report, is injected the same
    // way and loses its first 16 bytes: `pi-fifo: worker `.)
    cases.push(case(
        "pi-fifo",
        "every worker's write claims 8 of 24 bytes (a FIFO never does)",
        How::Inject("write:retval=8:when=1"),
        SHORT,
        want(1, "worker #: write: EIO (Input/output error)"),
    ));
    cases.push(case(
        "pi-fifo",
        "every write returns 24 and writes nothing (the report loses its first 24 bytes)",
        How::Inject("write:retval=24:when=1"),
        SHORT,
        want(1, "no result"),
    ));
    // Unix seqpacket: the parent answers a worker's connection before it reads it; a read
    // that finds the connection closed with no message (injected: the parent's first
    // receive returns 0) ends the run naming a worker: the one whose result is then missing
    // or whose connection, closed under it, failed its send or its wait for the answer.
    // Sends refused (EPIPE injected, the parent's answers too: those it ignores) name one.
    cases.push(case(
        "pi-unix",
        "the parent's first receive returns 0 (a connection closed with no message)",
        How::Inject("recvfrom:retval=0:when=1"),
        SHORT,
        want(1, "worker #: "),
    ));
    cases.push(case(
        "pi-unix",
        "every send refused (EPIPE injected)",
        How::Inject("sendto:error=EPIPE:when=1"),
        SHORT,
        want(1, "worker #: sendto: EPIPE (Broken pipe)"),
    ));
    // futex: wakes that wake nobody and waits that return at once (spurious wake-ups, as
    // futex(2) allows) cost at most a tick, never a hang or a wrong answer; a refused
    // wait is one line.
    cases.push(case(
        "pi-futex",
        "every futex call returns 0 and does nothing (lost wakes, spurious wake-ups)",
        How::Inject("futex:retval=0:when=1+"),
        "",
        success(),
    ));
    cases.push(case(
        "pi-futex",
        "the parent's first wait refused (ENOSYS injected)",
        How::Inject("futex:error=ENOSYS:when=1"),
        LONG,
        want(1, "futex: ENOSYS (Function not implemented)"),
    ));
    // memfd: an unsealed memfd is never mapped (F_ADD_SEALS skipped: the parent's own map
    // checks the seal and refuses), and a message that carries no descriptor is an error,
    // not a mapping of whatever descriptor number happens to be there.
    cases.push(case(
        "pi-memfd",
        "the seal is skipped (F_ADD_SEALS returns 0 and seals nothing)",
        How::Inject("fcntl:retval=0:when=1"),
        SHORT,
        want(1, "mmap: EPERM (Operation not permitted)"),
    ));
    cases.push(case(
        "pi-memfd",
        "every worker's message comes without a descriptor (recvmsg returns 1 byte)",
        How::Inject("recvmsg:retval=1:when=1"),
        SHORT,
        want(1, "worker #: recvmsg: EIO (Input/output error)"),
    ));
    // A mapped file: a pread that returns less than the file holds (an error, not a guess
    // at the missing slots).
    cases.push(case(
        "pi-mmap-file",
        "the read-back returns 8 bytes (pread)",
        How::Inject("pread64:retval=8:when=1"),
        SHORT,
        want(1, "pread: EIO (Input/output error)"),
    ));
    // process_vm_readv refused (as Yama's ptrace_scope 2, or a seccomp profile, would):
    // one line naming what refuses, the stopped workers killed and reaped; and a worker
    // stopped by someone else before its result is written is continued, not read.
    cases.push(case(
        "pi-process-vm",
        "reading a worker's memory refused (EPERM injected)",
        How::Inject("process_vm_readv:error=EPERM:when=1"),
        SHORT,
        want(1, "process_vm_readv: EPERM (Operation not permitted): reading a worker's memory is refused here"),
    ));
    cases.push(case(
        "pi-process-vm",
        "reading a worker's memory refused by a seccomp profile (ENOSYS injected)",
        How::Inject("process_vm_readv:error=ENOSYS:when=1"),
        SHORT,
        want(
            1,
            "process_vm_readv: ENOSYS (Function not implemented): process_vm_readv is not available here",
        ),
    ));
    // System V semaphore with SEM_UNDO: every worker is SIGKILLed at its unlock, that is
    // while it holds the lock, and the parent is held 2 s after its 4th fork so that it
    // stops nobody meanwhile (strace injects only into calls it traces: hence `fork` in
    // the trace set). The kernel undoes each dead holder's lock, so every one of
    // the 4 workers takes it in turn — the shell counts the takes that returned 0 in
    // strace's log and turns a wrong count into status 100 + takes (a POSIX semaphore
    // would stop at 1: its dead holder keeps it) — and the parent names a dead worker.
    cases.push(case(
        "pi-sysv-shm-sem",
        "every worker SIGKILLed holding the lock; each next one still takes it (SEM_UNDO)",
        How::Shell(
            "strace -ff -qq -o $W/log -e trace=semtimedop,fork \
             -e inject=semtimedop:signal=SIGKILL:when=2 -e inject=fork:delay_exit=2000000:when=4 \
             $BIN $ARGS >$OUT 2>$ERR; st=$?
             takes=$(cat $W/log.* | grep -c 'sem_op=1, sem_flg=SEM_UNDO}], 2, .*) = 0$')
             [ \"$takes\" = 4 ] || st=$((100 + takes))"
                .into(),
        ),
        SHORT,
        want(1, "worker # was killed by signal 9 (SIGKILL)"),
    ));
    cases.push(case(
        "pi-sysv-shm-sem",
        "the semaphore set removed under the workers (EIDRM injected at their lock)",
        How::Inject("semtimedop:error=EIDRM:when=1"),
        SHORT,
        want(1, "semtimedop: EIDRM (Identifier removed): the semaphore set was removed while the run used it"),
    ));
    // eventfd: a worker's add that the kernel would refuse (the counter full: EAGAIN on a
    // non-blocking eventfd), and adds that claim success and add nothing (the counter is
    // still zero when the parent reads it; its report, its own first write, loses 8 bytes).
    cases.push(case(
        "pi-eventfd",
        "every worker's add refused (EAGAIN injected: the counter full)",
        How::Inject("write:error=EAGAIN:when=1"),
        SHORT,
        want(1, "write: EAGAIN (Resource temporarily unavailable): the eventfd counter would pass its limit"),
    ));
    cases.push(case(
        "pi-eventfd",
        "every worker's add lost (write returns 8, adds nothing)",
        How::Inject("write:retval=8:when=1"),
        SHORT,
        want(1, "read: EAGAIN (Resource temporarily unavailable): no worker's result reached the counter"),
    ));
    run_matrix("worker-faults", &cases);
}

/// Runs the program with a name it can be made to choose: strace makes `getpid` return 7
/// and the name's `getrandom` (the second: the first draws the run's key) leave its
/// buffer zeroed, so the object is `bareipc-TAG-7-` and sixteen zeros. (The lifeline then
/// holds a wrong pid; these runs never kill the parent.)
const PREDICTABLE: &str = "strace -f -qq -o /dev/null -e inject=getpid:retval=7 \
                           -e inject=getrandom:retval=8:when=2 $BIN $ARGS >$OUT 2>$ERR; st=$?";
/// The same for programs whose objects carry only the pid (System V keys).
const PID_7: &str =
    "strace -f -qq -o /dev/null -e inject=getpid:retval=7 $BIN $ARGS >$OUT 2>$ERR; st=$?";
const MQ_NAME: &str = "/dev/mqueue/bareipc-mq-7-0000000000000000";

/// A shell line creating a System V queue with `key` and `mode`, holding one foreign
/// message (python's ctypes calls glibc's msgget and msgsnd).
fn sysv_queue(key: u32, mode: u32) -> String {
    format!(
        "python3 -c 'import ctypes; c = ctypes.CDLL(None); \
         q = c.msgget(ctypes.c_int({key} - (1 << 32) if {key} >= 1 << 31 else {key}), 0o1000 | {mode}); \
         m = ctypes.create_string_buffer(b\"\\x01\\0\\0\\0\\0\\0\\0\\0foreign!\"); \
         assert q >= 0 and c.msgsnd(q, m, 8, 0) == 0'"
    )
}

/// A shell line creating a System V semaphore set of one with `key` and `mode` (glibc's
/// semget through python's ctypes).
fn sysv_sem(key: u32, mode: u32) -> String {
    format!(
        "python3 -c 'import ctypes; c = ctypes.CDLL(None); \
         assert c.semget(ctypes.c_int({key} - (1 << 32) if {key} >= 1 << 31 else {key}), 1, 0o1000 | {mode}) >= 0'"
    )
}

#[test]
fn hostile_names_and_queues_are_refused_or_left_alone() {
    // pi-shm-sem's memory and semaphore have no name (O_TMPFILE): whatever anyone plants
    // in /dev/shm — files, symlinks, directories, FIFOs, half-made semaphores — nothing
    // collides with them, and no name of theirs can be planted first.
    let mut cases = vec![Case {
        setup: "cd /dev/shm; touch bareipc-pi-1 sem.bareipc-pi-1; ln -s /tmp/elsewhere x; \
                mkdir d; mkfifo f; head -c 8 /dev/zero > sem.half; cd /"
            .into(),
        ..case(
            "pi-shm-sem",
            "files, a symlink, a directory, a FIFO and a truncated semaphore planted in /dev/shm",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            success(),
        )
    }];
    cases.push(Case {
        setup: format!("touch {MQ_NAME}"),
        ..case(
            "pi-posix-mq",
            "a queue at the queue's name",
            How::Shell(PREDICTABLE.into()),
            "",
            want(1, "mq_open: EEXIST (File exists): a queue of that name exists already"),
        )
    });
    // An abstract AF_UNIX name held by another socket of the network namespace: only a
    // name one can guess (64 random bits; here made predictable) can be taken first.
    cases.push(Case {
        setup: "python3 -c 'import socket, time; s = socket.socket(socket.AF_UNIX, \
                socket.SOCK_DGRAM); s.bind(\"\\0bareipc-dgram-7-0000000000000000\"); time.sleep(60)' & sq=$!
                for i in $(seq 400); do grep -q @bareipc-dgram-7-0 /proc/net/unix && break; \
                sleep 0.05; done"
            .into(),
        ..case(
            "pi-unix-dgram",
            "its abstract name held by another socket",
            How::Shell(format!("{PREDICTABLE}; kill $sq; wait $sq")),
            "",
            want(1, "bind: EADDRINUSE (Address already in use): another socket of this network namespace holds the name"),
        )
    });
    // A real-time signal 35 from a process that is no worker (kill sends it with the
    // sender's pid): no result, refused; the run goes on to its own digits.
    cases.push(case(
        "pi-signal",
        "signal 35 from a process that is no worker, during the run",
        How::Shell(
            "$BIN -w 2 -n 1000000000 >$OUT 2>$ERR & p=$!; sleep 0.2; kill -s 35 $p; \
             wait $p; st=$?"
                .into(),
        ),
        "",
        Want { stdout: "3.14159265327\n", ..success() },
    ));
    // System V: this run's key taken by a queue holding a foreign message (the run falls
    // back to a private queue and leaves the other alone); a dead run's queue (removed);
    // queues that only look alike (other mode, other key: kept).
    cases.push(Case {
        setup: sysv_queue(0xB100_0007, 0o644),
        ..case(
            "pi-sysv-msg",
            "its key taken by a queue with a foreign message",
            How::Shell(PID_7.into()),
            "",
            success(),
        )
    });
    cases.push(Case {
        setup: [
            sysv_queue(0xB100_0000 | 99_999, 0o600),
            sysv_queue(0xB100_0000 | 99_998, 0o644),
            sysv_queue(0x1234_5678, 0o600),
        ]
        .join("; "),
        ..case(
            "pi-sysv-msg",
            "a dead run's queue, and two that only look alike",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            Want { sysv_removed: 1, ..success() },
        )
    });
    // The same for System V semaphore sets: a dead run's set is removed, one of another
    // mode kept; this run's key taken by another set (mode 0644: not a dead run's), so
    // the run makes a private set instead.
    cases.push(Case {
        setup: [sysv_sem(0xB100_0000 | 99_999, 0o600), sysv_sem(0xB100_0000 | 99_998, 0o644)]
            .join("; "),
        ..case(
            "pi-sysv-shm-sem",
            "a dead run's semaphore set, and one that only looks alike",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            Want { sysv_removed: 1, ..success() },
        )
    });
    cases.push(Case {
        setup: sysv_sem(0xB100_0007, 0o644),
        ..case(
            "pi-sysv-shm-sem",
            "its key taken by another semaphore set",
            How::Shell(PID_7.into()),
            "",
            success(),
        )
    });
    run_matrix("hostile-names", &cases);
}

/// `setpriv` prefix: the command runs as nobody (uid and gid 65534, no groups).
const NOBODY: &str = "setpriv --reuid=65534 --regid=65534 --clear-groups --";

/// A run attacked by `tests/forge.py KIND` while it works: the program (as root, or as
/// nobody with `program_as_nobody`) runs 2 workers over 10^9 terms, long enough for the
/// forger (as nobody, another user; or as root, whom no permission stops) to find its
/// endpoint and play. A forger that found nothing to attack fails the case (status 100+).
fn forged(kind: &str, program_as_nobody: bool, forger_as_nobody: bool) -> How {
    let who = |nobody: bool| if nobody { NOBODY } else { "" };
    How::Shell(format!(
        "{p} $BIN -w 2 -n 1000000000 >$OUT 2>$ERR & p=$!
         py=/usr/bin/python3; [ -x $py ] || py=python3  # nobody may not reach root's own
         {f} $py $FORGE {kind} $p 2 >$W/forge 2>&1; f=$?
         wait $p; st=$?; [ $f = 0 ] || {{ cat $W/forge >>$ERR; st=$((100 + f)); }}",
        p = who(program_as_nobody),
        f = who(forger_as_nobody),
    ))
}

/// The digits of 2 workers over 10^9 terms: what a run that refused every forgery prints.
fn own_digits() -> Want {
    Want { stdout: "3.14159265327\n", ..success() }
}

/// Other processes of the host play against runs in progress (tests/forge.py): forged
/// results through every endpoint another process can reach, connections that never
/// speak, a write into shared memory, a look at the parent's descriptors. Each run prints
/// its own workers' digits or refuses to print any; none hangs.
#[test]
fn hostile_peers_are_refused_and_never_hang_a_run() {
    let cases = vec![
        case(
            "pi-tcp",
            "another user connects to its port: a silent connection, a closed one, forged results",
            forged("tcp", false, true),
            "",
            own_digits(),
        ),
        case(
            "pi-unix-dgram",
            "another user sends forged results to its abstract name",
            forged("dgram", false, true),
            "",
            own_digits(),
        ),
        case(
            "pi-signal",
            "the same user queues signals 35 and 36 with a worker's pid and forged values",
            forged("signal", true, true),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-msg",
            "the same user sends forged results to its queue",
            forged("msg", true, true),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-msg",
            "root sends forged results to its queue",
            forged("msg", false, false),
            "",
            own_digits(),
        ),
        case(
            "pi-fifo",
            "the same user writes forged results into its FIFO",
            forged("fifo", true, true),
            "",
            own_digits(),
        ),
        case(
            "pi-unix",
            "the same user connects to its socket file and sends a sum",
            forged("unix", true, true),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-shm-sem",
            "the same user attaches its segment and overwrites the sum",
            forged("shm", true, true),
            "",
            want(1, "another process wrote the shared sum: it is not the workers'"),
        ),
        case(
            "pi-pipe",
            "the same user opens the parent's descriptors through /proc/PID/fd",
            forged("procfd", true, true),
            "",
            own_digits(),
        ),
        // Workers that stopped themselves with their result, continued by someone else
        // while the parent cannot read them (it is stopped too): each stops again, and
        // the run prints its digits, blaming no worker.
        case(
            "pi-process-vm",
            "another process continues the stopped workers (SIGCONT) before the parent reads them",
            How::Shell(
                "$BIN -w 4 -n 400000000 >$OUT 2>$ERR & p=$!
                 kids=(); for i in $(seq 1000); do
                   kids=($(cat /proc/$p/task/$p/children 2>/dev/null))
                   [ ${#kids[@]} -ge 4 ] && break; sleep 0.005; done
                 kill -STOP $p
                 for i in $(seq 1000); do
                   n=0; for k in ${kids[@]}; do
                     read -r _ _ state _ < /proc/$k/stat; [ \"$state\" = T ] && n=$((n + 1)); done
                   [ $n = 4 ] && break; sleep 0.01; done
                 kill -CONT ${kids[@]}; sleep 0.2; kill -CONT $p; wait $p; st=$?"
                    .into(),
            ),
            "",
            Want { stdout: "3.14159265279\n", ..success() },
        ),
    ];
    run_matrix("hostile-peers", &cases);
}

#[test]
fn limits_end_in_one_line_naming_the_limit() {
    let nobody = NOBODY;
    let shell = |line: String| How::Shell(format!("{line} >$OUT 2>$ERR; st=$?"));
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "fork fails (RLIMIT_NPROC 3, as nobody) after 2 workers started",
            shell(format!("prlimit --nproc=3 -- {nobody} $BIN $ARGS")),
            "-w 10 -n 1000000",
            want(1, "fork: EAGAIN (Resource temporarily unavailable): process limit reached (RLIMIT_NPROC"),
        ));
    }
    for (p, call) in [("pi-pipe", "pipe2"), ("pi-socketpair", "socketpair")] {
        let msg: &'static str = Box::leak(
            format!(
                "{call}: EMFILE (Too many open files): descriptor limit reached (RLIMIT_NOFILE"
            )
            .into_boxed_str(),
        );
        cases.push(case(
            p,
            "descriptors run out (RLIMIT_NOFILE 12) after 8 workers started",
            shell("prlimit --nofile=12 -- $BIN $ARGS".into()),
            "-w 20 -n 1000000",
            want(1, msg),
        ));
    }
    let mq = |fault: &str, setup: &str, line: String, w: Want| Case {
        setup: setup.into(),
        ..case("pi-posix-mq", fault, shell(line), "", w)
    };
    cases.push(mq(
        "RLIMIT_MSGQUEUE of 64 bytes",
        "",
        "prlimit --msgqueue=64 -- $BIN $ARGS".into(),
        want(1, "mq_open: EMFILE (Too many open files): the user's POSIX message queue memory is used up (RLIMIT_MSGQUEUE"),
    ));
    cases.push(mq(
        "fs.mqueue.msg_max 2 (as nobody; root may exceed it)",
        "echo 2 > /proc/sys/fs/mqueue/msg_max",
        format!("{nobody} $BIN $ARGS"),
        want(
            1,
            "mq_open: EINVAL (Invalid argument): queue size beyond /proc/sys/fs/mqueue/msg_max",
        ),
    ));
    cases.push(mq(
        "fs.mqueue.queues_max 0 (as nobody)",
        "echo 0 > /proc/sys/fs/mqueue/queues_max",
        format!("{nobody} $BIN $ARGS"),
        want(1, "mq_open: ENOSPC (No space left on device): too many queues"),
    ));
    let sysv = |fault: &str, setup: &str, args: &'static str, w: Want| Case {
        setup: setup.into(),
        ..case("pi-sysv-msg", fault, shell("$BIN $ARGS".into()), args, w)
    };
    cases.push(sysv(
        "kernel.msgmni 0: no queue can be made",
        "echo 0 > /proc/sys/kernel/msgmni",
        "",
        want(1, "msgget: ENOSPC (No space left on device): no SysV queue left (kernel.msgmni"),
    ));
    cases.push(sysv(
        "kernel.msgmax 8: every worker's 24-byte message too big",
        "echo 8 > /proc/sys/kernel/msgmax",
        "",
        want(1, "worker #: msgsnd: EINVAL (Invalid argument): message beyond kernel.msgmax"),
    ));
    let sysv_shm = |fault: &str, setup: &str, w: Want| Case {
        setup: setup.into(),
        ..case("pi-sysv-shm-sem", fault, shell("$BIN $ARGS".into()), "", w)
    };
    cases.push(sysv_shm(
        "kernel.shmmax 8: the segment is larger",
        "echo 8 > /proc/sys/kernel/shmmax",
        want(1, "shmget: EINVAL (Invalid argument): segment larger than kernel.shmmax"),
    ));
    cases.push(sysv_shm(
        "kernel.shmmni 0: no segment can be made",
        "echo 0 > /proc/sys/kernel/shmmni",
        want(
            1,
            "shmget: ENOSPC (No space left on device): no System V segment left (kernel.shmmni",
        ),
    ));
    cases.push(sysv_shm(
        "kernel.shmall 0: no page for any segment",
        "echo 0 > /proc/sys/kernel/shmall",
        want(1, "shmget: ENOSPC (No space left on device): no System V segment left"),
    ));
    cases.push(sysv_shm(
        "kernel.sem SEMMNI 0: no semaphore set can be made",
        "echo '32000 1024000000 500 0' > /proc/sys/kernel/sem",
        want(1, "semget: ENOSPC (No space left on device): no System V semaphore left (kernel.sem"),
    ));
    let shm = |fault: &str, setup: &str, w: Want| Case {
        setup: setup.into(),
        ..case("pi-shm-sem", fault, shell("$BIN $ARGS".into()), "", w)
    };
    cases.push(shm(
        "/dev/shm read-only",
        "mount -o remount,ro /dev/shm",
        want(1, "open: EROFS (Read-only file system): /dev/shm is read-only"),
    ));
    cases.push(shm(
        "/dev/shm full (4 KiB tmpfs, already full)",
        "umount /dev/shm; mount -t tmpfs -o size=4k tmpfs /dev/shm; \
         head -c 4096 /dev/zero > /dev/shm/filler",
        want(1, "fallocate: ENOSPC (No space left on device): /dev/shm is full"),
    ));
    cases.push(shm(
        "/dev/shm missing",
        "umount /dev/shm; mount -t tmpfs tmpfs /mnt; mkdir /mnt/dev; \
         for f in null zero; do touch /mnt/dev/$f; mount --bind /dev/$f /mnt/dev/$f; done; \
         mount --bind /mnt/dev /dev",
        want(
            1,
            "open: ENOENT (No such file or directory): /dev/shm is missing: mount a tmpfs there",
        ),
    ));
    // Real-time signals: RLIMIT_SIGPENDING counts the signals pending for the user across
    // the whole system (the tick's timer holds one from timer_create), so a case can only
    // set it relative to the count of the moment (SigQ in /proc/self/status). At the
    // limit every send is refused (EAGAIN, injected here so the case is exact): the
    // workers try for a second, then one says so.
    cases.push(case(
        "pi-signal",
        "every send refused: the pending signals at their limit (EAGAIN injected)",
        How::Inject("rt_sigqueueinfo:error=EAGAIN"),
        "",
        want(1, "worker #: rt_sigqueueinfo: EAGAIN (Resource temporarily unavailable): the pending signals are at their limit (RLIMIT_SIGPENDING"),
    ));
    cases.push(case(
        "pi-signal",
        "RLIMIT_SIGPENDING 4 above the user's pending count, 20 workers: results wait their turn",
        // As nobody: the count is per user, and root's moves with every other test that
        // runs meanwhile (a second of other tests' signals failed this case once).
        shell(format!(
            "BIN=$BIN ARGS=$ARGS {nobody} sh -c 'q=$(grep ^SigQ /proc/self/status | cut -f2 | cut -d/ -f1); \
             prlimit --sigpending=$((q + 4)) -- $BIN $ARGS'"
        )),
        "-w 20",
        success(),
    ));
    // The FIFO of pi-fifo and the socket of pi-unix are made in TMPDIR: the sandbox sets
    // TMPDIR=/dev/shm (as the image does).
    for (p, make) in [("pi-fifo", "mknodat"), ("pi-unix", "bind")] {
        let dir = |fault: &str, setup: &str, line: String, w: Want| Case {
            setup: setup.into(),
            ..case(p, fault, shell(line), "", w)
        };
        let made = |errno: &str| -> &'static str {
            format!("{make}: {errno}: no file can be made in TMPDIR: set TMPDIR").leak()
        };
        cases.push(dir(
            "TMPDIR names no directory",
            "export TMPDIR=/nonexistent",
            "$BIN $ARGS".into(),
            want(1, "chdir: ENOENT (No such file or directory): TMPDIR is no directory this user can use: set TMPDIR"),
        ));
        cases.push(dir(
            "TMPDIR a file",
            "export TMPDIR=/dev/null",
            "$BIN $ARGS".into(),
            want(1, "chdir: ENOTDIR (Not a directory): TMPDIR is no directory this user can use: set TMPDIR"),
        ));
        cases.push(dir(
            "TMPDIR a symbolic link loop",
            "ln -s /dev/shm/loop /dev/shm/loop; export TMPDIR=/dev/shm/loop",
            "$BIN $ARGS".into(),
            want(1, "chdir: ELOOP (Too many levels of symbolic links): TMPDIR is no directory"),
        ));
        cases.push(dir(
            "TMPDIR read-only",
            "mount -o remount,ro /dev/shm",
            "$BIN $ARGS".into(),
            want(1, made("EROFS (Read-only file system)")),
        ));
        cases.push(dir(
            "TMPDIR not writable for the user (nobody, TMPDIR=/)",
            "export TMPDIR=/",
            format!("{nobody} $BIN $ARGS"),
            want(1, made("EACCES (Permission denied)")),
        ));
        cases.push(dir(
            "TMPDIR's file system has no inode left (a tmpfs of 1 inode)",
            "mount -t tmpfs -o size=64k,nr_inodes=1 tmpfs /mnt; export TMPDIR=/mnt",
            "$BIN $ARGS".into(),
            want(1, made("ENOSPC (No space left on device)")),
        ));
    }
    // pi-mmap-file's file with no name goes into TMPDIR too (O_TMPFILE: the open is the
    // first call that meets the directory).
    let file = |fault: &str, setup: &str, line: String, w: Want| Case {
        setup: setup.into(),
        ..case("pi-mmap-file", fault, shell(line), "", w)
    };
    let unusable = |errno: &str| -> &'static str {
        format!("open: {errno}: no file can be made in TMPDIR: set TMPDIR").leak()
    };
    for (fault, setup, line, errno) in [
        (
            "TMPDIR names no directory",
            "export TMPDIR=/nonexistent",
            "",
            "ENOENT (No such file or directory)",
        ),
        ("TMPDIR a file", "export TMPDIR=/dev/null", "", "ENOTDIR (Not a directory)"),
        ("TMPDIR read-only", "mount -o remount,ro /dev/shm", "", "EROFS (Read-only file system)"),
        (
            "TMPDIR not writable for the user (nobody, TMPDIR=/)",
            "export TMPDIR=/",
            nobody,
            "EACCES (Permission denied)",
        ),
    ] {
        cases.push(file(fault, setup, format!("{line} $BIN $ARGS"), want(1, unusable(errno))));
    }
    cases.push(file(
        "TMPDIR's file system full (a 4 KiB tmpfs, already full)",
        "mount -t tmpfs -o size=4k tmpfs /mnt; head -c 4096 /dev/zero > /mnt/filler; \
         export TMPDIR=/mnt",
        "$BIN $ARGS".into(),
        want(1, "fallocate: ENOSPC (No space left on device): TMPDIR's file system is full"),
    ));
    cases.push(file(
        "TMPDIR's file system has no O_TMPFILE (EOPNOTSUPP injected)",
        "",
        "strace -f -qq -o /dev/null -e inject=openat:error=EOPNOTSUPP:when=1 $BIN $ARGS".into(),
        want(
            1,
            "open: EOPNOTSUPP (Operation not supported): TMPDIR's file system has no O_TMPFILE",
        ),
    ));
    cases.push(file(
        "TMPDIR's file system full and without fallocate (EOPNOTSUPP injected): ENOSPC, no SIGBUS",
        "mount -t tmpfs -o size=4k tmpfs /mnt; head -c 4096 /dev/zero > /mnt/filler; \
         export TMPDIR=/mnt",
        "strace -f -qq -o /dev/null -e inject=fallocate:error=EOPNOTSUPP $BIN $ARGS".into(),
        want(1, "fallocate: ENOSPC (No space left on device): TMPDIR's file system is full"),
    ));
    // A socket's path holds 107 bytes: the socket's is its bare name, made in TMPDIR
    // entered, however long TMPDIR is (here 200 bytes).
    cases.push(Case {
        setup: "export TMPDIR=/dev/shm/$(printf '%0190d' 0); mkdir $TMPDIR".into(),
        ..case(
            "pi-unix",
            "a TMPDIR of 200 bytes (a socket's path holds 107)",
            shell("$BIN $ARGS".into()),
            "",
            success(),
        )
    });
    run_matrix("limits", &cases);
}

#[test]
fn a_closed_full_or_broken_stdout_is_an_error_not_a_wrong_answer() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "stdout closed",
            How::Shell("$BIN $ARGS >&- 2>$ERR; st=$?".into()),
            "",
            want(1, "write: EBADF (Bad file descriptor): standard output is closed"),
        ));
        cases.push(case(
            p,
            "stdout on a full disk (/dev/full)",
            How::Shell("$BIN $ARGS >/dev/full 2>$ERR; st=$?".into()),
            "",
            want(
                1,
                "write: ENOSPC (No space left on device): no space left where standard output goes",
            ),
        ));
        cases.push(case(
            p,
            "stdout a pipe whose reader has gone",
            How::Shell("$BIN $ARGS 2>$ERR | (exec 0<&-; sleep 0.2); st=${PIPESTATUS[0]}".into()),
            "",
            want(1, "write: EPIPE (Broken pipe): standard output is a pipe nobody reads any more"),
        ));
        cases.push(case(
            p,
            "16 runs at once",
            How::Shell(
                "for i in $(seq 16); do $BIN $ARGS >$OUT.$i 2>>$ERR & done; wait; \
                 cat $OUT.* > $OUT; st=0; [ $(grep -c '^3.14159262176$' $OUT) = 16 ] || st=1; \
                 head -n 1 $OUT > $OUT.first; mv $OUT.first $OUT"
                    .into(),
            ),
            "-w 4",
            success(),
        ));
    }
    run_matrix("stdout-and-concurrency", &cases);
}

/// The state a launcher hands over (issue 11): dispositions, a blocked mask, a pending
/// alarm, limits, a full stdout pipe — set by `tests/launch.py` before it execs the
/// program.
#[test]
fn whatever_the_launcher_hands_over() {
    let launch = |opts: &str| {
        How::Shell(format!("python3 $LAUNCH {opts} -- $BIN $ARGS >$OUT 2>$ERR; st=$?"))
    };
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "SIGCHLD ignored by the launcher",
            launch("--ignore CHLD"),
            "",
            success(),
        ));
        cases.push(case(
            p,
            "SIGCHLD ignored, every signal blocked, all at once",
            launch("--ignore CHLD --block ALL"),
            "-w 16",
            success(),
        ));
        cases.push(case(
            p,
            "every signal blocked by the launcher; SIGTERM to the parent",
            How::Signal { launch: "--block ALL --", to: None, signals: "TERM" },
            LONG,
            want(143, "stopped by SIGTERM"),
        ));
        cases.push(case(
            p,
            "every signal blocked by the launcher; worker 1 SIGKILLed",
            How::Signal { launch: "--block ALL --", to: Some(1), signals: "KILL" },
            LONG,
            want(1, "worker 1 was killed by signal 9 (SIGKILL)"),
        ));
        cases.push(case(
            p,
            "SIGHUP ignored (nohup): SIGHUP, then SIGTERM 300 ms later",
            How::Signal { launch: "--default INT --ignore HUP --", to: None, signals: "HUP TERM" },
            LONG,
            want(143, "stopped by SIGTERM"),
        ));
        cases.push(case(
            p,
            "an alarm of 1 s set by the launcher (as a timeout would): it still ends the run",
            launch("--alarm 1"),
            LONG,
            Want { sysv_left: p.starts_with("pi-sysv-"), ..want(142, "") },
        ));
        cases.push(case(
            p,
            "RLIMIT_FSIZE of 4 bytes, stdout a file",
            How::Shell(
                "python3 $LAUNCH --rlimit fsize=4 -- $BIN $ARGS 2>&1 >$OUT.file | cat >$ERR; \
                 st=${PIPESTATUS[0]}"
                    .into(),
            ),
            "",
            want(1, "EFBIG (File too large): file size limit reached (RLIMIT_FSIZE"),
        ));
        cases.push(case(
            p,
            "stdout a full pipe nobody reads; SIGTERM while the result waits to be written",
            How::Shell(
                // SIGTERM once the program is blocked in its write (syscall 1) to stdout.
                "python3 $LAUNCH --full-stdout -- $BIN $ARGS 2>$ERR & p=$!
                 for i in $(seq 1000); do
                   read -r nr fd _ < /proc/$p/syscall 2>/dev/null
                   [ \"$nr $fd\" = '1 0x1' ] && break; sleep 0.01
                 done
                 tf=$(date +%s%N); kill -TERM $p; wait $p; st=$?"
                    .into(),
            ),
            "",
            want(143, "stopped by SIGTERM"),
        ));
        cases.push(case(
            p,
            "no robust futex lists (set_robust_list is ENOSYS, as under qemu-user); parent SIGKILLed while workers compute",
            How::Shell(
                "strace -f -qq -o /dev/null -e inject=set_robust_list:error=ENOSYS $BIN $ARGS >$OUT 2>$ERR & \
                 sleep 1.5; tf=$(date +%s%N); kill -KILL $(pgrep -x -o $(basename $BIN)); wait $!; st=$?"
                    .into(),
            ),
            LONG,
            killed(p),
        ));
        cases.push(case(
            p,
            "fork fails with ENOMEM (injected at the 3rd fork)",
            How::Inject("fork:error=ENOMEM:when=3"),
            SHORT,
            want(1, "fork: ENOMEM (Cannot allocate memory): out of memory"),
        ));
    }
    run_matrix("launcher", &cases);
}

/// A shell line that puts the sandbox's shell into a new cgroup of the pids controller
/// (v1 or v2) with `pids.max` = `max`, and removes it when the shell exits.
fn pids_cgroup(max: u32) -> String {
    format!(
        "pids=/sys/fs/cgroup/pids; [ -d $pids ] || pids=/sys/fs/cgroup; \
         cg=$pids/bareipc-test-$(cat /proc/sys/kernel/random/uuid); mkdir $cg; \
         trap 'echo $$ > $pids/cgroup.procs; rmdir $cg' EXIT; \
         echo {max} > $cg/pids.max; echo $$ > $cg/cgroup.procs"
    )
}

/// More limits (issue 11): each ends in one line naming the limit that was hit.
#[test]
fn limits_name_the_one_that_was_hit() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(Case {
            setup: pids_cgroup(6),
            ..case(
                p,
                "fork fails (a cgroup's pids.max of 6, as root)",
                How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
                "-w 10 -n 1000000",
                want(1, "fork: EAGAIN (Resource temporarily unavailable): process limit reached (a cgroup's pids.max"),
            )
        });
    }
    for p in pi_programs() {
        cases.push(case(
            p,
            "RLIMIT_STACK of 16 KiB (too small for a run's frames)",
            How::Shell("prlimit --stack=16384 -- $BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            want(1, "stack limit below 64 KiB (RLIMIT_STACK, see `ulimit -s`)"),
        ));
    }
    // A full accept queue drops connections (their SYNs are sent again a second later):
    // the workers wait for their receipts, so none believes it delivered what was lost.
    cases.push(Case {
        setup: "sysctl -qw net.core.somaxconn=128".into(),
        ..case(
            "pi-tcp",
            "512 workers, net.core.somaxconn 128 (the default before Linux 5.4)",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "-w 512",
            success(),
        )
    });
    cases.push(case(
        "pi-posix-mq",
        "mq_open fails for want of a descriptor (RLIMIT_NOFILE 3), not of queue memory",
        How::Shell("prlimit --nofile=3 -- $BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
        "",
        want(1, "mq_open: EMFILE (Too many open files): descriptor limit reached (RLIMIT_NOFILE"),
    ));
    cases.push(Case {
        setup: "echo 8 > /proc/sys/kernel/msgmnb".into(),
        ..case(
            "pi-sysv-msg",
            "kernel.msgmnb 8: the queue cannot hold one 24-byte message",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            want(1, "msgsnd: EAGAIN (Resource temporarily unavailable): the queue cannot hold one message"),
        )
    });
    cases.push(case(
        "pi-sysv-msg",
        "the queue removed under the parent (EIDRM injected at its msgrcv)",
        How::Inject("msgrcv:error=EIDRM:when=1"),
        SHORT,
        want(1, "msgrcv: EIDRM (Identifier removed): the queue was removed while the run used it"),
    ));
    cases.push(Case {
        setup: "umount /dev/shm; mount -t ramfs ramfs /dev/shm".into(),
        ..case(
            "pi-shm-sem",
            "/dev/shm is ramfs (no fallocate)",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            success(),
        )
    });
    cases.push(Case {
        setup: "chmod 755 /dev/shm".into(),
        ..case(
            "pi-shm-sem",
            "/dev/shm not writable for the user (as nobody)",
            How::Shell(
                "setpriv --reuid=65534 --regid=65534 --clear-groups -- $BIN $ARGS >$OUT 2>$ERR; st=$?"
                    .into(),
            ),
            "",
            want(1, "open: EACCES (Permission denied): no permission to create files in /dev/shm"),
        )
    });
    cases.push(case(
        "pi-tcp",
        "no loopback interface up (a fresh network namespace: unshare --net)",
        How::Shell("unshare --net $BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
        "",
        want(1, "connect: ENETUNREACH (Network is unreachable): no loopback interface up here"),
    ));
    run_matrix("limits-named", &cases);
}

/// Under qemu-user (Debian's qemu-user): the host's programs under `qemu-x86_64`, as
/// Docker runs amd64 images on arm64 hosts, and every other architecture's build (aarch64,
/// riscv64: `make cross`) under its emulator. qemu-user has no robust futex lists
/// (`set_robust_list` is ENOSYS), so workers watch `getppid()` instead of the lifeline.
/// What qemu cannot show (strace sees qemu's own system calls, so no profile and no
/// injected fault) is covered natively above.
#[test]
fn under_qemu_user_without_robust_lists() {
    let host = std::env::consts::ARCH;
    let host_qemu = format!("qemu-{host}");
    let mut arches: Vec<(String, Option<PathBuf>)> = vec![(host_qemu, None)];
    match cross_bins(&public_bins().join("cross")) {
        Ok(dir) => {
            for (arch, _, qemu, _) in other_arches() {
                arches.push((qemu.to_string(), Some(dir.join(arch))));
            }
        }
        Err(why) => skip(&format!("no build for the other architectures here: {why}")),
    }
    let mut cases = Vec::new();
    for (qemu, dir) in &arches {
        if !command_works(qemu, &["--version"]) {
            skip(&format!("{qemu} (Debian's qemu-user) is not installed"));
            continue;
        }
        let qemu: &'static str = qemu.clone().leak();
        // Another architecture's binaries replace the host's ($BIN is set before `setup`),
        // and the rerun that reclaims a killed run's System V object goes through qemu too.
        let setup = |p: &str| {
            dir.as_ref()
                .map_or(String::new(), |d| format!("BIN={}; RUN={qemu}", d.join(p).display()))
        };
        let launch: &'static str = format!("--default INT -- {qemu}").leak();
        let signal = |to, signals| How::Signal { launch, to, signals };
        let line: &'static str = format!("{qemu} $BIN $ARGS >$OUT 2>$ERR; st=$?").leak();
        for p in pi_programs() {
            let on = |fault: String, how: How, args: &'static str, want: Want| Case {
                setup: setup(p),
                ..case(p, &fault, how, args, want)
            };
            let run = || How::Shell(line.into());
            if p == "pi-process-vm" {
                // qemu-user does not implement process_vm_readv: one line says so.
                cases.push(on(
                    format!("under {qemu} (which has no process_vm_readv)"),
                    run(),
                    "",
                    want(1, "process_vm_readv: ENOSYS (Function not implemented): process_vm_readv is not available here"),
                ));
            } else {
                cases.push(on(format!("under {qemu}"), run(), "", success()));
                // The same digits as the native run.
                let native = Command::new(bin(p)).args(["-w", "7", "-n", "1000"]).output().unwrap();
                assert!(native.status.success());
                let stdout = String::from_utf8(native.stdout).unwrap().leak();
                cases.push(on(
                    format!("under {qemu}, 7 workers, 1000 terms: the native run's digits"),
                    run(),
                    "-w 7 -n 1000",
                    Want { stdout, ..success() },
                ));
            }
            cases.push(on(
                format!("under {qemu}, a bad command line"),
                run(),
                "-w 0",
                want(2, "invalid value '0' for --workers: must be from 1 to 512"),
            ));
            for (sig, status, text) in
                [("INT", 130, "stopped by SIGINT"), ("TERM", 143, "stopped by SIGTERM")]
            {
                cases.push(on(
                    format!("under {qemu}, SIG{sig} to the parent"),
                    signal(None, sig),
                    LONG,
                    want(status, text),
                ));
            }
            cases.push(on(
                format!("under {qemu}, worker 1 SIGKILLed"),
                signal(Some(1), "KILL"),
                LONG,
                want(1, "worker 1 was killed by signal 9 (SIGKILL)"),
            ));
            cases.push(on(
                format!("under {qemu}, parent SIGKILLed: workers see a new parent and leave"),
                signal(None, "KILL"),
                LONG,
                killed(p),
            ));
        }
    }
    run_matrix("qemu", &cases);
}
