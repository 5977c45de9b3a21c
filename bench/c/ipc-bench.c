/* The C baseline of ipc-bench (examples/ipc-bench.rs): the same ping-pong and the same
 * stream, between a parent and a forked child, with plain glibc calls. Built by ipc-bench
 * itself (gcc -O2, glibc, -lrt) and run in the same invocation, so that every row of the
 * table compares the two under the same conditions.
 *
 * Usage: ipc-bench-c MECHANISM SIZE ITERATIONS STREAM_MESSAGES PIN
 *   MECHANISM: pipe fifo socketpair unix unix-dgram tcp udp posix-mq sysv-msg eventfd
 *              signal shm-sem shm-futex sysv-shm-sem memfd mmap-file futex-wake
 *   PIN: same (both on CPU 0), two (parent CPU 0, child CPU 1), none
 * Prints one line: "rtt_ns" followed by every round trip in nanoseconds, then a line
 * "stream_ns NANOSECONDS" for STREAM_MESSAGES one-way messages. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

/* What a failed run must not leave: the child (killed by the parent), the SysV queue and
 * the SysV semaphore set. */
static pid_t child_pid = -1;
static int queue_id = -1, semset_id = -1;

static void die(const char *what)
{
    fprintf(stderr, "ipc-bench-c: %s: %s\n", what, strerror(errno));
    if (child_pid > 0) { kill(child_pid, SIGKILL); waitpid(child_pid, NULL, 0); }
    if (child_pid != 0 && queue_id >= 0) msgctl(queue_id, IPC_RMID, NULL);
    if (child_pid != 0 && semset_id >= 0) semctl(semset_id, 0, IPC_RMID);
    _exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; die("write"); }
        p += w; n -= (size_t)w;
    }
}

static void read_full(int fd, char *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0) { if (errno == EINTR) continue; die("read"); }
        if (r == 0) { fprintf(stderr, "ipc-bench-c: early end of file\n"); exit(1); }
        p += r; n -= (size_t)r;
    }
}

/* Shared memory for the shm mechanisms: two turn words (futex) or two semaphores, a
 * counter pair for the stream, and the data. */
struct shared {
    _Atomic uint32_t turn;   /* futex ping-pong: 0 parent may send, 1 child may reply; bit 31: a sleeper */
    _Atomic uint32_t head, tail;
    sem_t *ping, *pong, *full, *empty;
    char data[];
};

#define SLEEPER 0x80000000u
#define SLOTS 2

static void futex_wait(_Atomic uint32_t *w, uint32_t v) { syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0); }
static void futex_wake(_Atomic uint32_t *w) { syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0); }

/* Waits until *w (without the sleeper bit) equals want: spins a while, then sleeps. */
/* Spins before sleeping: 2000 for shm-futex, 0 for futex-wake (the floor). */
static int spins = 2000;

