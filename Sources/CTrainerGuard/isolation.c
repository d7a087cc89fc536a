/* System calls of the plugin-host mode: see trainer_isolation.h. */
#define _GNU_SOURCE
#include "trainer_isolation.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int trainer_shared_memory_create(const char *name, int inherit) {
    return memfd_create(name, inherit ? 0 : MFD_CLOEXEC);
}

int trainer_die_with_parent(int expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() == expected_parent ? 0 : -1;
}
