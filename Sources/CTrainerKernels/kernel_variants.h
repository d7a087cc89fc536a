/* TRAINER_KERNEL(name, parameters, arguments): defines the kernel `name` (declared in
 * trainer_kernels.h; it returns nothing) whose body follows the macro, once:
 *
 *     TRAINER_KERNEL(trainer_example, (const float *x, float *y, ptrdiff_t n), (x, y, n)) {
 *         for (ptrdiff_t i = 0; i < n; i++) y[i] = 2 * x[i];
 *     }
 *
 * On x86-64 every kernel source is compiled three times: on its own for the baseline, and
 * included by kernels_avx2.c and kernels_avx512.c for x86-64-v3 ("avx2": AVX2, FMA, BMI2) and
 * x86-64-v4 ("avx512": AVX-512 F, BW, CD, DQ, VL), feature levels rather than CPU models, with
 * every function in it, helpers too, built for the level from the start: the same instructions
 * as the target_clones these variants replace. The baseline build also defines the entry point
 * `name`, which calls the variant of the level the kernels run at (kernel_levels.c: chosen once
 * at start-up, TRAINER_KERNELS may force it): one load of the level and one indirect call per
 * kernel call, and a kernel call covers a batch's part. Other architectures get one build, for
 * the target their compiler is given, and no dispatch.
 *
 * `arguments` names the parameters in order. The level builds compile all kernel sources in
 * one translation unit each, so the sources' file-level names must differ; helpers taking or
 * returning a vector type must be inlined (static inline __attribute__((always_inline))), as
 * their calling convention depends on the level. Results may differ in the last bits between
 * levels: FMA contracts a*b+c into one rounding where the baseline rounds twice. */
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

/* The features x86-64-v3 and x86-64-v4 add to the baseline, for target attributes. Spelled
 * out: "arch=x86-64-v3" would also tune the code for LLVM's model of such a CPU, and so change
 * it; the generic tuning stays, as with target_clones. evex512 lets AVX-512 use 512-bit vectors
 * in compilers that know of AVX10. */
#define TRAINER_X86_64_V3_FEATURES                                                                  \
    "avx,avx2,bmi,bmi2,crc32,cx16,f16c,fma,lzcnt,movbe,popcnt,sahf,sse3,sse4.1,sse4.2,ssse3,xsave"
#if defined(__clang__) && __clang_major__ >= 18
#define TRAINER_X86_64_V4_FEATURES TRAINER_X86_64_V3_FEATURES ",avx512f,avx512bw,avx512cd,avx512dq,avx512vl,evex512"
#else
#define TRAINER_X86_64_V4_FEATURES TRAINER_X86_64_V3_FEATURES ",avx512f,avx512bw,avx512cd,avx512dq,avx512vl"
#endif

#define TRAINER_KERNEL_NAME_(name, level) name##_##level
#define TRAINER_KERNEL_NAME(name, level) TRAINER_KERNEL_NAME_(name, level)

#ifdef TRAINER_KERNEL_LEVEL
/* In kernels_avx2.c or kernels_avx512.c: the variant of that level, e.g. trainer_dropout_avx2. */
#define TRAINER_KERNEL(name, parameters, arguments)                                                   \
    __attribute__((visibility("hidden"))) void TRAINER_KERNEL_NAME(name, TRAINER_KERNEL_LEVEL) parameters
#else
/* In the kernel's own source: the baseline variant, and the entry point over the three. */
#define TRAINER_KERNEL(name, parameters, arguments)                                                   \
    __attribute__((visibility("hidden"))) void name##_avx2 parameters;                               \
    __attribute__((visibility("hidden"))) void name##_avx512 parameters;                             \
    static void name##_baseline parameters;                                                          \
    static void (*const name##_variants[TRAINER_KERNEL_LEVELS]) parameters = {                       \
        name##_baseline, name##_avx2, name##_avx512,                                                 \
    };                                                                                               \
    void name parameters {                                                                           \
        name##_variants[__atomic_load_n(&trainer_kernels_current_level, __ATOMIC_RELAXED)] arguments; \
    }                                                                                                \
    static void name##_baseline parameters
#endif

#else

#define TRAINER_KERNEL_LEVELS 1
enum { TRAINER_LEVEL_BASELINE };

#define TRAINER_KERNEL(name, parameters, arguments) void name parameters

#endif

#endif
