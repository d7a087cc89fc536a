/* The allocation functions of the test process, each counting a call on a counted thread and
 * forwarding to the next definition (the C library's, or a preloaded allocator's), found with
 * dlsym(RTLD_NEXT, ...). glibc has no allocation hooks since 2.34, and its statistics
 * (mallinfo2) count bytes in use, which a buffer freed within a step leaves unchanged. */
#define _GNU_SOURCE
#include "allocation_counter.h"

#include <errno.h> /* first: defines __GLIBC__ with glibc */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__linux__) && defined(__GLIBC__)

#include <dlfcn.h>

/* Whether this thread's calls are counted. Initial-exec TLS: reading it allocates nothing. */
static __thread int counted __attribute__((tls_model("initial-exec")));
static unsigned long long calls;

static void count(void) {
    if (counted) __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
}

/* The next definitions, found at the first call (before main, on one thread). */
static struct {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    void (*free)(void *);
} next;
static int resolving;

/* What dlsym allocates while the next definitions are looked up: served from here, never
 * freed (a block starts with its size, for realloc). */
static _Alignas(16) unsigned char bootstrap[16384];
static size_t bootstrap_used;

static void *bootstrap_allocate(size_t size) {
    const size_t total = 16 + ((size + 15) & ~(size_t)15);
    if (total > sizeof bootstrap - bootstrap_used) return NULL;
    unsigned char *block = bootstrap + bootstrap_used;
    bootstrap_used += total;
    memcpy(block, &size, sizeof size);
    return block + 16;
}

static int in_bootstrap(const void *p) {
    return (const unsigned char *)p >= bootstrap && (const unsigned char *)p < bootstrap + sizeof bootstrap;
}

static void resolve(void) {
    if (next.free || resolving) return;
    resolving = 1;
    next.malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    next.calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    next.realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    next.posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    next.aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    next.memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    next.valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
    next.pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
    __atomic_store_n(&next.free, (void (*)(void *))dlsym(RTLD_NEXT, "free"), __ATOMIC_RELEASE);
    resolving = 0;
}

void *malloc(size_t size) {
    count();
    resolve();
    return next.malloc ? next.malloc(size) : bootstrap_allocate(size);
}

void *calloc(size_t count_, size_t size) {
    count();
    resolve();
    if (next.calloc) return next.calloc(count_, size);
    if (size && count_ > SIZE_MAX / size) return NULL;
    return bootstrap_allocate(count_ * size); /* static memory: already zero */
}

/* realloc, uncounted: a block from the bootstrap moves to the heap. */
static void *reallocate(void *p, size_t size) {
    if (p && in_bootstrap(p)) {
        size_t old;
        memcpy(&old, (unsigned char *)p - 16, sizeof old);
        void *moved = next.malloc ? next.malloc(size) : bootstrap_allocate(size);
        if (moved) memcpy(moved, p, old < size ? old : size);
        return moved;
    }
    return next.realloc ? next.realloc(p, size) : bootstrap_allocate(size);
}

void *realloc(void *p, size_t size) {
    count();
    resolve();
    return reallocate(p, size);
}

void *reallocarray(void *p, size_t count_, size_t size) {
    count();
    resolve();
    if (size && count_ > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return reallocate(p, count_ * size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    resolve();
    return next.posix_memalign(out, alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count();
    resolve();
    return next.aligned_alloc(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    count();
    resolve();
    return next.memalign(alignment, size);
}

void *valloc(size_t size) {
    count();
    resolve();
    return next.valloc(size);
}

void *pvalloc(size_t size) {
    count();
    resolve();
    return next.pvalloc(size);
}

void free(void *p) {
    if (!p || in_bootstrap(p)) return;
    resolve();
    next.free(p);
}

int allocation_counter_active(void) {
    return dlsym(RTLD_DEFAULT, "malloc") == (void *)malloc;
}

void allocation_counter_count_this_thread(int on) { counted = on != 0; }

unsigned long long allocation_counter_calls(void) { return __atomic_load_n(&calls, __ATOMIC_RELAXED); }

#else

int allocation_counter_active(void) { return 0; }
void allocation_counter_count_this_thread(int on) { (void)on; }
unsigned long long allocation_counter_calls(void) { return 0; }

#endif
