/* Its entry function calls abort(): the process dies by SIGABRT. */
#include "trainer_plugin.h"

#include <stdlib.h>

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { abort(); }
