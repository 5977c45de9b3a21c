/* C twin of pi-tcp: a listener on 127.0.0.1 at an ephemeral port; each worker connects
 * and writes its result; the parent accepts W connections and reads one from each. */
#define _GNU_SOURCE /* accept4 */
#include "common.h"
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof addr;
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0) die("socket");
    if (bind(ls, (struct sockaddr *)&addr, alen) < 0) die("bind");
    if (listen(ls, 512) < 0) die("listen");
    if (getsockname(ls, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");
    pid_t pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct partial p = { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) };
            int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (s < 0 || connect(s, (struct sockaddr *)&addr, alen) < 0) _exit(1);
            _exit(write(s, &p, sizeof p) == sizeof p ? 0 : 1);
        }
    }
    for (long i = 0; i < workers; i++) {
        int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) die("accept4");
        struct partial p;
        if (read(c, &p, sizeof p) != sizeof p || p.magic != MAGIC || p.index >= workers) die("read");
        sums[p.index] = p.sum;
        close(c);
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
