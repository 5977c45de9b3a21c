/* C twin of pi-shm-sem: a shared f64 accumulator guarded by a named semaphore. */
#include "common.h"
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    char name[64];
    snprintf(name, sizeof name, "/bench-shm-%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) die("shm_open");
    shm_unlink(name);
    if (ftruncate(fd, sizeof(double)) < 0) die("ftruncate");
    double *sum = mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (sum == MAP_FAILED) die("mmap");
    close(fd);
    sem_t *lock = sem_open(name, O_CREAT | O_EXCL, 0600, 1);
    if (lock == SEM_FAILED) die("sem_open");
    sem_unlink(name);
    pid_t pids[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            double part = series(slice_at(i), slice_at(i + 1));
            while (sem_wait(lock) != 0) {}
            *sum += part;
            sem_post(lock);
            _exit(0);
        }
    }
    reap_all(pids);
    printf("%.11f\n", sqrt(8.0 * *sum));
    return 0;
}
