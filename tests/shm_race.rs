//! A process of the same uid that chmods and truncates every shared memory file it sees
//! appear in /dev/shm — what inotify on /dev/shm makes easy — never makes a run fault:
//! the shared memory of pi-shm-sem and of `Mapping::create_unnamed` /
//! `NamedSemaphore::create_unnamed` never has a name to find (O_TMPFILE). With the old
//! create-then-unlink, 2 of 5 `pi-shm-sem -w 4` runs died of SIGBUS beside such a racer.
//!
//! Its own test binary: the racer truncates what it finds, so no other test may create
//! shared memory in this process meanwhile. It touches only new entries named like
//! bareipc's (`bareipc-*`, `sem.bareipc-*`) and owned by this uid.

mod common;

use bareipc::ipc::sem::NamedSemaphore;
use bareipc::ipc::shm::Mapping;
use std::collections::HashSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

const ROUNDS: usize = 40;

/// Chmods, opens and truncates every new bareipc-like file in /dev/shm until `stop`;
/// counts the files it truncated.
fn racer(stop: Arc<AtomicBool>, hits: Arc<AtomicUsize>) -> std::thread::JoinHandle<()> {
    let names = |dir: &str| -> HashSet<std::ffi::OsString> {
        std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default()
    };
    let before = names("/dev/shm");
    let uid = rustix::process::getuid().as_raw();
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            for entry in std::fs::read_dir("/dev/shm").into_iter().flatten().flatten() {
                let name = entry.file_name();
                let text = name.to_string_lossy();
                let ours = text.starts_with("bareipc-") || text.starts_with("sem.bareipc-");
                let path = entry.path();
                let mine =
                    std::fs::symlink_metadata(&path).is_ok_and(|m| m.uid() == uid && m.is_file());
                if !ours || !mine || before.contains(&name) {
                    continue;
                }
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
                if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&path) {
                    // Opened: wait for the owner to map it, then pull the pages away.
                    std::thread::sleep(Duration::from_micros(200));
                    if f.set_len(0).is_ok() {
                        hits.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
    })
}

#[test]
fn a_same_uid_racer_that_truncates_what_it_sees_never_faults_a_run() {
    let stop = Arc::new(AtomicBool::new(false));
    let hits = Arc::new(AtomicUsize::new(0));
    let handle = racer(stop.clone(), hits.clone());
    let bin = common::bin("pi-shm-sem");
    let want = format!("{:.11}", common::serial_pi(200_000));
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let mut cmd = Command::new(&bin);
        cmd.args(["-w", "4", "-n", "200000"]);
        let out = common::run_cmd(cmd, Duration::from_secs(30));
        if out.code != Some(0) || out.stdout.trim() != want {
            failures.push(format!("round {round}: {out:?}"));
        }
        // In this process too: map, write every page, read it back.
        let map = Mapping::create_unnamed(64 * 1024).expect("create_unnamed");
        for (i, word) in map.words().iter().enumerate().step_by(512) {
            word.store(i as u64, Ordering::Relaxed);
        }
        let sum: u64 = map.words().iter().step_by(512).map(|w| w.load(Ordering::Relaxed)).sum();
        assert_eq!(sum, (0..8192).step_by(512).sum::<usize>() as u64);
        let sem = NamedSemaphore::create_unnamed(0).expect("create_unnamed");
        sem.post().expect("post");
        sem.wait().expect("wait");
    }
    stop.store(true, Ordering::Relaxed);
    handle.join().expect("racer");
    assert!(
        failures.is_empty(),
        "{} of {ROUNDS} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Nothing had a name to find: the racer never got hold of a file.
    assert_eq!(hits.load(Ordering::Relaxed), 0, "the racer truncated a file of a run");
}
