//! Workers that die, fail or lie: each is named and the run stops.

use super::*;

#[test]
fn a_worker_that_dies_or_lies_is_named_and_the_run_stops() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "worker 1 SIGKILLed while it computes",
            signal(Some(1), "KILL"),
            LONG,
            want(1, "worker 1 was killed by signal 9 (SIGKILL)"),
        ));
        cases.push(case(
            p,
            "worker 2 gets SIGTERM",
            signal(Some(2), "TERM"),
            LONG,
            want(1, "worker 2 was killed by signal 15 (SIGTERM)"),
        ));
    }
    // The call, and what it returns on success (a lost message is a success returned).
    for (p, call, ok) in [
        ("pi-posix-mq", "mq_timedsend", 0),
        ("pi-sysv-msg", "msgsnd", 0),
        ("pi-unix-dgram", "sendto", 24),
        ("pi-signal", "rt_sigqueueinfo", 0),
    ] {
        let kill: &'static str =
            Box::leak(format!("{call}:signal=SIGKILL:when=1").into_boxed_str());
        cases.push(case(
            p,
            &format!("every worker SIGKILLed at its send ({call})"),
            How::Inject(kill),
            SHORT,
            want(1, "worker # was killed by signal 9 (SIGKILL)"),
        ));
        let lose: &'static str = Box::leak(format!("{call}:retval={ok}:when=1").into_boxed_str());
        cases.push(case(
            p,
            &format!("every worker's message lost ({call} skipped, success returned)"),
            How::Inject(lose),
            SHORT,
            want(1, "worker 0: sent no result"),
        ));
    }
    // A write that claims 8 bytes and writes none: the worker sends the rest only, which
    // is no result. (The parent's own first write, its report, loses its first 8 bytes.)
    cases.push(case(
        "pi-pipe",
        "every write returns 8 and writes nothing (workers send 16 of 24 bytes; the report loses 8)",
        How::Inject("write:retval=8:when=1"),
        SHORT,
        want(1, "worker 0: malformed result message"),
    ));
    // FIFO: a write is whole or EAGAIN (at most PIPE_BUF bytes); one that claims part of
    // the message is reported, and writes that claim success and write nothing leave the
    // results missing. (The parent's own first write, its report, is injected the same
    // way and loses its first 16 bytes: `pi-fifo: worker `.)
    cases.push(case(
        "pi-fifo",
        "every worker's write claims 8 of 24 bytes (a FIFO never does)",
        How::Inject("write:retval=8:when=1"),
        SHORT,
        want(1, "worker #: write: EIO (Input/output error)"),
    ));
    cases.push(case(
        "pi-fifo",
        "every write returns 24 and writes nothing (the report loses its first 24 bytes)",
        How::Inject("write:retval=24:when=1"),
        SHORT,
        want(1, "no result"),
    ));
    // Unix seqpacket: the parent answers a worker's connection before it reads it; a read
    // that finds the connection closed with no message (injected: the parent's first
    // receive returns 0) ends the run naming a worker: the one whose result is then missing
    // or whose connection, closed under it, failed its send or its wait for the answer.
    // Sends refused (EPIPE injected, the parent's answers too: those it ignores) name one.
    cases.push(case(
        "pi-unix",
        "the parent's first receive returns 0 (a connection closed with no message)",
        How::Inject("recvfrom:retval=0:when=1"),
        SHORT,
        want(1, "worker #: "),
    ));
    cases.push(case(
        "pi-unix",
        "every send refused (EPIPE injected)",
        How::Inject("sendto:error=EPIPE:when=1"),
        SHORT,
        want(1, "worker #: sendto: EPIPE (Broken pipe)"),
    ));
    // futex: wakes that wake nobody and waits that return at once (spurious wake-ups, as
    // futex(2) allows) cost at most a tick, never a hang or a wrong answer; a refused
    // wait is one line.
    cases.push(case(
        "pi-futex",
        "every futex call returns 0 and does nothing (lost wakes, spurious wake-ups)",
        How::Inject("futex:retval=0:when=1+"),
        "",
        success(),
    ));
    cases.push(case(
        "pi-futex",
        "the parent's first wait refused (ENOSYS injected)",
        How::Inject("futex:error=ENOSYS:when=1"),
        LONG,
        want(1, "futex: ENOSYS (Function not implemented)"),
    ));
    // memfd: an unsealed memfd is never mapped (F_ADD_SEALS skipped: the parent's own map
    // checks the seal and refuses), and a message that carries no descriptor is an error,
    // not a mapping of whatever descriptor number happens to be there.
    cases.push(case(
        "pi-memfd",
        "the seal is skipped (F_ADD_SEALS returns 0 and seals nothing)",
        How::Inject("fcntl:retval=0:when=1"),
        SHORT,
        want(1, "mmap: EPERM (Operation not permitted)"),
    ));
    cases.push(case(
        "pi-memfd",
        "every worker's message comes without a descriptor (recvmsg returns 1 byte)",
        How::Inject("recvmsg:retval=1:when=1"),
        SHORT,
        want(1, "worker #: recvmsg: EIO (Input/output error)"),
    ));
    // A mapped file: a pread that returns less than the file holds (an error, not a guess
    // at the missing slots).
    cases.push(case(
        "pi-mmap-file",
        "the read-back returns 8 bytes (pread)",
        How::Inject("pread64:retval=8:when=1"),
        SHORT,
        want(1, "pread: EIO (Input/output error)"),
    ));
    // process_vm_readv refused (as Yama's ptrace_scope 2, or a seccomp profile, would):
    // one line naming what refuses, the stopped workers killed and reaped; and a worker
    // stopped by someone else before its result is written is continued, not read.
    cases.push(case(
        "pi-process-vm",
        "reading a worker's memory refused (EPERM injected)",
        How::Inject("process_vm_readv:error=EPERM:when=1"),
        SHORT,
        want(1, "process_vm_readv: EPERM (Operation not permitted): reading a worker's memory is refused here"),
    ));
    cases.push(case(
        "pi-process-vm",
        "reading a worker's memory refused by a seccomp profile (ENOSYS injected)",
        How::Inject("process_vm_readv:error=ENOSYS:when=1"),
        SHORT,
        want(
            1,
            "process_vm_readv: ENOSYS (Function not implemented): process_vm_readv is not available here",
        ),
    ));
    // System V semaphore with SEM_UNDO: every worker is SIGKILLed at its unlock, that is
    // while it holds the lock, and the parent is held 2 s after its 4th fork so that it
    // stops nobody meanwhile (strace injects only into calls it traces: hence `fork` in
    // the trace set). The kernel undoes each dead holder's lock, so every one of
    // the 4 workers takes it in turn — the shell counts the takes that returned 0 in
    // strace's log and turns a wrong count into status 100 + takes (a POSIX semaphore
    // would stop at 1: its dead holder keeps it) — and the parent names a dead worker.
    cases.push(case(
        "pi-sysv-shm-sem",
        "every worker SIGKILLed holding the lock; each next one still takes it (SEM_UNDO)",
        How::Shell(
            "strace -ff -qq -o $W/log -e trace=semtimedop,fork \
             -e inject=semtimedop:signal=SIGKILL:when=2 -e inject=fork:delay_exit=2000000:when=4 \
             $BIN $ARGS >$OUT 2>$ERR; st=$?
             takes=$(cat $W/log.* | grep -c 'sem_op=1, sem_flg=SEM_UNDO}], 2, .*) = 0$')
             [ \"$takes\" = 4 ] || st=$((100 + takes))"
                .into(),
        ),
        SHORT,
        want(1, "worker # was killed by signal 9 (SIGKILL)"),
    ));
    cases.push(case(
        "pi-sysv-shm-sem",
        "the semaphore set removed under the workers (EIDRM injected at their lock)",
        How::Inject("semtimedop:error=EIDRM:when=1"),
        SHORT,
        want(1, "semtimedop: EIDRM (Identifier removed): the semaphore set was removed while the run used it"),
    ));
    // eventfd: a worker's add that the kernel would refuse (the counter full: EAGAIN on a
    // non-blocking eventfd), and adds that claim success and add nothing (the counter is
    // still zero when the parent reads it; its report, its own first write, loses 8 bytes).
    cases.push(case(
        "pi-eventfd",
        "every worker's add refused (EAGAIN injected: the counter full)",
        How::Inject("write:error=EAGAIN:when=1"),
        SHORT,
        want(1, "write: EAGAIN (Resource temporarily unavailable): the eventfd counter would pass its limit"),
    ));
    cases.push(case(
        "pi-eventfd",
        "every worker's add lost (write returns 8, adds nothing)",
        How::Inject("write:retval=8:when=1"),
        SHORT,
        want(1, "read: EAGAIN (Resource temporarily unavailable): no worker's result reached the counter"),
    ));
    run_matrix("worker-faults", &cases);
}
