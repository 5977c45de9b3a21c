//! Hostile names, queues and peers: other processes of the host, of the same uid or
//! of another, refused or left alone, never hanging a run.

use super::*;

/// Runs the program with a name it can be made to choose: strace makes `getpid` return 7
/// and the name's `getrandom` (the second: the first draws the run's key) leave its
/// buffer zeroed, so the object is `bareipc-TAG-7-` and sixteen zeros. (The lifeline then
/// holds a wrong pid; these runs never kill the parent.)
const PREDICTABLE: &str = "strace -f -qq -o /dev/null -e inject=getpid:retval=7 \
                           -e inject=getrandom:retval=8:when=2 $BIN $ARGS >$OUT 2>$ERR; st=$?";
/// The same for programs whose objects carry only the pid (System V keys).
const PID_7: &str =
    "strace -f -qq -o /dev/null -e inject=getpid:retval=7 $BIN $ARGS >$OUT 2>$ERR; st=$?";
const MQ_NAME: &str = "/dev/mqueue/bareipc-mq-7-0000000000000000";

/// A shell line creating a System V queue with `key` and `mode`, holding one foreign
/// message (python's ctypes calls glibc's msgget and msgsnd).
fn sysv_queue(key: u32, mode: u32) -> String {
    format!(
        "python3 -c 'import ctypes; c = ctypes.CDLL(None); \
         q = c.msgget(ctypes.c_int({key} - (1 << 32) if {key} >= 1 << 31 else {key}), 0o1000 | {mode}); \
         m = ctypes.create_string_buffer(b\"\\x01\\0\\0\\0\\0\\0\\0\\0foreign!\"); \
         assert q >= 0 and c.msgsnd(q, m, 8, 0) == 0'"
    )
}

/// A shell line creating a System V semaphore set of one with `key` and `mode` (glibc's
/// semget through python's ctypes).
fn sysv_sem(key: u32, mode: u32) -> String {
    format!(
        "python3 -c 'import ctypes; c = ctypes.CDLL(None); \
         assert c.semget(ctypes.c_int({key} - (1 << 32) if {key} >= 1 << 31 else {key}), 1, 0o1000 | {mode}) >= 0'"
    )
}

