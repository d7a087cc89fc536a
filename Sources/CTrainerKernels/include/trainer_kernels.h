/* trainer_kernels.h: the engine's hot loops over channel vectors, in C so that each is
 * compiled for several instruction-set levels (on x86-64: AVX-512, AVX2 and the baseline),
 * of which one runs: the highest the CPU supports, or the one the environment variable
 * TRAINER_KERNELS names, chosen once when the program starts (see "Instruction-set levels"
 * below). Internal to the engine: no plugin sees these.
 *
 * Tensors are NHWC floats; "channel vectors" are the innermost axis. Every function works on
 * a range of samples so that the engine's threads can share a batch; none allocates. */
#ifndef TRAINER_KERNELS_H
#define TRAINER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Instruction-set levels ------------------------------------------------------------------
 * Every kernel below is built at each level of this build: on x86-64 "baseline", "avx2"
 * (x86-64-v3: AVX2, FMA, BMI2) and "avx512" (x86-64-v4: AVX-512 F, BW, CD, DQ, VL); elsewhere
 * "baseline" alone. When the program starts, the kernels are set to run at the highest level the
 * CPU supports, or at the level TRAINER_KERNELS=baseline|avx2|avx512 names. A value naming no
 * level, or a level the CPU lacks, is refused: a warning on stderr says why, and the highest
 * supported level runs (a run never stops on it, and never meets an illegal instruction). The
 * last bits of results may differ between levels (FMA rounds a*b+c once). */

/* The name of level `index` of this build, lowest first from 0; NULL past the last. */
const char *trainer_kernels_level_name(int index);

/* NULL when the kernels can run at `level` here (this build has it and the CPU supports it);
 * otherwise why not, as a clause ("this CPU lacks x86-64-v4 (...)"). */
const char *trainer_kernels_unavailable(const char *level);

/* The name of the level the kernels run at. */
const char *trainer_kernels_level(void);

/* Makes every kernel run at `level` from its next call: returns 1, or 0 (and changes nothing)
 * when trainer_kernels_unavailable(level) is not NULL. For tests and tools: call it while no
 * kernel runs. */
int trainer_kernels_select(const char *level);

/* What happens at start-up with `value`, TRAINER_KERNELS's value (NULL: unset): the level it
 * names when available (returns 1); the highest level the CPU supports when it is NULL or
 * empty (returns 1), or when it is refused (returns 0, with the warning, without a newline,
 * written to `message`, `size` bytes at most). */
int trainer_kernels_request(const char *value, char *message, size_t size);

/* ---- Winograd F(4x4, 3x3) ----------------------------------------------------------------
 * A 3x3, stride-1 convolution computed tile by tile: output block (4x4) = A^T [(G g G^T) .*
 * (B^T d B)] A, for the 6x6 input tile d under it. Tile t of sample n, tile row ty, tile column
 * tx is t = (n * tile_rows + ty) * tile_columns + tx; transformed tensors are stored position
 * by position, [36][tiles][channels], with `stride` floats between positions. */
typedef struct trainer_winograd_shape {
    int input_height, input_width, channels;   /* per sample input */
    int output_height, output_width, filters;  /* per sample output */
    int pad_top, pad_left;                      /* zero rows above / columns left of the input */
    int tile_rows, tile_columns;                /* ceil(output / 4) */
    const float *zeros;    /* max(channels, filters) zeros: stands for cells outside the image */
    float *discard;        /* max(channels, filters) floats written for outputs past the edge;
                              one per thread */
} trainer_winograd_shape;

/* v[xi][t][c] = (B^T d B)[xi] for the tiles of samples [first, first + count). */
void trainer_winograd_input(const trainer_winograd_shape *shape, const float *input, int first, int count,
                            float *v, ptrdiff_t stride);

/* output (NHWC, the whole batch's buffer) = A^T m A + bias (NULL: none) for the tiles of the
 * samples, then max(0, .) where `relu` is non-zero; outputs past the image's edge are dropped. */
void trainer_winograd_output(const trainer_winograd_shape *shape, const float *m, ptrdiff_t stride,
                             int first, int count, const float *bias, int relu, float *output);

/* m[xi][t][f] = (A g A^T)[xi]: the products' gradient from the output gradient dy (NHWC), where
 * g = dy, or with `relu_output` (that ReLU layer's output) g = dy where the output is positive
 * and 0 elsewhere. dbias (if not NULL, overwritten) = g summed per filter over the samples. */
void trainer_winograd_output_gradient(const trainer_winograd_shape *shape, const float *dy, const float *relu_output,
                                      int first, int count, float *m, ptrdiff_t stride, float *dbias);

