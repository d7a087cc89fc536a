/* A well-formed descriptor built for ABI major 999: the host must refuse it. */
#include "trainer_plugin.h"

static const trainer_hooks_t hooks = {.struct_size = sizeof(trainer_hooks_t)};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *params,
                               void **instance_out, char *error, size_t error_size) {
    (void)host; (void)params; (void)error; (void)error_size;
    *instance_out = NULL;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { (void)instance; }

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {999, 0},
    .id = "WrongMajor",
    .name = "Wrong major",
    .version = "1.0.0",
    .summary = "Built for ABI major 999.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
