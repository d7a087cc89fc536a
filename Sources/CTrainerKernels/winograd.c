/* Winograd's minimal filtering F(4x4, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016), forward and adjoint transforms.
 *
 *   B^T = | 4  0 -5  0  1  0 |    G = | 1/4     0     0 |    A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |        | -1/6 -1/6  -1/6 |          | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |        | -1/6  1/6  -1/6 |          | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |        | 1/24 1/12   1/6 |          | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |        | 1/24 -1/12  1/6 |
 *         | 0  4  0 -5  0  1 |        | 0       0     1 |
 *
 * A 2-D transform T X T^T applies the 1-D one down each column, then along each row. Every
 * loop below runs over channels, the innermost axis of NHWC, and is vectorised across them. */
#include "trainer_kernels.h"
#include "kernel_variants.h"

#include <string.h>

/* B^T d */
static inline __attribute__((always_inline)) void input_row(const float d[6], float r[6]) {
    float a = d[4] - 4 * d[2], b = d[3] - 4 * d[1];
    float c = d[4] - d[2], e = 2 * (d[3] - d[1]);
    r[0] = 4 * d[0] - 5 * d[2] + d[4];
    r[1] = a + b;
    r[2] = a - b;
    r[3] = c + e;
    r[4] = c - e;
    r[5] = 4 * d[1] - 5 * d[3] + d[5];
}

/* B r: the adjoint of input_row */
static inline __attribute__((always_inline)) void input_row_adjoint(const float r[6], float d[6]) {
    float s12 = r[1] + r[2], d12 = r[2] - r[1], s34 = r[3] + r[4], d34 = r[4] - r[3];
    d[0] = 4 * r[0];
    d[1] = 4 * d12 + 2 * d34 + 4 * r[5];
    d[2] = -5 * r[0] - 4 * s12 - s34;
    d[3] = -d12 - 2 * d34 - 5 * r[5];
    d[4] = r[0] + s12 + s34;
    d[5] = r[5];
}

/* A^T m */
static inline __attribute__((always_inline)) void output_row(const float m[6], float o[4]) {
    float s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4];
    o[0] = m[0] + s12 + s34;
    o[1] = d12 + 2 * d34;
    o[2] = s12 + 4 * s34;
    o[3] = d12 + 8 * d34 + m[5];
}

/* A o: the adjoint of output_row */
static inline __attribute__((always_inline)) void output_row_adjoint(const float o[4], float m[6]) {
    float even1 = o[0] + o[2], odd1 = o[1] + o[3];
    float even2 = o[0] + 4 * o[2], odd2 = 2 * (o[1] + 4 * o[3]);
    m[0] = o[0];
    m[1] = even1 + odd1;
    m[2] = even1 - odd1;
    m[3] = even2 + odd2;
    m[4] = even2 - odd2;
    m[5] = o[3];
}

/* G g */
static inline __attribute__((always_inline)) void kernel_row(const float g[3], float u[6]) {
    float even = (g[0] + g[2]) * (-1.0f / 6), odd = g[1] * (-1.0f / 6);
    float even2 = g[0] * (1.0f / 24) + g[2] * (1.0f / 6), odd2 = g[1] * (1.0f / 12);
    u[0] = g[0] * 0.25f;
    u[1] = even + odd;
    u[2] = even - odd;
    u[3] = even2 + odd2;
    u[4] = even2 - odd2;
    u[5] = g[2];
}

/* G^T u: the adjoint of kernel_row */
static inline __attribute__((always_inline)) void kernel_row_adjoint(const float u[6], float g[3]) {
    float s12 = u[1] + u[2], d12 = u[2] - u[1], s34 = u[3] + u[4], d34 = u[3] - u[4];
    g[0] = u[0] * 0.25f - s12 * (1.0f / 6) + s34 * (1.0f / 24);
    g[1] = d12 * (1.0f / 6) + d34 * (1.0f / 12);
    g[2] = s34 * (1.0f / 6) - s12 * (1.0f / 6) + u[5];
}

/* The 36 input cells of a tile: pointers to their channel vectors, `outside` for cells outside
 * the image (`zeros` when reading the input, `discard` when adding to its gradient). */
static inline __attribute__((always_inline)) void input_tile_cells(const trainer_winograd_shape *s, float *sample,
                                                                   int ty, int tx, float *outside, float *cells[36]) {
    int top = ty * 4 - s->pad_top, left = tx * 4 - s->pad_left;
    #pragma clang loop unroll(full)
    for (int y = 0; y < 6; y++) {
        int iy = top + y;
        #pragma clang loop unroll(full)
        for (int x = 0; x < 6; x++) {
            int ix = left + x;
            int inside = iy >= 0 && iy < s->input_height && ix >= 0 && ix < s->input_width;
            cells[y * 6 + x] = inside ? sample + ((ptrdiff_t)iy * s->input_width + ix) * s->channels : outside;
        }
    }
}

