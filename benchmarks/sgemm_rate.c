/* sgemm_rate: the GFLOP/s OpenBLAS reaches on one product shape, on one thread, for the bound
 * scripts/benchmark sets next to each epoch time.
 *
 *     sgemm_rate M N K [SECONDS]
 *
 * Multiplies row-major [M, K] x [K, N] into [M, N] (cblas_sgemm, no transposes) again and again
 * for SECONDS (default 2) after a warm-up, and prints "gflops core" on one line: 2·M·N·K per
 * product over the median time of a product in batches, and OpenBLAS's kernel core. One thread:
 * the engine runs a batch's products on one BLAS thread per core (it splits the work over cores
 * itself), so the machine's bound is this rate times the cores. Run it with the
 * OPENBLAS_CORETYPE trainer chose (trainer system) so both use the same kernels. */
#define _POSIX_C_SOURCE 199309L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: sgemm_rate M N K [SECONDS]\n");
        return 2;
    }
    const long m = atol(argv[1]), n = atol(argv[2]), k = atol(argv[3]);
    const double budget = argc > 4 ? atof(argv[4]) : 2.0;
    if (m <= 0 || n <= 0 || k <= 0 || m * k > (1L << 28) || k * n > (1L << 28) || m * n > (1L << 28) || !(budget > 0)) {
        fprintf(stderr, "sgemm_rate: M, N, K must be positive (each matrix at most 2^28 values), SECONDS positive\n");
        return 2;
    }
    openblas_set_num_threads(1);
    float *a = malloc(sizeof(float) * (size_t)(m * k));
    float *b = malloc(sizeof(float) * (size_t)(k * n));
    float *c = malloc(sizeof(float) * (size_t)(m * n));
    if (!a || !b || !c) { fprintf(stderr, "sgemm_rate: out of memory\n"); return 1; }
    for (long i = 0; i < m * k; i++) a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < k * n; i++) b[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;

    /* Products per timed batch: about a millisecond of work. */
    const double flop = 2.0 * (double)m * (double)n * (double)k;
    long per_batch = (long)(1e6 / flop * 1e3); /* assumes ~1 GFLOP/s at first */
    if (per_batch < 1) per_batch = 1;
    double start = now();
    for (int i = 0; i < 3 || now() - start < 0.2; i++) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)k, b, (int)n, 0.0f, c, (int)n);
    }
    enum { most = 100000 };
    static double times[most];
    int batches = 0;
    start = now();
    while (batches < most && now() - start < budget) {
        const double t0 = now();
        for (long i = 0; i < per_batch; i++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)k, b, (int)n, 0.0f, c, (int)n);
        }
        times[batches++] = (now() - t0) / (double)per_batch;
    }
    qsort(times, (size_t)batches, sizeof(double), compare);
    printf("%.2f %s\n", flop / times[batches / 2] / 1e9, openblas_get_corename());
    free(a); free(b); free(c);
    return 0;
}
