/*
 * trainer_plugin.h: the contract between the `trainer` host and its callback plugins.
 *
 * This header is the whole ABI. A plugin written in C, C++, Rust, Zig or Swift needs nothing
 * else: include it, export one function, build a shared object, drop it in a plugins directory.
 *
 *     cc -shared -fPIC -I<dir of this header> my_plugin.c -o libMyPlugin.so
 *
 * (`trainer sdk --cflags` prints that -I option. trainer_plugin_helpers.h, beside this header,
 * has optional static inline helpers: typed parameters, log lookup, extensions, messages.)
 *
 * -------------------------------------------------------------------------------------------
 * Life of a plugin
 * -------------------------------------------------------------------------------------------
 *  1. The host finds `*.so` files in its plugin directories and loads each with
 *     dlopen(RTLD_NOW | RTLD_LOCAL). It never unloads a plugin. To learn what a file is, the
 *     host loads it in a separate, short-lived scanner process (steps 2 and 3 only); the
 *     training process loads only the plugins a run enables. So a plugin's constructors and
 *     entry function may run in several processes, and must not assume they run in training.
 *     A file that group or others can write, in a directory they can write, or owned by
 *     another user than the one running trainer or root, is neither scanned nor loaded
 *     (install with mode 0755 in a 0755 directory). Once `trainer plugins enable` recorded a
 *     file's SHA-256, a rebuilt file loads only after it is enabled again: loading opens the
 *     file by its path, so `$ORIGIN` in a plugin's run path is its own directory.
 *  2. It looks up the one exported symbol, TRAINER_PLUGIN_ENTRY_SYMBOL, a function of type
 *     `trainer_plugin_entry_fn`, and calls it once. The function returns a pointer to the
 *     plugin's descriptor, which must stay valid and unchanged until the process exits
 *     (in practice: a `static const` object).
 *  3. The host checks the descriptor (ABI major, struct sizes, id, parameter schema). A plugin
 *     that fails a check is listed as invalid, with the reason, and never called.
 *  4. For a run that enables the plugin, the host validates the user's parameters against the
 *     schema, then calls `create` once with a host table and the parameter values, and later
 *     calls the hooks the plugin provides, then `destroy`.
 *  5. A run may isolate the plugin (`isolate = true`): then steps 1 to 4 happen in a plugin-host
 *     process of its own, whose host table passes every call on to the training process and
 *     returns its answer. Everything below holds unchanged there; tensor views point into
 *     memory shared with the training process. Such a plugin may crash, exit or hang without
 *     taking the run down; it is then no longer called.
 *
 * -------------------------------------------------------------------------------------------
 * Rules that hold everywhere
 * -------------------------------------------------------------------------------------------
 *  - Versions. TRAINER_ABI_MAJOR changes only when a released layout changes; the host refuses
 *    a plugin of another major. TRAINER_ABI_MINOR grows when fields are appended or extensions
 *    are added; a plugin built against an older minor loads in a newer host.
 *  - Struct sizes. Every struct that crosses the boundary starts with `uint32_t struct_size`,
 *    set by whoever fills the struct to sizeof() as compiled on their side. A reader copies at
 *    most what it knows into a zeroed local and treats fields past `struct_size` as absent
 *    (zero / NULL). New fields are only ever appended at the end.
 *    Two small element types, trainer_log_item_t and trainer_value_t, are frozen instead: they
 *    never change layout, so arrays of them can be indexed directly.
 *  - Struct tags. A struct's tag names the ABI version in which its layout last changed
 *    (`struct trainer_plugin_descriptor_v1_1`); the typedef (`trainer_plugin_descriptor_t`)
 *    never changes, so code is written against the typedef alone. Runtimes that know C types
 *    by their tag (Swift registers one layout per tag for the whole process) then never
 *    confuse a plugin's older layout with the host's newer one.
 *  - Ownership. Every pointer the host passes to a plugin is borrowed: valid for the duration
 *    of that call only, unless its documentation says otherwise. Copy what you keep. Every
 *    pointer a plugin passes to the host is likewise borrowed for the call. No allocator
 *    crosses the boundary: nobody frees memory the other side allocated.
 *  - Errors. No exception, C++ throw, Rust panic or Swift error may cross the boundary.
 *    Functions return trainer_status_t; the message travels through an error buffer the
 *    caller provides, or through `host->log` before returning TRAINER_STATUS_ERROR.
 *  - Threads. The host calls `create`, every hook, `save_state`, `load_state` and `destroy`
 *    from one thread, the thread that runs training, one call at a time. Host table functions
 *    may only be called from inside those calls, on that thread.
 *  - Strings are NUL-terminated UTF-8.
 */
