/* @NAME@: a trainer callback plugin. Build with `make`; see README.md.
 *
 * The contract is trainer_plugin.h: the host calls create once per run, then the hooks set in
 * `hooks` below, from one thread, then destroy. Logs and parameters are borrowed for the call.
 * A hook returns TRAINER_STATUS_ERROR to fail the run (say why through trainer_log first). */
#include "trainer_plugin_helpers.h"

#include <stdlib.h>
#include <string.h>

typedef struct plugin {
    const trainer_host_t *host;
    char message[256];
} plugin_t;

/* ---- Parameters: `--set message=...` or [plugins.@NAME@] in trainer.toml ---- */

static const trainer_param_spec_t message_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "message",
    .help = "printed when training begins",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "hello"},
};

static const trainer_param_spec_t *const params[] = {&message_spec};

/* ---- Hooks: Keras's Callback methods. Epochs and batches are 0-based. ---- */

/* Before the first epoch; logs are empty. */
static trainer_status_t on_train_begin(void *instance, const trainer_logs_t *logs) {
    (void)logs;
    plugin_t *self = instance;
    trainer_log(self->host, TRAINER_LOG_INFO, "%s", self->message); /* the host prefixes it with the id */
    return TRAINER_STATUS_OK;
}

/* After the last epoch, with its logs. */
static trainer_status_t on_train_end(void *instance, const trainer_logs_t *logs) {
    (void)instance, (void)logs;
    return TRAINER_STATUS_OK;
}

/* At the start of each epoch. */
static trainer_status_t on_epoch_begin(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)instance, (void)epoch, (void)logs;
    return TRAINER_STATUS_OK;
}

/* After each epoch and its validation: loss, metrics, val_loss, val_<metric>, learning_rate. */
static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    plugin_t *self = instance;
    double loss;
    if (trainer_logs_get(logs, "loss", &loss))
        trainer_log(self->host, TRAINER_LOG_INFO, "epoch %lld loss %.4f", (long long)epoch, loss);
    return TRAINER_STATUS_OK;
}

/* Before validation and `trainer evaluate`. */
static trainer_status_t on_test_begin(void *instance, const trainer_logs_t *logs) {
    (void)instance, (void)logs;
    return TRAINER_STATUS_OK;
}

/* After validation and `trainer evaluate`: loss and metrics over the whole evaluation. */
static trainer_status_t on_test_end(void *instance, const trainer_logs_t *logs) {
    (void)instance, (void)logs;
    return TRAINER_STATUS_OK;
}

/* Before and after `trainer predict`. */
static trainer_status_t on_predict_begin(void *instance, const trainer_logs_t *logs) {
    (void)instance, (void)logs;
    return TRAINER_STATUS_OK;
}

static trainer_status_t on_predict_end(void *instance, const trainer_logs_t *logs) {
    (void)instance, (void)logs;
    return TRAINER_STATUS_OK;
}

/* Batch hooks run for every batch, so set only those you need, with the signature
 *     static trainer_status_t on_train_batch_end(void *instance, int64_t batch, const trainer_logs_t *logs);
 * on_train_batch_begin/end (logs: the epoch's running means), on_test_batch_begin/end,
 * on_predict_batch_begin/end. */
static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_train_begin = on_train_begin,
    .on_train_end = on_train_end,
    .on_epoch_begin = on_epoch_begin,
    .on_epoch_end = on_epoch_end,
    .on_test_begin = on_test_begin,
    .on_test_end = on_test_end,
    .on_predict_begin = on_predict_begin,
    .on_predict_end = on_predict_end,
};

/* ---- Life cycle ---- */

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **instance_out, char *error, size_t error_size) {
    plugin_t *self = calloc(1, sizeof *self);
    if (!self) {
        trainer_set_error(error, error_size, "out of memory");
        return TRAINER_STATUS_ERROR;
    }
    self->host = host;
    /* Parameters are borrowed for this call: copy what you keep. */
    strncpy(self->message, trainer_param_string(values, "message", "hello"), sizeof self->message - 1);
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "@NAME@",
    .name = "@NAME@",
    .version = "0.1.0",
    .summary = "@NAME@: a callback plugin",
    .param_count = sizeof params / sizeof params[0],
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
