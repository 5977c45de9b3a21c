//! The programs as users run them: results, command line, binary form.

mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn default_run_prints_exactly_the_published_digits() {
    for p in pi_programs() {
        let o = run(p, &[]);
        assert_eq!(o.code, Some(0), "{p}: {o:?}");
        assert_eq!(o.stdout, digits(), "{p}");
        assert_eq!(o.stderr, "", "{p}");
    }
}

/// Every kernel prints the same digits: on x86_64 the programs choose AVX where the CPU
/// has it and SSE2 elsewhere, so each runs natively and under `qemu-x86_64 -cpu Westmere`
/// (a CPU without AVX), and both print alike: 20 decimals of odd-sized jobs (within a few
/// units in the last place for the programs whose workers add into one shared sum as they
/// finish), and (for one program: emulated, ten million terms take seconds) the published
/// digits.
#[test]
fn every_kernel_prints_the_same_digits() {
    if std::env::consts::ARCH != "x86_64" {
        skip("the kernels' digits are compared on x86_64 (one kernel here)");
        return;
    }
    if !command_works("qemu-x86_64", &["--version"]) {
        skip("no qemu-x86_64: the SSE2 kernel's digits unchecked (apt-get install qemu-user)");
        return;
    }
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
    if !cpuinfo.lines().any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "avx"))
    {
        skip("no AVX on this CPU: only the SSE2 kernel's digits compared");
    }
    let jobs: &[&[&str]] =
        &[&[], &["-w", "7", "-n", "100003", "-d", "20"], &["-n", "77", "-d", "20"]];
    // qemu-user has no process_vm_readv (docs/architectures.md).
    for p in pi_programs().filter(|p| *p != "pi-process-vm") {
        for args in jobs.iter().filter(|a| !a.is_empty() || p == "pi-pipe") {
            let native = run(p, args);
            let mut cmd = Command::new("qemu-x86_64");
            cmd.args(["-cpu", "Westmere"]).arg(bin(p)).args(*args);
            let sse2 = run_cmd(cmd, Duration::from_secs(120));
            assert_eq!((native.code, sse2.code), (Some(0), Some(0)), "{p} {args:?}: {sse2:?}");
            if manifest_text(p, "sum_in_arrival_order").is_some() && !args.is_empty() {
                // One shared sum, added in the order the workers finish: its last bits
                // vary from run to run, on any one CPU too.
                let [a, b] = [&native, &sse2].map(|o| o.stdout.trim().parse::<f64>().unwrap());
                assert!((a - b).abs() <= 16.0 * f64::EPSILON * a, "{p} {args:?}: {a} {b}");
                continue;
            }
            assert_eq!(native.stdout, sse2.stdout, "{p} {args:?}");
            if args.is_empty() {
                assert_eq!(native.stdout, digits(), "{p}");
            }
        }
    }
}

#[test]
fn any_split_agrees_with_the_serial_sum() {
    for p in pi_programs() {
        for n in [1u64, 7, 1000, 1_000_000] {
            let want = serial_pi(n);
            for w in [1u64, 3, 7, 64] {
                let o = run(p, &["-w", &w.to_string(), "-n", &n.to_string(), "-d", "20"]);
                if w > n {
                    assert_eq!(o.code, Some(2), "{p} -w {w} -n {n}: {o:?}");
                    assert!(o.stderr.contains("more workers"), "{p}: {}", o.stderr);
                    continue;
                }
                assert_eq!(o.code, Some(0), "{p} -w {w} -n {n}: {o:?}");
                let got: f64 = o.stdout.trim().parse().unwrap();
                assert!((got - want).abs() <= 1e-12, "{p} -w {w} -n {n}: {got} vs {want}");
            }
        }
    }
}

#[test]
fn decimals_option_rounds_like_std() {
    for p in pi_programs() {
        let full: f64 = run(p, &["-d", "20"]).stdout.trim().parse().unwrap();
        // The shared accumulators (pi-shm-sem, pi-sysv-shm-sem) add in arrival order, so
        // their last bits vary from run to run (seen: ...042 and ...046 at -d 16).
        let most = if matches!(p, "pi-shm-sem" | "pi-sysv-shm-sem") { 11 } else { 16 };
        for d in [0usize, 1, 5, 11, 16].into_iter().filter(|&d| d <= most) {
            let o = run(p, &["--decimals", &d.to_string()]);
            assert_eq!(o.stdout, format!("{full:.d$}\n"), "{p} -d {d}");
        }
    }
}

