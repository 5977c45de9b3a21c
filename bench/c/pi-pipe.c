/* C twin of pi-pipe: one pipe per worker. */
#include "common.h"

int main(int argc, char **argv)
{
    parse(argc, argv);
    pid_t pids[512];
    int readers[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        int fds[2];
        if (pipe(fds) < 0) die("pipe");
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct partial p = { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) };
            if (write(fds[1], &p, sizeof p) != sizeof p) _exit(1);
            _exit(0);
        }
        close(fds[1]);
        readers[i] = fds[0];
    }
    for (long i = 0; i < workers; i++) {
        struct partial p;
        if (read(readers[i], &p, sizeof p) != sizeof p || p.magic != MAGIC || p.index != i) {
            fprintf(stderr, "worker %ld: bad message\n", i);
            return 1;
        }
        sums[i] = p.sum;
        close(readers[i]);
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
