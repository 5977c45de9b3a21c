//! Every run leaves nothing behind: checked inside the tests' sandbox (scripts/sandbox.sh)
//! with its own /dev/shm and mqueue mount, so the count is exact and the host is untouched.

mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

/// Runs `script` (sh) in the tests' sandbox ([`sandbox`]); `None` where it cannot be made.
fn in_private_ipc(script: &str) -> Option<Outcome> {
    let mut cmd = Command::new(sandbox());
    cmd.args(["sh", "-c", script]);
    let o = run_cmd(cmd, Duration::from_secs(60));
    (o.code != Some(125)).then_some(o)
}

#[test]
fn no_run_leaves_an_object_or_a_process() {
    // System V: queues, semaphore sets and segments (each /proc/sysvipc file has a header).
    for p in pi_programs() {
        for w in [1, 10, 64] {
            let script = format!(
                "{bin} -w {w} -n 100000 || echo FAILED; \
                 echo shm:$(ls -A /dev/shm | wc -l) mq:$(ls -A /dev/mqueue | wc -l) \
                 sysv:$(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm | tail -n +4 | wc -l)",
                bin = bin(p).display()
            );
            let Some(o) = in_private_ipc(&script) else {
                skip("scripts/sandbox.sh cannot make its namespaces here");
                return;
            };
            assert!(!o.stdout.contains("FAILED"), "{p} -w {w}: {o:?}");
            assert!(o.stdout.ends_with("shm:0 mq:0 sysv:0\n"), "{p} -w {w}: {}", o.stdout);
        }
    }
}

#[test]
fn a_full_dev_shm_is_a_clear_error_not_sigbus() {
    let Some(o) = in_private_ipc(&format!(
        "umount /dev/shm; mount -t tmpfs -o size=4k tmpfs /dev/shm; \
         dd if=/dev/zero of=/dev/shm/filler bs=4k count=1 2>/dev/null; {} ; echo rc=$?",
        bin("pi-shm-sem").display()
    )) else {
        skip("scripts/sandbox.sh cannot make its namespaces here");
        return;
    };
    assert!(o.stdout.ends_with("rc=1\n"), "{o:?}");
    assert!(o.stderr.starts_with("pi-shm-sem: ") && o.stderr.contains("ENOSPC"), "{}", o.stderr);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
}

#[test]
fn without_dev_shm_the_shm_program_says_how_to_fix_it() {
    let Some(o) = in_private_ipc(&format!(
        "umount /dev/shm; mount -t tmpfs tmpfs /mnt; mkdir /mnt/empty; mount --bind /mnt/empty /dev; \
         {}; echo rc=$?",
        bin("pi-shm-sem").display()
    )) else {
        skip("scripts/sandbox.sh cannot make its namespaces here");
        return;
    };
    assert!(o.stdout.ends_with("rc=1\n"), "{o:?}");
    assert!(
        o.stderr.contains("ENOENT") && o.stderr.contains("/dev/shm is missing"),
        "{}",
        o.stderr
    );
}

/// The programs that make a private directory (pi-fifo, pi-unix), outside the sandbox:
/// it goes into TMPDIR when set, else /tmp, and is gone when the run ends, however it
/// ends (the parent killed: its workers remove it).
#[test]
fn the_private_directory_goes_where_tmpdir_says_and_is_removed() {
    for (program, tag) in [("pi-fifo", "fifo"), ("pi-unix", "unix")] {
        private_directory_goes_where_tmpdir_says_and_is_removed(program, tag);
    }
}

