/*
 * trainer_ext_weights.h: the "trainer.weights/1" extension, weights set from buffers.
 * Found with host->get_extension(id); include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_EXT_WEIGHTS_H
#define TRAINER_EXT_WEIGHTS_H

#include "trainer_host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "trainer.weights/1" (ABI 1.2): set weights from buffers the plugin owns, as Keras's
 * `model.set_weights(...)` does with arrays a callback kept (an average of the weights, the best
 * epoch's weights carried in saved state). Weights are numbered and shaped as get_weight shows
 * them: index 0 ..< weight_count, row-major float32 in the view's shape. The new values take
 * effect at once (the next forward pass uses them); the optimizer's state is not touched, as in
 * Keras. To put back weights the host holds, use snapshot_weights / restore_weights. The struct
 * is static in the host: valid until exit. Both functions check everything first and change
 * nothing on failure; a message of at most error_size bytes (NUL included) is written to `error`
 * when it is not NULL. Buffers are borrowed for the call: the host copies them. */
#define TRAINER_EXT_WEIGHTS "trainer.weights/1"

typedef struct trainer_weights_ext {
    uint32_t struct_size;
    /* Sets weight `index` from `element_count` floats at `data`; element_count must be the
     * view's element_count. */
    trainer_status_t (*set_weight)(const trainer_host_t *host, int64_t index, const float *data,
                                   int64_t element_count, char *error, size_t error_size);
    /* Sets every weight at once: `count` must be weight_count, and data[i] holds
     * element_counts[i] floats for weight i, which must be its element_count. */
    trainer_status_t (*set_weights)(const trainer_host_t *host, int64_t count, const float *const *data,
                                    const int64_t *element_counts, char *error, size_t error_size);
} trainer_weights_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_EXT_WEIGHTS_H */
