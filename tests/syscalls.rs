//! Each program's syscalls are pinned: for W = 1, 2 and 10 the calls and their counts must
//! match `tests/syscall-profiles.txt` exactly (scripts/strace-profile.py does the tracing
//! and fitting, and checks that no path outside /dev/shm is touched and that a good run
//! writes stdout once and stderr never). A new call — `brk`, `mmap`, an `openat` of
//! anything — or one more per worker fails here.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

#[test]
fn syscall_profiles_match_the_pinned_ones() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = bin("pi-pipe").parent().expect("bin dir").to_path_buf();
    let mut cmd = Command::new("python3");
    cmd.arg(root.join("scripts/strace-profile.py"))
        .args(["--check", "tests/syscall-profiles.txt", "-n", "1000000"])
        .current_dir(&root)
        .env("BAREIPC_BIN_DIR", dir);
    let o = run_cmd(cmd, Duration::from_secs(120));
    if o.code == Some(77) {
        skip(o.stderr.trim());
        return;
    }
    assert_eq!(o.code, Some(0), "syscall profiles differ:\n{}\n{}", o.stdout, o.stderr);
    // The check compared every program (pi and demo: the tool has no run to profile), not
    // a subset.
    for p in pi_programs().chain(demos()) {
        assert!(o.stdout.contains(&format!("{p}: ")), "{p} was not profiled:\n{}", o.stdout);
    }
}
