/* id `InstanceHooks`: declares every hook, but an instance takes only on_epoch_end when its
 * `epoch_end_only` parameter is true (ABI 1.1 instance_hooks). Each call appends its hook's
 * name to the file `path` (inside the run directory when relative). */
#include "trainer_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const trainer_param_spec_t path_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "path",
    .help = "file the hook calls are appended to",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "instance_hooks.log"},
};

static const trainer_param_spec_t only_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_BOOL,
    .name = "epoch_end_only",
    .help = "take only on_epoch_end",
    .default_value = {.type = TRAINER_VALUE_BOOL, .int_value = 0},
};

static const trainer_param_spec_t *const params[] = {&path_spec, &only_spec};

typedef struct {
    FILE *file;
    int epoch_end_only;
    trainer_hooks_t own;
} state_t;

static trainer_status_t note(void *instance, const char *hook) {
    state_t *self = instance;
    fprintf(self->file, "%s\n", hook);
    fflush(self->file);
    return TRAINER_STATUS_OK;
}

#define PLAIN(name) \
    static trainer_status_t name(void *i, const trainer_logs_t *l) { (void)l; return note(i, #name); }
#define INDEXED(name) \
    static trainer_status_t name(void *i, int64_t n, const trainer_logs_t *l) { (void)n; (void)l; return note(i, #name); }

PLAIN(on_train_begin) PLAIN(on_train_end) INDEXED(on_epoch_begin) INDEXED(on_epoch_end)
INDEXED(on_train_batch_begin) INDEXED(on_train_batch_end) PLAIN(on_test_begin) PLAIN(on_test_end)
INDEXED(on_test_batch_begin) INDEXED(on_test_batch_end) PLAIN(on_predict_begin) PLAIN(on_predict_end)
INDEXED(on_predict_batch_begin) INDEXED(on_predict_batch_end)

static const trainer_hooks_t all_hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_train_begin = on_train_begin, .on_train_end = on_train_end,
    .on_epoch_begin = on_epoch_begin, .on_epoch_end = on_epoch_end,
    .on_train_batch_begin = on_train_batch_begin, .on_train_batch_end = on_train_batch_end,
    .on_test_begin = on_test_begin, .on_test_end = on_test_end,
    .on_test_batch_begin = on_test_batch_begin, .on_test_batch_end = on_test_batch_end,
    .on_predict_begin = on_predict_begin, .on_predict_end = on_predict_end,
    .on_predict_batch_begin = on_predict_batch_begin, .on_predict_batch_end = on_predict_batch_end,
};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **out, char *error, size_t error_size) {
    const char *path = values->values[0].string_value;
    char full[4096];
    trainer_run_params_t run = {.struct_size = sizeof run};
    if (path[0] != '/' && host->get_run_params && host->get_run_params(host, &run) == TRAINER_STATUS_OK && run.run_dir)
        snprintf(full, sizeof full, "%s/%s", run.run_dir, path);
    else
        snprintf(full, sizeof full, "%s", path);
    state_t *self = calloc(1, sizeof *self);
    if (!self || !(self->file = fopen(full, "a"))) {
        snprintf(error, error_size, "cannot open %s", full);
        free(self);
        return TRAINER_STATUS_ERROR;
    }
    self->epoch_end_only = values->values[1].int_value != 0;
    *out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) {
    state_t *self = instance;
    fclose(self->file);
    free(self);
}

static const trainer_hooks_t *instance_hooks(void *instance) {
    state_t *self = instance;
    if (!self->epoch_end_only) return &all_hooks;
    memset(&self->own, 0, sizeof self->own);
    self->own.struct_size = sizeof self->own;
    self->own.on_epoch_end = on_epoch_end;
    return &self->own;
}

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "InstanceHooks",
    .name = "Instance hooks",
    .version = "1.0.0",
    .summary = "Takes a per-instance subset of its hooks.",
    .param_count = 2,
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &all_hooks,
    .instance_hooks = instance_hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
