/* The grammar of a LambdaCallback signature, "LIB:SYMBOL(TYPE NAME, ...) [-> TYPE]"
 * (see include/LambdaCallback.h), parsed into its parts. */
#ifndef LAMBDA_SIGNATURE_H
#define LAMBDA_SIGNATURE_H

#include <stddef.h>

#define LAMBDA_MAX_ARGS 32

/* The plugin exports only its entry function; everything else stays inside the .so. */
#define LAMBDA_INTERNAL __attribute__((visibility("hidden")))

typedef enum lambda_type {
    LAMBDA_VOID,
    LAMBDA_I32,
    LAMBDA_I64,
    LAMBDA_F32,
    LAMBDA_F64,
} lambda_type_t;

/* Where an argument's value comes from. */
typedef enum lambda_source {
    LAMBDA_FROM_EPOCH, /* the epoch */
    LAMBDA_FROM_BATCH, /* the batch index */
    LAMBDA_FROM_LOG,   /* the log named `name` */
} lambda_source_t;

typedef struct lambda_arg {
    lambda_type_t type;
    lambda_source_t source;
    char *name; /* as written: "epoch", "batch" or a log name */
} lambda_arg_t;

typedef struct lambda_signature {
    char *library;
    char *symbol;
    lambda_type_t result;
    size_t arg_count;
    lambda_arg_t args[LAMBDA_MAX_ARGS];
} lambda_signature_t;

/* Parses `text` into *out. `batch_allowed` says whether the hook has a batch index.
 * Returns 0, or -1 with "column N: what is wrong" (N counts characters from 1) in `error`;
 * *out then holds nothing to free. */
LAMBDA_INTERNAL int lambda_signature_parse(const char *text, int batch_allowed, lambda_signature_t *out,
                                           char *error, size_t error_size);

/* Frees what a successful parse allocated; *sig is zeroed. */
LAMBDA_INTERNAL void lambda_signature_free(lambda_signature_t *sig);

#endif /* LAMBDA_SIGNATURE_H */
