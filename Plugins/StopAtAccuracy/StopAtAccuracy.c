/* StopAtAccuracy: stops training once a monitored log passes a threshold. See
 * include/StopAtAccuracy.h for what it does and how to build it without SwiftPM. */
#include "trainer_plugin_helpers.h"
#include "include/StopAtAccuracy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Schema ----------------------------------------------------------------------------- */

static const trainer_param_spec_t monitor_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "monitor",
    .help = "the log to watch, e.g. accuracy or val_accuracy",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "accuracy"},
};

static const trainer_param_spec_t threshold_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_DOUBLE,
    .name = "threshold",
    .help = "stop once the monitored value reaches this (any finite number)",
    .default_value = {.type = TRAINER_VALUE_DOUBLE, .double_value = 0.9},
};

static const trainer_param_spec_t mode_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "mode",
    .help = "max: stop when value >= threshold; min: stop when value <= threshold",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "max"},
    .choices = "max|min",
};

static const trainer_param_spec_t verbose_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_INT,
    .name = "verbose",
    .help = "1: log a message when stopping training; 0: stay quiet",
    .default_value = {.type = TRAINER_VALUE_INT, .int_value = 1},
    .flags = TRAINER_PARAM_HAS_MIN | TRAINER_PARAM_HAS_MAX,
    .min = 0,
    .max = 1,
};

static const trainer_param_spec_t *const params[] = {
    &monitor_spec, &threshold_spec, &mode_spec, &verbose_spec,
};

/* ---- Instance --------------------------------------------------------------------------- */

typedef struct stop_at_accuracy {
    const trainer_host_t *host; /* passed back to the host's functions */
    trainer_host_t table;       /* the host's table, fields past its struct_size zeroed */
    char *monitor;
    double threshold;
    int mode_max;
    int verbose;
    int warned_missing;
} stop_at_accuracy_t;

static void say(const stop_at_accuracy_t *self, trainer_log_level_t level, const char *message) {
    if (self->table.log) self->table.log(self->host, level, message);
}

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **instance_out, char *error, size_t error_size) {
    if (!host || !instance_out) {
        trainer_set_error(error, error_size, "create needs a host table and an instance pointer");
        return TRAINER_STATUS_ERROR;
    }
    stop_at_accuracy_t *self = calloc(1, sizeof(*self));
    if (!self) {
        trainer_set_error(error, error_size, "out of memory");
        return TRAINER_STATUS_ERROR;
    }
    self->host = host;
    trainer_host_copy(host, &self->table);

    /* The host fills in defaults; fall back to the schema's own when a value is absent. */
    const char *monitor = trainer_param_string(values, "monitor", "accuracy");
    const char *mode = trainer_param_string(values, "mode", "max");
    self->threshold = trainer_param_double(values, "threshold", 0.9);
    self->verbose = trainer_param_int(values, "verbose", 1) != 0;

    if (!isfinite(self->threshold)) {
        trainer_set_error(error, error_size, "threshold must be a finite number");
        free(self);
        return TRAINER_STATUS_ERROR;
    }
    if (strcmp(mode, "max") != 0 && strcmp(mode, "min") != 0) {
        trainer_set_error(error, error_size, "mode must be max or min, got '%s'", mode);
        free(self);
        return TRAINER_STATUS_ERROR;
    }
    self->mode_max = strcmp(mode, "max") == 0;
    self->monitor = malloc(strlen(monitor) + 1);
    if (!self->monitor) {
        trainer_set_error(error, error_size, "out of memory");
        free(self);
        return TRAINER_STATUS_ERROR;
    }
    strcpy(self->monitor, monitor);
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) {
    stop_at_accuracy_t *self = instance;
    if (!self) return;
    free(self->monitor);
    free(self);
}

/* ---- Hook ------------------------------------------------------------------------------- */

static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)epoch;
    stop_at_accuracy_t *self = instance;
    const trainer_log_item_t *found = trainer_logs_find(logs, self->monitor);
    if (!found) {
        if (!self->warned_missing) {
            /* Name what is there, as Keras's callbacks do ("Available metrics are: ..."). */
            char message[512];
            size_t n = (size_t)snprintf(message, sizeof message,
                                        "monitored value '%s' is not in the epoch logs; available:",
                                        self->monitor);
            uint32_t count = logs && logs->struct_size >= sizeof(trainer_logs_t) ? logs->count : 0;
            for (uint32_t i = 0; i < count && n < sizeof message; i++) {
                const char *name = logs->items[i].name ? logs->items[i].name : "?";
                n += (size_t)snprintf(message + n, sizeof message - n, "%s %s", i ? "," : "", name);
            }
            if (count == 0 && n < sizeof message) snprintf(message + n, sizeof message - n, " none");
            say(self, TRAINER_LOG_WARNING, message);
            self->warned_missing = 1;
        }
        return TRAINER_STATUS_OK;
    }
    double value = found->value;
    int reached = self->mode_max ? value >= self->threshold : value <= self->threshold;
    if (!reached) return TRAINER_STATUS_OK; /* NaN never reaches a threshold */
    if (self->verbose) {
        char message[256];
        snprintf(message, sizeof message, "Reached %s %.4f %s %g, stopping training",
                 self->monitor, value, self->mode_max ? ">=" : "<=", self->threshold);
        say(self, TRAINER_LOG_INFO, message);
    }
    char reason[256];
    snprintf(reason, sizeof reason, "%s reached %.4f (%s %g)", self->monitor, value,
             self->mode_max ? ">=" : "<=", self->threshold);
    trainer_stop_training_because(self->host, reason);
    return TRAINER_STATUS_OK;
}

/* ---- Descriptor ------------------------------------------------------------------------- */

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_epoch_end = on_epoch_end,
};

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = STOP_AT_ACCURACY_ID,
    .name = "Stop at accuracy",
    .version = STOP_AT_ACCURACY_VERSION,
    .summary = "Stops training once a monitored value (accuracy by default) reaches a threshold.",
    .toolchain = NULL,
    .param_count = sizeof params / sizeof params[0],
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) {
    return &descriptor;
}
