//! Limits: each ends in one line naming the limit that was hit.

use super::*;

#[test]
fn limits_end_in_one_line_naming_the_limit() {
    let nobody = NOBODY;
    let loner = loner();
    let shell = |line: String| How::Shell(format!("{line} >$OUT 2>$ERR; st=$?"));
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "fork fails (RLIMIT_NPROC 3, as a uid of its own) after 2 workers started",
            // Not nobody: the count is per user, and nobody's moves with the hostile cases.
            shell(format!("prlimit --nproc=3 -- {loner} $BIN $ARGS")),
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
        "mount -o remount,bind,ro /dev/shm",
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
        // As a uid of its own: the count is per user, and root's (or nobody's) moves with
        // every other test that runs meanwhile (a second of other tests' signals failed
        // this case once).
        shell(format!(
            "BIN=$BIN ARGS=$ARGS {loner} sh -c 'q=$(grep ^SigQ /proc/self/status | cut -f2 | cut -d/ -f1); \
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
            "mount -o remount,bind,ro /dev/shm",
            "$BIN $ARGS".into(),
            want(1, made("EROFS (Read-only file system)")),
        ));
        cases.push(dir(
            "TMPDIR not writable for the user (nobody, TMPDIR=/)",
            "export TMPDIR=/",
            format!("{AS_USER} $BIN $ARGS"),
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
        (
            "TMPDIR read-only",
            "mount -o remount,bind,ro /dev/shm",
            "",
            "EROFS (Read-only file system)",
        ),
        (
            "TMPDIR not writable for the user (nobody, TMPDIR=/)",
            "export TMPDIR=/",
            AS_USER,
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
        setup: "echo 128 > /proc/sys/net/core/somaxconn".into(),
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
