/* Binds a LambdaCallback signature to a function in a shared library and calls it through
 * libffi. */
#define _POSIX_C_SOURCE 200809L
#include "binding.h"

#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

__attribute__((format(printf, 3, 4)))
static void set_error(char *error, size_t error_size, const char *format, ...) {
    if (!error || error_size == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
}

/* ---- Finding and loading the library ------------------------------------------------------ */

static char *join_path(const char *dir, const char *name) {
    size_t dir_length = strlen(dir), name_length = strlen(name);
    char *path = malloc(dir_length + 1 + name_length + 1);
    if (!path) return NULL;
    memcpy(path, dir, dir_length);
    size_t n = dir_length;
    if (n == 0 || path[n - 1] != '/') path[n++] = '/';
    memcpy(path + n, name, name_length + 1);
    return path;
}

/* Loads the file at `path`; 0, or -1 with dlopen's reason. */
static int load_file(const char *path, void **handle, char *error, size_t error_size) {
    dlerror();
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        const char *reason = dlerror();
        set_error(error, error_size, "cannot load library %s: %s", path, reason ? reason : "unknown reason");
        return -1;
    }
    return 0;
}

/* Finds and loads `library` as include/LambdaCallback.h describes. On success *path_out is the
 * file loaded (allocated). */
static int load_library(const char *library, const lambda_search_t *search, void **handle,
                        char **path_out, char *error, size_t error_size) {
    *path_out = NULL;
    if (library[0] == '/') {
        if (access(library, F_OK) != 0) {
            set_error(error, error_size, "library %s does not exist", library);
            return -1;
        }
        if (load_file(library, handle, error, error_size) != 0) return -1;
        *path_out = strdup(library);
        return *path_out ? 0 : (set_error(error, error_size, "out of memory"), -1);
    }

    /* A bare name: the system's search alone, as dlopen does it (LD_LIBRARY_PATH,
     * ld.so.cache, default directories), never a file of that name in the working directory. */
    if (!strchr(library, '/')) {
        dlerror();
        *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
        if (!*handle) {
            const char *reason = dlerror();
            set_error(error, error_size,
                      "library %s: the system's search failed (%s); a library in the working or run directory is "
                      "named with a path, e.g. ./%s",
                      library, reason ? reason : "unknown reason", library);
            return -1;
        }
        *path_out = strdup(library);
        return *path_out ? 0 : (set_error(error, error_size, "out of memory"), -1);
    }

    const char *dirs[2];
    size_t dir_count = 0;
    char cwd[PATH_MAX];
    if (search && search->library_dir && search->library_dir[0]) {
        dirs[dir_count++] = search->library_dir;
    } else {
        if (getcwd(cwd, sizeof cwd)) dirs[dir_count++] = cwd;
        if (search && search->run_dir && search->run_dir[0]) dirs[dir_count++] = search->run_dir;
    }
    for (size_t i = 0; i < dir_count; i++) {
        char *path = join_path(dirs[i], library);
        if (!path) {
            set_error(error, error_size, "out of memory");
            return -1;
        }
        if (access(path, F_OK) == 0) {
            if (load_file(path, handle, error, error_size) != 0) {
                free(path);
                return -1;
            }
            *path_out = path;
            return 0;
        }
        free(path);
    }

    char places[2 * PATH_MAX + 8];
    if (dir_count == 0) snprintf(places, sizeof places, "(no directory to look in)");
    else if (dir_count == 1) snprintf(places, sizeof places, "%s", dirs[0]);
    else snprintf(places, sizeof places, "%s or %s", dirs[0], dirs[1]);

    set_error(error, error_size, "library %s is not in %s", library, places);
    return -1;
}

/* ---- The call interface ------------------------------------------------------------------- */

static ffi_type *ffi_type_of(lambda_type_t type) {
    switch (type) {
    case LAMBDA_I32: return &ffi_type_sint32;
    case LAMBDA_I64: return &ffi_type_sint64;
    case LAMBDA_F32: return &ffi_type_float;
    case LAMBDA_F64: return &ffi_type_double;
    case LAMBDA_VOID: break;
    }
    return &ffi_type_void;
}

lambda_binding_t *lambda_binding_create(const char *hook, int batch_allowed, const char *text,
                                        const lambda_search_t *search, char *error,
                                        size_t error_size) {
    lambda_binding_t *binding = calloc(1, sizeof *binding);
    if (!binding) {
        set_error(error, error_size, "out of memory");
        return NULL;
    }
    binding->hook = hook;
    if (lambda_signature_parse(text, batch_allowed, &binding->sig, error, error_size) != 0) {
        free(binding);
        return NULL;
    }
    void *handle = NULL;
    if (load_library(binding->sig.library, search, &handle, &binding->library_path, error,
                     error_size) != 0) {
        lambda_binding_destroy(binding);
        return NULL;
    }
    /* The library stays loaded until the process exits, as plugins do: a function of it may
     * still be referenced elsewhere, and some runtimes cannot be unloaded. */
    dlerror();
    void *symbol = dlsym(handle, binding->sig.symbol);
    if (!symbol) {
        set_error(error, error_size, "no symbol %s in %s", binding->sig.symbol,
                  binding->library_path);
        lambda_binding_destroy(binding);
        return NULL;
    }
    /* POSIX guarantees that a data pointer from dlsym converts to a function pointer. */
    memcpy(&binding->function, &symbol, sizeof symbol);

    for (size_t i = 0; i < binding->sig.arg_count; i++) {
        binding->arg_types[i] = ffi_type_of(binding->sig.args[i].type);
        binding->arg_values[i] = &binding->slots[i];
    }
    ffi_status status = ffi_prep_cif(&binding->cif, FFI_DEFAULT_ABI, (unsigned)binding->sig.arg_count,
                                     ffi_type_of(binding->sig.result), binding->arg_types);
    if (status != FFI_OK) {
        set_error(error, error_size, "libffi cannot prepare a call to %s (status %d)",
                  binding->sig.symbol, (int)status);
        lambda_binding_destroy(binding);
        return NULL;
    }
    return binding;
}

