/* The kernel's floor for one worker: fork a child that exits at once, W times, then reap
 * them all, as the pi programs do but with no work and no message. Built by
 * scripts/bench.py (gcc -O2 -static); run with -w W -n N like the pi programs (N unused). */
#include "common.h"
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    pid_t pids[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) syscall(SYS_exit_group, 0);
    }
    reap_all(pids);
    return 0;
}
