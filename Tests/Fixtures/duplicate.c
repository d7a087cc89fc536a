/* A valid plugin whose id, "Duplicate", another build of this file shares: built as is it is
 * copy A, with -DCOPY_B copy B (only the name and summary differ). */
#ifdef COPY_B
#define COPY "B"
#else
#define COPY "A"
#endif
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
    .id = "Duplicate",
    .name = "Duplicate " COPY,
    .version = "1.0.0",
    .summary = "Copy " COPY " of two plugins sharing the id Duplicate.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
