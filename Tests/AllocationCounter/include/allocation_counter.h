/* allocation_counter.h: counts the calls to the C library's allocation functions (malloc,
 * calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc) made
 * on the threads that ask to be counted, whether or not the memory is freed again: a training
 * step that allocates a buffer and frees it before it returns counts as one call or more.
 *
 * For tests only. The functions are replaced for the whole test process (the test executable
 * defines them, and its definitions take precedence over the C library's for every library
 * loaded into it; each forwards to the next definition), on Linux with glibc; elsewhere nothing
 * is replaced and allocation_counter_active() is 0. Swift's allocations, C++'s operator new and
 * the C library's own calls all go through these functions. */
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when calls are counted: this process's malloc is the counter's (libraries calling malloc
 * reach it); 0 otherwise. */
int allocation_counter_active(void);

/* Counts the calling thread's calls from now on (on != 0), or no longer (on == 0). */
void allocation_counter_count_this_thread(int on);

/* The calls counted so far, on all counted threads together. */
unsigned long long allocation_counter_calls(void);

#ifdef __cplusplus
}
#endif

#endif
