/* C twin of pi-futex: one MAP_SHARED | MAP_ANONYMOUS region, a done counter and a slot per
 * worker; each worker stores its sum in its slot, adds one to the counter, and the last
 * wakes the parent (FUTEX_WAKE); the parent sleeps (FUTEX_WAIT) until the counter is W. */
#include "common.h"
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    size_t len = 8 * (1 + (size_t)workers);
    uint64_t *shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) die("mmap");
    uint32_t *done = (uint32_t *)shared;
    pid_t pids[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            double part = series(slice_at(i), slice_at(i + 1));
            uint64_t bits;
            memcpy(&bits, &part, sizeof bits);
            __atomic_store_n(&shared[1 + i], bits, __ATOMIC_RELEASE);
            if (__atomic_add_fetch(done, 1, __ATOMIC_ACQ_REL) == (uint32_t)workers)
                syscall(SYS_futex, done, FUTEX_WAKE, 1, NULL, NULL, 0);
            _exit(0);
        }
    }
    for (;;) {
        uint32_t now = __atomic_load_n(done, __ATOMIC_ACQUIRE);
        if (now == (uint32_t)workers) break;
        if (syscall(SYS_futex, done, FUTEX_WAIT, now, NULL, NULL, 0) < 0 && errno != EAGAIN && errno != EINTR)
            die("futex");
    }
    reap_all(pids);
    double sums[512];
    for (long i = 0; i < workers; i++) {
        uint64_t bits = __atomic_load_n(&shared[1 + i], __ATOMIC_ACQUIRE);
        memcpy(&sums[i], &bits, sizeof bits);
    }
    print_pi(sums);
    return 0;
}
