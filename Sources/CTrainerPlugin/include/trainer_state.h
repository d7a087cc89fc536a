/*
 * trainer_state.h: saved state, so a resumed run continues where it stopped.
 * Part of the trainer plugin ABI; include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_STATE_H
#define TRAINER_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "trainer_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Saved state: so a resumed run continues where it stopped (EarlyStopping's wait counter...).
 * ------------------------------------------------------------------------------------------ */

/* A sink the host gives to save_state. The plugin calls write() any number of times. */
typedef struct trainer_byte_sink trainer_byte_sink_t;
struct trainer_byte_sink {
    uint32_t struct_size;
    void *sink_data; /* opaque to the plugin */
    trainer_status_t (*write)(const trainer_byte_sink_t *sink, const void *bytes, size_t size);
};

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_STATE_H */