TRAINER_KERNEL(trainer_winograd_input,
               (const trainer_winograd_shape *s, const float *input, int first, int count, float *v,
                ptrdiff_t stride),
               (s, input, first, count, v, stride)) {
    const int channels = s->channels;
    const ptrdiff_t sample_size = (ptrdiff_t)s->input_height * s->input_width * channels;
    for (int n = first; n < first + count; n++) {
        for (int ty = 0; ty < s->tile_rows; ty++) {
            for (int tx = 0; tx < s->tile_columns; tx++) {
                float *cells[36];
                input_tile_cells(s, (float *)input + n * sample_size, ty, tx, (float *)s->zeros, cells);
                float *out = v + ((ptrdiff_t)(n * s->tile_rows + ty) * s->tile_columns + tx) * channels;
                #pragma clang loop vectorize(assume_safety)
                for (int c = 0; c < channels; c++) {
                    float t[36];
                    #pragma clang loop unroll(full)
                    for (int x = 0; x < 6; x++) {
                        float d[6], r[6];
                        for (int y = 0; y < 6; y++) d[y] = cells[y * 6 + x][c];
                        input_row(d, r);
                        for (int i = 0; i < 6; i++) t[i * 6 + x] = r[i];
                    }
                    #pragma clang loop unroll(full)
                    for (int i = 0; i < 6; i++) {
                        float r[6];
                        input_row(t + i * 6, r);
                        for (int j = 0; j < 6; j++) out[(i * 6 + j) * stride + c] = r[j];
                    }
                }
            }
        }
    }
}

/* The 16 output cells of a tile's block: pointers to their channel vectors, `discard` past
 * the image's edge (or `zeros` when reading a gradient). */
static inline __attribute__((always_inline)) void output_block_cells(const trainer_winograd_shape *s, float *sample, int ty, int tx,
                                      float *outside, float *cells[16]) {
    #pragma clang loop unroll(full)
    for (int p = 0; p < 4; p++) {
        int oy = ty * 4 + p;
        #pragma clang loop unroll(full)
        for (int q = 0; q < 4; q++) {
            int ox = tx * 4 + q;
            int inside = oy < s->output_height && ox < s->output_width;
            cells[p * 4 + q] = inside ? sample + ((ptrdiff_t)oy * s->output_width + ox) * s->filters : outside;
        }
    }
}

TRAINER_KERNEL(trainer_winograd_output,
               (const trainer_winograd_shape *s, const float *m, ptrdiff_t stride, int first, int count,
                const float *bias, int relu, float *output),
               (s, m, stride, first, count, bias, relu, output)) {
    const int filters = s->filters;
    const ptrdiff_t sample_size = (ptrdiff_t)s->output_height * s->output_width * filters;
    for (int n = first; n < first + count; n++) {
        for (int ty = 0; ty < s->tile_rows; ty++) {
            for (int tx = 0; tx < s->tile_columns; tx++) {
                float *cells[16];
                output_block_cells(s, output + n * sample_size, ty, tx, s->discard, cells);
                const float *src = m + ((ptrdiff_t)(n * s->tile_rows + ty) * s->tile_columns + tx) * filters;
                #pragma clang loop vectorize(assume_safety)
                for (int f = 0; f < filters; f++) {
                    float t[24];
                    #pragma clang loop unroll(full)
                    for (int b = 0; b < 6; b++) {
                        float col[6], o[4];
                        for (int a = 0; a < 6; a++) col[a] = src[(a * 6 + b) * stride + f];
                        output_row(col, o);
                        for (int p = 0; p < 4; p++) t[p * 6 + b] = o[p];
                    }
                    const float b = bias ? bias[f] : 0.0f;
                    #pragma clang loop unroll(full)
                    for (int p = 0; p < 4; p++) {
                        float o[4];
                        output_row(t + p * 6, o);
                        for (int q = 0; q < 4; q++) {
                            const float y = o[q] + b;
                            /* ReLU keeps NaN, as the engine's does */
                            cells[p * 4 + q][f] = relu && y < 0.0f ? 0.0f : y;
                        }
                    }
                }
            }
        }
    }
}

