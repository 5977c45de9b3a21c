//! Under qemu-user, where there are no robust futex lists.

use super::*;

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