static void await(_Atomic uint32_t *w, uint32_t want)
{
    for (int i = 0; i < spins; i++) {
        if ((*w & ~SLEEPER) == want) return;
        __builtin_ia32_pause();
    }
    for (;;) {
        uint32_t v = *w;
        if ((v & ~SLEEPER) == want) return;
        if (!(v & SLEEPER) && !__atomic_compare_exchange_n(w, &v, v | SLEEPER, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
        futex_wait(w, v | SLEEPER);
    }
}

static void set(_Atomic uint32_t *w, uint32_t v)
{
    if (__atomic_exchange_n(w, v, __ATOMIC_SEQ_CST) & SLEEPER) futex_wake(w);
}

/* Waits until the stream's counters let this side go: the producer while the ring is full,
 * the consumer while it is empty. Spins, then sleeps on the other side's counter (which
 * that side wakes after each increment). */
static void await_ring(struct shared *sh, int producer)
{
    for (int spin = 0;; spin++) {
        uint32_t head = sh->head, tail = sh->tail;
        if (producer ? head - tail < SLOTS : head != tail) return;
        if (spin < spins) { __builtin_ia32_pause(); continue; }
        if (producer) futex_wait(&sh->tail, tail); else futex_wait(&sh->head, head);
    }
}

/* Adds delta to semaphore num of a System V set, waiting while it would go below 0. */
static void sem_add(int semid, unsigned short num, short delta)
{
    struct sembuf op = { num, delta, 0 };
    while (semop(semid, &op, 1)) if (errno != EINTR) die("semop");
}

/* One connected pair of `type` sockets of `family`: a listener (SOCK_SEQPACKET at a path,
 * TCP on loopback) accepted, or two datagram sockets connected to each other. */
static void connected_pair(int family, int type, int sv[2])
{
    struct sockaddr_storage st = { 0 };
    socklen_t len;
    if (family == AF_UNIX) {
        struct sockaddr_un *un = (struct sockaddr_un *)&st;
        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof un->sun_path, "/tmp/ipc-bench-c-%d.sock", getpid());
        unlink(un->sun_path);
        len = sizeof *un;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&st;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *in;
    }
    int l = socket(family, type | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&st, len) || getsockname(l, (struct sockaddr *)&st, &len)) die("bind");
    if (type == SOCK_DGRAM) {
        int o = socket(family, type | SOCK_CLOEXEC, 0);
        struct sockaddr_storage ost = { 0 };
        socklen_t olen = sizeof ost;
        struct sockaddr_in *in = (struct sockaddr_in *)&ost;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int big = 1 << 20;
        setsockopt(l, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        setsockopt(o, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        if (o < 0 || bind(o, (struct sockaddr *)&ost, sizeof *in) || getsockname(o, (struct sockaddr *)&ost, &olen)) die("bind");
        if (connect(l, (struct sockaddr *)&ost, olen) || connect(o, (struct sockaddr *)&st, len)) die("connect");
        sv[0] = o; sv[1] = l;
        return;
    }
    if (listen(l, 1)) die("listen");
    int c = socket(family, type | SOCK_CLOEXEC, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&st, len)) die("connect");
    int a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (a < 0) die("accept4");
    if (family == AF_UNIX) unlink(((struct sockaddr_un *)&st)->sun_path);
    close(l);
    sv[0] = c; sv[1] = a;
}

/* The child's and the parent's abstract AF_UNIX datagram names. */
static struct sockaddr_un dgram_name(const char *side, socklen_t *len)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    int n = snprintf(un.sun_path + 1, sizeof un.sun_path - 1, "ipc-bench-c-%d-%s", getpid(), side);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    return un;
}

static void send_one(int fd, const void *p, size_t n, int dgram)
{
    if (dgram) { if (send(fd, p, n, 0) != (ssize_t)n) die("send"); }
    else write_all(fd, p, n);
}

static void recv_one(int fd, void *p, size_t n, int dgram)
{
    if (dgram) { if (recv(fd, p, n, 0) != (ssize_t)n) die("recv"); }
    else read_full(fd, p, n);
}

