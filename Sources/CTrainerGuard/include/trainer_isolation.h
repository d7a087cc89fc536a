/* trainer_isolation.h: the few system calls the plugin-host mode needs that Swift cannot call
 * directly (variadic, or declared only under _GNU_SOURCE). Internal to the host. */
#ifndef TRAINER_ISOLATION_H
#define TRAINER_ISOLATION_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An anonymous shared-memory file (memfd_create, close-on-exec unless `inherit`), or -1. */
int trainer_shared_memory_create(const char *name, int inherit);

/* The calling process gets SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG); 0 on
 * success. Also returns -1 when the parent is already gone (then it should exit). */
int trainer_die_with_parent(int expected_parent);

#ifdef __cplusplus
}
#endif

#endif
