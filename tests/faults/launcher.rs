//! What the launcher hands over: a closed or full stdout, ignored or blocked signals,
//! an alarm.

use super::*;

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
            // Long enough that the reader has surely closed its end before the result is
            // written: with the default run (6 ms) a loaded machine let the write land in
            // the pipe first, and the run ended 0 (seen once).
            SHORT,
            want(1, "write: EPIPE (Broken pipe): standard output is a pipe nobody reads any more"),
        ));
        cases.push(case(
            p,
            "16 runs at once",
            How::Shell(format!(
                "for i in $(seq 16); do $BIN $ARGS >$OUT.$i 2>>$ERR & done; wait; \
                 cat $OUT.* > $OUT; st=0; [ $(grep -cx '{}' $OUT) = 16 ] || st=1; \
                 head -n 1 $OUT > $OUT.first; mv $OUT.first $OUT",
                digits().trim_end()
            )),
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
            Want { sysv_left: killed_leaves(p).is_some(), ..want(142, "") },
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
