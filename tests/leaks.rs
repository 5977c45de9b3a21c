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
    assert_eq!(o.stdout, "3.14159262176\n", "{program}: {o:?}");
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
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
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
