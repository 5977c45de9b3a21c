//! The `bareipc` tool (issue 16): its command line here; what needs objects in
//! tests/tool.py, run inside the tests' sandbox (fresh IPC, mount and PID namespaces, its
//! own /dev/shm and mqueue mount), so nothing it makes outlives the test.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn tool(args: &[&str]) -> Outcome {
    let mut cmd = Command::new(bin("bareipc"));
    cmd.args(args);
    run_cmd(cmd, Duration::from_secs(10))
}

/// Runs section `section` of tests/tool.py with `python` in the sandbox; asserts that
/// every check passed. Returns the output, or None where no sandbox can be made.
fn section(python: &Path, section: &str, args: &[&str]) -> Option<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tool.py");
    let mut cmd = Command::new(sandbox());
    cmd.arg(python).arg(script).arg(section).arg(bin("bareipc")).args(args);
    let o = run_cmd(cmd, Duration::from_secs(300));
    if o.code == Some(125) {
        skip(o.stderr.trim());
        return None;
    }
    assert_eq!(o.code, Some(0), "tool.py {section}:\n{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains(&format!("tool.py {section}: 0 failure(s)")), "{}", o.stdout);
    // Checks it could not make here (as another user, without root): skips, counted.
    for why in o.stdout.lines().filter_map(|l| l.strip_prefix("SKIP: ")) {
        skip(&format!("tool.py {section}: {why}"));
    }
    Some(o.stdout)
}

fn python3() -> PathBuf {
    PathBuf::from("python3")
}

#[test]
fn help_and_version_for_every_command() {
    let full = tool(&["--help"]);
    assert_eq!(full.code, Some(0));
    for group in ["ls", "clean", "mq", "msg", "sem", "shm", "sysv-sem", "sysv-shm"] {
        assert!(full.stdout.contains(&format!("\n  {group} ")), "{group} in --help");
        let o = tool(&[group, "--help"]);
        assert_eq!((o.code, o.stderr.as_str()), (Some(0), ""), "{group} --help");
        assert_eq!(o.stdout, full.stdout, "{group} --help");
    }
    for args in [&["mq", "send", "--help"][..], &["sysv-shm", "read", "-h"], &["ls", "-h"]] {
        assert_eq!(tool(args).stdout, full.stdout, "{args:?}");
    }
    assert_eq!(tool(&["-V"]).stdout, format!("bareipc {}\n", env!("CARGO_PKG_VERSION")));
    // `help` is --help; `help COMMAND` is the usage line, that command's lines, the notes.
    assert_eq!(tool(&["help"]).stdout, full.stdout);
    let sem = tool(&["help", "sem"]);
    assert_eq!((sem.code, sem.stderr.as_str()), (Some(0), ""), "help sem");
    let lines: Vec<&str> = sem.stdout.lines().filter(|l| l.starts_with("  ")).collect();
    assert!(lines.len() == 3 && lines.iter().all(|l| l.starts_with("  sem ")), "{lines:?}");
    assert!(sem.stdout.ends_with("2 bad usage.\n"), "{}", sem.stdout);
    // Every subcommand the help names is one the tool knows (exit 2 only for the
    // arguments: a missing name, not an unknown word).
    for line in full.stdout.lines().filter(|l| l.starts_with("  ")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let verbs = words.get(1).filter(|w| !w.starts_with('[')).copied().unwrap_or("");
        for verb in verbs.split('|').filter(|v| !v.is_empty()) {
            let o = tool(&[words[0], verb, "--help"]);
            assert_eq!(o.code, Some(0), "{} {verb} --help: {o:?}", words[0]);
        }
    }
}

