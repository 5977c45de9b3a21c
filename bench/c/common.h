/* What the C twins of the bareipc programs share: the same slices, series, message and
 * output as the Rust programs, written the way a careful C programmer would with glibc.
 * Built by scripts/bench.py with `gcc -O2 -static`. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct partial { uint32_t magic, index; double sum; };
#define MAGIC 0x31495062u /* "bPI1" little-endian */

static long workers = 10;
static uint64_t terms = 10000000;

static void parse(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "w:n:")) != -1) {
        if (c == 'w') workers = strtol(optarg, NULL, 10);
        else if (c == 'n') terms = strtoull(optarg, NULL, 10);
        else exit(2);
    }
    if (workers < 1 || workers > 512 || terms < (uint64_t)workers) exit(2);
}

static void die(const char *call) { fprintf(stderr, "%s: %s\n", call, strerror(errno)); exit(1); }

static uint64_t slice_at(long i) { return (uint64_t)((unsigned __int128)i * terms / workers); }

static double series(uint64_t start, uint64_t end)
{
    double sum = 0.0, odd = (double)(2 * start + 1);
    for (uint64_t k = start; k < end; k++) { sum += 1.0 / odd / odd; odd += 2.0; }
    return sum;
}

static void reap_all(pid_t *pids)
{
    for (long i = 0; i < workers; i++) {
        int status;
        if (waitpid(pids[i], &status, 0) < 0) die("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { fprintf(stderr, "worker %ld failed\n", i); exit(1); }
    }
}

static void print_pi(const double *sums)
{
    double total = 0.0;
    for (long i = 0; i < workers; i++) total += sums[i];
    printf("%.11f\n", sqrt(8.0 * total));
}
