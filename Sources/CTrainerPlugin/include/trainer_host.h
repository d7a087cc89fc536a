/*
 * trainer_host.h: the host table, what a plugin may ask of the host.
 * Part of the trainer plugin ABI; include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_HOST_H
#define TRAINER_HOST_H

#include <stddef.h>
#include <stdint.h>
#include "trainer_abi.h"
#include "trainer_logs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * The host table: what a plugin may ask of the host.
 * ------------------------------------------------------------------------------------------ */

/* The run's parameters, as Keras's `callback.params` plus the run directory. */
typedef struct trainer_run_params {
    uint32_t struct_size;
    int32_t verbose;         /* 0 silent, 1 progress bar, 2 one line per epoch */
    int64_t epochs;          /* epochs the run asks for */
    int64_t steps;           /* training batches per epoch (Keras: params["steps"]) */
    int64_t batch_size;      /* samples per batch */
    int64_t samples;         /* training samples */
    int64_t initial_epoch;   /* first epoch index (0 unless the run resumes) */
    const char *run_dir;     /* directory of this run's outputs; exists; valid until destroy */
    int64_t validation_samples; /* 0 when the run has no validation data */
} trainer_run_params_t;

/* A read-only view of one weight tensor. Valid for the duration of the call that produced
 * it; the data changes as training proceeds. */
typedef struct trainer_tensor_view {
    uint32_t struct_size;
    uint32_t rank;        /* number of dimensions */
    const char *name;     /* layer-qualified, e.g. "dense_1/kernel" */
    const int64_t *shape; /* `rank` extents, Keras's order (Dense kernel: [in, out]) */
    const float *data;    /* row-major float32, product(shape) elements */
    int64_t element_count;
} trainer_tensor_view_t;

/* Severity for host->log. */
typedef int32_t trainer_log_level_t;
#define TRAINER_LOG_DEBUG 0
#define TRAINER_LOG_INFO 1
#define TRAINER_LOG_WARNING 2
#define TRAINER_LOG_ERROR 3

/* Given by the host to `create`; one table per plugin instance, so the host knows who asks.
 * The table and `host_data` are owned by the host and stay valid until `destroy` returns.
 * Every function takes the table itself as `host`. Functions may be NULL only when the
 * host's struct_size ends before them. Call them only from inside a call the host made, on
 * that thread. The struct's tag names the ABI version that last appended to it. */
typedef struct trainer_host_v1_2 trainer_host_t;
struct trainer_host_v1_2 {
    uint32_t struct_size;
    trainer_abi_version_t abi; /* the host's ABI version */
    void *host_data;           /* opaque to the plugin */
    const char *host_name;     /* "trainer" */
    const char *host_version;  /* e.g. "0.1.0" */

    /* Keras: model.stop_training = True. Training stops after the current batch; the epoch
     * still ends normally (validation, on_epoch_end), then on_train_end. */
    void (*stop_training)(const trainer_host_t *host);

    /* The optimizer's current learning rate, and setting it (takes effect from the next
     * step). Setting a negative or non-finite rate returns TRAINER_STATUS_ERROR. */
    double (*get_learning_rate)(const trainer_host_t *host);
    trainer_status_t (*set_learning_rate)(const trainer_host_t *host, double learning_rate);

    /* Copies the run's parameters into *out. Set out->struct_size = sizeof(*out) first; the
     * host writes at most that many bytes and sets struct_size to what it wrote. */
    trainer_status_t (*get_run_params)(const trainer_host_t *host, trainer_run_params_t *out);

    /* In-memory copies of all weights (Keras: model.get_weights / set_weights). A snapshot
     * belongs to this plugin instance and lives until released or until `destroy`.
     * snapshot_weights returns an id >= 0, or -1 on failure. */
    int64_t (*snapshot_weights)(const trainer_host_t *host);
    trainer_status_t (*restore_weights)(const trainer_host_t *host, int64_t snapshot_id);
    void (*release_snapshot)(const trainer_host_t *host, int64_t snapshot_id);

    /* Weights as read-only views: weight_count tensors, index 0 ..< count, in layer order. */
    int64_t (*weight_count)(const trainer_host_t *host);
    trainer_status_t (*get_weight)(const trainer_host_t *host, int64_t index,
                                   trainer_tensor_view_t *out);

    /* Saves all weights to `path` in safetensors format (written to a temporary name, then
     * renamed), or loads them from it. On failure, a message of at most error_size bytes
     * (NUL included) is written to `error` when it is not NULL. */
    trainer_status_t (*save_weights)(const trainer_host_t *host, const char *path, char *error,
                                     size_t error_size);
    trainer_status_t (*load_weights)(const trainer_host_t *host, const char *path, char *error,
                                     size_t error_size);

    /* Evaluates the model on the run's validation data (Keras: model.evaluate). On success
     * *out points at logs owned by the host (loss and metrics, no "val_" prefix), valid until
     * the current hook returns. Fails when the run has no validation data. This does not call
     * the test hooks of plugins. */
    trainer_status_t (*evaluate)(const trainer_host_t *host, const trainer_logs_t **out);

    /* Prints `message` through the host's log: one line on standard error at every level,
     * prefixed with the plugin's id, and but for INFO with the level:
     *     EarlyStopping: Epoch 5: early stopping                       (INFO)
     *     warning: EarlyStopping: ... which is not available.          (WARNING; "error: " ERROR)
     *     debug: EarlyStopping: ...                                    (DEBUG, at --verbose 2 only)
     * Standard output is the host's (progress bar, summaries, JSON), so a plugin that prints
     * there itself mixes with them. `message` is borrowed for the call. */
    void (*log)(const trainer_host_t *host, trainer_log_level_t level, const char *message);

    /* Looks up an optional host capability by id with revision, e.g. "trainer.weights/1".
     * Returns a pointer to a static struct the extension's documentation defines, or NULL
     * when the host does not have it. Valid until `destroy`. */
    const void *(*get_extension)(const trainer_host_t *host, const char *extension_id);

    /* ---- ABI 1.2 ---- */

    /* stop_training with the reason a user reads, e.g. "val_loss did not improve for 3 epochs"
     * or "loss is NaN". The host prints it ("EarlyStopping stopped training at epoch 7: ..."),
     * records it under "stop" in the run directory's report.json (plugin, reason, epoch and
     * batch, 0-based), and `trainer replay` shows it. `reason` is borrowed for the call: UTF-8
     * (bytes that are not become U+FFFD), cut to at most 1024 bytes at a character boundary;
     * NULL or "" stops with no reason. The first stop of a run is the one
     * recorded; later stops still stop. (Check host->struct_size before calling: a 1.1 host's
     * table ends at get_extension; then call stop_training.) */
    void (*stop_training_because)(const trainer_host_t *host, const char *reason);
};

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_HOST_H */
