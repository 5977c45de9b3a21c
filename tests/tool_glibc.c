/* The glibc side of the bareipc tool's interop test (tests/tool.py): each subcommand is
 * one use of an IPC object the way a C program makes it, with glibc's functions.
 *
 *   mq-create NAME MAXMSG MSGSIZE | mq-send NAME PRIO TEXT | mq-recv NAME
 *   sem-create NAME VALUE | sem-post NAME | sem-wait NAME SECONDS | sem-value NAME
 *   shm-create NAME SIZE | shm-write NAME OFFSET TEXT | shm-read NAME OFFSET LENGTH
 *   msg-send KEY TYPE TEXT | msg-recv KEY TYPE | sysv-sem-op KEY NUM DELTA
 *   sysv-shm-write KEY OFFSET TEXT | sysv-shm-read KEY OFFSET LENGTH
 *   fifo-write PATH TEXT | fifo-read PATH | sigqueue PID SIGNO VALUE | sigwait SIGNO SECONDS
 *   sock-send KIND ADDR TEXT | sock-recv KIND ADDR   (KIND: stream seqpacket dgram tcp udp;
 *   ADDR: a path or @NAME for the Unix kinds, a port of 127.0.0.1 for tcp and udp)
 *   fd-serve ADDR TEXT (a memfd, once) | fd-take ADDR (prints a file's bytes, or a
 *   counter's value) — descriptors over a seqpacket socket (SCM_RIGHTS)
 *
 * KEY is hex. fifo-read prints what it read until end of file, sigwait "PID VALUE".
 * A receive prints "PRIORITY-or-TYPE TEXT"; a failure prints the call and
 * errno on stderr and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *call) {
    fprintf(stderr, "tool_glibc: %s: %s\n", call, strerror(errno));
    return 1;
}

static key_t key(const char *text) { return (key_t)strtoul(text, NULL, 16); }

/* The socket of KIND and its address ADDR; the length in *len. */
static int sock(const char *kind, const char *addr, struct sockaddr_storage *ss, socklen_t *len) {
    int inet = !strcmp(kind, "tcp") || !strcmp(kind, "udp");
    int type = !strcmp(kind, "seqpacket") ? SOCK_SEQPACKET
             : (!strcmp(kind, "dgram") || !strcmp(kind, "udp")) ? SOCK_DGRAM : SOCK_STREAM;
    memset(ss, 0, sizeof *ss);
    if (inet) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(atoi(addr));
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof *in;
    } else {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        un->sun_family = AF_UNIX;
        size_t n = strlen(addr);
        memcpy(un->sun_path, addr, n);
        if (addr[0] == '@') un->sun_path[0] = 0;
        *len = offsetof(struct sockaddr_un, sun_path) + n + (addr[0] != '@');
    }
    return socket(inet ? AF_INET : AF_UNIX, type, 0);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: tool_glibc COMMAND ARGS...\n");
        return 2;
    }
    const char *cmd = argv[1], *name = argv[2];
    if (!strcmp(cmd, "mq-create")) {
        struct mq_attr a = {.mq_maxmsg = atol(argv[3]), .mq_msgsize = atol(argv[4])};
        mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
        return q == (mqd_t)-1 ? fail("mq_open") : 0;
    }
    if (!strcmp(cmd, "mq-send")) {
        mqd_t q = mq_open(name, O_WRONLY);
        if (q == (mqd_t)-1) return fail("mq_open");
        return mq_send(q, argv[4], strlen(argv[4]), atoi(argv[3])) ? fail("mq_send") : 0;
    }
    if (!strcmp(cmd, "mq-recv")) {
        mqd_t q = mq_open(name, O_RDONLY);
        struct mq_attr a;
        if (q == (mqd_t)-1 || mq_getattr(q, &a)) return fail("mq_open");
        char *buf = malloc(a.mq_msgsize);
        unsigned prio;
        ssize_t n = mq_receive(q, buf, a.mq_msgsize, &prio);
        if (n < 0) return fail("mq_receive");
        printf("%u %.*s\n", prio, (int)n, buf);
        return 0;
    }
    if (!strcmp(cmd, "sem-create")) {
        sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, atoi(argv[3]));
        return s == SEM_FAILED ? fail("sem_open") : 0;
    }
    if (!strcmp(cmd, "sem-post") || !strcmp(cmd, "sem-wait") || !strcmp(cmd, "sem-value")) {
        sem_t *s = sem_open(name, 0);
        if (s == SEM_FAILED) return fail("sem_open");
        if (!strcmp(cmd, "sem-post")) return sem_post(s) ? fail("sem_post") : 0;
        if (!strcmp(cmd, "sem-value")) {
            int v;
            if (sem_getvalue(s, &v)) return fail("sem_getvalue");
            printf("%d\n", v);
            return 0;
        }
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_sec += atoi(argv[3]);
        return sem_timedwait(s, &t) ? fail("sem_timedwait") : 0;
    }
    if (!strcmp(cmd, "shm-create")) {
        int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
        return fd < 0 || ftruncate(fd, atol(argv[3])) ? fail("shm_open") : 0;
    }
    if (!strcmp(cmd, "shm-write") || !strcmp(cmd, "shm-read")) {
        int fd = shm_open(name, O_RDWR, 0);
        struct stat st;
        if (fd < 0 || fstat(fd, &st)) return fail("shm_open");
        char *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) return fail("mmap");
        if (!strcmp(cmd, "shm-write")) memcpy(p + atol(argv[3]), argv[4], strlen(argv[4]));
        else printf("%.*s\n", atoi(argv[4]), p + atol(argv[3]));
        return 0;
    }
    if (!strcmp(cmd, "msg-send") || !strcmp(cmd, "msg-recv")) {
        int id = msgget(key(name), 0);
        struct { long type; char text[8192]; } m;
        if (id < 0) return fail("msgget");
        if (!strcmp(cmd, "msg-send")) {
            m.type = atol(argv[3]);
            size_t n = strlen(argv[4]);
            memcpy(m.text, argv[4], n);
            return msgsnd(id, &m, n, 0) ? fail("msgsnd") : 0;
        }
        ssize_t n = msgrcv(id, &m, sizeof m.text, atol(argv[3]), 0);
        if (n < 0) return fail("msgrcv");
        printf("%ld %.*s\n", m.type, (int)n, m.text);
        return 0;
    }
    if (!strcmp(cmd, "sysv-sem-op")) {
        int id = semget(key(name), 0, 0);
        struct sembuf op = {.sem_num = atoi(argv[3]), .sem_op = atoi(argv[4])};
        if (id < 0) return fail("semget");
        return semop(id, &op, 1) ? fail("semop") : 0;
    }
    if (!strcmp(cmd, "sysv-shm-write") || !strcmp(cmd, "sysv-shm-read")) {
        int id = shmget(key(name), 0, 0);
        char *p = id < 0 ? (char *)-1 : shmat(id, NULL, 0);
        if (p == (char *)-1) return fail("shmat");
        if (!strcmp(cmd, "sysv-shm-write")) memcpy(p + atol(argv[3]), argv[4], strlen(argv[4]));
        else printf("%.*s\n", atoi(argv[4]), p + atol(argv[3]));
        return 0;
    }
    if (!strcmp(cmd, "fifo-write")) {
        int fd = open(name, O_WRONLY);
        if (fd < 0) return fail("open");
        if (write(fd, argv[3], strlen(argv[3])) != (ssize_t)strlen(argv[3])) return fail("write");
        return close(fd) ? fail("close") : 0;
    }
    if (!strcmp(cmd, "fifo-read")) {
        int fd = open(name, O_RDONLY);
        char buf[4096];
        ssize_t n;
        if (fd < 0) return fail("open");
        while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
        return n < 0 ? fail("read") : 0;
    }
    if (!strcmp(cmd, "sigqueue")) {
        union sigval v = {.sival_ptr = (void *)(uintptr_t)strtoull(argv[4], NULL, 10)};
        return sigqueue(atoi(name), atoi(argv[3]), v) ? fail("sigqueue") : 0;
    }
    if (!strcmp(cmd, "sigwait")) {
        sigset_t set;
        siginfo_t info;
        struct timespec t = {.tv_sec = atoi(argv[3])};
        sigemptyset(&set);
        sigaddset(&set, atoi(name));
        if (sigprocmask(SIG_BLOCK, &set, NULL)) return fail("sigprocmask");
        if (sigtimedwait(&set, &info, &t) < 0) return fail("sigtimedwait");
        printf("%d %llu\n", info.si_pid, (unsigned long long)(uintptr_t)info.si_value.sival_ptr);
        return 0;
    }
    if (!strcmp(cmd, "sock-send") || !strcmp(cmd, "sock-recv")) {
        struct sockaddr_storage ss;
        socklen_t len;
        const char *kind = name;
        int fd = sock(kind, argv[3], &ss, &len);
        if (fd < 0) return fail("socket");
        if (!strcmp(cmd, "sock-send")) {
            if (connect(fd, (struct sockaddr *)&ss, len)) return fail("connect");
            if (send(fd, argv[4], strlen(argv[4]), 0) < 0) return fail("send");
            return close(fd) ? fail("close") : 0;
        }
        int one = 1, stream = strcmp(kind, "dgram") && strcmp(kind, "udp");
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&ss, len)) return fail("bind");
        if (stream && listen(fd, 4)) return fail("listen");
        printf("ready\n");
        fflush(stdout);
        int c = stream ? accept(fd, NULL, NULL) : fd;
        if (c < 0) return fail("accept");
        char buf[65536];
        ssize_t n;
        while ((n = recv(c, buf, sizeof buf, 0)) > 0) {
            fwrite(buf, 1, n, stdout);
            if (!stream || !strcmp(kind, "seqpacket")) putchar('\n');
            if (!stream) break;
        }
        if (argv[3][0] != '@' && strcmp(kind, "tcp") && strcmp(kind, "udp")) unlink(argv[3]);
        return n < 0 ? fail("recv") : 0;
    }
    if (!strcmp(cmd, "fd-serve") || !strcmp(cmd, "fd-take")) {
        struct sockaddr_storage ss;
        socklen_t len;
        int fd = sock("seqpacket", name, &ss, &len);
        char byte = 0, buf[4096];
        union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } c;
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.space,
                           .msg_controllen = sizeof c.space};
        if (fd < 0) return fail("socket");
        if (!strcmp(cmd, "fd-serve")) {
            int mem = memfd_create("tool_glibc", 0);
            if (mem < 0 || write(mem, argv[3], strlen(argv[3])) < 0) return fail("memfd");
            if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1)) return fail("bind");
            printf("ready\n");
            fflush(stdout);
            int conn = accept(fd, NULL, NULL);
            if (conn < 0) return fail("accept");
            c.h.cmsg_level = SOL_SOCKET;
            c.h.cmsg_type = SCM_RIGHTS;
            c.h.cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(&c.h), &mem, sizeof mem);
            if (sendmsg(conn, &m, 0) < 0) return fail("sendmsg");
            if (name[0] != '@') unlink(name);
            return 0;
        }
        if (connect(fd, (struct sockaddr *)&ss, len)) return fail("connect");
        if (recvmsg(fd, &m, 0) < 1) return fail("recvmsg");
        int got;
        memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof got);
        ssize_t n = pread(got, buf, sizeof buf, 0);
        if (n >= 0) {
            fwrite(buf, 1, n, stdout);
            return 0;
        }
        unsigned long long v;
        if (read(got, &v, 8) != 8) return fail("read");
        printf("%llu\n", v);
        return 0;
    }
    fprintf(stderr, "tool_glibc: unknown command %s\n", cmd);
    return 2;
}
