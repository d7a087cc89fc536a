/* A plugin that implements every hook and appends one line per call to a file:
 *
 *     on_train_begin
 *     on_epoch_begin 0
 *     on_train_batch_begin 0
 *     on_train_batch_end 0
 *     ...
 *     on_epoch_end 0
 *     on_train_end
 *
 * (the hook's C name, then the epoch or batch index for the hooks that take one). Host tests
 * use it to check Keras's hook order; the dispatch benchmark to count calls.
 *
 * Parameters:
 *   path       string, default "recorder.log": the file, appended to; a relative path is taken
 *              inside the run directory
 *   with_logs  bool, default false: also write each log item as " name=value" (%.10g)
 *   fail_at    string or none, default none: the hook (C name) at which to log an error
 *              through host->log and return TRAINER_STATUS_ERROR, after recording the call
 */
#include "trainer_plugin_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const trainer_param_spec_t path_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "path",
    .help = "file the hook calls are appended to (relative: inside the run directory)",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "recorder.log"},
};

static const trainer_param_spec_t with_logs_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_BOOL,
    .name = "with_logs",
    .help = "also record each log item as name=value",
    .default_value = {.type = TRAINER_VALUE_BOOL, .int_value = 0},
};

static const trainer_param_spec_t fail_at_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "fail_at",
    .help = "hook at which to fail the run (e.g. on_epoch_end), or none",
    .default_value = {.type = TRAINER_VALUE_NONE},
    .flags = TRAINER_PARAM_NULLABLE,
};

static const trainer_param_spec_t *const params[] = {&path_spec, &with_logs_spec, &fail_at_spec};

typedef struct recorder {
    const trainer_host_t *host;
    trainer_host_t table; /* fields past the host's struct_size stay zero */
    FILE *file;
    int with_logs;
    char fail_at[64];
} recorder_t;

static trainer_status_t record(void *instance, const char *hook, int64_t index, int indexed,
                               const trainer_logs_t *logs) {
    recorder_t *self = instance;
    if (indexed) fprintf(self->file, "%s %lld", hook, (long long)index);
    else fputs(hook, self->file);
    if (self->with_logs && logs && logs->struct_size >= sizeof(trainer_logs_t)) {
        for (uint32_t i = 0; i < logs->count; i++)
            fprintf(self->file, " %s=%.10g", logs->items[i].name, logs->items[i].value);
    }
    fputc('\n', self->file);
    fflush(self->file);
    if (strcmp(self->fail_at, hook) == 0) {
        char message[128];
        snprintf(message, sizeof message, "failing at %s as asked (fail_at)", hook);
        if (self->table.log) self->table.log(self->host, TRAINER_LOG_ERROR, message);
        return TRAINER_STATUS_ERROR;
    }
    return TRAINER_STATUS_OK;
}

#define PLAIN(name) \
    static trainer_status_t name(void *instance, const trainer_logs_t *logs) { \
        return record(instance, #name, 0, 0, logs); \
    }
#define INDEXED(name) \
    static trainer_status_t name(void *instance, int64_t index, const trainer_logs_t *logs) { \
        return record(instance, #name, index, 1, logs); \
    }

PLAIN(on_train_begin)
PLAIN(on_train_end)
INDEXED(on_epoch_begin)
INDEXED(on_epoch_end)
INDEXED(on_train_batch_begin)
INDEXED(on_train_batch_end)
PLAIN(on_test_begin)
PLAIN(on_test_end)
INDEXED(on_test_batch_begin)
INDEXED(on_test_batch_end)
PLAIN(on_predict_begin)
PLAIN(on_predict_end)
INDEXED(on_predict_batch_begin)
INDEXED(on_predict_batch_end)

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_train_begin = on_train_begin,
    .on_train_end = on_train_end,
    .on_epoch_begin = on_epoch_begin,
    .on_epoch_end = on_epoch_end,
    .on_train_batch_begin = on_train_batch_begin,
    .on_train_batch_end = on_train_batch_end,
    .on_test_begin = on_test_begin,
    .on_test_end = on_test_end,
    .on_test_batch_begin = on_test_batch_begin,
    .on_test_batch_end = on_test_batch_end,
    .on_predict_begin = on_predict_begin,
    .on_predict_end = on_predict_end,
    .on_predict_batch_begin = on_predict_batch_begin,
    .on_predict_batch_end = on_predict_batch_end,
};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **instance_out, char *error, size_t error_size) {
    recorder_t *self = calloc(1, sizeof(*self));
    if (!self) {
        trainer_set_error(error, error_size, "out of memory");
        return TRAINER_STATUS_ERROR;
    }
    self->host = host;
    trainer_host_copy(host, &self->table);
    const char *path = trainer_param_string(values, "path", "recorder.log");
    self->with_logs = trainer_param_bool(values, "with_logs", false);
    snprintf(self->fail_at, sizeof self->fail_at, "%s", trainer_param_string(values, "fail_at", ""));

    char full[4096];
    trainer_run_params_t run = {.struct_size = sizeof run};
    if (path[0] != '/' && self->table.get_run_params &&
        self->table.get_run_params(host, &run) == TRAINER_STATUS_OK && run.run_dir && run.run_dir[0]) {
        snprintf(full, sizeof full, "%s/%s", run.run_dir, path);
    } else {
        snprintf(full, sizeof full, "%s", path);
    }
    self->file = fopen(full, "a");
    if (!self->file) {
        trainer_set_error(error, error_size, "cannot open %s for appending", full);
        free(self);
        return TRAINER_STATUS_ERROR;
    }
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) {
    recorder_t *self = instance;
    fclose(self->file);
    free(self);
}

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "Recorder",
    .name = "Hook recorder",
    .version = "1.0.0",
    .summary = "Appends every hook call to a file, one line each.",
    .param_count = sizeof params / sizeof params[0],
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
