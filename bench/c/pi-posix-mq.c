/* C twin of pi-posix-mq: one queue, created exclusively and unlinked at once. */
#include "common.h"
#include <fcntl.h>
#include <mqueue.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    char name[64];
    snprintf(name, sizeof name, "/bench-mq-%d", (int)getpid());
    struct mq_attr attr = { .mq_maxmsg = workers < 10 ? workers : 10, .mq_msgsize = sizeof(struct partial) };
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q == (mqd_t)-1) die("mq_open");
    mq_unlink(name);
    pid_t pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct partial p = { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) };
            _exit(mq_send(q, (const char *)&p, sizeof p, 0) ? 1 : 0);
        }
    }
    for (long i = 0; i < workers; i++) {
        struct partial p;
        if (mq_receive(q, (char *)&p, sizeof p, NULL) != sizeof p || p.magic != MAGIC || p.index >= workers) die("mq_receive");
        sums[p.index] = p.sum;
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