fn private_directory_goes_where_tmpdir_says_and_is_removed(program: &str, tag: &str) {
    let dir = std::env::temp_dir().join(format!("bareipc-tmpdir-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let count = || std::fs::read_dir(&dir).unwrap().count();
    // A run, and one whose parent is SIGKILLed while its workers compute.
    let mut cmd = Command::new(bin(program));
    cmd.env("TMPDIR", &dir).args(["-w", "4"]);
    let o = run_cmd(cmd, Duration::from_secs(60));
    assert_eq!(o.stdout, digits(), "{program}: {o:?}");
    assert_eq!(count(), 0);
    let mut child = Command::new(bin(program))
        .env("TMPDIR", &dir)
        .args(["-w", "4", "-n", "100000000000"])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while count() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(count(), 1, "{program}: the run made its directory in TMPDIR");
    child.kill().unwrap();
    child.wait().unwrap();
    // Eventually, not at once: the orphans look at their lifeline between chunks of work,
    // and the kill sweep may run beside this test on the same two CPUs (it failed once,
    // here, with 5 s).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count() != 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(count(), 0, "{program}: the orphaned workers removed the entry and its directory");
    std::fs::remove_dir(&dir).unwrap();
    // Without TMPDIR: /tmp, and nothing of this run's left there after a SIGTERM.
    let mut child = Command::new(bin(program))
        .env_remove("TMPDIR")
        .args(["-w", "2", "-n", "100000000000"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let prefix = format!("bareipc-{tag}-{}-", child.id());
    let ours = || {
        std::fs::read_dir("/tmp")
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while ours() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(ours(), 1, "{program}: the run made its directory in /tmp");
    // SAFETY: kill(2) on a child of ours that has not been waited for.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    assert_eq!(child.wait().unwrap().code(), Some(143));
    assert_eq!(ours(), 0, "{program}: a stopped run removes its directory");
}

/// SIGKILL at every system call of a run, one call at a time: whatever a run left (a
/// System V queue or semaphore set, a POSIX queue's name, a FIFO or socket file in
/// TMPDIR), `bareipc clean` removes it, and nothing else is left. Each program first runs
/// traced (its parent only) to list its calls; then, for each call's k-th occurrence,
/// twice more: under `strace -e inject=CALL:signal=SIGKILL:when=k` (the parent alone
/// traced, so killed at exactly that point of its own), and under `strace -f` (the parent
/// and each worker killed at their own k-th such call); after each, the sandbox is
/// counted.
#[test]
fn a_kill_at_any_call_leaves_nothing_that_clean_cannot_remove() {
    if !strace_works() {
        skip("strace cannot trace here");
        return;
    }
    let work = std::env::temp_dir().join(format!("bareipc-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut total = 0;
    let mut failures = Vec::new();
    for p in pi_programs() {
        let script = format!(
            "set -u; BIN={bin}; TOOL={tool}; TRACE={trace}
             count() {{ echo $(( $(ls -A /dev/shm /dev/mqueue | grep -cv '^/dev\\|^$') \
               + $(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm | wc -l) - 3 )); }}
             strace -qq -o $TRACE $BIN -w 2 -n 1000000 >/dev/null || echo FAILED traced run
             # Each call of the parent's (execve aside: strace itself makes it) and how often.
             # (A loop fed by a pipe would be a subshell, which the count of processes left
             # would see.)
             while read -r n call; do
               for k in $(seq $n); do for f in '' -f; do
                 strace $f -qq -o /dev/null -e inject=$call:signal=SIGKILL:when=$k \
                   $BIN -w 2 -n 1000000 >/dev/null 2>&1
                 {WAIT_UNTIL_ALONE}
                 left=$(count)
                 $TOOL clean >/dev/null 2>&1 || echo FAILED $call $k: bareipc clean
                 echo CASE $call $k$f $live $left $(count)
               done; done
             done < <(sed -nE 's/^([a-z0-9_]+)\\(.*/\\1/p' $TRACE | grep -v '^execve$' | sort | uniq -c)",
            bin = bin(p).display(),
            tool = bin("bareipc").display(),
            trace = work.join(format!("{p}.trace")).display(),
        );
        let mut cmd = Command::new(sandbox());
        cmd.args(["bash", "-c", &script]);
        let o = run_cmd(cmd, Duration::from_secs(600));
        if o.code == Some(125) {
            skip("scripts/sandbox.sh cannot make its namespaces here");
            return;
        }
        let mut cases = 0;
        let mut killed_with_something_left = 0;
        for line in o.stdout.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            match f.as_slice() {
                ["CASE", call, k, live, left, after] => {
                    cases += 1;
                    if *left != "0" {
                        killed_with_something_left += 1;
                    }
                    if *live != "0" || *after != "0" {
                        failures.push(format!(
                            "{p}: SIGKILL at {call} #{k}: {live} processes left running, \
                             {after} objects left after bareipc clean"
                        ));
                    }
                }
                _ if line.starts_with("FAILED") => failures.push(format!("{p}: {line}")),
                _ => {}
            }
        }
        if cases < 20 {
            failures.push(format!("{p}: only {cases} cases ({o:?})"));
        }
        eprintln!(
            "{p}: {cases} calls killed at; {killed_with_something_left} left what clean removed"
        );
        total += cases;
    }
    std::fs::remove_dir_all(&work).ok();
    eprintln!("{total} kills in all");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
