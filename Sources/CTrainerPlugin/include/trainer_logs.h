/*
 * trainer_logs.h: logs, the named numbers hooks receive (Keras's `logs`).
 * Part of the trainer plugin ABI; include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_LOGS_H
#define TRAINER_LOGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Logs: the numbers Keras passes to callbacks as `logs`.
 * ------------------------------------------------------------------------------------------ */

/* One named value. Frozen layout (never grows). `name` is owned by the host and valid for
 * the call that received it; values are doubles even where the engine computes in float. */
typedef struct trainer_log_item {
    const char *name; /* "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", ... */
    double value;
} trainer_log_item_t;

/* A set of logs. Owned by the host; valid for the duration of the hook call only.
 * The hooks that Keras calls with `logs=None` receive a set with count == 0 (never NULL).
 * Which names appear, by hook:
 *   on_train_batch_end   running means over the epoch so far: loss and each metric
 *   on_test_batch_end    running means over the evaluation so far: loss and each metric
 *   on_test_end          loss and each metric over the whole evaluation
 *   on_epoch_end         the epoch's loss and metrics, then val_loss and val_<metric> when the
 *                        run has validation data, then learning_rate
 *   on_train_end         the last epoch's logs
 *   on_predict_batch_end none so far (count == 0)                                         */
typedef struct trainer_logs {
    uint32_t struct_size;
    uint32_t count;                  /* number of items */
    const trainer_log_item_t *items; /* `count` items; NULL when count == 0 */
} trainer_logs_t;

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_LOGS_H */
