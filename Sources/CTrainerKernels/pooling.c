/* Max pooling over NHWC tensors, vectorised across channels. */
#include "trainer_kernels.h"
#include "kernel_variants.h"

#include <string.h>

TRAINER_KERNEL(trainer_max_pool,
               (const trainer_pool_shape *s, const float *input, int first, int count, float *output, int *argmax),
               (s, input, first, count, output, argmax)) {
    const int channels = s->channels;
    const ptrdiff_t in_size = (ptrdiff_t)s->input_height * s->input_width * channels;
    const ptrdiff_t out_size = (ptrdiff_t)s->output_height * s->output_width * channels;
    for (int n = first; n < first + count; n++) {
        for (int oh = 0; oh < s->output_height; oh++) {
            int t = oh * s->stride_height - s->pad_top;
            int top = t > 0 ? t : 0;
            int bottom = t + s->pool_height < s->input_height ? t + s->pool_height : s->input_height;
            for (int ow = 0; ow < s->output_width; ow++) {
                int l = ow * s->stride_width - s->pad_left;
                int left = l > 0 ? l : 0;
                int right = l + s->pool_width < s->input_width ? l + s->pool_width : s->input_width;
                float *out = output + n * out_size + ((ptrdiff_t)oh * s->output_width + ow) * channels;
                int *arg = argmax + n * out_size + ((ptrdiff_t)oh * s->output_width + ow) * channels;
                ptrdiff_t at = n * in_size + ((ptrdiff_t)top * s->input_width + left) * channels;
                if (bottom - top == 2 && right - left == 2) {
                    /* A whole 2x2 window (the usual pool): its four cells in registers. */
                    const ptrdiff_t row = (ptrdiff_t)s->input_width * channels;
                    const float *x0 = input + at, *x1 = x0 + channels, *x2 = x0 + row, *x3 = x2 + channels;
                    const int i0 = (int)at, i1 = (int)(at + channels), i2 = (int)(at + row), i3 = (int)(at + row + channels);
                    #pragma clang loop vectorize(assume_safety) interleave_count(1)
                    for (int c = 0; c < channels; c++) {
                        float best = x0[c];
                        int index = i0 + c;
                        if (x1[c] > best) { best = x1[c]; index = i1 + c; }
                        if (x2[c] > best) { best = x2[c]; index = i2 + c; }
                        if (x3[c] > best) { best = x3[c]; index = i3 + c; }
                        out[c] = best;
                        arg[c] = index;
                    }
                    continue;
                }
                /* The window's first cell, then each later one where it is strictly larger. */
                #pragma clang loop vectorize(assume_safety)
                for (int c = 0; c < channels; c++) {
                    out[c] = input[at + c];
                    arg[c] = (int)(at + c);
                }
                for (int ih = top; ih < bottom; ih++) {
                    for (int iw = left; iw < right; iw++) {
                        if (ih == top && iw == left) continue;
                        at = n * in_size + ((ptrdiff_t)ih * s->input_width + iw) * channels;
                        const float *cell = input + at;
                        #pragma clang loop vectorize(assume_safety)
                        for (int c = 0; c < channels; c++) {
                            float v = cell[c];
                            int better = v > out[c];
                            out[c] = better ? v : out[c];
                            arg[c] = better ? (int)(at + c) : arg[c];
                        }
                    }
                }
            }
        }
    }
}

TRAINER_KERNEL(trainer_max_pool_backward,
               (const trainer_pool_shape *s, const float *dy, const int *argmax, int first, int count, float *dx),
               (s, dy, argmax, first, count, dx)) {
    const int channels = s->channels;
    const ptrdiff_t in_size = (ptrdiff_t)s->input_height * s->input_width * channels;
    const ptrdiff_t out_size = (ptrdiff_t)s->output_height * s->output_width * channels;
    int disjoint = s->stride_height == s->pool_height && s->stride_width == s->pool_width
        && s->pad_top == 0 && s->pad_left == 0;
    if (!disjoint) {
        /* Overlapping or padded windows: zero, then add each gradient at its argmax. */
        memset(dx + first * in_size, 0, sizeof(float) * (size_t)(count * in_size));
        for (ptrdiff_t i = first * out_size; i < (first + count) * out_size; i++) dx[argmax[i]] += dy[i];
        return;
    }
    /* Disjoint windows: every covered cell gets its gradient or zero, once; rows and columns
     * past the last window (a 'valid' pool of an odd size) get zero. */
    const int covered_rows = s->output_height * s->pool_height, covered_columns = s->output_width * s->pool_width;
    for (int n = first; n < first + count; n++) {
        for (int oh = 0; oh < s->output_height; oh++) {
            for (int ow = 0; ow < s->output_width; ow++) {
                ptrdiff_t o = n * out_size + ((ptrdiff_t)oh * s->output_width + ow) * channels;
                const float *g = dy + o;
                const int *arg = argmax + o;
                for (int ih = oh * s->pool_height; ih < (oh + 1) * s->pool_height; ih++) {
                    for (int iw = ow * s->pool_width; iw < (ow + 1) * s->pool_width; iw++) {
                        ptrdiff_t at = n * in_size + ((ptrdiff_t)ih * s->input_width + iw) * channels;
                        float *dst = dx + at;
                        #pragma clang loop vectorize(assume_safety) interleave_count(1)
                        for (int c = 0; c < channels; c++) dst[c] = arg[c] == (int)(at + c) ? g[c] : 0.0f;
                    }
                }
            }
            if (covered_columns < s->input_width) {
                for (int ih = oh * s->pool_height; ih < (oh + 1) * s->pool_height; ih++) {
                    float *row = dx + n * in_size + ((ptrdiff_t)ih * s->input_width + covered_columns) * channels;
                    memset(row, 0, sizeof(float) * (size_t)((s->input_width - covered_columns) * channels));
                }
            }
        }
        if (covered_rows < s->input_height) {
            float *rest = dx + n * in_size + (ptrdiff_t)covered_rows * s->input_width * channels;
            memset(rest, 0, sizeof(float) * (size_t)((s->input_height - covered_rows) * s->input_width * channels));
        }
    }
}
