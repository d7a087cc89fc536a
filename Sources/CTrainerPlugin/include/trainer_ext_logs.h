/*
 * trainer_ext_logs.h: the "trainer.logs/1" extension, values a plugin adds to the logs.
 * Found with host->get_extension(id); include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_EXT_LOGS_H
#define TRAINER_EXT_LOGS_H

#include "trainer_host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "trainer.logs/1" (ABI 1.2): a plugin adds named values to the logs of the hook being called,
 * as a Keras callback writes `logs["val_f1"] = f1`. The plugins called after it for the same
 * hook receive the logs with the value; so History, CSVLogger and TensorBoard record it, and
 * EarlyStopping, ReduceLROnPlateau and ModelCheckpoint can monitor it, when they come later in
 * the run's plugin list. A value set in on_epoch_end is also in on_train_end's logs (the last
 * epoch's) and in the run's history; it does not carry over into the next epoch's or batch's
 * logs, which start again from the engine's own names. The struct is static in the host:
 * valid until exit. */
#define TRAINER_EXT_LOGS "trainer.logs/1"

typedef struct trainer_logs_ext {
    uint32_t struct_size;
    /* Sets `name` to `value` in the current hook's logs: replaces the value when the logs hold
     * the name, else appends it. Only from inside a hook (not from create, save_state or
     * load_state). `name` is borrowed for the call: UTF-8, 1 to 255 bytes, no control
     * characters. Returns TRAINER_STATUS_ERROR, changing nothing, outside a hook or for a bad
     * name; the host logs why. Any value is accepted, NaN and infinities included. */
    trainer_status_t (*set)(const trainer_host_t *host, const char *name, double value);
} trainer_logs_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_EXT_LOGS_H */
