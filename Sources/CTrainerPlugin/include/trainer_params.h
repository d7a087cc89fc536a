/*
 * trainer_params.h: a plugin's parameter schema and the values a run gives it.
 * Part of the trainer plugin ABI; include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_PARAMS_H
#define TRAINER_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Parameters: a plugin's schema, and the values a run gives it.
 * ------------------------------------------------------------------------------------------ */

typedef uint32_t trainer_value_type_t;
#define TRAINER_VALUE_NONE 0   /* no value: Keras's `None` (only for TRAINER_PARAM_NULLABLE) */
#define TRAINER_VALUE_BOOL 1   /* uses int_value: 0 or 1 */
#define TRAINER_VALUE_INT 2    /* uses int_value */
#define TRAINER_VALUE_DOUBLE 3 /* uses double_value */
#define TRAINER_VALUE_STRING 4 /* uses string_value */

/* A typed value. Frozen layout (never grows). Only the field that `type` names is meaningful. */
typedef struct trainer_value {
    trainer_value_type_t type;
    uint32_t reserved; /* zero */
    int64_t int_value;
    double double_value;
    const char *string_value;
} trainer_value_t;

/* Flags of a parameter spec. */
#define TRAINER_PARAM_HAS_MIN 1u  /* `min` applies (INT and DOUBLE), inclusive */
#define TRAINER_PARAM_HAS_MAX 2u  /* `max` applies (INT and DOUBLE), inclusive */
#define TRAINER_PARAM_NULLABLE 4u /* the parameter may be none (Keras: None) */
/* ABI 1.2: the run must set the parameter (ModelCheckpoint's filepath): the host refuses a run
 * that does not, naming the plugin and the key, and `trainer plugins info` shows it as
 * required. default_value is then not used (give type NONE with NULLABLE, so that a 1.1 host,
 * which ignores this flag and passes the default, gives none and `create` can refuse it). */
#define TRAINER_PARAM_REQUIRED 8u

/* One parameter of the plugin's schema. Owned by the plugin, static: valid until exit.
 * The host validates a run's settings against it before training starts: unknown names,
 * wrong types, values outside [min, max] or outside `choices` are errors that name the
 * plugin and the key. An INT given where a DOUBLE is declared is accepted and converted. */
typedef struct trainer_param_spec {
    uint32_t struct_size;
    trainer_value_type_t type;     /* BOOL, INT, DOUBLE or STRING */
    const char *name;              /* Keras's parameter name, e.g. "patience" */
    const char *help;              /* one line for `trainer plugins info` */
    trainer_value_t default_value; /* type NONE only when NULLABLE */
    uint32_t flags;                /* TRAINER_PARAM_* */
    uint32_t reserved;             /* zero */
    double min;                    /* with TRAINER_PARAM_HAS_MIN */
    double max;                    /* with TRAINER_PARAM_HAS_MAX */
    const char *choices;           /* STRING only: allowed values separated by '|', or NULL */
} trainer_param_spec_t;

/* The values a run gives the plugin: one entry for every parameter of the schema, in schema
 * order, defaults filled in, already validated (an INT declared as DOUBLE arrives as DOUBLE).
 * Owned by the host; valid for the duration of `create` only: copy what you keep. */
typedef struct trainer_param_values {
    uint32_t struct_size;
    uint32_t count;
    const char *const *names;      /* `count` names, same order as `values` */
    const trainer_value_t *values; /* `count` values */
} trainer_param_values_t;

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_PARAMS_H */
