/* C twin of pi-sysv-msg: one private SysV queue, removed at the end. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg { long mtype; struct partial p; };

int main(int argc, char **argv)
{
    parse(argc, argv);
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (q < 0) die("msgget");
    pid_t pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct msg m = { i + 1, { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) } };
            _exit(msgsnd(q, &m, sizeof m.p, 0) ? 1 : 0);
        }
    }
    for (long i = 0; i < workers; i++) {
        struct msg m;
        if (msgrcv(q, &m, sizeof m.p, 0, 0) != sizeof m.p || m.p.magic != MAGIC || m.p.index >= workers) die("msgrcv");
        sums[m.p.index] = m.p.sum;
    }
    reap_all(pids);
    msgctl(q, IPC_RMID, NULL);
    print_pi(sums);
    return 0;
}
