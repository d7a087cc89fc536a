/*
 * trainer_ext_checkpoint.h: the "trainer.checkpoint/1" extension, the whole training state.
 * Found with host->get_extension(id); include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_EXT_CHECKPOINT_H
#define TRAINER_EXT_CHECKPOINT_H

#include "trainer_host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "trainer.checkpoint/1": the whole training state, for plugins that make runs resumable
 * (BackupAndRestore). The struct is static in the host: valid until exit. */
#define TRAINER_EXT_CHECKPOINT "trainer.checkpoint/1"

typedef struct trainer_checkpoint_ext {
    uint32_t struct_size;
    /* Writes everything a run needs to go on from here into the directory `dir` (created if
     * missing): the weights, the optimizer's state and learning rate, the position (the epoch,
     * and the batch when called from on_train_batch_end, just finished) and the saved state of
     * every plugin of the run that has save_state. Each checkpoint is written under a new name
     * and renamed into place, then older ones are removed: a crash at any moment leaves the
     * last complete checkpoint readable. Call it from on_epoch_end or on_train_batch_end. */
    trainer_status_t (*save)(const trainer_host_t *host, const char *dir, char *error,
                             size_t error_size);
    /* Asks the host to resume from the newest checkpoint in `dir`. Only from `create`. Sets
     * *found to 1 when `dir` holds a checkpoint, else 0 (a fresh start). The host restores it
     * once every plugin is created and before on_train_begin: weights, optimizer, learning
     * rate, position (the run continues right after the saved batch or epoch, with the same
     * data order), and each plugin's state through load_state. Fails (with a message) when
     * the checkpoint is unreadable or was written for another model or plugin list. */
    trainer_status_t (*resume)(const trainer_host_t *host, const char *dir, int32_t *found,
                               char *error, size_t error_size);
    /* Removes the checkpoints in `dir` (BackupAndRestore's delete_checkpoint at train end). */
    trainer_status_t (*remove)(const trainer_host_t *host, const char *dir, char *error,
                               size_t error_size);
} trainer_checkpoint_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_EXT_CHECKPOINT_H */
