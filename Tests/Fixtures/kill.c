/* A plugin that kills its own process with SIGKILL at a chosen point of training, as a power
 * cut or the OOM killer would: no hook after it runs, nothing is flushed; or sends it SIGINT or
 * SIGTERM there, as Ctrl-C or a scheduler would. It acts only when
 * the environment variable KILL_PLUGIN_ARMED is set, so that the resume tests run the very
 * same command (plugin list and all) uninterrupted, interrupted and resumed.
 *
 * Parameters:
 *   hook   string, default "on_epoch_end": on_epoch_end or on_train_batch_end
 *   epoch  int, default 0: the 0-based epoch to die in
 *   batch  int, default 0: for on_train_batch_end, the 0-based batch of that epoch
 *   signal string, default "KILL": KILL, INT (Ctrl-C), TERM (a scheduler's preemption), or
 *          INT2 (Ctrl-C pressed twice)
 */
#include "trainer_plugin_helpers.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const trainer_param_spec_t hook_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "hook",
    .help = "on_epoch_end or on_train_batch_end",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "on_epoch_end"},
    .choices = "on_epoch_end|on_train_batch_end",
};

static const trainer_param_spec_t epoch_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_INT,
    .name = "epoch",
    .help = "the 0-based epoch to die in",
    .default_value = {.type = TRAINER_VALUE_INT, .int_value = 0},
};

static const trainer_param_spec_t batch_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_INT,
    .name = "batch",
    .help = "for on_train_batch_end: the 0-based batch to die after",
    .default_value = {.type = TRAINER_VALUE_INT, .int_value = 0},
};

static const trainer_param_spec_t signal_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "signal",
    .help = "KILL, INT, TERM or INT2 (twice)",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "KILL"},
    .choices = "KILL|INT|TERM|INT2",
};

static const trainer_param_spec_t *const params[] = {&hook_spec, &epoch_spec, &batch_spec, &signal_spec};

typedef struct killer {
    int armed, at_batch_end, signal, twice;
    int64_t epoch, batch, current_epoch;
} killer_t;

static trainer_status_t on_epoch_begin(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)logs;
    ((killer_t *)instance)->current_epoch = epoch;
    return TRAINER_STATUS_OK;
}

static void die(const killer_t *self) {
    raise(self->signal);
    if (self->twice) raise(self->signal);
}

static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)logs;
    killer_t *self = instance;
    if (self->armed && !self->at_batch_end && epoch == self->epoch) die(self);
    return TRAINER_STATUS_OK;
}

static trainer_status_t on_train_batch_end(void *instance, int64_t batch, const trainer_logs_t *logs) {
    (void)logs;
    killer_t *self = instance;
    if (self->armed && self->at_batch_end && self->current_epoch == self->epoch && batch == self->batch) die(self);
    return TRAINER_STATUS_OK;
}

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_epoch_begin = on_epoch_begin,
    .on_epoch_end = on_epoch_end,
    .on_train_batch_end = on_train_batch_end,
};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **instance_out, char *error, size_t error_size) {
    (void)host;
    (void)error;
    (void)error_size;
    killer_t *self = calloc(1, sizeof(*self));
    if (!self) return TRAINER_STATUS_ERROR;
    const char *armed = getenv("KILL_PLUGIN_ARMED");
    self->armed = armed && armed[0];
    self->at_batch_end = strcmp(trainer_param_string(values, "hook", ""), "on_train_batch_end") == 0;
    self->epoch = trainer_param_int(values, "epoch", 0);
    self->batch = trainer_param_int(values, "batch", 0);
    const char *signal_name = trainer_param_string(values, "signal", "KILL");
    self->signal = SIGKILL;
    if (strncmp(signal_name, "INT", 3) == 0) self->signal = SIGINT;
    if (strcmp(signal_name, "TERM") == 0) self->signal = SIGTERM;
    self->twice = strcmp(signal_name, "INT2") == 0;
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "Kill",
    .name = "Kill",
    .version = "1.0.0",
    .summary = "Kills its own process with SIGKILL at a chosen hook, for resume tests.",
    .param_count = sizeof params / sizeof params[0],
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
