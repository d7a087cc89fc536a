/* id `BadParams`: a descriptor whose parameter array does not hold what param_count says.
 * By default param_count is 1000 and the array has 1 element; with -DGARBAGE_POINTERS,
 * param_count is 3 and the last two pointers point nowhere (0x10, 0x20), so a reader that
 * follows them dies by SIGSEGV. */
#include "trainer_plugin.h"

#include <stdint.h>

static const trainer_hooks_t hooks = {.struct_size = sizeof(trainer_hooks_t)};

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *params,
                               void **instance_out, char *error, size_t error_size) {
    (void)host; (void)params; (void)error; (void)error_size;
    *instance_out = NULL;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { (void)instance; }

static const trainer_param_spec_t threshold = {
    .struct_size = sizeof(trainer_param_spec_t),
    .name = "threshold",
    .type = TRAINER_VALUE_DOUBLE,
    .help = "a real parameter",
    .default_value = {.type = TRAINER_VALUE_DOUBLE, .double_value = 0.5},
};

#ifdef GARBAGE_POINTERS
static const trainer_param_spec_t *const params[] = {
    &threshold, (const trainer_param_spec_t *)(uintptr_t)0x10, (const trainer_param_spec_t *)(uintptr_t)0x20,
};
#define PARAM_COUNT 3
#else
static const trainer_param_spec_t *const params[] = {&threshold};
#define PARAM_COUNT 1000
#endif

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "BadParams",
    .name = "Bad parameters",
    .version = "1.0.0",
    .summary = "Claims more parameters than it has.",
    .param_count = PARAM_COUNT,
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