#[test]
fn hostile_names_and_queues_are_refused_or_left_alone() {
    // pi-shm-sem's memory and semaphore have no name (O_TMPFILE): whatever anyone plants
    // in /dev/shm — files, symlinks, directories, FIFOs, half-made semaphores — nothing
    // collides with them, and no name of theirs can be planted first.
    let mut cases = vec![Case {
        setup: "cd /dev/shm; touch bareipc-pi-1 sem.bareipc-pi-1; ln -s /tmp/elsewhere x; \
                mkdir d; mkfifo f; head -c 8 /dev/zero > sem.half; cd /"
            .into(),
        ..case(
            "pi-shm-sem",
            "files, a symlink, a directory, a FIFO and a truncated semaphore planted in /dev/shm",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            success(),
        )
    }];
    cases.push(Case {
        setup: format!("touch {MQ_NAME}"),
        ..case(
            "pi-posix-mq",
            "a queue at the queue's name",
            How::Shell(PREDICTABLE.into()),
            "",
            want(1, "mq_open: EEXIST (File exists): a queue of that name exists already"),
        )
    });
    // An abstract AF_UNIX name held by another socket of the network namespace: only a
    // name one can guess (64 random bits; here made predictable) can be taken first.
    cases.push(Case {
        setup: "python3 -c 'import socket, time; s = socket.socket(socket.AF_UNIX, \
                socket.SOCK_DGRAM); s.bind(\"\\0bareipc-dgram-7-0000000000000000\"); time.sleep(60)' & sq=$!
                for i in $(seq 400); do grep -q @bareipc-dgram-7-0 /proc/net/unix && break; \
                sleep 0.05; done"
            .into(),
        ..case(
            "pi-unix-dgram",
            "its abstract name held by another socket",
            How::Shell(format!("{PREDICTABLE}; kill $sq; wait $sq")),
            "",
            want(1, "bind: EADDRINUSE (Address already in use): another socket of this network namespace holds the name"),
        )
    });
    // A real-time signal 35 from a process that is no worker (kill sends it with the
    // sender's pid): no result, refused; the run goes on to its own digits.
    cases.push(case(
        "pi-signal",
        "signal 35 from a process that is no worker, during the run",
        How::Shell(
            "$BIN -w 2 -n 1000000000 >$OUT 2>$ERR & p=$!; sleep 0.2; kill -s 35 $p; \
             wait $p; st=$?"
                .into(),
        ),
        "",
        Want { stdout: "3.14159265327\n", ..success() },
    ));
    // System V: this run's key taken by a queue holding a foreign message (the run falls
    // back to a private queue and leaves the other alone); a dead run's queue (removed);
    // queues that only look alike (other mode, other key: kept).
    cases.push(Case {
        setup: sysv_queue(0xB100_0007, 0o644),
        ..case(
            "pi-sysv-msg",
            "its key taken by a queue with a foreign message",
            How::Shell(PID_7.into()),
            "",
            success(),
        )
    });
    cases.push(Case {
        setup: [
            sysv_queue(0xB100_0000 | 99_999, 0o600),
            sysv_queue(0xB100_0000 | 99_998, 0o644),
            sysv_queue(0x1234_5678, 0o600),
        ]
        .join("; "),
        ..case(
            "pi-sysv-msg",
            "a dead run's queue, and two that only look alike",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            Want { sysv_removed: 1, ..success() },
        )
    });
    // The same for System V semaphore sets: a dead run's set is removed, one of another
    // mode kept; this run's key taken by another set (mode 0644: not a dead run's), so
    // the run makes a private set instead.
    cases.push(Case {
        setup: [sysv_sem(0xB100_0000 | 99_999, 0o600), sysv_sem(0xB100_0000 | 99_998, 0o644)]
            .join("; "),
        ..case(
            "pi-sysv-shm-sem",
            "a dead run's semaphore set, and one that only looks alike",
            How::Shell("$BIN $ARGS >$OUT 2>$ERR; st=$?".into()),
            "",
            Want { sysv_removed: 1, ..success() },
        )
    });
    cases.push(Case {
        setup: sysv_sem(0xB100_0007, 0o644),
        ..case(
            "pi-sysv-shm-sem",
            "its key taken by another semaphore set",
            How::Shell(PID_7.into()),
            "",
            success(),
        )
    });
    run_matrix("hostile-names", &cases);
}

/// A run attacked by `tests/forge.py KIND` while it works: the program runs 2 workers over
/// 10^9 terms, long enough for the forger to find its endpoint and play. `Who` says as
/// whom each runs. A forger that found nothing to attack fails the case (status 100+).
fn forged(kind: &str, program: Who, forger: Who) -> How {
    let who = |w: Who| match w {
        Who::Tests => "",
        Who::User => AS_USER,
        Who::Nobody => NOBODY,
    };
    How::Shell(format!(
        "{p} $BIN -w 2 -n 1000000000 >$OUT 2>$ERR & p=$!
         py=/usr/bin/python3; [ -x $py ] || py=python3  # nobody may not reach root's own
         {f} $py $FORGE {kind} $p 2 >$W/forge 2>&1; f=$?
         wait $p; st=$?; [ $f = 0 ] || {{ cat $W/forge >>$ERR; st=$((100 + f)); }}",
        p = who(program),
        f = who(forger),
    ))
}

/// As whom a command of a forgery case runs.
#[derive(Clone, Copy)]
enum Who {
    /// The tests' user (root, whom no permission stops, when the tests run as root).
    Tests,
    /// A user without privileges ([`AS_USER`]): with the same `User` on both sides, the
    /// same user.
    User,
    /// nobody, another user than the tests' ([`NOBODY`]: root only).
    Nobody,
}

/// The digits of 2 workers over 10^9 terms: what a run that refused every forgery prints.
fn own_digits() -> Want {
    Want { stdout: "3.14159265327\n", ..success() }
}

