/* id `Careless`: a plugin with one carelessness chosen by `flaw` (string, default "none"),
 * for the validator's tests; with the default it passes every check.
 *
 *   none          behaves: counts epochs, saves the count as 8 bytes ("CNT" + count)
 *   bad_state     load_state trusts its bytes: it refuses fewer than 8, but any other 8 or
 *                 more that are not its own make it read through a pointer taken from them
 *                 (SIGSEGV on random bytes)
 *   other_thread  on_epoch_end calls host->log from a thread it starts (and joins)
 *   prints        on_epoch_end prints to standard output with printf
 *   drifts        save_state after load_state writes a different count (a round trip that
 *                 does not restore what was saved) */
#define _POSIX_C_SOURCE 200809L
#include "trainer_plugin.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const trainer_param_spec_t flaw_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "flaw",
    .help = "none, bad_state, other_thread, prints or drifts",
    .default_value = {.type = TRAINER_VALUE_STRING, .string_value = "none"},
    .choices = "none|bad_state|other_thread|prints|drifts",
};

static const trainer_param_spec_t *const params[] = {&flaw_spec};

typedef struct careless {
    const trainer_host_t *host;
    char flaw[16];
    int64_t epochs;
} careless_t;

static void *log_from_thread(void *argument) {
    careless_t *self = argument;
    self->host->log(self->host, TRAINER_LOG_INFO, "Careless logs from a thread of its own");
    return NULL;
}

static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)logs;
    careless_t *self = instance;
    self->epochs = epoch + 1;
    if (strcmp(self->flaw, "other_thread") == 0) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, log_from_thread, self) == 0) pthread_join(thread, NULL);
    } else if (strcmp(self->flaw, "prints") == 0) {
        printf("Careless prints epoch %lld\n", (long long)epoch);
    }
    return TRAINER_STATUS_OK;
}

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_epoch_end = on_epoch_end,
};

static trainer_status_t save_state(void *instance, const trainer_byte_sink_t *sink) {
    careless_t *self = instance;
    unsigned char bytes[8] = {'C', 'N', 'T'};
    int64_t count = self->epochs + (strcmp(self->flaw, "drifts") == 0 ? 1 : 0);
    for (int i = 0; i < 5; i++) bytes[3 + i] = (unsigned char)(count >> (8 * i));
    return sink->write(sink, bytes, sizeof bytes);
}

static trainer_status_t load_state(void *instance, const void *bytes, size_t size) {
    careless_t *self = instance;
    const unsigned char *b = bytes;
    if (size != 8 || memcmp(b, "CNT", 3) != 0) {
        if (strcmp(self->flaw, "bad_state") == 0 && size >= 8) {
            /* Trusts the bytes: a "pointer" from them. */
            volatile const int64_t *where = NULL;
            memcpy((void *)&where, b, sizeof where);
            self->epochs = *where;
            return TRAINER_STATUS_OK;
        }
        self->host->log(self->host, TRAINER_LOG_WARNING, "Careless: not a saved state of this plugin");
        return TRAINER_STATUS_ERROR;
    }
    int64_t count = 0;
    for (int i = 0; i < 5; i++) count |= (int64_t)b[3 + i] << (8 * i);
    self->epochs = count;
    return TRAINER_STATUS_OK;
}

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **instance_out, char *error, size_t error_size) {
    careless_t *self = calloc(1, sizeof(*self));
    if (!self) {
        snprintf(error, error_size, "out of memory");
        return TRAINER_STATUS_ERROR;
    }
    self->host = host;
    strcpy(self->flaw, "none");
    for (uint32_t i = 0; values && i < values->count; i++)
        if (strcmp(values->names[i], "flaw") == 0 && values->values[i].type == TRAINER_VALUE_STRING)
            strncpy(self->flaw, values->values[i].string_value, sizeof self->flaw - 1);
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "Careless",
    .name = "Careless",
    .version = "1.0.0",
    .summary = "Counts epochs, with one carelessness chosen by flaw, for the validator's tests.",
    .param_count = sizeof params / sizeof params[0],
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
    .save_state = save_state,
    .load_state = load_state,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
