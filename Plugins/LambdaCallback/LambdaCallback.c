/* LambdaCallback: calls functions of any shared library at the hooks a run names, through
 * libffi. See include/LambdaCallback.h for the parameters and the signature grammar. */
#include "trainer_plugin.h"
#include "include/LambdaCallback.h"
#include "binding.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The hooks, in trainer_hooks_t's order ------------------------------------------------ */

enum {
    HOOK_TRAIN_BEGIN,
    HOOK_TRAIN_END,
    HOOK_EPOCH_BEGIN,
    HOOK_EPOCH_END,
    HOOK_TRAIN_BATCH_BEGIN,
    HOOK_TRAIN_BATCH_END,
    HOOK_TEST_BEGIN,
    HOOK_TEST_END,
    HOOK_TEST_BATCH_BEGIN,
    HOOK_TEST_BATCH_END,
    HOOK_PREDICT_BEGIN,
    HOOK_PREDICT_END,
    HOOK_PREDICT_BATCH_BEGIN,
    HOOK_PREDICT_BATCH_END,
    HOOK_COUNT
};

static const struct {
    const char *name;
    int batch; /* has a batch index */
} hook_info[HOOK_COUNT] = {
    {"on_train_begin", 0},        {"on_train_end", 0},
    {"on_epoch_begin", 0},        {"on_epoch_end", 0},
    {"on_train_batch_begin", 1},  {"on_train_batch_end", 1},
    {"on_test_begin", 0},         {"on_test_end", 0},
    {"on_test_batch_begin", 1},   {"on_test_batch_end", 1},
    {"on_predict_begin", 0},      {"on_predict_end", 0},
    {"on_predict_batch_begin", 1}, {"on_predict_batch_end", 1},
};

/* ---- Schema ------------------------------------------------------------------------------- */

#define SIGNATURE_HELP "LIB:SYMBOL(TYPE NAME, ...) [-> TYPE], TYPE i32 i64 f32 f64 (or void return)"

#define HOOK_SPEC(variable, hook, when)                                          \
    static const trainer_param_spec_t variable = {                              \
        .struct_size = sizeof(trainer_param_spec_t),                            \
        .type = TRAINER_VALUE_STRING,                                           \
        .name = hook,                                                           \
        .help = "the function to call " when ": " SIGNATURE_HELP,             \
        .default_value = {.type = TRAINER_VALUE_NONE},                          \
        .flags = TRAINER_PARAM_NULLABLE,                                        \
    }

HOOK_SPEC(train_begin_spec, "on_train_begin", "when training begins");
HOOK_SPEC(train_end_spec, "on_train_end", "when training ends");
HOOK_SPEC(epoch_begin_spec, "on_epoch_begin", "at the start of every epoch");
HOOK_SPEC(epoch_end_spec, "on_epoch_end", "at the end of every epoch");
HOOK_SPEC(train_batch_begin_spec, "on_train_batch_begin", "before every training batch");
HOOK_SPEC(train_batch_end_spec, "on_train_batch_end", "after every training batch");
HOOK_SPEC(test_begin_spec, "on_test_begin", "when an evaluation begins");
HOOK_SPEC(test_end_spec, "on_test_end", "when an evaluation ends");
HOOK_SPEC(test_batch_begin_spec, "on_test_batch_begin", "before every evaluation batch");
HOOK_SPEC(test_batch_end_spec, "on_test_batch_end", "after every evaluation batch");
HOOK_SPEC(predict_begin_spec, "on_predict_begin", "when a prediction begins");
HOOK_SPEC(predict_end_spec, "on_predict_end", "when a prediction ends");
HOOK_SPEC(predict_batch_begin_spec, "on_predict_batch_begin", "before every prediction batch");
HOOK_SPEC(predict_batch_end_spec, "on_predict_batch_end", "after every prediction batch");
HOOK_SPEC(batch_begin_spec, "on_batch_begin", "before every training batch (alias of on_train_batch_begin)");
HOOK_SPEC(batch_end_spec, "on_batch_end", "after every training batch (alias of on_train_batch_end)");

static const trainer_param_spec_t library_dir_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_STRING,
    .name = "library_dir",
    .help = "where relative library paths (holding a '/') are found (none: the working directory, then the run directory)",
    .default_value = {.type = TRAINER_VALUE_NONE},
    .flags = TRAINER_PARAM_NULLABLE,
};

static const trainer_param_spec_t *const params[] = {
    &train_begin_spec,       &train_end_spec,         &epoch_begin_spec,
    &epoch_end_spec,         &train_batch_begin_spec, &train_batch_end_spec,
    &test_begin_spec,        &test_end_spec,          &test_batch_begin_spec,
    &test_batch_end_spec,    &predict_begin_spec,     &predict_end_spec,
    &predict_batch_begin_spec, &predict_batch_end_spec, &batch_begin_spec,
    &batch_end_spec,         &library_dir_spec,
};

/* ---- Instance ----------------------------------------------------------------------------- */

typedef struct lambda_callback {
    const trainer_host_t *host;   /* passed back to the host's functions */
    trainer_host_t table;         /* the host's table, fields past its struct_size zeroed */
    lambda_binding_t *bindings[HOOK_COUNT]; /* NULL: no signature for that hook */
    int64_t epoch;                /* the epoch in progress, -1 before the first */
    unsigned char said_stop[HOOK_COUNT];
    trainer_hooks_t own_hooks;    /* the hooks this instance was given signatures for */
} lambda_callback_t;

static void say(const lambda_callback_t *self, trainer_log_level_t level, const char *message) {
    if (self->table.log) self->table.log(self->host, level, message);
}

static void warn(void *context, const char *message) {
    say(context, TRAINER_LOG_WARNING, message);
}

__attribute__((format(printf, 3, 4)))
static void set_error(char *error, size_t error_size, const char *format, ...) {
    if (!error || error_size == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
}

/* The string value named `name`: NULL when absent, none, or empty (all mean "not set"). */
static const char *string_param(const trainer_param_values_t *values, const char *name) {
    if (!values || values->struct_size < sizeof(trainer_param_values_t)) return NULL;
    for (uint32_t i = 0; i < values->count; i++) {
        if (values->names[i] && strcmp(values->names[i], name) == 0) {
            const trainer_value_t *v = &values->values[i];
            if (v->type != TRAINER_VALUE_STRING || !v->string_value) return NULL;
            const char *p = v->string_value;
            while (*p == ' ' || *p == '\t') p++;
            return *p ? v->string_value : NULL;
        }
    }
    return NULL;
}

static void destroy(void *instance) {
    lambda_callback_t *self = instance;
    if (!self) return;
    for (int i = 0; i < HOOK_COUNT; i++) lambda_binding_destroy(self->bindings[i]);
    free(self);
}

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values,
                               void **instance_out, char *error, size_t error_size) {
    if (!host || !instance_out) {
        set_error(error, error_size, "create needs a host table and an instance pointer");
        return TRAINER_STATUS_ERROR;
    }
    lambda_callback_t *self = calloc(1, sizeof *self);
    if (!self) {
        set_error(error, error_size, "out of memory");
        return TRAINER_STATUS_ERROR;
    }
    self->host = host;
    size_t known = host->struct_size < sizeof(self->table) ? host->struct_size : sizeof(self->table);
    memcpy(&self->table, host, known);
    self->epoch = -1;

    /* Where relative library paths are found. */
    lambda_search_t search = {.library_dir = string_param(values, "library_dir")};
    trainer_run_params_t run;
    memset(&run, 0, sizeof run);
    run.struct_size = sizeof run;
    if (self->table.get_run_params && self->table.get_run_params(host, &run) == TRAINER_STATUS_OK &&
        run.struct_size >= offsetof(trainer_run_params_t, run_dir) + sizeof run.run_dir) {
        search.run_dir = run.run_dir;
    }

    /* Keras's aliases: on_batch_begin/end are on_train_batch_begin/end. */
    const char *texts[HOOK_COUNT];
    const char *names[HOOK_COUNT];
    for (int i = 0; i < HOOK_COUNT; i++) {
        names[i] = hook_info[i].name;
        texts[i] = string_param(values, names[i]);
    }
    static const struct { int hook; const char *alias; } aliases[] = {
        {HOOK_TRAIN_BATCH_BEGIN, "on_batch_begin"},
        {HOOK_TRAIN_BATCH_END, "on_batch_end"},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        const char *text = string_param(values, aliases[i].alias);
        if (!text) continue;
        if (texts[aliases[i].hook]) {
            set_error(error, error_size, "%s is Keras's alias of %s: set one of them, not both",
                      aliases[i].alias, hook_info[aliases[i].hook].name);
            destroy(self);
            return TRAINER_STATUS_ERROR;
        }
        texts[aliases[i].hook] = text;
        names[aliases[i].hook] = aliases[i].alias;
    }

    for (int i = 0; i < HOOK_COUNT; i++) {
        if (!texts[i]) continue;
        char reason[1024] = "";
        self->bindings[i] = lambda_binding_create(hook_info[i].name, hook_info[i].batch, texts[i],
                                                  &search, reason, sizeof reason);
        if (!self->bindings[i]) {
            set_error(error, error_size, "%s: %s", names[i], reason);
            destroy(self);
            return TRAINER_STATUS_ERROR;
        }
        char message[1024];
        snprintf(message, sizeof message, "%s calls %s in %s", hook_info[i].name,
                 self->bindings[i]->sig.symbol, self->bindings[i]->library_path);
        say(self, TRAINER_LOG_DEBUG, message);
    }
    *instance_out = self;
    return TRAINER_STATUS_OK;
}

/* ---- Hooks -------------------------------------------------------------------------------- */

/* Calls the function bound to `hook`, if any; a non-zero integer result stops training. */
static trainer_status_t run(lambda_callback_t *self, int hook, int64_t batch,
                            const trainer_logs_t *logs) {
    lambda_binding_t *binding = self->bindings[hook];
    if (!binding) return TRAINER_STATUS_OK;
    int64_t result = lambda_binding_call(binding, self->epoch, batch, logs, warn, self);
    if (result != 0) {
        if (!self->said_stop[hook]) {
            self->said_stop[hook] = 1;
            char message[512];
            snprintf(message, sizeof message, "%s returned %lld in %s: stopping training",
                     binding->sig.symbol, (long long)result, hook_info[hook].name);
            say(self, TRAINER_LOG_INFO, message);
        }
        if (self->table.stop_training) self->table.stop_training(self->host);
    }
    return TRAINER_STATUS_OK;
}

#define PLAIN_HOOK(function, hook)                                               \
    static trainer_status_t function(void *instance, const trainer_logs_t *logs) { \
        return run(instance, hook, -1, logs);                                    \
    }

#define BATCH_HOOK(function, hook)                                               \
    static trainer_status_t function(void *instance, int64_t batch,               \
                                     const trainer_logs_t *logs) {                \
        return run(instance, hook, batch, logs);                                 \
    }

PLAIN_HOOK(on_train_begin, HOOK_TRAIN_BEGIN)
PLAIN_HOOK(on_train_end, HOOK_TRAIN_END)
BATCH_HOOK(on_train_batch_begin, HOOK_TRAIN_BATCH_BEGIN)
BATCH_HOOK(on_train_batch_end, HOOK_TRAIN_BATCH_END)
PLAIN_HOOK(on_test_begin, HOOK_TEST_BEGIN)
PLAIN_HOOK(on_test_end, HOOK_TEST_END)
BATCH_HOOK(on_test_batch_begin, HOOK_TEST_BATCH_BEGIN)
BATCH_HOOK(on_test_batch_end, HOOK_TEST_BATCH_END)
PLAIN_HOOK(on_predict_begin, HOOK_PREDICT_BEGIN)
PLAIN_HOOK(on_predict_end, HOOK_PREDICT_END)
BATCH_HOOK(on_predict_batch_begin, HOOK_PREDICT_BATCH_BEGIN)
BATCH_HOOK(on_predict_batch_end, HOOK_PREDICT_BATCH_END)

/* The epoch hooks also keep the epoch that the other hooks pass as `epoch`. */
static trainer_status_t on_epoch_begin(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    lambda_callback_t *self = instance;
    self->epoch = epoch;
    return run(self, HOOK_EPOCH_BEGIN, -1, logs);
}

static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    lambda_callback_t *self = instance;
    self->epoch = epoch;
    return run(self, HOOK_EPOCH_END, -1, logs);
}

/* ---- Descriptor --------------------------------------------------------------------------- */

/* Every hook the plugin can call; each instance takes only those it has a signature for
 * (instance_hooks below), plus on_epoch_begin, which keeps the epoch other hooks may pass. */
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

static const trainer_hooks_t *instance_hooks(void *instance) {
    lambda_callback_t *self = instance;
    trainer_hooks_t *own = &self->own_hooks;
    memset(own, 0, sizeof *own);
    own->struct_size = sizeof *own;
    own->on_epoch_begin = hooks.on_epoch_begin;
#define TAKE(index, field) if (self->bindings[index]) own->field = hooks.field
    TAKE(HOOK_TRAIN_BEGIN, on_train_begin);
    TAKE(HOOK_TRAIN_END, on_train_end);
    TAKE(HOOK_EPOCH_END, on_epoch_end);
    TAKE(HOOK_TRAIN_BATCH_BEGIN, on_train_batch_begin);
    TAKE(HOOK_TRAIN_BATCH_END, on_train_batch_end);
    TAKE(HOOK_TEST_BEGIN, on_test_begin);
    TAKE(HOOK_TEST_END, on_test_end);
    TAKE(HOOK_TEST_BATCH_BEGIN, on_test_batch_begin);
    TAKE(HOOK_TEST_BATCH_END, on_test_batch_end);
    TAKE(HOOK_PREDICT_BEGIN, on_predict_begin);
    TAKE(HOOK_PREDICT_END, on_predict_end);
    TAKE(HOOK_PREDICT_BATCH_BEGIN, on_predict_batch_begin);
    TAKE(HOOK_PREDICT_BATCH_END, on_predict_batch_end);
#undef TAKE
    return own;
}

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = LAMBDA_CALLBACK_ID,
    .name = "Lambda callback",
    .version = LAMBDA_CALLBACK_VERSION,
    .summary = "Calls functions of any shared library at the hooks you name, through libffi.",
    .toolchain = NULL,
    .param_count = sizeof params / sizeof params[0],
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
    .instance_hooks = instance_hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) {
    return &descriptor;
}
