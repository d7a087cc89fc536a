/* A plugin that implements all 14 hooks, batch hooks included, each returning at once. The
 * tests load it as `EveryHookNoop`; the hook-dispatch benchmark of scripts/benchmark builds ten
 * copies with their own ids, so that they can be enabled side by side:
 *
 *   cc -std=c11 -O2 -shared -fPIC -I Sources/CTrainerPlugin/include -DPLUGIN_ID=Noop3 \
 *      Tests/Fixtures/every_hook_noop.c -o libNoop3.so
 */
#include "trainer_plugin.h"

#ifndef PLUGIN_ID
#define PLUGIN_ID EveryHookNoop
#endif
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static trainer_status_t plain(void *instance, const trainer_logs_t *logs) {
    (void)instance; (void)logs;
    return TRAINER_STATUS_OK;
}

static trainer_status_t indexed(void *instance, int64_t index, const trainer_logs_t *logs) {
    (void)instance; (void)index; (void)logs;
    return TRAINER_STATUS_OK;
}

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_train_begin = plain,
    .on_train_end = plain,
    .on_epoch_begin = indexed,
    .on_epoch_end = indexed,
    .on_train_batch_begin = indexed,
    .on_train_batch_end = indexed,
    .on_test_begin = plain,
    .on_test_end = plain,
    .on_test_batch_begin = indexed,
    .on_test_batch_end = indexed,
    .on_predict_begin = plain,
    .on_predict_end = plain,
    .on_predict_batch_begin = indexed,
    .on_predict_batch_end = indexed,
};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *params,
                               void **instance_out, char *error, size_t error_size) {
    (void)host; (void)params; (void)error; (void)error_size;
    *instance_out = NULL;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { (void)instance; }

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = STRINGIFY(PLUGIN_ID),
    .name = "Every hook, no-op (" STRINGIFY(PLUGIN_ID) ")",
    .version = "1.0.0",
    .summary = "Implements every hook; each returns at once.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
