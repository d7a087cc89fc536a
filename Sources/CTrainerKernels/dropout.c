/* Dropout masks from SplitMix64 draws computed independently of each other (the generator's
 * state after d draws is state + d * gamma), so parts of a mask can be made on several threads
 * and in vector lanes, giving the same bits as one sequential generator. */
#include "trainer_kernels.h"
#include "kernel_variants.h"

static const uint64_t GAMMA = 0x9E3779B97F4A7C15ull;

static inline __attribute__((always_inline)) uint64_t splitmix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* keep_scale when the 24-bit uniform u >= threshold, else 0, without branching:
 * (u + 2^32 - threshold) >> 32 is 1 exactly when u >= threshold. */
static inline __attribute__((always_inline)) float keep(uint64_t u, uint64_t threshold, float keep_scale) {
    return (float)((u + (1ull << 32) - threshold) >> 32) * keep_scale;
}

TRAINER_KERNEL(trainer_dropout,
               (const float *input, float *mask, float *output, ptrdiff_t count, uint64_t state, ptrdiff_t first,
                ptrdiff_t draws, uint64_t threshold, float keep_scale),
               (input, mask, output, count, state, first, draws, threshold, keep_scale)) {
    ptrdiff_t end = first + draws;
    /* Draws whose both values exist. */
    ptrdiff_t whole = end;
    if (2 * whole > count) whole = count / 2;
    #pragma clang loop vectorize(assume_safety)
    for (ptrdiff_t d = first; d < whole; d++) {
        const uint64_t bits = splitmix64(state + (uint64_t)(d + 1) * GAMMA);
        const float m0 = keep(bits >> 40, threshold, keep_scale);
        const float m1 = keep((bits >> 8) & 0xFFFFFF, threshold, keep_scale);
        mask[2 * d] = m0;
        mask[2 * d + 1] = m1;
        output[2 * d] = input[2 * d] * m0;
        output[2 * d + 1] = input[2 * d + 1] * m1;
    }
    /* An odd count's last value takes the first half of the last draw. */
    for (ptrdiff_t d = whole > first ? whole : first; d < end; d++) {
        const uint64_t bits = splitmix64(state + (uint64_t)(d + 1) * GAMMA);
        const float m0 = keep(bits >> 40, threshold, keep_scale);
        mask[2 * d] = m0;
        output[2 * d] = input[2 * d] * m0;
    }
}
