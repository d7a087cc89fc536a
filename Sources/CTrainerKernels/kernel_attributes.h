/* TRAINER_KERNEL: compile a function for x86-64-v4 (AVX-512), x86-64-v3 (AVX2, FMA) and the
 * baseline; the dynamic loader picks the best one the CPU supports (an ifunc), once, when the
 * program starts. Feature levels, not CPU names: "arch=skylake-avx512" would match only that
 * CPU model. Other architectures get the one build their compiler targets. Results may differ
 * in the last bits between levels (FMA contracts a*b+c into one rounding). */
#ifndef TRAINER_KERNEL_ATTRIBUTES_H
#define TRAINER_KERNEL_ATTRIBUTES_H

#if defined(__x86_64__) && defined(__ELF__) && (defined(__clang__) || defined(__GNUC__))
#define TRAINER_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TRAINER_KERNEL
#endif

#endif