int main(int argc, char **argv)
{
    if (argc != 6) { fprintf(stderr, "usage: ipc-bench-c MECHANISM SIZE ITERATIONS STREAM PIN\n"); return 2; }
    const char *mech = argv[1];
    size_t size = strtoul(argv[2], NULL, 10);
    long iters = strtol(argv[3], NULL, 10), stream = strtol(argv[4], NULL, 10);
    const char *mode = argv[5];
    char *buf = calloc(1, size), *back = calloc(1, size);
    int p2c[2], c2p[2], sv[2];
    mqd_t mq_a = -1, mq_b = -1;
    int qid = -1, semid = -1;
    struct shared *sh = NULL;
    char name_a[64], name_b[64];

    /* Signals: blocked before the fork (the child inherits the mask), taken by sigwaitinfo. */
    int ping = SIGRTMIN + 1, pong = SIGRTMIN + 2;
    sigset_t ping_set, pong_set, both;
    sigemptyset(&ping_set); sigaddset(&ping_set, ping);
    sigemptyset(&pong_set); sigaddset(&pong_set, pong);
    sigemptyset(&both); sigaddset(&both, ping); sigaddset(&both, pong);
    int dgram = 0, efd_ping = -1, efd_pong = -1;
    int da = -1, db = -1;
    struct sockaddr_un dga, dgb;
    socklen_t dga_len = 0, dgb_len = 0;

    if (!strcmp(mech, "pipe")) {
        if (pipe(p2c) || pipe(c2p)) die("pipe");
    } else if (!strcmp(mech, "fifo")) {
        char dir[4096], path[4200];
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/ipc-bench-c-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) die("mkdtemp");
        int *ends[2] = { p2c, c2p };
        for (int i = 0; i < 2; i++) {
            snprintf(path, sizeof path, "%s/fifo%d", dir, i);
            if (mkfifo(path, 0600)) die("mkfifo");
            int fd = open(path, O_RDWR | O_CLOEXEC);
            if (fd < 0) die("open");
            ends[i][0] = ends[i][1] = fd;
            unlink(path);
        }
        rmdir(dir);
    } else if (!strcmp(mech, "unix")) {
        connected_pair(AF_UNIX, SOCK_SEQPACKET, sv);
        dgram = 1;
    } else if (!strcmp(mech, "tcp")) {
        connected_pair(AF_INET, SOCK_STREAM, sv);
    } else if (!strcmp(mech, "udp")) {
        if (size > 65507) { fprintf(stderr, "ipc-bench-c: %zu bytes exceed a UDP datagram's 65,507\n", size); return 1; }
        connected_pair(AF_INET, SOCK_DGRAM, sv);
        dgram = 1;
    } else if (!strcmp(mech, "unix-dgram")) {
        dga = dgram_name("parent", &dga_len);
        dgb = dgram_name("child", &dgb_len);
        da = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        db = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (da < 0 || db < 0 || bind(da, (struct sockaddr *)&dga, dga_len) || bind(db, (struct sockaddr *)&dgb, dgb_len)) die("bind");
    } else if (!strcmp(mech, "eventfd")) {
        if (size != 8) { fprintf(stderr, "ipc-bench-c: an eventfd carries one 8-byte counter\n"); return 1; }
        efd_ping = eventfd(0, EFD_CLOEXEC);
        efd_pong = eventfd(0, EFD_CLOEXEC);
        if (efd_ping < 0 || efd_pong < 0) die("eventfd");
    } else if (!strcmp(mech, "signal")) {
        if (size != 8) { fprintf(stderr, "ipc-bench-c: a signal carries one 8-byte value\n"); return 1; }
        if (sigprocmask(SIG_BLOCK, &both, NULL)) die("sigprocmask");
    } else if (!strcmp(mech, "socketpair")) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) die("socketpair");
    } else if (!strcmp(mech, "posix-mq")) {
        struct mq_attr attr = { .mq_maxmsg = SLOTS, .mq_msgsize = (long)size };
        snprintf(name_a, sizeof name_a, "/ipc-bench-c-%d-a", getpid());
        snprintf(name_b, sizeof name_b, "/ipc-bench-c-%d-b", getpid());
        mq_a = mq_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        mq_b = mq_open(name_b, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        if (mq_a < 0 || mq_b < 0) die("mq_open");
        mq_unlink(name_a);
        mq_unlink(name_b);
    } else if (!strcmp(mech, "sysv-msg")) {
        if (size > 8192) { fprintf(stderr, "ipc-bench-c: msgsnd: %zu bytes exceed kernel.msgmax (8192)\n", size); return 1; }
        qid = queue_id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        if (qid < 0) die("msgget");
    } else if (!strcmp(mech, "sysv-shm-sem")) {
        int id = shmget(IPC_PRIVATE, sizeof *sh + SLOTS * size, IPC_CREAT | IPC_EXCL | 0600);
        if (id < 0) die("shmget");
        sh = shmat(id, NULL, 0);
        if (sh == (void *)-1) die("shmat");
        shmctl(id, IPC_RMID, NULL);
        semid = semset_id = semget(IPC_PRIVATE, 4, IPC_CREAT | IPC_EXCL | 0600);
        if (semid < 0) die("semget");
        if (semctl(semid, 3, SETVAL, SLOTS)) die("semctl");
    } else if (!strcmp(mech, "shm-sem") || !strcmp(mech, "shm-futex") || !strcmp(mech, "futex-wake")
               || !strcmp(mech, "memfd") || !strcmp(mech, "mmap-file")) {
        if (!strcmp(mech, "futex-wake")) spins = 0;
        size_t len = sizeof *sh + SLOTS * size;
        int fd;
        if (!strcmp(mech, "memfd")) {
            fd = memfd_create("ipc-bench-c", MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (fd < 0) die("memfd_create");
            if (ftruncate(fd, (off_t)len)) die("ftruncate");
            if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) die("fcntl");
        } else if (!strcmp(mech, "mmap-file")) {
            const char *dir = getenv("TMPDIR");
            fd = open(dir && *dir ? dir : "/tmp", O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0) die("open");
            if (posix_fallocate(fd, 0, (off_t)len)) die("posix_fallocate");
        } else {
            snprintf(name_a, sizeof name_a, "/ipc-bench-c-%d", getpid());
            fd = shm_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600);
            if (fd < 0) die("shm_open");
            shm_unlink(name_a);
            if (ftruncate(fd, (off_t)len)) die("ftruncate");
        }
        sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (sh == MAP_FAILED) die("mmap");
        close(fd);
        if (!strcmp(mech, "shm-sem")) {
            sem_t **sems[4] = { &sh->ping, &sh->pong, &sh->full, &sh->empty };
            for (int i = 0; i < 4; i++) {
                snprintf(name_b, sizeof name_b, "/ipc-bench-c-%d-%d", getpid(), i);
                *sems[i] = sem_open(name_b, O_CREAT | O_EXCL, 0600, i == 3 ? SLOTS : 0);
                if (*sems[i] == SEM_FAILED) die("sem_open");
                sem_unlink(name_b);
            }
        }
    } else {
        fprintf(stderr, "ipc-bench-c: unknown mechanism %s\n", mech);
        return 2;
    }
    struct { long mtype; char text[]; } *msg = calloc(1, sizeof(long) + size);

    pid_t parent = getpid();
    pid_t child = child_pid = fork();
    if (child < 0) die("fork");
    int is_child = child == 0;
    pid_t peer = is_child ? parent : child;
    if (!strcmp(mode, "same")) pin(0);
    else if (!strcmp(mode, "two")) pin(is_child ? 1 : 0);

    long total = iters + iters / 10;   /* the first tenth is warm-up */
    uint64_t *rtt = calloc((size_t)iters, sizeof *rtt);
    for (long i = 0; i < total; i++) {
        uint64_t t0 = is_child ? 0 : now_ns();
        if (!strcmp(mech, "pipe") || !strcmp(mech, "fifo")) {
            if (is_child) { read_full(p2c[0], buf, size); write_all(c2p[1], buf, size); }
            else { write_all(p2c[1], buf, size); read_full(c2p[0], back, size); }
        } else if (!strcmp(mech, "unix") || !strcmp(mech, "tcp") || !strcmp(mech, "udp")) {
            if (is_child) { recv_one(sv[1], buf, size, dgram); send_one(sv[1], buf, size, dgram); }
            else { send_one(sv[0], buf, size, dgram); recv_one(sv[0], back, size, dgram); }
        } else if (!strcmp(mech, "unix-dgram")) {
            if (is_child) {
                if (recv(db, buf, size, 0) != (ssize_t)size) die("recv");
                if (sendto(db, buf, size, 0, (struct sockaddr *)&dga, dga_len) != (ssize_t)size) die("sendto");
            } else {
                if (sendto(da, buf, size, 0, (struct sockaddr *)&dgb, dgb_len) != (ssize_t)size) die("sendto");
                if (recv(da, back, size, 0) != (ssize_t)size) die("recv");
            }
        } else if (!strcmp(mech, "eventfd")) {
            uint64_t v = 1;
            if (is_child) { if (read(efd_ping, &v, 8) != 8 || write(efd_pong, &v, 8) != 8) die("eventfd"); }
            else { if (write(efd_ping, &v, 8) != 8 || read(efd_pong, &v, 8) != 8) die("eventfd"); }
        } else if (!strcmp(mech, "signal")) {
            union sigval v = { 0 };
            siginfo_t info;
            if (is_child) {
                if (sigwaitinfo(&ping_set, &info) != ping) die("sigwaitinfo");
                while (sigqueue(peer, pong, info.si_value)) if (errno != EAGAIN) die("sigqueue");
            } else {
                memcpy(&v, buf, sizeof v);
                while (sigqueue(peer, ping, v)) if (errno != EAGAIN) die("sigqueue");
                if (sigwaitinfo(&pong_set, &info) != pong) die("sigwaitinfo");
            }
        } else if (!strcmp(mech, "socketpair")) {
            if (is_child) { read_full(sv[1], buf, size); write_all(sv[1], buf, size); }
            else { write_all(sv[0], buf, size); read_full(sv[0], back, size); }
        } else if (!strcmp(mech, "posix-mq")) {
            if (is_child) { if (mq_receive(mq_a, buf, size, NULL) < 0 || mq_send(mq_b, buf, size, 0)) die("mq"); }
            else { if (mq_send(mq_a, buf, size, 0) || mq_receive(mq_b, back, size, NULL) < 0) die("mq"); }
        } else if (!strcmp(mech, "sysv-msg")) {
            if (is_child) {
                if (msgrcv(qid, msg, size, 1, 0) < 0) die("msgrcv");
                msg->mtype = 2;
                if (msgsnd(qid, msg, size, 0)) die("msgsnd");
            } else {
                msg->mtype = 1;
                memcpy(msg->text, buf, size);
                if (msgsnd(qid, msg, size, 0) || msgrcv(qid, msg, size, 2, 0) < 0) die("sysv");
                memcpy(back, msg->text, size);
            }
        } else if (!strcmp(mech, "sysv-shm-sem")) {
            if (is_child) { sem_add(semid, 0, -1); memcpy(buf, sh->data, size); memcpy(sh->data + size, buf, size); sem_add(semid, 1, 1); }
            else { memcpy(sh->data, buf, size); sem_add(semid, 0, 1); sem_add(semid, 1, -1); memcpy(back, sh->data + size, size); }
        } else if (!strcmp(mech, "shm-sem")) {
            if (is_child) { sem_wait(sh->ping); memcpy(buf, sh->data, size); memcpy(sh->data + size, buf, size); sem_post(sh->pong); }
            else { memcpy(sh->data, buf, size); sem_post(sh->ping); sem_wait(sh->pong); memcpy(back, sh->data + size, size); }
        } else {
            if (is_child) { await(&sh->turn, 1); memcpy(buf, sh->data, size); memcpy(sh->data + size, buf, size); set(&sh->turn, 0); }
            else { memcpy(sh->data, buf, size); set(&sh->turn, 1); await(&sh->turn, 0); memcpy(back, sh->data + size, size); }
        }
        if (!is_child && i >= total - iters) rtt[i - (total - iters)] = now_ns() - t0;
    }

    /* One-way stream: STREAM messages; the child's exit (reaped) marks the end. */
    uint64_t s0 = now_ns();
    for (long i = 0; i < stream; i++) {
        if (!strcmp(mech, "pipe") || !strcmp(mech, "fifo")) {
            if (is_child) read_full(p2c[0], buf, size); else write_all(p2c[1], buf, size);
        } else if (!strcmp(mech, "unix") || !strcmp(mech, "tcp")) {
            if (is_child) recv_one(sv[1], buf, size, dgram); else send_one(sv[0], buf, size, dgram);
        } else if (!strcmp(mech, "unix-dgram")) {
            if (is_child) { if (recv(db, buf, size, 0) != (ssize_t)size) die("recv"); }
            else if (sendto(da, buf, size, 0, (struct sockaddr *)&dgb, dgb_len) != (ssize_t)size) die("sendto");
        } else if (!strcmp(mech, "signal")) {
            siginfo_t info;
            union sigval v = { .sival_int = (int)i };
            if (is_child) { if (sigwaitinfo(&ping_set, &info) != ping) die("sigwaitinfo"); }
            else while (sigqueue(peer, ping, v)) { if (errno != EAGAIN) die("sigqueue"); sched_yield(); }
        } else if (!strcmp(mech, "udp") || !strcmp(mech, "eventfd")) {
            /* no stream (see examples/ipc-bench.rs) */
        } else if (!strcmp(mech, "socketpair")) {
            if (is_child) read_full(sv[1], buf, size); else write_all(sv[0], buf, size);
        } else if (!strcmp(mech, "posix-mq")) {
            if (is_child) { if (mq_receive(mq_a, buf, size, NULL) < 0) die("mq_receive"); }
            else if (mq_send(mq_a, buf, size, 0)) die("mq_send");
        } else if (!strcmp(mech, "sysv-msg")) {
            if (is_child) { if (msgrcv(qid, msg, size, 1, 0) < 0) die("msgrcv"); }
            else { msg->mtype = 1; if (msgsnd(qid, msg, size, 0)) die("msgsnd"); }
        } else if (!strcmp(mech, "sysv-shm-sem")) {
            char *slot = sh->data + (size_t)(i % SLOTS) * size;
            if (is_child) { sem_add(semid, 2, -1); memcpy(buf, slot, size); sem_add(semid, 3, 1); }
            else { sem_add(semid, 3, -1); memcpy(slot, buf, size); sem_add(semid, 2, 1); }
        } else if (!strcmp(mech, "shm-sem")) {
            char *slot = sh->data + (size_t)(i % SLOTS) * size;
            if (is_child) { sem_wait(sh->full); memcpy(buf, slot, size); sem_post(sh->empty); }
            else { sem_wait(sh->empty); memcpy(slot, buf, size); sem_post(sh->full); }
        } else {
            char *slot = sh->data + (size_t)(i % SLOTS) * size;
            if (is_child) { await_ring(sh, 0); memcpy(buf, slot, size); sh->tail++; futex_wake(&sh->tail); }
            else { await_ring(sh, 1); memcpy(slot, buf, size); sh->head++; futex_wake(&sh->head); }
        }
    }
    if (is_child) _exit(0);
    int status;
    if (waitpid(child, &status, 0) < 0 || status != 0) die("child");
    uint64_t s1 = now_ns();
    /* Removed before printing: a reader that goes away (SIGPIPE) must not leave them. */
    if (qid >= 0) msgctl(qid, IPC_RMID, NULL);
    if (semid >= 0) semctl(semid, 0, IPC_RMID);
    printf("rtt_ns");
    for (long i = 0; i < iters; i++) printf(" %llu", (unsigned long long)rtt[i]);
    printf("\nstream_ns %llu\n", (unsigned long long)(s1 - s0));
    return 0;
}
