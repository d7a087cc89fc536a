/* Its constructor writes bytes that are no message to every descriptor from 3 to 9, where a
 * scanner may be writing its answers: a frame length of 0xFFFFFFFF, then text. */
#include "trainer_plugin.h"

#include <stddef.h>
#include <unistd.h>

__attribute__((constructor)) static void garble(void) {
    static const char garbage[] = "\xff\xff\xff\xffnot a message";
    for (int fd = 3; fd < 10; fd++) (void)!write(fd, garbage, sizeof garbage - 1);
}

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return NULL; }