#ifndef TRAINER_PLUGIN_H
#define TRAINER_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version of this header. */
#define TRAINER_ABI_MAJOR 1
#define TRAINER_ABI_MINOR 2

/* The one symbol a plugin exports. */
#define TRAINER_PLUGIN_ENTRY_SYMBOL "trainer_plugin_entry"

#if defined(_WIN32)
#define TRAINER_EXPORT __declspec(dllexport)
#else
#define TRAINER_EXPORT __attribute__((visibility("default")))
#endif

typedef struct trainer_abi_version {
    uint32_t major; /* TRAINER_ABI_MAJOR the plugin was built with */
    uint32_t minor; /* TRAINER_ABI_MINOR the plugin was built with */
} trainer_abi_version_t;

/* Result of every fallible call. */
typedef int32_t trainer_status_t;
#define TRAINER_STATUS_OK 0
#define TRAINER_STATUS_ERROR 1

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

/* ------------------------------------------------------------------------------------------
 * The host table: what a plugin may ask of the host.
 * ------------------------------------------------------------------------------------------ */

/* The run's parameters, as Keras's `callback.params` plus the run directory. */
typedef struct trainer_run_params {
    uint32_t struct_size;
    int32_t verbose;         /* 0 silent, 1 progress bar, 2 one line per epoch */
    int64_t epochs;          /* epochs the run asks for */
    int64_t steps;           /* training batches per epoch (Keras: params["steps"]) */
    int64_t batch_size;      /* samples per batch */
    int64_t samples;         /* training samples */
    int64_t initial_epoch;   /* first epoch index (0 unless the run resumes) */
    const char *run_dir;     /* directory of this run's outputs; exists; valid until destroy */
    int64_t validation_samples; /* 0 when the run has no validation data */
} trainer_run_params_t;

/* A read-only view of one weight tensor. Valid for the duration of the call that produced
 * it; the data changes as training proceeds. */
typedef struct trainer_tensor_view {
    uint32_t struct_size;
    uint32_t rank;        /* number of dimensions */
    const char *name;     /* layer-qualified, e.g. "dense_1/kernel" */
    const int64_t *shape; /* `rank` extents, Keras's order (Dense kernel: [in, out]) */
    const float *data;    /* row-major float32, product(shape) elements */
    int64_t element_count;
} trainer_tensor_view_t;

/* Severity for host->log. */
typedef int32_t trainer_log_level_t;
#define TRAINER_LOG_DEBUG 0
#define TRAINER_LOG_INFO 1
#define TRAINER_LOG_WARNING 2
#define TRAINER_LOG_ERROR 3

/* Given by the host to `create`; one table per plugin instance, so the host knows who asks.
 * The table and `host_data` are owned by the host and stay valid until `destroy` returns.
 * Every function takes the table itself as `host`. Functions may be NULL only when the
 * host's struct_size ends before them. Call them only from inside a call the host made. */
typedef struct trainer_host trainer_host_t;
struct trainer_host {
    uint32_t struct_size;
    trainer_abi_version_t abi; /* the host's ABI version */
    void *host_data;           /* opaque to the plugin */
    const char *host_name;     /* "trainer" */
    const char *host_version;  /* e.g. "0.1.0" */

    /* Keras: model.stop_training = True. Training stops after the current batch; the epoch
     * still ends normally (validation, on_epoch_end), then on_train_end. */
    void (*stop_training)(const trainer_host_t *host);

    /* The optimizer's current learning rate, and setting it (takes effect from the next
     * step). Setting a negative or non-finite rate returns TRAINER_STATUS_ERROR. */
    double (*get_learning_rate)(const trainer_host_t *host);
    trainer_status_t (*set_learning_rate)(const trainer_host_t *host, double learning_rate);

