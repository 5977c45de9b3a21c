/* C twin of pi-unix-dgram: the parent binds an AF_UNIX datagram socket to an abstract
 * name; each worker sends its result to that name from a socket of its own. */
#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int len = snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "bareipc-dgram-%d", (int)getpid());
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
    int rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (rx < 0) die("socket");
    if (bind(rx, (struct sockaddr *)&addr, alen) < 0) die("bind");
    pid_t pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct partial p = { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) };
            int tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            _exit(tx >= 0 && sendto(tx, &p, sizeof p, 0, (struct sockaddr *)&addr, alen) == sizeof p ? 0 : 1);
        }
    }
    for (long i = 0; i < workers; i++) {
        struct partial p;
        if (recv(rx, &p, sizeof p, 0) != sizeof p || p.magic != MAGIC || p.index >= workers) die("recv");
        sums[p.index] = p.sum;
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