TRAINER_KERNEL(trainer_winograd_output_gradient,
               (const trainer_winograd_shape *s, const float *dy, const float *relu_output, int first, int count,
                float *m, ptrdiff_t stride, float *dbias),
               (s, dy, relu_output, first, count, m, stride, dbias)) {
    const int filters = s->filters;
    const ptrdiff_t sample_size = (ptrdiff_t)s->output_height * s->output_width * filters;
    if (dbias) memset(dbias, 0, sizeof(float) * (size_t)filters);
    for (int n = first; n < first + count; n++) {
        for (int ty = 0; ty < s->tile_rows; ty++) {
            for (int tx = 0; tx < s->tile_columns; tx++) {
                float *cells[16], *outputs[16];
                output_block_cells(s, (float *)dy + n * sample_size, ty, tx, (float *)s->zeros, cells);
                if (relu_output) {
                    output_block_cells(s, (float *)relu_output + n * sample_size, ty, tx, (float *)s->zeros, outputs);
                }
                float *out = m + ((ptrdiff_t)(n * s->tile_rows + ty) * s->tile_columns + tx) * filters;
                #pragma clang loop vectorize(assume_safety)
                for (int f = 0; f < filters; f++) {
                    float g[16], sum = 0.0f;
                    #pragma clang loop unroll(full)
                    for (int c = 0; c < 16; c++) {
                        g[c] = relu_output && !(outputs[c][f] > 0.0f) ? 0.0f : cells[c][f];
                        sum += g[c];
                    }
                    if (dbias) dbias[f] += sum;
                    float t[24];
                    #pragma clang loop unroll(full)
                    for (int q = 0; q < 4; q++) {
                        float col[4], r[6];
                        for (int p = 0; p < 4; p++) col[p] = g[p * 4 + q];
                        output_row_adjoint(col, r);
                        for (int a = 0; a < 6; a++) t[a * 4 + q] = r[a];
                    }
                    #pragma clang loop unroll(full)
                    for (int a = 0; a < 6; a++) {
                        float r[6];
                        output_row_adjoint(t + a * 4, r);
                        for (int b = 0; b < 6; b++) out[(a * 6 + b) * stride + f] = r[b];
                    }
                }
            }
        }
    }
}

TRAINER_KERNEL(trainer_winograd_input_gradient,
               (const trainer_winograd_shape *s, const float *dv, ptrdiff_t stride, int first, int count, float *dx),
               (s, dv, stride, first, count, dx)) {
    const int channels = s->channels;
    const ptrdiff_t sample_size = (ptrdiff_t)s->input_height * s->input_width * channels;
    memset(dx + first * sample_size, 0, sizeof(float) * (size_t)(count * sample_size));
    for (int n = first; n < first + count; n++) {
        for (int ty = 0; ty < s->tile_rows; ty++) {
            for (int tx = 0; tx < s->tile_columns; tx++) {
                /* The tile's cells in dx; cells outside the image add into `discard`. */
                float *cells[36];
                input_tile_cells(s, dx + n * sample_size, ty, tx, s->discard, cells);
                const float *src = dv + ((ptrdiff_t)(n * s->tile_rows + ty) * s->tile_columns + tx) * channels;
                /* Tiles overlap by two cells, so this tile's adds follow the previous tile's:
                 * vectorised across channels only. */
                #pragma clang loop vectorize(assume_safety)
                for (int c = 0; c < channels; c++) {
                    float t[36];
                    #pragma clang loop unroll(full)
                    for (int a = 0; a < 6; a++) {
                        float r[6], d[6];
                        for (int b = 0; b < 6; b++) r[b] = src[(a * 6 + b) * stride + c];
                        input_row_adjoint(r, d);
                        for (int x = 0; x < 6; x++) t[a * 6 + x] = d[x];
                    }
                    #pragma clang loop unroll(full)
                    for (int x = 0; x < 6; x++) {
                        float r[6], d[6];
                        for (int a = 0; a < 6; a++) r[a] = t[a * 6 + x];
                        input_row_adjoint(r, d);
                        for (int y = 0; y < 6; y++) cells[y * 6 + x][c] += d[y];
                    }
                }
            }
        }
    }
}

TRAINER_KERNEL(trainer_winograd_kernel,
               (const float *kernel, ptrdiff_t stride, ptrdiff_t begin, ptrdiff_t end, float *u),
               (kernel, stride, begin, end, u)) {
    #pragma clang loop vectorize(assume_safety)
    for (ptrdiff_t e = begin; e < end; e++) {
        float t[18];
        #pragma clang loop unroll(full)
        for (int j = 0; j < 3; j++) {
            float g[3], r[6];
            for (int i = 0; i < 3; i++) g[i] = kernel[(i * 3 + j) * stride + e];
            kernel_row(g, r);
            for (int a = 0; a < 6; a++) t[a * 3 + j] = r[a];
        }
        #pragma clang loop unroll(full)
        for (int a = 0; a < 6; a++) {
            float r[6];
            kernel_row(t + a * 3, r);
            for (int b = 0; b < 6; b++) u[(a * 6 + b) * stride + e] = r[b];
        }
    }
}

TRAINER_KERNEL(trainer_winograd_kernel_gradient,
               (const float *du, ptrdiff_t stride, ptrdiff_t begin, ptrdiff_t end, float *dkernel),
               (du, stride, begin, end, dkernel)) {
    #pragma clang loop vectorize(assume_safety)
    for (ptrdiff_t e = begin; e < end; e++) {
        float t[18];
        #pragma clang loop unroll(full)
        for (int b = 0; b < 6; b++) {
            float col[6], g[3];
            for (int a = 0; a < 6; a++) col[a] = du[(a * 6 + b) * stride + e];
            kernel_row_adjoint(col, g);
            for (int i = 0; i < 3; i++) t[i * 6 + b] = g[i];
        }
        #pragma clang loop unroll(full)
        for (int i = 0; i < 3; i++) {
            float g[3];
            kernel_row_adjoint(t + i * 6, g);
            for (int j = 0; j < 3; j++) dkernel[(i * 3 + j) * stride + e] = g[j];
        }
    }
}
