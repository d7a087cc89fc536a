/* Its entry function calls exit(3): the process ends with status 3, in the middle of loading. */
#include "trainer_plugin.h"

#include <stdlib.h>

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { exit(3); }
