/* A plugin that misbehaves inside a hook, as a buggy third-party plugin would:
 *
 *   action  string, default "segfault": segfault (writes through NULL), abort, exit (exit(0),
 *           which must never end a run with status 0), hang (loops forever), garble (writes a
 *           frame length of 0xFFFFFFFF to descriptor 3 when it is a socket: an isolated plugin's
 *           connection to the training process), or none
 *   hook    string, default "on_epoch_end": on_epoch_end, on_train_batch_end or create
 *   epoch   int, default 0: for on_epoch_end, the 0-based epoch it misbehaves at
 *
 * The in-process guard tests run it and expect a message naming the plugin and the hook. */
#define _DEFAULT_SOURCE /* fstat, S_ISSOCK and write under -std=c11 */
#include "trainer_plugin_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const trainer_param_spec_t action_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "action",
    .help = "segfault, abort, exit, hang, garble or none",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "segfault"},
    .choices = "segfault|abort|exit|hang|garble|none",
};

static const trainer_param_spec_t hook_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "hook",
    .help = "the hook to misbehave in",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "on_epoch_end"},
    .choices = "on_epoch_end|on_train_batch_end|create",
};

static const trainer_param_spec_t epoch_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_INT,
    .name = "epoch",
    .help = "for on_epoch_end: the 0-based epoch",
    .default_value = {.type = TRAINER_VALUE_INT, .int_value = 0},
};

static const trainer_param_spec_t *const params[] = {&action_spec, &hook_spec, &epoch_spec};

typedef struct misbehave {
    char action[16], hook[32];
    int64_t epoch;
} misbehave_t;

static volatile int *volatile nowhere;

static void misbehave(const char *action) {
    if (strcmp(action, "segfault") == 0) *nowhere = 1;
    else if (strcmp(action, "abort") == 0) abort();
    else if (strcmp(action, "exit") == 0) exit(0);
    else if (strcmp(action, "hang") == 0) for (;;) { }
    else if (strcmp(action, "garble") == 0) {
        struct stat info;
        static const unsigned char garbage[] = {0xff, 0xff, 0xff, 0xff, 'n', 'o', 'i', 's', 'e'};
        if (fstat(3, &info) == 0 && S_ISSOCK(info.st_mode)) (void)!write(3, garbage, sizeof garbage);
    }
}

static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)logs;
    misbehave_t *self = instance;
    if (strcmp(self->hook, "on_epoch_end") == 0 && epoch == self->epoch) misbehave(self->action);
    return TRAINER_STATUS_OK;
}

static trainer_status_t on_train_batch_end(void *instance, int64_t batch, const trainer_logs_t *logs) {
    (void)logs;
    (void)batch;
    misbehave_t *self = instance;
    if (strcmp(self->hook, "on_train_batch_end") == 0) misbehave(self->action);
    return TRAINER_STATUS_OK;
}

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_epoch_end = on_epoch_end,
    .on_train_batch_end = on_train_batch_end,
};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **instance_out, char *error, size_t error_size) {
    (void)host;
    (void)error;
    (void)error_size;
    misbehave_t *self = calloc(1, sizeof(*self));
    if (!self) return TRAINER_STATUS_ERROR;
    strcpy(self->action, "segfault");
    strcpy(self->hook, "on_epoch_end");
    strncpy(self->action, trainer_param_string(values, "action", "segfault"), sizeof self->action - 1);
    strncpy(self->hook, trainer_param_string(values, "hook", "on_epoch_end"), sizeof self->hook - 1);
    self->epoch = trainer_param_int(values, "epoch", 0);
    if (strcmp(self->hook, "create") == 0) misbehave(self->action);
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "Misbehave",
    .name = "Misbehave",
    .version = "1.0.0",
    .summary = "Crashes, aborts, exits or hangs in a chosen hook, for the host's guard tests.",
    .param_count = sizeof params / sizeof params[0],
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
