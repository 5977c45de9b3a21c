/* C twin of pi-memfd: a socket pair, the workers forked first; then a memfd, sized,
 * sealed against shrinking and growing, mapped, and sent W times with SCM_RIGHTS; each
 * worker receives it, maps it and stores its sum in its own slot. */
#define _GNU_SOURCE /* memfd_create, F_ADD_SEALS */
#include "common.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    size_t len = 8 * (size_t)workers;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
    pid_t pids[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            double part = series(slice_at(i), slice_at(i + 1));
            char byte;
            union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } control;
            struct iovec iov = { &byte, 1 };
            struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                                  .msg_control = &control, .msg_controllen = sizeof control };
            if (recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) != 1) _exit(1);
            int fd;
            memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof fd);
            double *slots = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (slots == MAP_FAILED) _exit(1);
            slots[i] = part;
            _exit(0);
        }
    }
    int fd = memfd_create("bareipc-pi", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) die("memfd_create");
    if (ftruncate(fd, len) < 0) die("ftruncate");
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) die("fcntl");
    double *slots = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (slots == MAP_FAILED) die("mmap");
    for (long i = 0; i < workers; i++) {
        char byte = 0;
        union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } control;
        struct iovec iov = { &byte, 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                              .msg_control = &control, .msg_controllen = sizeof control };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof fd);
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
        if (sendmsg(sv[0], &msg, 0) != 1) die("sendmsg");
    }
    reap_all(pids);
    print_pi(slots);
    return 0;
}
