//! Every run leaves nothing behind: checked inside a private IPC and mount namespace with
//! its own /dev/shm and mqueue mount, so the count is exact and the host is untouched.

mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

/// Runs `script` (sh) in fresh IPC and mount namespaces with an empty tmpfs at /dev/shm
/// and the namespace's mqueue file system at /dev/mqueue; `None` where unshare is refused.
fn in_private_ipc(script: &str) -> Option<Outcome> {
    let probe = Command::new("unshare").args(["--ipc", "--mount", "true"]).status();
    if !probe.map(|s| s.success()).unwrap_or(false) {
        return None;
    }
    let setup = "set -e; mount --make-rprivate /; mount -t tmpfs -o size=1m tmpfs /dev/shm; \
                 mkdir -p /dev/mqueue; mount -t mqueue mqueue /dev/mqueue; set +e; ";
    let mut cmd = Command::new("unshare");
    cmd.args(["--ipc", "--mount", "sh", "-c", &format!("{setup}{script}")]);
    Some(run_cmd(cmd, Duration::from_secs(60)))
}

#[test]
fn no_run_leaves_an_object_or_a_process() {
    for p in PI_PROGRAMS {
        for w in [1, 10, 64] {
            let script = format!(
                "{bin} -w {w} -n 100000 || echo FAILED; \
                 echo shm:$(ls -A /dev/shm | wc -l) mq:$(ls -A /dev/mqueue | wc -l) \
                 sysv:$(tail -n +2 /proc/sysvipc/msg | wc -l)",
                bin = bin(p).display()
            );
            let Some(o) = in_private_ipc(&script) else {
                eprintln!("SKIP: unshare --ipc --mount is not permitted here");
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
        eprintln!("SKIP: unshare --ipc --mount is not permitted here");
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
        eprintln!("SKIP: unshare --ipc --mount is not permitted here");
        return;
    };
    assert!(o.stdout.ends_with("rc=1\n"), "{o:?}");
    assert!(
        o.stderr.contains("ENOENT") && o.stderr.contains("/dev/shm is missing"),
        "{}",
        o.stderr
    );
}
