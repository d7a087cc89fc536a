/* The kernels at x86-64-v3 ("avx2": AVX2, FMA, BMI2): every kernel source again, each function
 * in it built for the level, kernels named trainer_..._avx2 (kernel_variants.h). The system
 * headers the sources use come first, outside the level's region. */
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TRAINER_KERNEL_LEVEL avx2
#include "trainer_kernels.h"
#include "kernel_variants.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target(TRAINER_X86_64_V3_FEATURES))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("arch=x86-64-v3")
#endif

#include "direct_convolution.c"
#include "dropout.c"
#include "optimizers.c"
#include "pooling.c"
#include "winograd.c"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif
