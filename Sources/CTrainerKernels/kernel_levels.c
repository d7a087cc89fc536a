/* The instruction-set level the kernels run at: chosen when the program starts (the highest
 * the CPU supports, or the one TRAINER_KERNELS names), changed later only by
 * trainer_kernels_select. kernel_variants.h builds each kernel at every level. */
#include "trainer_kernels.h"
#include "kernel_variants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A level of this build: its name (in TRAINER_KERNELS and reports) and, for a level the CPU
 * may lack, why it cannot run (NULL: every CPU runs it). */
typedef struct kernel_level {
    const char *name;
    const char *lacking;
} kernel_level;

static const kernel_level levels[TRAINER_KERNEL_LEVELS] = {
    {"baseline", NULL},
#if TRAINER_KERNEL_LEVELS > 1
    {"avx2", "this CPU lacks x86-64-v3 (AVX2, FMA, BMI2)"},
    {"avx512", "this CPU lacks x86-64-v4 (AVX-512 F, BW, CD, DQ, VL)"},
#endif
};

int trainer_kernels_current_level = TRAINER_LEVEL_BASELINE;

/* Whether the CPU (and the operating system, which must save the wider registers) runs level
 * `index`: the same feature levels the variants are compiled for. */
static int cpu_runs(int index) {
#if TRAINER_KERNEL_LEVELS > 1
    __builtin_cpu_init(); /* constructors may run before the compiler runtime's own */
    switch (index) {
    case TRAINER_LEVEL_AVX2: return __builtin_cpu_supports("x86-64-v3");
    case TRAINER_LEVEL_AVX512: return __builtin_cpu_supports("x86-64-v4");
    default: break;
    }
#endif
    (void)index;
    return 1;
}

/* The index of the level called `name`, or -1. */
static int level_index(const char *name) {
    for (int i = 0; i < TRAINER_KERNEL_LEVELS; i++) {
        if (name && strcmp(name, levels[i].name) == 0) return i;
    }
    return -1;
}

static int highest_runnable(void) {
    int best = TRAINER_LEVEL_BASELINE;
    for (int i = 0; i < TRAINER_KERNEL_LEVELS; i++) {
        if (cpu_runs(i)) best = i;
    }
    return best;
}

const char *trainer_kernels_level_name(int index) {
    return index >= 0 && index < TRAINER_KERNEL_LEVELS ? levels[index].name : NULL;
}

const char *trainer_kernels_unavailable(const char *level) {
    const int index = level_index(level);
    if (index >= 0) return cpu_runs(index) ? NULL : levels[index].lacking;
    if (level && (strcmp(level, "avx2") == 0 || strcmp(level, "avx512") == 0)) {
        return "this build has the baseline kernels alone (avx2 and avx512 are built on x86-64 only)";
    }
    return "it names no level (baseline, avx2 or avx512)";
}

const char *trainer_kernels_level(void) {
    return levels[__atomic_load_n(&trainer_kernels_current_level, __ATOMIC_RELAXED)].name;
}

int trainer_kernels_select(const char *level) {
    if (trainer_kernels_unavailable(level)) return 0;
    __atomic_store_n(&trainer_kernels_current_level, level_index(level), __ATOMIC_RELAXED);
    return 1;
}

int trainer_kernels_request(const char *value, char *message, size_t size) {
    if (value && *value && trainer_kernels_select(value)) return 1;
    const int best = highest_runnable();
    __atomic_store_n(&trainer_kernels_current_level, best, __ATOMIC_RELAXED);
    if (!value || !*value) return 1;
    if (message && size > 0) {
        snprintf(message, size, "TRAINER_KERNELS=%s refused: %s; the kernels run at %s", value,
                 trainer_kernels_unavailable(value), levels[best].name);
    }
    return 0;
}

/* Before main (or when a test bundle is loaded): TRAINER_KERNELS, read once. */
__attribute__((constructor)) static void choose_level_at_start_up(void) {
    char message[256];
    if (!trainer_kernels_request(getenv("TRAINER_KERNELS"), message, sizeof message)) {
        fprintf(stderr, "warning: %s\n", message);
    }
}
