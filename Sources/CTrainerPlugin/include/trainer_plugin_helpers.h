/*
 * trainer_plugin_helpers.h: small helpers for C (and C++) plugins, next to the ABI.
 *
 * Nothing here is part of the ABI: every function is `static inline`, compiled into the plugin
 * that includes this header, and only reads the structs trainer_plugin.h defines, following
 * its rules (struct sizes checked before a field is read, borrowed pointers never kept). A
 * plugin that includes it stops re-writing the same loops:
 *
 *     #include "trainer_plugin_helpers.h"   (includes trainer_plugin.h)
 *
 *     static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *params,
 *                                    void **instance_out, char *error, size_t error_size) {
 *         int64_t patience = trainer_param_int(params, "patience", 0);
 *         const char *monitor = trainer_param_string(params, "monitor", "val_loss");  // copy it
 *         if (patience < 0) {
 *             trainer_set_error(error, error_size, "patience must be >= 0, got %lld", (long long)patience);
 *             return TRAINER_STATUS_ERROR;
 *         }
 *         ...
 *     }
 *
 *     static trainer_status_t on_epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
 *         double loss;
 *         if (trainer_logs_get(logs, "val_loss", &loss)) { ... }
 *         trainer_logs_set(host, "val_f1", f1);   // the plugins after this one see it
 *         if (isnan(loss)) trainer_stop_training_because(host, "val_loss is NaN");
 *         const trainer_report_ext_t *report = trainer_host_extension(
 *             host, TRAINER_EXT_REPORT, TRAINER_STRUCT_END(trainer_report_ext_t, report));
 *         if (report) report->report(host, "stopped_epoch", (double)epoch);
 *     }
 *
 * Install: next to trainer_plugin.h (`trainer sdk --cflags` names the directory).
 */
#ifndef TRAINER_PLUGIN_HELPERS_H
#define TRAINER_PLUGIN_HELPERS_H

#include "trainer_plugin.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The number of bytes a struct of type TYPE must declare in its `struct_size` for FIELD to be
 * present: the offset of the end of FIELD. Use it with the checks below, e.g.
 * TRAINER_STRUCT_END(trainer_host_t, get_extension). */
#define TRAINER_STRUCT_END(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))

/* ------------------------------------------------------------------------------------------
 * Parameters: the values `create` receives (borrowed for that call only; copy strings).
 * Each getter takes a `fallback` returned when the parameter is absent (not in the values,
 * or `params` is NULL or too small), has another type, or is none (TRAINER_VALUE_NONE).
 * ------------------------------------------------------------------------------------------ */

/* The value of the parameter named `name` (exact, case-sensitive), or NULL when `params` has
 * no such parameter. The pointer is borrowed for the `create` call. */
static inline const trainer_value_t *trainer_param_find(const trainer_param_values_t *params,
                                                        const char *name) {
    if (!params || !name || params->struct_size < TRAINER_STRUCT_END(trainer_param_values_t, values))
        return NULL;
    if (!params->names || !params->values) return NULL;
    for (uint32_t i = 0; i < params->count; i++) {
        if (params->names[i] && strcmp(params->names[i], name) == 0) return &params->values[i];
    }
    return NULL;
}

/* True when the parameter is present and none (Keras's None), as a NULLABLE parameter can be. */
static inline bool trainer_param_is_none(const trainer_param_values_t *params, const char *name) {
    const trainer_value_t *value = trainer_param_find(params, name);
    return value && value->type == TRAINER_VALUE_NONE;
}

/* An INT parameter (a BOOL reads as 0 or 1), else `fallback`. */
static inline int64_t trainer_param_int(const trainer_param_values_t *params, const char *name,
                                        int64_t fallback) {
    const trainer_value_t *value = trainer_param_find(params, name);
    if (value && (value->type == TRAINER_VALUE_INT || value->type == TRAINER_VALUE_BOOL))
        return value->int_value;
    return fallback;
}

