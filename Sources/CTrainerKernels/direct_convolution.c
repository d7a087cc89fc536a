/* Direct convolution over NHWC tensors for windows of few values (a first layer over one or
 * three channels). Filters go 16 at a time in vector registers: the forward pass computes four
 * neighbouring pixels at once where their windows lie inside the image, the kernel gradient
 * keeps one accumulator per window position across all of a part's pixels. A 3x3 window over
 * one channel gets code of its own, with those loops unrolled. */
#include "trainer_kernels.h"
#include "kernel_variants.h"

#include <string.h>

/* 16 floats, loaded and stored without alignment. Helpers on them are macros or always
 * inlined: a function taking or returning one would change the calling convention between
 * the builds for different instruction sets. */
typedef float vf16 __attribute__((vector_size(64), aligned(4)));
typedef int vi16 __attribute__((vector_size(64), aligned(4)));

#define INLINE static inline __attribute__((always_inline))
#define LOAD16(p) (*(const vf16 *)(p))
#define STORE16(p, v) (*(vf16 *)(p) = (v))
/* v = v < 0 ? 0 : v, keeping NaN (as the engine's ReLU does, so that a diverging run shows
 * it); lane masks from comparisons (all ones where true) select by bits. */
#define RELU16(v) ((v) = (vf16)((vi16)(v) & ~((v) < (vf16){0})))
/* g = y > 0 ? g : 0 (ReLU's gradient). */
#define RELU_GRADIENT16(g, y) ((g) = (vf16)((vi16)(g) & ((y) > (vf16){0})))

enum {
    LANES = 16,
    PIXELS = 4,       /* output pixels computed together in the forward pass */
    WINDOW_MAX = 64,  /* the most values a window may hold here (the engine sends at most 32) */
};

/* Window position k = (i, j, c) of a pixel's window: its kernel row, column and channel, and its
 * offset in the input from the window's corner. */
typedef struct window_layout {
    int row[WINDOW_MAX], column[WINDOW_MAX], channel[WINDOW_MAX];
    ptrdiff_t offset[WINDOW_MAX];
} window_layout;

INLINE int window_size(const trainer_conv_shape *s) { return s->kernel_height * s->kernel_width * s->channels; }

INLINE void layout_window(const trainer_conv_shape *s, window_layout *w) {
    int k = 0;
    for (int i = 0; i < s->kernel_height; i++) {
        for (int j = 0; j < s->kernel_width; j++) {
            for (int c = 0; c < s->channels; c++, k++) {
                w->row[k] = i;
                w->column[k] = j;
                w->channel[k] = c;
                w->offset[k] = ((ptrdiff_t)i * s->input_width + j) * s->channels + c;
            }
        }
    }
}

/* The input value at window position k of the window whose corner is (top, left): zero outside
 * the image. */
INLINE float window_value(const trainer_conv_shape *s, const float *sample, const window_layout *w, int top,
                          int left, int k) {
    const int iy = top + w->row[k], ix = left + w->column[k];
    if (iy < 0 || iy >= s->input_height || ix < 0 || ix >= s->input_width) return 0.0f;
    return sample[((ptrdiff_t)iy * s->input_width + ix) * s->channels + w->channel[k]];
}

INLINE int window_inside(const trainer_conv_shape *s, int top, int left, int pixels) {
    const int right = left + (pixels - 1) * s->stride_width + s->kernel_width;
    return top >= 0 && top + s->kernel_height <= s->input_height && left >= 0 && right <= s->input_width;
}

/* ---- Forward ---------------------------------------------------------------------------- */

/* Four pixels whose windows lie inside the image, corners `corner + p * step`; all filters. */
INLINE void four_pixels(const trainer_conv_shape *s, const window_layout *w, int window, const float *corner,
                        ptrdiff_t step, const float *kernel, const float *bias, int relu, float *out) {
    const int filters = s->filters;
    const int blocks = filters / LANES * LANES;
    for (int fb = 0; fb < blocks; fb += LANES) {
        const vf16 start = bias ? LOAD16(bias + fb) : (vf16){0};
        vf16 a0 = start, a1 = start, a2 = start, a3 = start;
        for (int k = 0; k < window; k++) {
            const vf16 wv = LOAD16(kernel + (ptrdiff_t)k * filters + fb);
            const float *x = corner + w->offset[k];
            a0 += x[0] * wv;
            a1 += x[step] * wv;
            a2 += x[2 * step] * wv;
            a3 += x[3 * step] * wv;
        }
        if (relu) {
            RELU16(a0);
            RELU16(a1);
            RELU16(a2);
            RELU16(a3);
        }
        STORE16(out + fb, a0);
        STORE16(out + filters + fb, a1);
        STORE16(out + 2 * filters + fb, a2);
        STORE16(out + 3 * filters + fb, a3);
    }
    for (int p = 0; p < PIXELS; p++) {
        float *o = out + p * filters;
        for (int f = blocks; f < filters; f++) o[f] = bias ? bias[f] : 0.0f;
        for (int k = 0; k < window; k++) {
            const float x = corner[p * step + w->offset[k]];
            const float *wk = kernel + (ptrdiff_t)k * filters;
            for (int f = blocks; f < filters; f++) o[f] += x * wk[f];
        }
        if (relu) {
            for (int f = blocks; f < filters; f++) o[f] = o[f] < 0.0f ? 0.0f : o[f];
        }
    }
}

