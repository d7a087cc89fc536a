/* A valid plugin with no hooks at all (every hook pointer NULL) and no parameters: the
 * baseline of the dispatch-overhead benchmark. With -DTOOLCHAIN='"swift-5.9"' its descriptor
 * claims to come from another Swift toolchain than the host's. */
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
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "Noop",
    .name = "No-op",
    .version = "1.0.0",
    .summary = "Implements no hook.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
#ifdef TOOLCHAIN
    .toolchain = TOOLCHAIN,
#endif
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