/* A DOUBLE parameter (an INT reads converted), else `fallback`. */
static inline double trainer_param_double(const trainer_param_values_t *params, const char *name,
                                          double fallback) {
    const trainer_value_t *value = trainer_param_find(params, name);
    if (value && value->type == TRAINER_VALUE_DOUBLE) return value->double_value;
    if (value && value->type == TRAINER_VALUE_INT) return (double)value->int_value;
    return fallback;
}

/* A BOOL parameter, else `fallback`. */
static inline bool trainer_param_bool(const trainer_param_values_t *params, const char *name,
                                      bool fallback) {
    const trainer_value_t *value = trainer_param_find(params, name);
    if (value && value->type == TRAINER_VALUE_BOOL) return value->int_value != 0;
    return fallback;
}

/* A STRING parameter, else `fallback`. The string is borrowed for the `create` call: copy it
 * (strdup, or into a buffer of the instance) to keep it. */
static inline const char *trainer_param_string(const trainer_param_values_t *params,
                                               const char *name, const char *fallback) {
    const trainer_value_t *value = trainer_param_find(params, name);
    if (value && value->type == TRAINER_VALUE_STRING && value->string_value) return value->string_value;
    return fallback;
}

/* ------------------------------------------------------------------------------------------
 * Logs: the values a hook receives (borrowed for that hook call only).
 * ------------------------------------------------------------------------------------------ */

/* The item named `name` (exact, case-sensitive, e.g. "val_loss"), or NULL when the logs have
 * none. The pointer is borrowed for the hook call. */
static inline const trainer_log_item_t *trainer_logs_find(const trainer_logs_t *logs, const char *name) {
    if (!logs || !name || logs->struct_size < TRAINER_STRUCT_END(trainer_logs_t, items) || !logs->items)
        return NULL;
    for (uint32_t i = 0; i < logs->count; i++) {
        if (logs->items[i].name && strcmp(logs->items[i].name, name) == 0) return &logs->items[i];
    }
    return NULL;
}

/* Stores the value named `name` in *out and returns true, or returns false (and leaves *out
 * alone) when the logs have no such name. The value may be NaN or infinite. */
static inline bool trainer_logs_get(const trainer_logs_t *logs, const char *name, double *out) {
    const trainer_log_item_t *item = trainer_logs_find(logs, name);
    if (!item) return false;
    if (out) *out = item->value;
    return true;
}

/* ------------------------------------------------------------------------------------------
 * The host table and its extensions.
 * ------------------------------------------------------------------------------------------ */

/* True when the host table provides the function FIELD: its struct_size covers the field and
 * the pointer is set. E.g. TRAINER_HOST_HAS(host, evaluate). */
#define TRAINER_HOST_HAS(HOST, FIELD)                                                           \
    ((HOST) != NULL && (HOST)->struct_size >= TRAINER_STRUCT_END(trainer_host_t, FIELD) &&      \
     (HOST)->FIELD != NULL)

/* The extension `extension_id` (with its revision, e.g. TRAINER_EXT_REPORT, "trainer.report/1"),
 * or NULL when the host lacks get_extension, does not have the extension, or gives a struct
 * whose struct_size is below `min_struct_size` (the fields the plugin needs: pass
 * TRAINER_STRUCT_END(the extension's type, the last field used)). Every extension struct
 * starts with `uint32_t struct_size`. Valid until `destroy`; call it from inside a call the
 * host made (create or a hook), like every host function. */
static inline const void *trainer_host_extension(const trainer_host_t *host, const char *extension_id,
                                                 size_t min_struct_size) {
    if (!TRAINER_HOST_HAS(host, get_extension) || !extension_id) return NULL;
    const void *extension = host->get_extension(host, extension_id);
    if (!extension) return NULL;
    uint32_t size;
    memcpy(&size, extension, sizeof size);
    if (size < min_struct_size || size < sizeof(uint32_t)) return NULL;
    return extension;
}

/* Copies the part of the host table this plugin knows (at most sizeof(trainer_host_t) bytes,
 * at most what the host's struct_size says) into *out, zeroing the rest: fields of a newer
 * header than the host's read as NULL. Returns the number of bytes copied. */
static inline size_t trainer_host_copy(const trainer_host_t *host, trainer_host_t *out) {
    if (!out) return 0;
    memset(out, 0, sizeof *out);
    if (!host) return 0;
    size_t known = host->struct_size < sizeof *out ? host->struct_size : sizeof *out;
    memcpy(out, host, known);
    return known;
}

