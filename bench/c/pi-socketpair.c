/* C twin of pi-socketpair: one AF_UNIX stream pair per worker, task down, result up. */
#include "common.h"
#include <sys/socket.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    pid_t pids[512];
    int ends[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair");
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            uint64_t task[2];
            if (read(sv[1], task, sizeof task) != sizeof task) _exit(1);
            struct partial p = { MAGIC, (uint32_t)i, series(task[0], task[1]) };
            if (write(sv[1], &p, sizeof p) != sizeof p) _exit(1);
            _exit(0);
        }
        close(sv[1]);
        uint64_t task[2] = { slice_at(i), slice_at(i + 1) };
        if (write(sv[0], task, sizeof task) != sizeof task) die("write");
        ends[i] = sv[0];
    }
    for (long i = 0; i < workers; i++) {
        struct partial p;
        if (read(ends[i], &p, sizeof p) != sizeof p || p.magic != MAGIC || p.index != i) {
            fprintf(stderr, "worker %ld: bad message\n", i);
            return 1;
        }
        sums[i] = p.sum;
        close(ends[i]);
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
