/* A library whose constructor dereferences NULL: the process dies by SIGSEGV inside dlopen,
 * before trainer_plugin_entry can be looked up. */
#include "trainer_plugin.h"

#include <stddef.h>

__attribute__((constructor)) static void crash_on_load(void) {
    volatile int *nowhere = NULL;
    *nowhere = 1;
}

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return NULL; }
