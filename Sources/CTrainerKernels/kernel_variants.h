/* TRAINER_KERNEL(name, parameters, arguments): defines the kernel `name` (declared in
 * trainer_kernels.h; it returns nothing) whose body follows the macro, once:
 *
 *     TRAINER_KERNEL(trainer_example, (const float *x, float *y, ptrdiff_t n), (x, y, n)) {
 *         for (ptrdiff_t i = 0; i < n; i++) y[i] = 2 * x[i];
 *     }
 *
 * On x86-64 the body is compiled three times, inlined into one function per instruction-set
 * level: the baseline, x86-64-v3 ("avx2": AVX2, FMA, BMI2) and x86-64-v4 ("avx512": AVX-512
 * F, BW, CD, DQ, VL), feature levels rather than CPU names ("arch=skylake-avx512" would tune
 * for one CPU model). The entry point `name` calls the variant of the level the kernels run at
 * (kernel_levels.c: chosen once at start-up, TRAINER_KERNELS may force it): one load of the
 * level and one indirect call per kernel call, and a kernel call covers a batch's part. Other
 * architectures get one build, for the target their compiler is given, and no dispatch.
 *
 * `arguments` names the parameters in order. Helpers the body calls must be inlined into it
 * (static inline __attribute__((always_inline))) to be compiled at the variant's level; a
 * helper taking or returning a vector type would also change the calling convention between
 * levels. Results may differ in the last bits between levels: FMA contracts a*b+c into one
 * rounding where the baseline rounds twice. */
#ifndef TRAINER_KERNEL_VARIANTS_H
#define TRAINER_KERNEL_VARIANTS_H

/* The index of the level the kernels run at (kernel_levels.c). Read without ordering: it
 * changes at start-up, and later only when a test or tool selects a level between kernel
 * calls, never while one runs. */
extern int trainer_kernels_current_level __attribute__((visibility("hidden")));

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

/* The levels this build compiles each kernel for, lowest first (indices into the variants). */
#define TRAINER_KERNEL_LEVELS 3
enum { TRAINER_LEVEL_BASELINE, TRAINER_LEVEL_AVX2, TRAINER_LEVEL_AVX512 };

#define TRAINER_KERNEL(name, parameters, arguments)                                                   \
    static inline __attribute__((always_inline)) void name##_body parameters;                        \
    static void name##_baseline parameters { name##_body arguments; }                                 \
    __attribute__((target("arch=x86-64-v3"))) static void name##_avx2 parameters {                   \
        name##_body arguments;                                                                       \
    }                                                                                                \
    __attribute__((target("arch=x86-64-v4"))) static void name##_avx512 parameters {                 \
        name##_body arguments;                                                                       \
    }                                                                                                \
    static void (*const name##_variants[TRAINER_KERNEL_LEVELS]) parameters = {                       \
        name##_baseline, name##_avx2, name##_avx512,                                                 \
    };                                                                                               \
    void name parameters {                                                                           \
        name##_variants[__atomic_load_n(&trainer_kernels_current_level, __ATOMIC_RELAXED)] arguments; \
    }                                                                                                \
    static inline __attribute__((always_inline)) void name##_body parameters

#else

#define TRAINER_KERNEL_LEVELS 1
enum { TRAINER_LEVEL_BASELINE };

#define TRAINER_KERNEL(name, parameters, arguments) void name parameters

#endif

#endif