#[test]
fn bad_command_lines_exit_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["nope"], "unknown command 'nope' (try 'bareipc --help')"),
        (&["mq"], "missing argument after 'mq' (try 'bareipc mq --help')"),
        (&["mq", "push", "q"], "unknown subcommand 'push'"),
        (&["mq", "send", "q"], "missing argument after 'send'"),
        (&["mq", "send", "q", "a", "b"], "unexpected argument 'b'"),
        (&["mq", "create", "q", "--priority", "1"], "unknown option '--priority'"),
        (&["mq", "create", "q", "--max-messages"], "missing value for '--max-messages'"),
        (&["mq", "create", "q", "--max-messages", "0"], "max-messages '0': not a number from 1 to"),
        (&["mq", "create", "q", "--mode", "8"], "not a mode from 0 to 0777: '8'"),
        (&["mq", "create", "q", "--mode", "1000"], "not a mode from 0 to 0777: '1000'"),
        (&["mq", "recv", "q", "--timeout", "1e3"], "not 0 to 86400 seconds: '1e3'"),
        (&["mq", "recv", "q", "--timeout", "86401"], "not 0 to 86400 seconds"),
        (&["mq", "recv", "q", "--raw=1"], "unknown option '--raw=1'"),
        (&["mq", "stat", "a/b"], "not a POSIX name: 'a/b'"),
        (&["mq", "stat", "/"], "not a POSIX name: '/'"),
        (&["sem", "post", ".."], "not a POSIX name: '..'"),
        (&["msg", "send", "0x1", "0", "x"], "TYPE '0': not a number from 1 to"),
        (&["msg", "stat", "12x"], "not a key (0xHEX) or an id (decimal): '12x'"),
        (&["msg", "stat", "0x123456789"], "not a key (0xHEX) or an id (decimal)"),
        (
            &["sysv-sem", "op", "1", "0", "40000"],
            "DELTA '40000': not a number from -32768 to 32767",
        ),
        (&["ls", "--dry-run"], "unknown option '--dry-run' (try 'bareipc ls --help')"),
        (&["ls", "extra"], "unexpected argument 'extra'"),
        (&["-x"], "unknown option '-x' (try 'bareipc --help')"),
        (&["help", "nope"], "unknown command 'nope'"),
        (&["help", "mq", "send"], "unexpected argument 'send'"),
        (&["nope\u{1}\\"], "unknown command 'nope\\x01\\x5c'"),
    ];
    for (args, want) in cases {
        let o = tool(args);
        assert_eq!(o.code, Some(2), "{args:?}: {o:?}");
        assert_eq!(o.stdout, "", "{args:?}");
        assert_eq!(o.stderr.lines().count(), 1, "{args:?}: {}", o.stderr);
        assert!(o.stderr.starts_with("bareipc: "), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(want), "{args:?}: {} (want {want})", o.stderr);
    }
    // Text that starts with a dash goes after `--`.
    let o = tool(&["mq", "send", "--", "/bareipc-test-no-such-queue", "-x"]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(o.stderr.contains("mq_open: ENOENT"), "{}", o.stderr);
}

#[test]
fn works_with_glibc_and_python_in_both_directions() {
    let helper = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tool_glibc");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tool_glibc.c");
    let cc = Command::new("gcc")
        .args(["-O2", "-Wall", "-Werror", "-o"])
        .arg(&helper)
        .arg(&source)
        .output();
    assert!(cc.as_ref().is_ok_and(|o| o.status.success()), "gcc: {cc:?}");
    let Some(python) = python_with_ipc_packages() else { return };
    let out = section(&python, "interop", &[helper.to_str().unwrap()]);
    eprintln!("{}", out.unwrap_or_default());
}

/// A virtual environment of this test's own with posix_ipc and sysv_ipc from PyPI (made
/// once, in the target directory); None (a skip) where they cannot be installed.
fn python_with_ipc_packages() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tool-venv");
    let python = venv.join("bin/python3");
    let has = |p: &Path| {
        Command::new(p)
            .args(["-c", "import posix_ipc, sysv_ipc"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has(&python) {
        let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).output();
        let pip = venv.join("bin/pip");
        let installed = made.is_ok_and(|o| o.status.success())
            && Command::new(&pip)
                .args(["install", "--quiet", "posix_ipc==1.3.2", "sysv_ipc==1.2.0"])
                .status()
                .is_ok_and(|s| s.success());
        if !installed || !has(&python) {
            skip("could not install posix_ipc and sysv_ipc from PyPI into a virtual environment");
            return None;
        }
    }
    Some(python)
}

#[test]
fn lists_without_proc_or_mqueue_in_an_empty_root() {
    section(&python3(), "empty-root", &[]);
}

/// A table names each object's owner as /etc/passwd does; JSON keeps the number.
#[test]
fn owners_by_name_in_a_table_by_number_in_json() {
    // The uid inside the sandbox: the tests' own as root, else 0 (root of its user
    // namespace, where /etc/passwd's root names it).
    let uid = if root() { rustix::process::getuid().as_raw() } else { 0 };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let Some(user) = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
    }) else {
        return skip(&format!("uid {uid} has no line in /etc/passwd"));
    };
    let b = bin("bareipc");
    let b = b.display();
    let script = format!("{b} shm create /owner --size 8 && {b} ls && {b} ls --json");
    let o = run_cmd(
        {
            let mut cmd = Command::new(sandbox());
            cmd.args(["sh", "-c", &script]);
            cmd
        },
        Duration::from_secs(30),
    );
    if o.code == Some(125) {
        return skip(o.stderr.trim());
    }
    assert_eq!(o.code, Some(0), "{o:?}");
    let row = o.stdout.lines().find(|l| l.starts_with("shm ")).expect("the row");
    assert!(row.contains(&format!(" owner={user} ")), "{row}");
    assert!(o.stdout.contains(&format!("\"owner\": {uid},")), "{}", o.stdout);
}

#[test]
fn hostile_objects_get_one_line_never_a_signal() {
    section(&python3(), "hostile", &[]);
}

#[test]
fn clean_removes_dead_runs_objects_and_nothing_else() {
    section(&python3(), "clean", &[]);
}

#[test]
fn fuzzed_command_lines_end_in_0_1_or_2() {
    if let Some(out) = section(&python3(), "fuzz", &["20261201", "1500"]) {
        eprintln!("{}", out.lines().find(|l| l.starts_with("fuzz:")).unwrap_or(""));
    }
}
