/* C twin of pi-sysv-shm-sem: a shared f64 accumulator in a System V segment, guarded by a
 * System V semaphore taken with SEM_UNDO. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    int shm = shmget(IPC_PRIVATE, sizeof(double), IPC_CREAT | IPC_EXCL | 0600);
    if (shm < 0) die("shmget");
    double *sum = shmat(shm, NULL, 0);
    if (sum == (void *)-1) die("shmat");
    shmctl(shm, IPC_RMID, NULL); /* destroyed at the last detach */
    int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
    if (sem < 0) die("semget");
    pid_t pids[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            double part = series(slice_at(i), slice_at(i + 1));
            struct sembuf take[2] = {{0, 0, 0}, {0, 1, SEM_UNDO}}, give = {0, -1, SEM_UNDO};
            while (semop(sem, take, 2) != 0) {}
            *sum += part;
            semop(sem, &give, 1);
            _exit(0);
        }
    }
    reap_all(pids);
    semctl(sem, 0, IPC_RMID);
    printf("%.11f\n", sqrt(8.0 * *sum));
    return 0;
}
