/*
 * trainer_ext_predict.h: the "trainer.predict/1" extension, the model's outputs on data.
 * Found with host->get_extension(id); include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_EXT_PREDICT_H
#define TRAINER_EXT_PREDICT_H

#include "trainer_host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "trainer.predict/1" (ABI 1.2): run the model, as a Keras callback calls
 * `self.model.predict(x_val)`, and read its outputs beside the targets. The model runs in
 * inference mode (dropout off, batch normalization on its moving statistics) and nothing about
 * training changes; no plugin hook is called. Call it from hooks, typically on_epoch_end. The
 * struct is static in the host: valid until exit. */
#define TRAINER_EXT_PREDICT "trainer.predict/1"

/* One batch of predictions. Filled by the host; set struct_size = sizeof(*out) first (the host
 * writes at most that many bytes and sets struct_size to what it wrote). The arrays are owned by
 * the host and valid until the next call of this extension or the end of the current hook,
 * whichever comes first. */
typedef struct trainer_prediction {
    uint32_t struct_size;
    uint32_t reserved;       /* zero */
    int64_t first_sample;    /* index of the batch's first sample in its data */
    int64_t rows;            /* samples in the batch */
    int64_t output_size;     /* values per sample in `outputs`: the model's output (e.g. 10
                                class probabilities after softmax) */
    const float *outputs;    /* rows * output_size floats, row-major, in sample order */
    int64_t target_size;     /* values per sample in `targets`: 1 for class indices (sparse
                                labels, as floats: 3.0f is class 3), the output size for one-hot
                                or regression targets; 0 when there are none */
    const float *targets;    /* rows * target_size floats, or NULL when target_size is 0 */
} trainer_prediction_t;

typedef struct trainer_predict_ext {
    uint32_t struct_size;
    /* The number of batches the run's validation data makes at the run's batch size (the last
     * may be partial); 0 when the run has no validation data. Under mpirun, every rank sees the
     * whole validation data here. */
    int64_t (*validation_batches)(const trainer_host_t *host);
    /* Predicts validation batch `batch` (0 ..< validation_batches, in the data's order) into
     * *out, with its targets. Fails for a batch outside that range or a run without
     * validation data. */
    trainer_status_t (*predict_validation_batch)(const trainer_host_t *host, int64_t batch,
                                                 trainer_prediction_t *out, char *error,
                                                 size_t error_size);
    /* Predicts `rows` samples the plugin passes: `inputs` holds rows * input_size floats,
     * row-major, each sample as the model's input reads it (after the data's normalization);
     * input_size must be the product of the model's input shape. out->targets is NULL and
     * out->first_sample 0. `inputs` is borrowed for the call. rows may exceed the batch size:
     * the host runs as many batches as needed, up to 2^28 output values in one call. */
    trainer_status_t (*predict)(const trainer_host_t *host, const float *inputs, int64_t rows,
                                int64_t input_size, trainer_prediction_t *out, char *error,
                                size_t error_size);
} trainer_predict_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_EXT_PREDICT_H */
