/* A library for LambdaCallback's tests: functions of the kinds a signature can name. Each
 * appends one line to the file named by fixture_output() (at load: the environment variable
 * LAMBDA_FIXTURE_OUTPUT), so a test can read what was called with which arguments. report()
 * and count() return non-zero from the index fixture_stop_from() sets (at load:
 * LAMBDA_FIXTURE_STOP_FROM) on.
 *
 *     cc -std=c11 -shared -fPIC Tests/Fixtures/lambda/mine.c -o libmine.so
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static char output[4096];
static long long stop_from = -1;

/* Where the lines go; "" stops writing. */
void fixture_output(const char *path) {
    snprintf(output, sizeof output, "%s", path ? path : "");
}

/* report() and count() return non-zero from this epoch / batch on; -1: never. */
void fixture_stop_from(long long index) {
    stop_from = index;
}

/* When loaded, from the environment: for a library another process loads (a real run). */
__attribute__((constructor)) static void read_environment(void) {
    const char *path = getenv("LAMBDA_FIXTURE_OUTPUT");
    const char *stop = getenv("LAMBDA_FIXTURE_STOP_FROM");
    if (path) snprintf(output, sizeof output, "%s", path);
    if (stop) stop_from = strtoll(stop, NULL, 10);
}

__attribute__((format(printf, 1, 2)))
static void line(const char *format, ...) {
    if (!output[0]) return;
    FILE *file = fopen(output, "a");
    if (!file) return;
    va_list args;
    va_start(args, format);
    vfprintf(file, format, args);
    va_end(args);
    fputc('\n', file);
    fclose(file);
}

int report(int epoch, double val_loss) {
    line("report %d %.17g", epoch, val_loss);
    return stop_from >= 0 && epoch >= stop_from ? 1 : 0;
}

long long count(long long batch) {
    line("count %lld", batch);
    return stop_from >= 0 && batch >= stop_from ? batch + 1000000000000LL : 0;
}

float half(float x) {
    line("half %.9g", (double)x);
    return x / 2;
}

void note(void) {
    line("note");
}

double twice(double x) {
    line("twice %.17g", x);
    return 2 * x;
}

/* More arguments than registers hold (6 integer, 8 floating-point on x86-64), mixed. */
int wide(int a, long long b, float c, double d, int e, long long f, float g, double h,
         int i, long long j, float k, double l, int m, double n, float o, double p) {
    line("wide %d %lld %.9g %.17g %d %lld %.9g %.17g %d %lld %.9g %.17g %d %.17g %.9g %.17g",
         a, b, (double)c, d, e, f, (double)g, h, i, j, (double)k, l, m, n, (double)o, p);
    return 0;
}

/* Silent, for the allocation probe's many calls. */
long long quiet(long long batch, double loss, float accuracy, int epoch) {
    (void)loss;
    (void)accuracy;
    (void)epoch;
    return batch < 0;
}
