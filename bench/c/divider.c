/* The divider's throughput on this CPU, for each vector width it has: independent
 * double-precision divisions (eight streams, none waiting on another's result), in lanes
 * (terms) per nanosecond — the ceiling of a pi kernel that spends one division per term.
 * Prints one line per width: "WIDTH LANES_PER_NS", the best of five runs each; a width is
 * named after the instruction set of the pi kernel that divides at it (sse2, avx), or
 * avx512f (no kernel), or scalar (the compiler's choice, elsewhere than x86_64).
 * Built and run by scripts/bench.py (gcc -O2). */
#include <stdio.h>
#include <time.h>

#define N 40000000L /* divisions per run */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double sink; /* keeps the sums, so the divisions are not optimised away */

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("sse2"))) static double xmm(void)
{
    __m128d x[8], s[8], step = _mm_set1_pd(16.0), one = _mm_set1_pd(1.0);
    for (int j = 0; j < 8; j++) {
        x[j] = _mm_set_pd(2 * j + 3, 2 * j + 1);
        s[j] = _mm_setzero_pd();
    }
    double t = now();
    for (long i = 0; i < N; i += 16)
        for (int j = 0; j < 8; j++) {
            s[j] = _mm_add_pd(s[j], _mm_div_pd(one, x[j]));
            x[j] = _mm_add_pd(x[j], step);
        }
    t = now() - t;
    for (int j = 0; j < 8; j++) sink += s[j][0] + s[j][1];
    return N / t / 1e9;
}

__attribute__((target("avx"))) static double ymm(void)
{
    __m256d x[8], s[8], step = _mm256_set1_pd(32.0), one = _mm256_set1_pd(1.0);
    for (int j = 0; j < 8; j++) {
        x[j] = _mm256_set_pd(4 * j + 4, 4 * j + 3, 4 * j + 2, 4 * j + 1);
        s[j] = _mm256_setzero_pd();
    }
    double t = now();
    for (long i = 0; i < N; i += 32)
        for (int j = 0; j < 8; j++) {
            s[j] = _mm256_add_pd(s[j], _mm256_div_pd(one, x[j]));
            x[j] = _mm256_add_pd(x[j], step);
        }
    t = now() - t;
    for (int j = 0; j < 8; j++) sink += s[j][0] + s[j][1] + s[j][2] + s[j][3];
    return N / t / 1e9;
}

__attribute__((target("avx512f"))) static double zmm(void)
{
    __m512d x[8], s[8], step = _mm512_set1_pd(64.0), one = _mm512_set1_pd(1.0);
    for (int j = 0; j < 8; j++) {
        x[j] = _mm512_set_pd(8 * j + 8, 8 * j + 7, 8 * j + 6, 8 * j + 5, 8 * j + 4, 8 * j + 3,
                             8 * j + 2, 8 * j + 1);
        s[j] = _mm512_setzero_pd();
    }
    double t = now();
    for (long i = 0; i < N; i += 64)
        for (int j = 0; j < 8; j++) {
            s[j] = _mm512_add_pd(s[j], _mm512_div_pd(one, x[j]));
            x[j] = _mm512_add_pd(x[j], step);
        }
    t = now() - t;
    for (int j = 0; j < 8; j++) sink += _mm512_reduce_add_pd(s[j]);
    return N / t / 1e9;
}
#else
/* Elsewhere: the compiler's own vectorisation of the same independent streams. */
static double scalar(void)
{
    double x[16], s[16] = {0};
    for (int j = 0; j < 16; j++) x[j] = 2 * j + 1;
    double t = now();
    for (long i = 0; i < N; i += 16)
        for (int j = 0; j < 16; j++) {
            s[j] += 1.0 / x[j];
            x[j] += 32.0;
        }
    t = now() - t;
    for (int j = 0; j < 16; j++) sink += s[j];
    return N / t / 1e9;
}
#endif

static void report(const char *width, double (*probe)(void))
{
    double best = 0;
    for (int r = 0; r < 5; r++) {
        double v = probe();
        if (v > best) best = v;
    }
    printf("%s %.3f\n", width, best);
}

int main(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    report("sse2", xmm);
    if (__builtin_cpu_supports("avx")) report("avx", ymm);
    if (__builtin_cpu_supports("avx512f")) report("avx512f", zmm);
#else
    report("scalar", scalar);
#endif
    return sink == 0.123; /* never: keeps `sink` live */
}