/* One pixel whose window may leave the image; all filters. */
INLINE void one_pixel(const trainer_conv_shape *s, const window_layout *w, int window, const float *sample, int top,
                      int left, const float *kernel, const float *bias, int relu, float *out) {
    const int filters = s->filters;
    for (int f = 0; f < filters; f++) out[f] = bias ? bias[f] : 0.0f;
    for (int k = 0; k < window; k++) {
        const float x = window_value(s, sample, w, top, left, k);
        const float *wk = kernel + (ptrdiff_t)k * filters;
        for (int f = 0; f < filters; f++) out[f] += x * wk[f];
    }
    if (relu) {
        for (int f = 0; f < filters; f++) out[f] = out[f] < 0.0f ? 0.0f : out[f];
    }
}

INLINE void forward_samples(const trainer_conv_shape *s, const window_layout *w, int window, const float *input,
                            int first, int count, const float *kernel, const float *bias, int relu, float *output) {
    const int filters = s->filters;
    const ptrdiff_t in_size = (ptrdiff_t)s->input_height * s->input_width * s->channels;
    const ptrdiff_t out_size = (ptrdiff_t)s->output_height * s->output_width * filters;
    const ptrdiff_t step = (ptrdiff_t)s->stride_width * s->channels;
    for (int n = first; n < first + count; n++) {
        const float *sample = input + n * in_size;
        for (int oy = 0; oy < s->output_height; oy++) {
            const int top = oy * s->stride_height - s->pad_top;
            float *row = output + n * out_size + (ptrdiff_t)oy * s->output_width * filters;
            int ox = 0;
            while (ox < s->output_width) {
                /* The last group of a row starts early enough to stay whole (a pixel computed
                 * twice gets the same value). */
                int at = ox + PIXELS <= s->output_width ? ox : s->output_width - PIXELS;
                const int left = at * s->stride_width - s->pad_left;
                if (at >= 0 && window_inside(s, top, left, PIXELS)) {
                    const float *corner = sample + ((ptrdiff_t)top * s->input_width + left) * s->channels;
                    four_pixels(s, w, window, corner, step, kernel, bias, relu, row + (ptrdiff_t)at * filters);
                    ox = at + PIXELS;
                } else {
                    one_pixel(s, w, window, sample, top, ox * s->stride_width - s->pad_left, kernel, bias, relu,
                              row + (ptrdiff_t)ox * filters);
                    ox += 1;
                }
            }
        }
    }
}

TRAINER_KERNEL(trainer_conv_direct_forward,
               (const trainer_conv_shape *s, const float *input, int first, int count, const float *kernel,
                const float *bias, int relu, float *output),
               (s, input, first, count, kernel, bias, relu, output)) {
    window_layout layout;
    layout_window(s, &layout);
    if (window_size(s) == 9) {
        forward_samples(s, &layout, 9, input, first, count, kernel, bias, relu, output);
    } else {
        forward_samples(s, &layout, window_size(s), input, first, count, kernel, bias, relu, output);
    }
}

/* ---- Backward --------------------------------------------------------------------------- */

/* Filters [fb, fb + 16) over samples [first, first + count): ReLU's gradient applied to dz (and
 * written back when `write_back`), the bias gradient and the kernel gradient, with one
 * accumulator per window position. */
INLINE void gradient_block(const trainer_conv_shape *s, const window_layout *w, int window, const float *input,
                           float *dz, const float *relu_output, int write_back, int first, int count, int fb,
                           float *dkernel, float *dbias) {
    const int filters = s->filters;
    const ptrdiff_t in_size = (ptrdiff_t)s->input_height * s->input_width * s->channels;
    const ptrdiff_t out_size = (ptrdiff_t)s->output_height * s->output_width * filters;
    vf16 acc[WINDOW_MAX];
    for (int k = 0; k < window; k++) acc[k] = (vf16){0};
    vf16 bias_sum = {0};
    for (int n = first; n < first + count; n++) {
        const float *sample = input + n * in_size;
        for (int oy = 0; oy < s->output_height; oy++) {
            const int top = oy * s->stride_height - s->pad_top;
            for (int ox = 0; ox < s->output_width; ox++) {
                const int left = ox * s->stride_width - s->pad_left;
                const ptrdiff_t o = n * out_size + ((ptrdiff_t)oy * s->output_width + ox) * filters + fb;
                vf16 g = LOAD16(dz + o);
                if (relu_output) {
                    const vf16 y = LOAD16(relu_output + o);
                    RELU_GRADIENT16(g, y);
                    if (write_back) STORE16(dz + o, g);
                }
                bias_sum += g;
                if (window_inside(s, top, left, 1)) {
                    const float *corner = sample + ((ptrdiff_t)top * s->input_width + left) * s->channels;
                    for (int k = 0; k < window; k++) acc[k] += corner[w->offset[k]] * g;
                } else {
                    for (int k = 0; k < window; k++) acc[k] += window_value(s, sample, w, top, left, k) * g;
                }
            }
        }
    }
    for (int k = 0; k < window; k++) STORE16(dkernel + (ptrdiff_t)k * filters + fb, acc[k]);
    if (dbias) STORE16(dbias + fb, bias_sum);
}