/* Stops training after the current batch with the reason a user reads (ABI 1.2: the host
 * prints it and records it in the run's report.json), e.g. "val_loss is NaN". A host whose
 * table ends before stop_training_because (older than 1.2) stops without the reason, through
 * stop_training. `reason` is borrowed for the call; NULL or "" stops with no reason. */
static inline void trainer_stop_training_because(const trainer_host_t *host, const char *reason) {
    if (TRAINER_HOST_HAS(host, stop_training_because)) {
        host->stop_training_because(host, reason);
    } else if (TRAINER_HOST_HAS(host, stop_training)) {
        host->stop_training(host);
    }
}

/* Sets `name` to `value` in the logs of the hook being called, through "trainer.logs/1"
 * (ABI 1.2), as a Keras callback writes `logs["val_f1"] = f1`: the plugins called after this
 * one for the same hook see it. Returns TRAINER_STATUS_ERROR when the host lacks the
 * extension, or refuses (outside a hook, or a bad name: the host logs why). */
static inline trainer_status_t trainer_logs_set(const trainer_host_t *host, const char *name, double value) {
    const trainer_logs_ext_t *logs = (const trainer_logs_ext_t *)trainer_host_extension(
        host, TRAINER_EXT_LOGS, TRAINER_STRUCT_END(trainer_logs_ext_t, set));
    if (!logs || !logs->set) return TRAINER_STATUS_ERROR;
    return logs->set(host, name, value);
}

/* ------------------------------------------------------------------------------------------
 * Messages.
 * ------------------------------------------------------------------------------------------ */

/* Length of the longest prefix of `text` (of `length` bytes) that does not end inside a UTF-8
 * sequence: a cut message stays valid UTF-8. */
static inline size_t trainer_utf8_prefix(const char *text, size_t length) {
    size_t end = length;
    size_t back = 0;
    /* Step back over continuation bytes (10xxxxxx) to the lead byte of the last sequence. */
    while (end > 0 && back < 4 && ((unsigned char)text[end - 1] & 0xC0) == 0x80) {
        end--;
        back++;
    }
    if (end == 0) return 0;
    unsigned char lead = (unsigned char)text[end - 1];
    size_t need = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3
                : (lead & 0xF8) == 0xF0 ? 4 : 1;
    /* Cut only a sequence whose lead byte is there but not all its continuation bytes. */
    return back + 1 < need ? end - 1 : length;
}

/* Writes a printf-style message into the error buffer `create` (or save_weights, ...) was
 * given: at most error_size bytes, NUL included, cut at a UTF-8 character boundary. Does
 * nothing when `error` is NULL or error_size is 0. */
static inline void trainer_set_error(char *error, size_t error_size, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static inline void trainer_set_error(char *error, size_t error_size, const char *format, ...) {
    if (!error || error_size == 0) return;
    if (!format) {
        error[0] = '\0';
        return;
    }
    va_list args;
    va_start(args, format);
    int written = vsnprintf(error, error_size, format, args);
    va_end(args);
    if (written < 0) {
        error[0] = '\0';
    } else if ((size_t)written >= error_size) {
        error[trainer_utf8_prefix(error, error_size - 1)] = '\0';
    }
}

/* Prints a printf-style message through host->log at `level` (TRAINER_LOG_*); the host
 * prefixes it with the plugin's id. Messages longer than 1023 bytes are cut at a character
 * boundary. Does nothing when the host has no log function. */
static inline void trainer_log(const trainer_host_t *host, trainer_log_level_t level, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static inline void trainer_log(const trainer_host_t *host, trainer_log_level_t level, const char *format, ...) {
    if (!TRAINER_HOST_HAS(host, log) || !format) return;
    char message[1024];
    va_list args;
    va_start(args, format);
    int written = vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (written < 0) return;
    if ((size_t)written >= sizeof message) message[trainer_utf8_prefix(message, sizeof message - 1)] = '\0';
    host->log(host, level, message);
}

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_PLUGIN_HELPERS_H */
