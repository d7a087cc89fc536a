/* id `Chatty`: a valid plugin with no hooks whose constructor and entry function print to
 * standard output (text that even looks like a frame of the scanner's answers). */
#include "trainer_plugin.h"

#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void chatter(void) {
    printf("Chatty says hello from its constructor\n");
    fflush(stdout);
    static const char frame[] = "\x05\x00\x00\x00{}{}{";
    (void)!write(1, frame, sizeof frame - 1);
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
    .id = "Chatty",
    .name = "Chatty",
    .version = "1.0.0",
    .summary = "Prints while it loads.",
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) {
    printf("Chatty's entry was called\n");
    fflush(stdout);
    return &descriptor;
}
