/* A preload library (LD_PRELOAD) that kills the process with SIGKILL in the middle of writing
 * a chosen file: the first write(2) to a file whose path contains $KILL_ON_WRITE, after
 * $KILL_ON_WRITE_SKIP such writes (default 0) went through, writes half of its bytes, then the
 * process dies. Tests use it to prove that a kill during a checkpoint leaves no torn file under
 * a final name and that the run resumes from what was complete.
 *
 *     cc -shared -fPIC Tests/Fixtures/kill_on_write.c -o libkill_on_write.so -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*write_function)(int, const void *, size_t);

static int matches(int fd, const char *pattern) {
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, path, sizeof path - 1);
    if (length <= 0) return 0;
    path[length] = '\0';
    return strstr(path, pattern) != NULL;
}

ssize_t write(int fd, const void *buffer, size_t count) {
    static write_function real_write;
    static long skipped;
    if (!real_write) real_write = (write_function)dlsym(RTLD_NEXT, "write");
    const char *pattern = getenv("KILL_ON_WRITE");
    if (pattern && pattern[0] && fd > 2 && matches(fd, pattern)) {
        const char *skip = getenv("KILL_ON_WRITE_SKIP");
        if (skipped < (skip ? atol(skip) : 0)) {
            skipped++;
        } else {
            real_write(fd, buffer, count / 2);
            raise(SIGKILL);
        }
    }
    return real_write(fd, buffer, count);
}