#[test]
fn every_binary_is_static_exec_without_interpreter_or_libraries() {
    const ET_EXEC: u16 = 2;
    const PT_DYNAMIC: u32 = 2;
    const PT_INTERP: u32 = 3;
    for p in all_programs() {
        let path = bin(p);
        let (e_type, phdrs) = elf_summary(&path);
        assert_eq!(e_type, ET_EXEC, "{p}");
        assert!(!phdrs.contains(&PT_INTERP), "{p} has PT_INTERP");
        assert!(!phdrs.contains(&PT_DYNAMIC), "{p} has PT_DYNAMIC (so DT_NEEDED is possible)");
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() <= size_limit(p), "{p} is {} bytes", bytes.len());
        for needle in [&b"GLIBC"[..], b"libc.so", b"ld-linux"] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{p} mentions {needle:?}");
        }
    }
}

/// Every other architecture's build (`make cross`: aarch64, riscv64) is a static
/// executable for its machine, with no interpreter, no dynamic section, nothing of glibc,
/// and within the limit of every program, and prints the same digits as this machine's.
/// (They run under qemu in tests/faults/.)
#[test]
fn other_architectures_builds_are_static_and_small() {
    const ET_EXEC: u16 = 2;
    const PT_DYNAMIC: u32 = 2;
    const PT_INTERP: u32 = 3;
    let dir = std::env::temp_dir().join(format!("bareipc-elf-{}", std::process::id()));
    let built = cross_bins(&dir);
    let Ok(dir) = built else {
        skip(&format!("no build for the other architectures here: {}", built.unwrap_err()));
        return;
    };
    for (arch, _, _, machine) in other_arches() {
        let dir = dir.join(arch);
        let mut sizes = Vec::new();
        for p in all_programs() {
            let path = dir.join(p);
            let (e_type, phdrs) = elf_summary(&path);
            assert_eq!((e_type, elf_machine(&path)), (ET_EXEC, machine), "{arch} {p}");
            assert!(!phdrs.contains(&PT_INTERP) && !phdrs.contains(&PT_DYNAMIC), "{arch} {p}");
            let bytes = std::fs::read(&path).unwrap();
            for needle in [&b"GLIBC"[..], b"libc.so", b"ld-linux"] {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{arch} {p}");
            }
            sizes.push((p, bytes.len()));
        }
        let over: Vec<_> = sizes.iter().filter(|(p, n)| *n > size_limit(p)).collect();
        assert!(over.is_empty(), "{arch}: over the limit: {over:?}");
        // Every kernel sums to the same bits: the other architecture's (NEON, scalar)
        // prints 20 decimals as this one's does.
        let (_, _, qemu, _) = other_arches().into_iter().find(|a| a.0 == arch).unwrap();
        if !command_works(qemu, &["--version"]) {
            skip(&format!("no {qemu}: the digits of {arch} unchecked"));
            continue;
        }
        let args = ["-w", "7", "-n", "100003", "-d", "20"];
        let mut cmd = Command::new(qemu);
        cmd.arg(dir.join("pi-pipe")).args(args);
        let theirs = run_cmd(cmd, Duration::from_secs(120));
        assert_eq!(theirs.stdout, run("pi-pipe", &args).stdout, "{arch}: {theirs:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_command_lines_exit_2_with_one_line_on_stderr() {
    let bad: &[&[&str]] = &[
        &["-w", "0"],
        &["-w", "abc"],
        &["-w", "513"],
        &["-w", "-1"],
        &["-w", "99999999999999999999999"],
        &["-n", "0"],
        &["-n", "1000000000000001"],
        &["-n", ""],
        &["-d", "21"],
        &["-w"],
        &["--workers"],
        &["--bogus"],
        &["-x"],
        &["extra"],
        &["-w", "64", "-n", "7"],
        &["--help=yes"],
        &["-w", "2", "-w", "x"],
    ];
    for p in pi_programs() {
        for args in bad {
            let o = run(p, args);
            assert_eq!(o.code, Some(2), "{p} {args:?}: {o:?}");
            assert_eq!(o.stdout, "", "{p} {args:?}");
            assert!(o.stderr.starts_with(&format!("{p}: ")), "{p} {args:?}: {}", o.stderr);
            assert_eq!(o.stderr.lines().count(), 1, "{p} {args:?}: {}", o.stderr);
            assert!(o.stderr.ends_with("--help')\n"), "{p} {args:?}: {}", o.stderr);
        }
    }
    for p in demos() {
        let long = "x".repeat(257);
        for args in [&["-m"][..], &["-m", &long], &["-w", "1"], &["word"]] {
            let o = run(p, args);
            assert_eq!(o.code, Some(2), "{p} {args:?}: {o:?}");
            assert_eq!(o.stderr.lines().count(), 1, "{p} {args:?}: {}", o.stderr);
        }
    }
}

#[test]
fn help_and_version_go_to_stdout_and_exit_0() {
    for p in all_programs() {
        let o = run(p, &["--help"]);
        assert_eq!(o.code, Some(0), "{p}");
        assert!(o.stdout.contains(&format!("Usage: {p} ")), "{p}: {}", o.stdout);
        assert_eq!(run(p, &["-h"]).stdout, o.stdout);
        let v = run(p, &["-V"]);
        assert_eq!(v.stdout, format!("{p} {}\n", env!("CARGO_PKG_VERSION")));
        assert_eq!(v.code, Some(0));
    }
}

#[test]
fn single_process_demos_echo_their_message() {
    let o = run("pipe-single", &[]);
    assert_eq!(o.stdout, "wrote 20 bytes into the pipe\nread back: hello through a pipe\n");
    let o = run("pipe-single", &["-m", "π over a pipe"]);
    assert_eq!(o.stdout, "wrote 14 bytes into the pipe\nread back: π over a pipe\n");
    let o = run("pipe-single", &["--message="]);
    assert_eq!(o.stdout, "wrote 0 bytes into the pipe\nread back: \n");

    let o = run("socketpair-single", &[]);
    assert_eq!(o.stdout, "a -> b: hello from end a\nb -> a: b got it: hello from end a\n");
    let max = "y".repeat(256);
    let o = run("socketpair-single", &["-m", &max]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stdout, format!("a -> b: {max}\nb -> a: b got it: {max}\n"));
}

#[test]
fn a_worker_killed_before_sending_on_a_queue_is_named_not_waited_for() {
    if !strace_works() {
        skip("strace cannot trace here");
        return;
    }
    // Only workers make the send call: strace kills each worker right there, and a queue
    // gives no end of file, so only the parent's watchdog can notice.
    for (p, send) in [("pi-posix-mq", "mq_timedsend"), ("pi-sysv-msg", "msgsnd")] {
        let mut cmd = std::process::Command::new("strace");
        cmd.args(["-f", "-qq", "-o", "/dev/null", "-e", &format!("trace={send}")]);
        cmd.args(["-e", &format!("inject={send}:signal=SIGKILL:when=1")]);
        cmd.arg(bin(p)).args(["-w", "3", "-n", "3000"]);
        let o = run_cmd(cmd, std::time::Duration::from_secs(30));
        assert_eq!(o.code, Some(1), "{p}: {o:?}");
        assert!(o.stderr.starts_with(&format!("{p}: worker ")), "{p}: {}", o.stderr);
        assert!(o.stderr.ends_with("was killed by signal 9 (SIGKILL)\n"), "{p}: {}", o.stderr);
        assert!(o.elapsed < std::time::Duration::from_secs(5), "{p} took {:?}", o.elapsed);
    }
}

/// Every pi program has a manifest (programs/src/bin/PROGRAM.toml) with every fact the
/// tests and scripts read, and every manifest a program (scripts/manifest.py --check);
/// the parent's blocking call parses as the fault matrix reads it.
#[test]
fn every_program_has_a_manifest_and_every_manifest_a_program() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let o = std::process::Command::new(root.join("scripts/manifest.py"))
        .arg("--check")
        .output()
        .expect("run scripts/manifest.py");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for p in pi_programs() {
        let (call, when) = blocking(p);
        assert!(!call.is_empty() && when >= 1, "{p}: blocking = [{call:?}, {when}]");
    }
}

/// Each program declares its advice in its own file (`static HINTS: &str = "\ … ";`, lines
/// of `CALL ERRNO text`): every line parses, and names an errno whose name the program's
/// binary carries (the set its `program!` registers), or errno 0 (any errno of that call).
#[test]
fn every_programs_hints_parse_and_name_errnos_it_carries() {
    use bareipc::errno::{self, Errno, Extra};
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut tables = 0;
    for p in all_programs() {
        let dir = root.join("programs/src/bin");
        let path = [dir.join(format!("{p}.rs")), dir.join(p).join("main.rs")]
            .into_iter()
            .find(|f| f.exists())
            .unwrap_or_else(|| panic!("{p}: no source file"));
        let src = std::fs::read_to_string(&path).unwrap();
        let names: Extra = match src.split("errnos: bareipc::errno::").nth(1) {
            None => errno::NONE,
            Some(rest) => match rest.split(')').next().unwrap() {
                "QUEUES" => errno::QUEUES,
                "SOCKETS" => errno::SOCKETS,
                "UDP" => errno::UDP,
                "UNIX_SOCKETS" => errno::UNIX_SOCKETS,
                "PROCESSES" => errno::PROCESSES,
                "FD_PASSING" => errno::FD_PASSING,
                "FILES" => errno::FILES,
                "TOOL" => errno::TOOL,
                other => panic!("{p}: errnos {other}: add it to this test"),
            },
        };
        let Some(table) = src.split("static HINTS: &str = \"\\\n").nth(1) else {
            // No advice of its own: a pi program hands pi_main the empty table (the demos
            // have only the common advice).
            let pi = p.starts_with("pi-");
            assert!(
                !pi || src.contains("hints: &\"\""),
                "{p}: no `static HINTS`, no `hints: &\"\"`"
            );
            continue;
        };
        tables += 1;
        let table = table.split("\";\n").next().unwrap();
        assert!(!table.is_empty(), "{p}: empty HINTS");
        for line in table.lines() {
            let mut f = line.splitn(3, ' ');
            let (call, code, text) = (f.next(), f.next(), f.next());
            assert!(call.is_some_and(|c| !c.is_empty()), "{p}: {line:?}");
            assert!(text.is_some_and(|t| !t.trim().is_empty()), "{p}: no advice in {line:?}");
            let code: i32 = code
                .and_then(|c| c.parse().ok())
                .unwrap_or_else(|| panic!("{p}: {line:?}: the second field is no errno number"));
            let errno = Errno::from_raw(code);
            assert!(
                code == 0 || names.names(errno),
                "{p}: {line:?}: the binary does not carry errno {code}'s name (program!'s errnos)"
            );
        }
    }
    assert!(tables >= 12, "only {tables} programs have advice of their own: parsing broke?");
}

/// results/reach.tsv (scripts/reach.py) holds exactly one cell for every mechanism and
/// every boundary, in its format: the table docs/reach.md shows and make test's container
/// suite measures again.
#[test]
fn the_reach_matrix_has_every_cell_once() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let table = std::fs::read_to_string(root.join("results/reach.tsv")).expect("results/reach.tsv");
    let mut lines = table.lines();
    assert_eq!(lines.next(), Some("mechanism\tboundary\toutcome\thow"));
    const BOUNDARIES: [&str; 12] = [
        "fork",
        "same-uid",
        "other-uid",
        "other-ipc-ns",
        "other-net-ns",
        "shared-dir",
        "podman-pod",
        "ipc-container",
        "ipc-private",
        "net-container",
        "pid-container",
        "volume",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "{line:?}");
        assert!(pi_programs().any(|p| p == format!("pi-{}", f[0])), "{line:?}: no such mechanism");
        assert!(BOUNDARIES.contains(&f[1]), "{line:?}: no such boundary");
        assert!(["works", "refused", "n/a"].contains(&f[2]), "{line:?}: outcome");
        assert!(seen.insert((f[0].to_string(), f[1].to_string())), "{line:?}: twice");
    }
    assert_eq!(seen.len(), pi_programs().count() * BOUNDARIES.len(), "cells missing");
}
