/* A signature bound to a function: its library loaded, its symbol found, its libffi call
 * interface prepared, and the buffers one call needs, so that calling allocates nothing. */
#ifndef LAMBDA_BINDING_H
#define LAMBDA_BINDING_H

#include "signature.h"
#include "trainer_plugin.h"

#include <ffi.h>
#include <stdint.h>

/* One argument's storage, whatever its type. */
typedef union lambda_slot {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
} lambda_slot_t;

typedef struct lambda_binding {
    const char *hook;       /* the hook's name, static */
    lambda_signature_t sig;
    char *library_path;     /* the file that was loaded, or the name the system found */
    void (*function)(void);
    ffi_cif cif;
    ffi_type *arg_types[LAMBDA_MAX_ARGS];
    void *arg_values[LAMBDA_MAX_ARGS];     /* each points at its slot */
    lambda_slot_t slots[LAMBDA_MAX_ARGS];
    uint32_t log_hint[LAMBDA_MAX_ARGS];    /* where each log name was found last time */
    unsigned char warned[LAMBDA_MAX_ARGS]; /* a missing log was reported */
    union {
        ffi_arg word; /* libffi widens integer results narrower than a register to this */
        ffi_sarg signed_word;
        int64_t i64;
        float f32;
        double f64;
    } result;
} lambda_binding_t;

/* Where relative library paths are looked up (see include/LambdaCallback.h). */
typedef struct lambda_search {
    const char *library_dir; /* NULL: the working directory, then run_dir */
    const char *run_dir;     /* NULL when the host gives none */
} lambda_search_t;

/* Parses `text` for `hook`, loads the library, looks up the symbol and prepares the call.
 * Returns a binding, or NULL with a message in `error` (which names neither the hook nor
 * the parameter: the caller adds them). */
LAMBDA_INTERNAL lambda_binding_t *lambda_binding_create(const char *hook, int batch_allowed,
                                                        const char *text,
                                                        const lambda_search_t *search,
                                                        char *error, size_t error_size);

LAMBDA_INTERNAL void lambda_binding_destroy(lambda_binding_t *binding);

/* Receives a warning (NUL-terminated, borrowed) while a call prepares its arguments. */
typedef void (*lambda_warn_fn)(void *context, const char *message);

/* Calls the function with arguments taken from `epoch`, `batch` and `logs`. Returns the
 * result as an integer for i32 and i64 results, 0 for the others. */
LAMBDA_INTERNAL int64_t lambda_binding_call(lambda_binding_t *binding, int64_t epoch, int64_t batch,
                                            const trainer_logs_t *logs, lambda_warn_fn warn,
                                            void *context);

#endif /* LAMBDA_BINDING_H */