/* dx (NHWC) = sum over tiles of B dv B^T, for the samples (their dx is overwritten). */
void trainer_winograd_input_gradient(const trainer_winograd_shape *shape, const float *dv, ptrdiff_t stride,
                                     int first, int count, float *dx);

/* u[xi][e] = (G g G^T)[xi] for kernel elements e in [begin, end), with g[i][j][e] at
 * kernel[(i * 3 + j) * stride + e] (Keras's [3][3][in][out] with stride = in * out). */
void trainer_winograd_kernel(const float *kernel, ptrdiff_t stride, ptrdiff_t begin, ptrdiff_t end, float *u);

/* dkernel[i][j][e] = (G^T du G)[i][j]: the adjoint of trainer_winograd_kernel. */
void trainer_winograd_kernel_gradient(const float *du, ptrdiff_t stride, ptrdiff_t begin, ptrdiff_t end,
                                      float *dkernel);

/* ---- Direct convolution ----------------------------------------------------------------------
 * For convolutions whose windows hold few values (kernel_height * kernel_width * channels
 * small, as a first layer over one or three channels): each output pixel's filters are
 * accumulated in place, vectorised across filters. Kernel [kh][kw][in][out] as Keras. */
typedef struct trainer_conv_shape {
    int input_height, input_width, channels;
    int output_height, output_width, filters;
    int kernel_height, kernel_width, stride_height, stride_width;
    int pad_top, pad_left;
} trainer_conv_shape;

/* output = bias + input * kernel for samples [first, first + count), then max(0, .) when
 * `relu` is non-zero. `bias` may be NULL. */
void trainer_conv_direct_forward(const trainer_conv_shape *shape, const float *input, int first, int count,
                                 const float *kernel, const float *bias, int relu, float *output);

/* For the samples, from dz (the output gradient; with `relu_output`, the ReLU layer's output,
 * it is taken through ReLU first, and dz may be overwritten with the result): dkernel = the
 * kernel gradient over these samples, dbias (if not NULL) = the gradient summed per filter,
 * and dx (if not NULL; the samples' part) = the input gradient. All three are overwritten. */
void trainer_conv_direct_backward(const trainer_conv_shape *shape, const float *input, float *dz,
                                  const float *relu_output, int first, int count, const float *kernel,
                                  float *dkernel, float *dbias, float *dx);

/* ---- Optimizers ---------------------------------------------------------------------------- */

/* Adam's step on n weights: m += (g - m) * a1; v += (g*g - v) * a2; w -= alpha * m / (sqrt(v) +
 * epsilon), where a1 = 1 - beta_1, a2 = 1 - beta_2 and alpha holds the bias corrections. */
void trainer_adam_update(float *w, const float *g, float *m, float *v, ptrdiff_t n, float a1, float a2, float alpha,
                         float epsilon);

/* ---- Dropout ------------------------------------------------------------------------------ */

/* Draws [first, first + draws) of a dropout mask over `count` values: draw d is SplitMix64's
 * output for state + (d + 1) * 0x9E3779B97F4A7C15 (the generator's state before the mask's
 * first draw is `state`), and gives the keep decisions of values 2d and 2d + 1 from its bits
 * 40-63 and 8-31: a 24-bit uniform u keeps its value when u >= threshold (rate * 2^24).
 * mask = kept ? keep_scale : 0 and output = input * mask, for those values. */
void trainer_dropout(const float *input, float *mask, float *output, ptrdiff_t count, uint64_t state,
                     ptrdiff_t first, ptrdiff_t draws, uint64_t threshold, float keep_scale);

/* ---- Max pooling ---------------------------------------------------------------------------
 * Windows of pool_height x pool_width at the given strides; padding never wins a window. */
typedef struct trainer_pool_shape {
    int input_height, input_width, channels;
    int output_height, output_width;
    int pool_height, pool_width, stride_height, stride_width;
    int pad_top, pad_left;
} trainer_pool_shape;

/* output = the largest input of each window, channel by channel; argmax = the index of that
 * input in `input` (the batch's buffer), the first one when several are equal. */
void trainer_max_pool(const trainer_pool_shape *shape, const float *input, int first, int count,
                      float *output, int *argmax);

/* dx (the samples' part of it, overwritten) = each output gradient at its window's argmax. */
void trainer_max_pool_backward(const trainer_pool_shape *shape, const float *dy, const int *argmax,
                               int first, int count, float *dx);

#ifdef __cplusplus
}
#endif

#endif
