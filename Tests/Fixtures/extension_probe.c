/* A plugin that calls ABI 1.2's extensions ("trainer.logs/1", "trainer.predict/1",
 * "trainer.weights/1") and stop_training_because with good and with bad arguments, and says
 * what each call answered through host->log, one line per call:
 *
 *     probe: epoch 0: predict batch -1 -> error
 *
 * The test compares those lines with what the ABI promises, and the lines of an isolated run
 * with an in-process one. It also adds `probe_value` (= 10 * epoch + 7) to epoch 0's logs only,
 * and at epoch 2 stops training with a reason of 2000 bytes that are not all UTF-8.
 */
#include "trainer_plugin_helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct probe {
    const trainer_host_t *host;
} probe_t;

static void say(const trainer_host_t *host, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void say(const trainer_host_t *host, const char *format, ...) {
    char line[512] = "probe: ";
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(line + 7, sizeof line - 7, format, arguments);
    va_end(arguments);
    host->log(host, TRAINER_LOG_INFO, line);
}

static const char *status(trainer_status_t s) { return s == TRAINER_STATUS_OK ? "ok" : "error"; }

static const trainer_logs_ext_t *logs_ext(const trainer_host_t *host) {
    return trainer_host_extension(host, TRAINER_EXT_LOGS, TRAINER_STRUCT_END(trainer_logs_ext_t, set));
}

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *params,
                               void **instance_out, char *error, size_t error_size) {
    (void)params;
    probe_t *self = calloc(1, sizeof *self);
    if (!self) {
        trainer_set_error(error, error_size, "out of memory");
        return TRAINER_STATUS_ERROR;
    }
    self->host = host;
    const trainer_logs_ext_t *logs = logs_ext(host);
    say(host, "create: logs ext %s", logs ? "found" : "missing");
    if (logs) say(host, "create: logs set outside a hook -> %s", status(logs->set(host, "early", 1)));
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static void probe_logs(const trainer_host_t *host, int64_t epoch) {
    const trainer_logs_ext_t *logs = logs_ext(host);
    if (!logs) return;
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    say(host, "epoch %lld: logs set NULL -> %s", (long long)epoch, status(logs->set(host, NULL, 1)));
    say(host, "epoch %lld: logs set empty -> %s", (long long)epoch, status(logs->set(host, "", 1)));
    say(host, "epoch %lld: logs set control -> %s", (long long)epoch, status(logs->set(host, "a\nb", 1)));
    say(host, "epoch %lld: logs set 299 bytes -> %s", (long long)epoch, status(logs->set(host, long_name, 1)));
    say(host, "epoch %lld: logs set bad utf8 -> %s", (long long)epoch, status(logs->set(host, "\xff\xfe", 1)));
    if (epoch == 0) {
        say(host, "epoch %lld: logs set probe_value -> %s", (long long)epoch,
            status(logs->set(host, "probe_value", 10.0 * (double)epoch + 7)));
    }
}

static void probe_predict(const trainer_host_t *host, int64_t epoch) {
    const trainer_predict_ext_t *predict = trainer_host_extension(
        host, TRAINER_EXT_PREDICT, TRAINER_STRUCT_END(trainer_predict_ext_t, predict));
    if (!predict) {
        say(host, "epoch %lld: predict ext missing", (long long)epoch);
        return;
    }
    char error[256];
    int64_t batches = predict->validation_batches(host);
    say(host, "epoch %lld: validation batches %lld", (long long)epoch, (long long)batches);
    trainer_prediction_t out = {.struct_size = sizeof out};
    say(host, "epoch %lld: predict batch -1 -> %s", (long long)epoch,
        status(predict->predict_validation_batch(host, -1, &out, error, sizeof error)));
    say(host, "epoch %lld: predict batch past the end -> %s", (long long)epoch,
        status(predict->predict_validation_batch(host, batches, &out, error, sizeof error)));
    say(host, "epoch %lld: predict batch into NULL -> %s", (long long)epoch,
        status(predict->predict_validation_batch(host, 0, NULL, error, sizeof error)));
    trainer_status_t s = predict->predict_validation_batch(host, batches - 1, &out, error, sizeof error);
    double worst = 0;
    for (int64_t r = 0; s == TRAINER_STATUS_OK && r < out.rows; r++) {
        double sum = 0;
        for (int64_t c = 0; c < out.output_size; c++) sum += out.outputs[r * out.output_size + c];
        if (fabs(sum - 1) > worst) worst = fabs(sum - 1);
    }
    say(host, "epoch %lld: predict last batch -> %s first %lld rows %lld outputs %lld targets %lld sums %s",
        (long long)epoch, status(s), (long long)out.first_sample, (long long)out.rows,
        (long long)out.output_size, (long long)out.target_size, worst < 1e-4 ? "1" : "off");

    static float inputs[3 * 784];
    say(host, "epoch %lld: predict NULL inputs -> %s", (long long)epoch,
        status(predict->predict(host, NULL, 3, 784, &out, error, sizeof error)));
    say(host, "epoch %lld: predict input_size 5 -> %s", (long long)epoch,
        status(predict->predict(host, inputs, 3, 5, &out, error, sizeof error)));
    say(host, "epoch %lld: predict rows -1 -> %s", (long long)epoch,
        status(predict->predict(host, inputs, -1, 784, &out, error, sizeof error)));
    s = predict->predict(host, inputs, 3, 784, &out, error, sizeof error);
    say(host, "epoch %lld: predict 3 rows -> %s rows %lld outputs %lld targets %s", (long long)epoch, status(s),
        (long long)out.rows, (long long)out.output_size, out.targets ? "some" : "none");
}

static void probe_weights(const trainer_host_t *host, int64_t epoch) {
    const trainer_weights_ext_t *weights = trainer_host_extension(
        host, TRAINER_EXT_WEIGHTS, TRAINER_STRUCT_END(trainer_weights_ext_t, set_weights));
    if (!weights) {
        say(host, "epoch %lld: weights ext missing", (long long)epoch);
        return;
    }
    char error[256];
    trainer_tensor_view_t view = {.struct_size = sizeof view};
    if (host->get_weight(host, 0, &view) != TRAINER_STATUS_OK) return;
    /* The same values back: training goes on exactly as without the probe. */
    float *copy = malloc((size_t)view.element_count * sizeof *copy);
    memcpy(copy, view.data, (size_t)view.element_count * sizeof *copy);
    say(host, "epoch %lld: set weight -1 -> %s", (long long)epoch,
        status(weights->set_weight(host, -1, copy, view.element_count, error, sizeof error)));
    say(host, "epoch %lld: set weight short -> %s", (long long)epoch,
        status(weights->set_weight(host, 0, copy, view.element_count - 1, error, sizeof error)));
    say(host, "epoch %lld: set weight NULL -> %s", (long long)epoch,
        status(weights->set_weight(host, 0, NULL, view.element_count, error, sizeof error)));
    const float *data[1] = {copy};
    int64_t counts[1] = {view.element_count};
    say(host, "epoch %lld: set weights count 1 -> %s", (long long)epoch,
        status(weights->set_weights(host, 1, data, counts, error, sizeof error)));
    say(host, "epoch %lld: set weight 0 -> %s", (long long)epoch,
        status(weights->set_weight(host, 0, copy, view.element_count, error, sizeof error)));
    free(copy);
}

static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)logs;
    probe_t *self = instance;
    probe_logs(self->host, epoch);
    probe_predict(self->host, epoch);
    probe_weights(self->host, epoch);
    if (epoch == 2) {
        char reason[2001];
        memset(reason, 'r', sizeof reason - 1);
        reason[0] = (char)0xff;
        reason[sizeof reason - 1] = 0;
        trainer_stop_training_because(self->host, reason);
    }
    return TRAINER_STATUS_OK;
}

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_epoch_end = on_epoch_end,
};

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "ExtensionProbe",
    .name = "Extension probe",
    .version = "1.0.0",
    .summary = "Calls ABI 1.2's extensions with good and bad arguments and logs the answers.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
