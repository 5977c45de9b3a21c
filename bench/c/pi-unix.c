/* C twin of pi-unix: the parent makes a private directory in TMPDIR (else /tmp), binds a
 * listening AF_UNIX SOCK_SEQPACKET socket there and forks; each worker connects to the
 * path and sends its result as one message; the parent accepts W connections, receives
 * one message on each, and removes the socket's file and the directory. */
#define _GNU_SOURCE /* accept4 */
#include "common.h"
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/bareipc-unix-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) die("mkdtemp");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (snprintf(addr.sun_path, sizeof addr.sun_path, "%s/socket", dir) >= (int)sizeof addr.sun_path)
        die("socket path too long");
    int listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (listener < 0) die("socket");
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 512) < 0) die("listen");
    pid_t pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct partial p = { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) };
            int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            int ok = s >= 0 && connect(s, (struct sockaddr *)&addr, sizeof addr) == 0 &&
                     send(s, &p, sizeof p, 0) == sizeof p;
            _exit(ok ? 0 : 1);
        }
    }
    for (long i = 0; i < workers; i++) {
        struct partial p;
        int s = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (s < 0) die("accept4");
        if (recv(s, &p, sizeof p, 0) != sizeof p || p.magic != MAGIC || p.index >= workers) die("recv");
        sums[p.index] = p.sum;
    }
    unlink(addr.sun_path);
    rmdir(dir);
    reap_all(pids);
    print_pi(sums);
    return 0;
}
