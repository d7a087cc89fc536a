/* id `SegvInEntry` would be its id, but its entry function dereferences NULL: the process that
 * calls trainer_plugin_entry dies by SIGSEGV. */
#include "trainer_plugin.h"

#include <stddef.h>

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) {
    volatile int *nowhere = NULL;
    *nowhere = 1;
    return NULL;
}