/// Other processes of the host play against runs in progress (tests/forge.py): forged
/// results through every endpoint another process can reach, connections that never
/// speak, a write into shared memory, a look at the parent's descriptors. Each run prints
/// its own workers' digits or refuses to print any; none hangs.
#[test]
fn hostile_peers_are_refused_and_never_hang_a_run() {
    let cases = vec![
        case(
            "pi-tcp",
            "another user connects to its port: a silent connection, a closed one, forged results",
            forged("tcp", Who::Tests, Who::Nobody),
            "",
            own_digits(),
        ),
        case(
            "pi-unix-dgram",
            "another user sends forged results to its abstract name",
            forged("dgram", Who::Tests, Who::Nobody),
            "",
            own_digits(),
        ),
        case(
            "pi-udp",
            "another user sends forged results to its UDP port",
            forged("udp", Who::Tests, Who::Nobody),
            "",
            own_digits(),
        ),
        // A flood keeps the parent's receive from ever waiting, so the tick never
        // interrupts it: the death of a worker must be seen anyway, in time.
        case(
            "pi-udp",
            "the same user floods its UDP port with junk and kills a worker",
            forged("flood-udp", Who::User, Who::User),
            "",
            want(1, "was killed by signal 9 (SIGKILL)"),
        ),
        case(
            "pi-unix-dgram",
            "the same user floods its abstract name with junk and kills a worker",
            forged("flood-dgram", Who::User, Who::User),
            "",
            want(1, "was killed by signal 9 (SIGKILL)"),
        ),
        case(
            "pi-signal",
            "the same user queues signals 35 and 36 with a worker's pid and forged values",
            forged("signal", Who::User, Who::User),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-msg",
            "the same user sends forged results to its queue",
            forged("msg", Who::User, Who::User),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-msg",
            "root sends forged results to its queue",
            forged("msg", Who::Tests, Who::Tests),
            "",
            own_digits(),
        ),
        case(
            "pi-fifo",
            "the same user writes forged results into its FIFO",
            forged("fifo", Who::User, Who::User),
            "",
            own_digits(),
        ),
        // Workers that find their queue full wait for room (a poll, a blocking msgsnd
        // that their own tick interrupts), and send once the parent drains the junk.
        case(
            "pi-fifo",
            "the same user stops the parent and fills its FIFO with junk for 1 s",
            forged("fill-fifo", Who::User, Who::User),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-msg",
            "the same user stops the parent and fills its queue with junk for 1 s",
            forged("fill-msg", Who::User, Who::User),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-msg",
            "the same user fills its queue, then lowers its byte limit below one message",
            forged("shrink-msg", Who::User, Who::User),
            "",
            want(1, "the queue cannot hold one message"),
        ),
        case(
            "pi-unix",
            "the same user connects to its socket file and sends a sum",
            forged("unix", Who::User, Who::User),
            "",
            own_digits(),
        ),
        case(
            "pi-sysv-shm-sem",
            "the same user attaches its segment and overwrites the sum",
            forged("shm", Who::User, Who::User),
            "",
            want(1, "another process wrote the shared sum: it is not the workers'"),
        ),
        case(
            "pi-pipe",
            "the same user opens the parent's descriptors through /proc/PID/fd",
            forged("procfd", Who::User, Who::User),
            "",
            own_digits(),
        ),
        // Workers that stopped themselves with their result, continued by someone else
        // while the parent cannot read them (it is stopped too): each stops again, and
        // the run prints its digits, blaming no worker.
        case(
            "pi-process-vm",
            "another process continues the stopped workers (SIGCONT) before the parent reads them",
            How::Shell(
                "$BIN -w 4 -n 400000000 >$OUT 2>$ERR & p=$!
                 kids=(); for i in $(seq 1000); do
                   kids=($(cat /proc/$p/task/$p/children 2>/dev/null))
                   [ ${#kids[@]} -ge 4 ] && break; sleep 0.005; done
                 kill -STOP $p
                 for i in $(seq 1000); do
                   n=0; for k in ${kids[@]}; do
                     read -r _ _ state _ < /proc/$k/stat; [ \"$state\" = T ] && n=$((n + 1)); done
                   [ $n = 4 ] && break; sleep 0.01; done
                 kill -CONT ${kids[@]}; sleep 0.2; kill -CONT $p; wait $p; st=$?"
                    .into(),
            ),
            "",
            Want { stdout: "3.14159265279\n", ..success() },
        ),
    ];
    run_matrix("hostile-peers", &cases);
}