/* Filters [from, filters), one at a time: the same as gradient_block. */
INLINE void gradient_tail(const trainer_conv_shape *s, const window_layout *w, int window, const float *input,
                          float *dz, const float *relu_output, int first, int count, int from, float *dkernel,
                          float *dbias) {
    const int filters = s->filters;
    const ptrdiff_t in_size = (ptrdiff_t)s->input_height * s->input_width * s->channels;
    const ptrdiff_t out_size = (ptrdiff_t)s->output_height * s->output_width * filters;
    for (int k = 0; k < window; k++) {
        for (int f = from; f < filters; f++) dkernel[(ptrdiff_t)k * filters + f] = 0.0f;
    }
    if (dbias) {
        for (int f = from; f < filters; f++) dbias[f] = 0.0f;
    }
    for (int n = first; n < first + count; n++) {
        const float *sample = input + n * in_size;
        for (int oy = 0; oy < s->output_height; oy++) {
            const int top = oy * s->stride_height - s->pad_top;
            for (int ox = 0; ox < s->output_width; ox++) {
                const int left = ox * s->stride_width - s->pad_left;
                const ptrdiff_t o = n * out_size + ((ptrdiff_t)oy * s->output_width + ox) * filters;
                float *g = dz + o;
                if (relu_output) {
                    for (int f = from; f < filters; f++) g[f] = relu_output[o + f] > 0.0f ? g[f] : 0.0f;
                }
                if (dbias) {
                    for (int f = from; f < filters; f++) dbias[f] += g[f];
                }
                for (int k = 0; k < window; k++) {
                    const float x = window_value(s, sample, w, top, left, k);
                    float *dk = dkernel + (ptrdiff_t)k * filters;
                    for (int f = from; f < filters; f++) dk[f] += x * g[f];
                }
            }
        }
    }
}

INLINE void weight_gradients(const trainer_conv_shape *s, const window_layout *w, int window, const float *input,
                             float *dz, const float *relu_output, int write_back, int first, int count,
                             float *dkernel, float *dbias) {
    const int blocks = s->filters / LANES * LANES;
    for (int fb = 0; fb < blocks; fb += LANES) {
        gradient_block(s, w, window, input, dz, relu_output, write_back, first, count, fb, dkernel, dbias);
    }
    if (blocks < s->filters) gradient_tail(s, w, window, input, dz, relu_output, first, count, blocks, dkernel, dbias);
}

TRAINER_KERNEL(trainer_conv_direct_backward,
               (const trainer_conv_shape *s, const float *input, float *dz, const float *relu_output, int first,
                int count, const float *kernel, float *dkernel, float *dbias, float *dx),
               (s, input, dz, relu_output, first, count, kernel, dkernel, dbias, dx)) {
    window_layout layout;
    layout_window(s, &layout);
    const int window = window_size(s), write_back = dx != NULL;
    if (window == 9) {
        weight_gradients(s, &layout, 9, input, dz, relu_output, write_back, first, count, dkernel, dbias);
    } else {
        weight_gradients(s, &layout, window, input, dz, relu_output, write_back, first, count, dkernel, dbias);
    }
    if (!dx) return;

    /* The input gradient: each pixel's gradient back through the kernel onto its window. */
    const int filters = s->filters;
    const ptrdiff_t in_size = (ptrdiff_t)s->input_height * s->input_width * s->channels;
    const ptrdiff_t out_size = (ptrdiff_t)s->output_height * s->output_width * filters;
    memset(dx + first * in_size, 0, sizeof(float) * (size_t)(count * in_size));
    for (int n = first; n < first + count; n++) {
        for (int oy = 0; oy < s->output_height; oy++) {
            const int top = oy * s->stride_height - s->pad_top;
            for (int ox = 0; ox < s->output_width; ox++) {
                const int left = ox * s->stride_width - s->pad_left;
                const float *g = dz + n * out_size + ((ptrdiff_t)oy * s->output_width + ox) * filters;
                for (int k = 0; k < window; k++) {
                    const int iy = top + layout.row[k], ix = left + layout.column[k];
                    if (iy < 0 || iy >= s->input_height || ix < 0 || ix >= s->input_width) continue;
                    const float *wk = kernel + (ptrdiff_t)k * filters;
                    float sum = 0.0f;
                    for (int f = 0; f < filters; f++) sum += g[f] * wk[f];
                    dx[n * in_size + ((ptrdiff_t)iy * s->input_width + ix) * s->channels + layout.channel[k]] += sum;
                }
            }
        }
    }
}
