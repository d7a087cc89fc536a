/* Its entry function never returns: it spins forever. */
#include "trainer_plugin.h"

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) {
    volatile unsigned long spins = 0;
    for (;;) spins++;
}
