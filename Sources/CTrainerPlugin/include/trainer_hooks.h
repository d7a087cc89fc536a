/*
 * trainer_hooks.h: hooks, Keras's Callback methods.
 * Part of the trainer plugin ABI; include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_HOOKS_H
#define TRAINER_HOOKS_H

#include <stddef.h>
#include <stdint.h>
#include "trainer_abi.h"
#include "trainer_logs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Hooks: Keras's Callback methods. Each is nullable: the host calls only those that are set,
 * so a plugin without batch hooks costs nothing per batch. `instance` is what `create`
 * returned. `logs` is never NULL. Return TRAINER_STATUS_ERROR to fail the run (log the reason
 * through host->log first); the host then ends training and exits with status 1.
 *
 * Order during `trainer train` (as Keras's fit):
 *   on_train_begin
 *   for each epoch:    on_epoch_begin(epoch)
 *     for each batch:  on_train_batch_begin(batch), on_train_batch_end(batch, logs)
 *     with validation: on_test_begin, for each batch on_test_batch_begin/end, on_test_end
 *     on_epoch_end(epoch, logs)
 *   on_train_end(logs)
 * `trainer evaluate` calls the test hooks alone and `trainer predict` the predict hooks.
 * Epochs and batches are 0-based. Batch indices restart at 0 every epoch.
 * ------------------------------------------------------------------------------------------ */
typedef trainer_status_t (*trainer_hook_fn)(void *instance, const trainer_logs_t *logs);
typedef trainer_status_t (*trainer_indexed_hook_fn)(void *instance, int64_t index,
                                                    const trainer_logs_t *logs);

typedef struct trainer_hooks {
    uint32_t struct_size;
    trainer_hook_fn on_train_begin;
    trainer_hook_fn on_train_end;
    trainer_indexed_hook_fn on_epoch_begin;       /* index: epoch */
    trainer_indexed_hook_fn on_epoch_end;         /* index: epoch */
    trainer_indexed_hook_fn on_train_batch_begin; /* index: batch within the epoch */
    trainer_indexed_hook_fn on_train_batch_end;
    trainer_hook_fn on_test_begin;
    trainer_hook_fn on_test_end;
    trainer_indexed_hook_fn on_test_batch_begin;
    trainer_indexed_hook_fn on_test_batch_end;
    trainer_hook_fn on_predict_begin;
    trainer_hook_fn on_predict_end;
    trainer_indexed_hook_fn on_predict_batch_begin;
    trainer_indexed_hook_fn on_predict_batch_end;
} trainer_hooks_t;

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_HOOKS_H */
