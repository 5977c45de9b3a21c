/* C twin of pi-udp: the parent binds a UDP socket to 127.0.0.1 and an ephemeral port;
 * each worker connects a socket of its own to it, sends its result and waits for a
 * one-byte receipt, sending again after 100 ms without one (UDP drops what does not fit). */
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof addr;
    int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (rx < 0) die("socket");
    if (bind(rx, (struct sockaddr *)&addr, alen) < 0) die("bind");
    if (getsockname(rx, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");
    pid_t pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct partial p = { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) };
            int tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            struct timeval tv = { 0, 100000 };
            if (tx < 0 || connect(tx, (struct sockaddr *)&addr, alen) < 0 ||
                setsockopt(tx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
                _exit(1);
            char receipt;
            for (int t = 0; t < 64; t++) {
                if (send(tx, &p, sizeof p, 0) != sizeof p) _exit(1);
                if (recv(tx, &receipt, 1, 0) == 1) _exit(0);
            }
            _exit(1);
        }
    }
    char seen[512] = { 0 };
    for (long got = 0; got < workers;) {
        struct partial p;
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        if (recvfrom(rx, &p, sizeof p, 0, (struct sockaddr *)&from, &flen) != sizeof p ||
            p.magic != MAGIC || p.index >= workers)
            die("recvfrom");
        sendto(rx, "", 1, 0, (struct sockaddr *)&from, flen);
        if (!seen[p.index]) {
            seen[p.index] = 1;
            sums[p.index] = p.sum;
            got++;
        }
    }
    reap_all(pids);
    print_pi(sums);
    return 0;
}