    /* Copies the run's parameters into *out. Set out->struct_size = sizeof(*out) first; the
     * host writes at most that many bytes and sets struct_size to what it wrote. */
    trainer_status_t (*get_run_params)(const trainer_host_t *host, trainer_run_params_t *out);

    /* In-memory copies of all weights (Keras: model.get_weights / set_weights). A snapshot
     * belongs to this plugin instance and lives until released or until `destroy`.
     * snapshot_weights returns an id >= 0, or -1 on failure. */
    int64_t (*snapshot_weights)(const trainer_host_t *host);
    trainer_status_t (*restore_weights)(const trainer_host_t *host, int64_t snapshot_id);
    void (*release_snapshot)(const trainer_host_t *host, int64_t snapshot_id);

    /* Weights as read-only views: weight_count tensors, index 0 ..< count, in layer order. */
    int64_t (*weight_count)(const trainer_host_t *host);
    trainer_status_t (*get_weight)(const trainer_host_t *host, int64_t index,
                                   trainer_tensor_view_t *out);

    /* Saves all weights to `path` in safetensors format (written to a temporary name, then
     * renamed), or loads them from it. On failure, a message of at most error_size bytes
     * (NUL included) is written to `error` when it is not NULL. */
    trainer_status_t (*save_weights)(const trainer_host_t *host, const char *path, char *error,
                                     size_t error_size);
    trainer_status_t (*load_weights)(const trainer_host_t *host, const char *path, char *error,
                                     size_t error_size);

    /* Evaluates the model on the run's validation data (Keras: model.evaluate). On success
     * *out points at logs owned by the host (loss and metrics, no "val_" prefix), valid until
     * the current hook returns. Fails when the run has no validation data. This does not call
     * the test hooks of plugins. */
    trainer_status_t (*evaluate)(const trainer_host_t *host, const trainer_logs_t **out);

    /* Prints a message through the host's log, prefixed with the plugin's id. */
    void (*log)(const trainer_host_t *host, trainer_log_level_t level, const char *message);

    /* Looks up an optional host capability by id with revision, e.g. "trainer.weights/1".
     * Returns a pointer to a static struct the extension's documentation defines, or NULL
     * when the host does not have it. Valid until `destroy`. */
    const void *(*get_extension)(const trainer_host_t *host, const char *extension_id);
};

/* ------------------------------------------------------------------------------------------
 * Extensions: optional host capabilities, found with host->get_extension(id).
 * ------------------------------------------------------------------------------------------ */

/* "trainer.report/1": a plugin states a decision it made as a named number, e.g.
 * EarlyStopping's "best_epoch" or "stopped_epoch". `trainer replay` prints these ("would have
 * stopped at epoch 14, best epoch 11") and returns them in its JSON; a training run records
 * them in the run directory's report. A later report of the same name replaces the earlier.
 * The struct is static in the host: valid until exit. */
#define TRAINER_EXT_REPORT "trainer.report/1"

typedef struct trainer_report_ext {
    uint32_t struct_size;
    /* `name` is borrowed for the call: letters, digits and '_'. */
    void (*report)(const trainer_host_t *host, const char *name, double value);
} trainer_report_ext_t;

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

/* "trainer.distributed/1" (ABI 1.2): where this process stands in data-parallel training
 * under `mpirun`. A run started without mpirun is rank 0 of 1. Under mpirun, every rank is a
 * full trainer training on its shard of each epoch; by default a plugin is created on rank 0
 * only, and a run lists the plugins created on every rank in `[plugins] every_rank`. Stopping
 * and setting the learning rate are global: a stop asked on any rank stops every rank after
 * the same batch, and rank 0's learning rate is every rank's. Epoch logs (on_epoch_end,
 * on_train_end) are the whole job's, averaged over every rank's samples; batch logs and the
 * test hooks' logs are this rank's. The struct is static in the host: valid until exit. */
#define TRAINER_EXT_DISTRIBUTED "trainer.distributed/1"

typedef struct trainer_distributed_ext {
    uint32_t struct_size;
    /* This process's rank, 0 ..< world_size; rank 0 writes the run's files. */
    int64_t (*rank)(const trainer_host_t *host);
    /* The number of processes training together (1 without mpirun). */
    int64_t (*world_size)(const trainer_host_t *host);
} trainer_distributed_ext_t;

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

#endif /* TRAINER_PLUGIN_H */
