/* Optimizer steps over weight vectors. */
#include "trainer_kernels.h"
#include "kernel_variants.h"

#include <math.h>

#if defined(__clang__) && defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
/* Lane-wise square roots: a loop calling sqrtf is not vectorised, as sqrtf may set errno. */
#define VECTOR_SQRT 1
typedef float vf16 __attribute__((vector_size(64), aligned(4)));
#endif
#endif

TRAINER_KERNEL(trainer_adam_update,
               (float *restrict w, const float *restrict g, float *restrict m, float *restrict v, ptrdiff_t n,
                float a1, float a2, float alpha, float epsilon),
               (w, g, m, v, n, a1, a2, alpha, epsilon)) {
    ptrdiff_t j = 0;
#ifdef VECTOR_SQRT
    for (; j + 16 <= n; j += 16) {
        const vf16 gj = *(const vf16 *)(g + j);
        vf16 mj = *(const vf16 *)(m + j), vj = *(const vf16 *)(v + j);
        mj += (gj - mj) * a1;
        vj += (gj * gj - vj) * a2;
        *(vf16 *)(m + j) = mj;
        *(vf16 *)(v + j) = vj;
        *(vf16 *)(w + j) = *(const vf16 *)(w + j) - (mj * alpha) / (__builtin_elementwise_sqrt(vj) + epsilon);
    }
#endif
    for (; j < n; j++) {
        const float gj = g[j];
        const float mj = m[j] + (gj - m[j]) * a1;
        const float vj = v[j] + (gj * gj - v[j]) * a2;
        m[j] = mj;
        v[j] = vj;
        w[j] -= (mj * alpha) / (sqrtf(vj) + epsilon);
    }
}
