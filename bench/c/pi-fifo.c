/* C twin of pi-fifo: the parent makes a private directory in TMPDIR (else /tmp) with a
 * FIFO in it and opens it to read and write; each worker opens the FIFO by name to write
 * its result; the parent reads W results and removes the FIFO and the directory. */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    parse(argc, argv);
    const char *tmp = getenv("TMPDIR");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/bareipc-fifo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) die("mkdtemp");
    snprintf(path, sizeof path, "%s/fifo", dir);
    if (mkfifo(path, 0600) < 0) die("mkfifo");
    int rx = open(path, O_RDWR | O_CLOEXEC);
    if (rx < 0) die("open");
    pid_t pids[512];
    double sums[512];
    for (long i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            struct partial p = { MAGIC, (uint32_t)i, series(slice_at(i), slice_at(i + 1)) };
            int tx = open(path, O_WRONLY | O_CLOEXEC);
            _exit(tx >= 0 && write(tx, &p, sizeof p) == sizeof p ? 0 : 1);
        }
    }
    for (long i = 0; i < workers; i++) {
        struct partial p;
        if (read(rx, &p, sizeof p) != sizeof p || p.magic != MAGIC || p.index >= workers) die("read");
        sums[p.index] = p.sum;
    }
    unlink(path);
    rmdir(dir);
    reap_all(pids);
    print_pi(sums);
    return 0;
}
