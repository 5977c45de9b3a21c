/* C twin of pi-process-vm: each worker leaves its sum in a static of its own and stops
 * itself (SIGSTOP); the parent, woken by waitid(WSTOPPED), reads the sum out of the
 * worker's memory with process_vm_readv, then continues it (SIGCONT) so that it exits. */
#define _GNU_SOURCE /* process_vm_readv */
#include "common.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/uio.h>

static volatile double result;

int main(int argc, char **argv)
{
    parse(argc, argv);
    pid_t pids[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            result = series(slice_at(i), slice_at(i + 1));
            raise(SIGSTOP);
            _exit(0);
        }
    }
    double sums[512];
    for (long got = 0; got < workers; got++) {
        siginfo_t info;
        if (waitid(P_ALL, 0, &info, WSTOPPED) < 0) die("waitid");
        long i = 0;
        while (i < workers && pids[i] != info.si_pid) i++;
        if (i == workers) die("waitid: not a worker");
        struct iovec local = { &sums[i], sizeof sums[i] };
        struct iovec remote = { (void *)&result, sizeof result };
        if (process_vm_readv(info.si_pid, &local, 1, &remote, 1, 0) != sizeof sums[i]) die("process_vm_readv");
        kill(info.si_pid, SIGCONT);
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
