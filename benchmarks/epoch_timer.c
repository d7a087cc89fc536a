/* EpochTimer: measures each epoch from inside the run, for scripts/benchmark.
 *
 * It implements only on_epoch_begin, on_test_begin and on_epoch_end (no batch hooks, so it
 * adds nothing per batch) and reads CLOCK_MONOTONIC at each. Through the host's
 * "trainer.report/1" extension it reports, for epoch i (0-based):
 *   epoch_<i>_seconds        on_epoch_begin -> on_epoch_end: training and validation
 *   epoch_<i>_train_seconds  on_epoch_begin -> on_test_begin: training alone
 * which the run writes to report.json in its run directory. Keras's side of the comparison
 * (benchmarks/keras_benchmark.py) times the same interval, on_epoch_begin -> on_epoch_end.
 *
 *   cc -std=c11 -O2 -shared -fPIC -I Sources/CTrainerPlugin/include \
 *      benchmarks/epoch_timer.c -o libEpochTimer.so
 */
#define _POSIX_C_SOURCE 199309L
#include "trainer_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct epoch_timer {
    const trainer_host_t *host;
    const trainer_report_ext_t *report;
    double epoch_start;
    double test_start;
} epoch_timer_t;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void report(const epoch_timer_t *self, const char *name, double value) {
    if (self->report && self->report->report) self->report->report(self->host, name, value);
}

static trainer_status_t epoch_begin(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)epoch; (void)logs;
    epoch_timer_t *self = instance;
    self->test_start = 0;
    self->epoch_start = now_seconds();
    return TRAINER_STATUS_OK;
}

static trainer_status_t test_begin(void *instance, const trainer_logs_t *logs) {
    (void)logs;
    epoch_timer_t *self = instance;
    self->test_start = now_seconds();
    return TRAINER_STATUS_OK;
}

static trainer_status_t epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)logs;
    double end = now_seconds();
    epoch_timer_t *self = instance;
    char name[64];
    snprintf(name, sizeof name, "epoch_%lld_seconds", (long long)epoch);
    report(self, name, end - self->epoch_start);
    double train_end = self->test_start > 0 ? self->test_start : end;
    snprintf(name, sizeof name, "epoch_%lld_train_seconds", (long long)epoch);
    report(self, name, train_end - self->epoch_start);
    return TRAINER_STATUS_OK;
}

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_epoch_begin = epoch_begin,
    .on_epoch_end = epoch_end,
    .on_test_begin = test_begin,
};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *params,
                               void **instance_out, char *error, size_t error_size) {
    (void)params;
    epoch_timer_t *self = calloc(1, sizeof *self);
    if (!self) {
        if (error && error_size) snprintf(error, error_size, "out of memory");
        return TRAINER_STATUS_ERROR;
    }
    self->host = host;
    if (host->struct_size >= offsetof(trainer_host_t, get_extension) + sizeof(host->get_extension)
        && host->get_extension) {
        self->report = host->get_extension(host, TRAINER_EXT_REPORT);
    }
    if (!self->report) {
        free(self);
        if (error && error_size) snprintf(error, error_size, "the host has no %s", TRAINER_EXT_REPORT);
        return TRAINER_STATUS_ERROR;
    }
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "EpochTimer",
    .name = "Epoch timer",
    .version = "1.0.0",
    .summary = "Reports each epoch's wall time (monotonic clock) to the run's report.json.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
