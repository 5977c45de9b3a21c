/* C twin of pi-signal: the parent blocks SIGRTMIN+1 (35 with glibc); each worker queues
 * it to the parent with its partial sum's bits as the value; the parent takes W with
 * sigwaitinfo, the sender's pid naming the worker. */
#include "common.h"
#include <signal.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    int sig = SIGRTMIN + 1;
    sigset_t set, blocked;
    sigemptyset(&set);
    sigaddset(&set, sig);
    /* SIGCHLD blocked too: under strace it is delivered and cuts sigwaitinfo short. */
    blocked = set;
    sigaddset(&blocked, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &blocked, NULL) < 0) die("sigprocmask");
    pid_t parent = getpid(), pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            double sum = series(slice_at(i), slice_at(i + 1));
            union sigval v;
            memcpy(&v.sival_ptr, &sum, sizeof sum);
            while (sigqueue(parent, sig, v) < 0)
                if (errno != EAGAIN) _exit(1);
            _exit(0);
        }
    }
    for (long got = 0; got < workers;) {
        siginfo_t info;
        int taken = sigwaitinfo(&set, &info);
        if (taken < 0 && errno == EINTR) continue;
        if (taken != sig) die("sigwaitinfo");
        for (long i = 0; i < workers; i++)
            if (pids[i] == info.si_pid) {
                memcpy(&sums[i], &info.si_value.sival_ptr, sizeof sums[i]);
                got++;
            }
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