void lambda_binding_destroy(lambda_binding_t *binding) {
    if (!binding) return;
    lambda_signature_free(&binding->sig);
    free(binding->library_path);
    free(binding);
}

/* ---- Arguments ---------------------------------------------------------------------------- */

/* Cut toward zero, held to the range; NaN gives 0. */
static int64_t to_i64(double value) {
    if (isnan(value)) return 0;
    if (value >= 9223372036854775807.0) return INT64_MAX;
    if (value <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)value;
}

static int32_t to_i32(double value) {
    if (isnan(value)) return 0;
    if (value >= 2147483647.0) return INT32_MAX;
    if (value <= -2147483648.0) return INT32_MIN;
    return (int32_t)value;
}

static void store_real(lambda_slot_t *slot, lambda_type_t type, double value) {
    switch (type) {
    case LAMBDA_I32: slot->i32 = to_i32(value); break;
    case LAMBDA_I64: slot->i64 = to_i64(value); break;
    case LAMBDA_F32: slot->f32 = (float)value; break;
    case LAMBDA_F64: slot->f64 = value; break;
    case LAMBDA_VOID: break;
    }
}

static void store_integer(lambda_slot_t *slot, lambda_type_t type, int64_t value) {
    switch (type) {
    case LAMBDA_I32:
        slot->i32 = value > INT32_MAX ? INT32_MAX : value < INT32_MIN ? INT32_MIN : (int32_t)value;
        break;
    case LAMBDA_I64: slot->i64 = value; break;
    case LAMBDA_F32: slot->f32 = (float)value; break;
    case LAMBDA_F64: slot->f64 = (double)value; break;
    case LAMBDA_VOID: break;
    }
}

/* The log named `name`, trying first where it was found last time. */
static const trainer_log_item_t *find_log(const trainer_logs_t *logs, const char *name,
                                          uint32_t *hint) {
    if (!logs || logs->struct_size < sizeof(trainer_logs_t) || !logs->items) return NULL;
    uint32_t count = logs->count;
    const trainer_log_item_t *items = logs->items;
    if (*hint < count && items[*hint].name && strcmp(items[*hint].name, name) == 0) {
        return &items[*hint];
    }
    for (uint32_t i = 0; i < count; i++) {
        if (items[i].name && strcmp(items[i].name, name) == 0) {
            *hint = i;
            return &items[i];
        }
    }
    return NULL;
}

static void warn_missing(const lambda_binding_t *binding, const lambda_arg_t *arg,
                         const trainer_logs_t *logs, lambda_warn_fn warn, void *context) {
    if (!warn) return;
    char message[1024];
    size_t n = (size_t)snprintf(message, sizeof message, "%s: '%s' is not in the logs (available:",
                                binding->hook, arg->name);
    uint32_t count = logs && logs->struct_size >= sizeof(trainer_logs_t) && logs->items ? logs->count : 0;
    for (uint32_t i = 0; i < count && n < sizeof message; i++) {
        const char *name = logs->items[i].name ? logs->items[i].name : "?";
        n += (size_t)snprintf(message + n, sizeof message - n, "%s %s", i ? "," : "", name);
    }
    if (n < sizeof message) {
        int is_float = arg->type == LAMBDA_F32 || arg->type == LAMBDA_F64;
        snprintf(message + n, sizeof message - n, "%s); %s gets %s for it (said once)",
                 count ? "" : " none", binding->sig.symbol, is_float ? "NaN" : "0");
    }
    warn(context, message);
}

/* ---- The call ----------------------------------------------------------------------------- */

int64_t lambda_binding_call(lambda_binding_t *binding, int64_t epoch, int64_t batch,
                            const trainer_logs_t *logs, lambda_warn_fn warn, void *context) {
    for (size_t i = 0; i < binding->sig.arg_count; i++) {
        const lambda_arg_t *arg = &binding->sig.args[i];
        lambda_slot_t *slot = &binding->slots[i];
        switch (arg->source) {
        case LAMBDA_FROM_EPOCH: store_integer(slot, arg->type, epoch); break;
        case LAMBDA_FROM_BATCH: store_integer(slot, arg->type, batch); break;
        case LAMBDA_FROM_LOG: {
            const trainer_log_item_t *item = find_log(logs, arg->name, &binding->log_hint[i]);
            if (item) {
                store_real(slot, arg->type, item->value);
            } else {
                store_real(slot, arg->type, NAN);
                if (!binding->warned[i]) {
                    binding->warned[i] = 1;
                    warn_missing(binding, arg, logs, warn, context);
                }
            }
            break;
        }
        }
    }
    ffi_call(&binding->cif, binding->function, &binding->result, binding->arg_values);
    switch (binding->sig.result) {
    case LAMBDA_I32: return (int32_t)binding->result.signed_word;
    case LAMBDA_I64: return binding->result.i64;
    default: return 0;
    }
}
