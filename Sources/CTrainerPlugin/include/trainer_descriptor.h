/*
 * trainer_descriptor.h: the descriptor a plugin's entry function returns.
 * Part of the trainer plugin ABI; include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_DESCRIPTOR_H
#define TRAINER_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>
#include "trainer_abi.h"
#include "trainer_params.h"
#include "trainer_host.h"
#include "trainer_hooks.h"
#include "trainer_state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * The descriptor: what the entry function returns.
 * ------------------------------------------------------------------------------------------ */
typedef struct trainer_plugin_descriptor_v1_1 {
    uint32_t struct_size;
    trainer_abi_version_t abi; /* {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR} */

    /* Unique id: ASCII letters, digits, '_', '-', '.'; the CLI matches it case-insensitively.
     * The bundled plugins use Keras's class names ("EarlyStopping"). */
    const char *id;
    const char *name;    /* human-readable name */
    const char *version; /* the plugin's own version, e.g. "1.0.0" */
    const char *summary; /* one line */
    /* The compiler of a plugin with a runtime of its own, e.g. "swift-6.3"; NULL or "" for C.
     * The host compares it as an exact string with its own ("swift-<major>.<minor>") and
     * warns when a "swift-" toolchain differs (Swift has no stable ABI on Linux). */
    const char *toolchain;

    uint32_t param_count;
    const trainer_param_spec_t *const *params; /* param_count pointers to static specs */

    /* Creates an instance. On success stores it in *instance_out (may be any value, NULL
     * included) and returns TRAINER_STATUS_OK. On failure writes a message of at most
     * error_size bytes (NUL included) to `error` and returns TRAINER_STATUS_ERROR.
     * `host` stays valid until destroy; `params` only for this call. */
    trainer_status_t (*create)(const trainer_host_t *host, const trainer_param_values_t *params,
                               void **instance_out, char *error, size_t error_size);
    /* Frees the instance. Called once for every successful create, after the last hook. */
    void (*destroy)(void *instance);

    const trainer_hooks_t *hooks; /* static; never NULL (a plugin with no hooks sets all NULL) */

    /* Optional (NULL when the plugin keeps no state worth saving). save_state writes the
     * instance's state as bytes through `sink`; load_state restores it from bytes a previous
     * save_state of the same plugin version produced (borrowed for the call). The host calls
     * load_state after create and before on_train_begin when a run resumes; on_train_begin
     * must then keep what load_state restored instead of starting afresh. */
    trainer_status_t (*save_state)(void *instance, const trainer_byte_sink_t *sink);
    trainer_status_t (*load_state)(void *instance, const void *bytes, size_t size);

    /* ---- ABI 1.1 ---- */

    /* Optional (NULL: every instance uses `hooks`). For a plugin whose hooks depend on its
     * parameters (LambdaCallback calls only the hooks a run names): the hooks of one
     * instance, a subset of `hooks`; its NULL fields are not called for that instance. Called
     * once, right after a successful create. The table is owned by the instance and must stay
     * valid until destroy. `hooks` remains the full set, which `trainer plugins list` shows. */
    const trainer_hooks_t *(*instance_hooks)(void *instance);
} trainer_plugin_descriptor_t;

/* The entry function's type. Called once per process, from the loading thread. Must not
 * fail; returns a descriptor valid until exit. */
typedef const trainer_plugin_descriptor_t *(*trainer_plugin_entry_fn)(void);

/* What a plugin defines and exports:
 *   TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { ... }
 * (Swift plugins export it through the SDK, so Swift does not see this declaration.) */
#ifndef __swift__
TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_DESCRIPTOR_H */
