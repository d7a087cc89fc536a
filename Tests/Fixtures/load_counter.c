/* id `LoadCounter`: a valid plugin with no hooks whose constructor appends the line "loaded" to
 * the file LOAD_LOG (built with -DLOAD_LOG='"/path/to/log"') each time a process loads it: the
 * cache tests count its lines to see whether the file was opened again. */
#include "trainer_plugin.h"

#include <stdio.h>

__attribute__((constructor)) static void count_load(void) {
    FILE *log = fopen(LOAD_LOG, "a");
    if (!log) return;
    fputs("loaded\n", log);
    fclose(log);
}

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
    .id = "LoadCounter",
    .name = "Load counter",
    .version = "1.0.0",
    .summary = "Counts the processes that load it.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
