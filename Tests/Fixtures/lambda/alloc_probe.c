/* Counts the heap allocations LambdaCallback makes while its hooks run.
 *
 *     alloc_probe PLUGIN.so HOOK_PARAMETER SIGNATURE CALLS
 *
 * creates the plugin with that one signature (for on_train_batch_end or another batch hook),
 * calls on_train_batch_begin and on_train_batch_end a few times to warm up, then CALLS times
 * more while counting, and prints "create N calls C allocations A stops S": N allocations
 * while the plugin was created (which must be more than 0: that shows the counting sees the
 * plugin's calls), A while the hooks ran. malloc and its kin are defined here, in the
 * executable (exported with -rdynamic), so they take the place of libc's for every library
 * the process loads, the plugin and libffi included.
 *
 *     cc -std=c11 -rdynamic -I Sources/CTrainerPlugin/include alloc_probe.c -o alloc_probe -ldl
 */
#define _GNU_SOURCE
#include "trainer_plugin.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static volatile int counting;
static volatile long allocations;

void *malloc(size_t size) {
    if (counting) allocations++;
    return __libc_malloc(size);
}
void *calloc(size_t count, size_t size) {
    if (counting) allocations++;
    return __libc_calloc(count, size);
}
void *realloc(void *pointer, size_t size) {
    if (counting) allocations++;
    return __libc_realloc(pointer, size);
}
void *aligned_alloc(size_t alignment, size_t size) {
    if (counting) allocations++;
    return __libc_memalign(alignment, size);
}
void *memalign(size_t alignment, size_t size) {
    if (counting) allocations++;
    return __libc_memalign(alignment, size);
}
int posix_memalign(void **out, size_t alignment, size_t size) {
    if (counting) allocations++;
    *out = __libc_memalign(alignment, size);
    return *out ? 0 : 12; /* ENOMEM */
}
void free(void *pointer) {
    __libc_free(pointer);
}

static long stops;
static void stop_training(const trainer_host_t *host) {
    (void)host;
    stops++;
}
static void log_message(const trainer_host_t *host, trainer_log_level_t level, const char *message) {
    (void)host;
    fprintf(stderr, "log %d: %s\n", (int)level, message);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: alloc_probe PLUGIN.so HOOK_PARAMETER SIGNATURE CALLS\n");
        return 2;
    }
    void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
    trainer_plugin_entry_fn entry;
    void *symbol = dlsym(handle, TRAINER_PLUGIN_ENTRY_SYMBOL);
    if (!symbol) {
        fprintf(stderr, "no entry symbol\n");
        return 2;
    }
    memcpy(&entry, &symbol, sizeof entry);
    const trainer_plugin_descriptor_t *descriptor = entry();

    trainer_host_t host;
    memset(&host, 0, sizeof host);
    host.struct_size = sizeof host;
    host.abi.major = TRAINER_ABI_MAJOR;
    host.abi.minor = TRAINER_ABI_MINOR;
    host.host_name = "alloc_probe";
    host.host_version = "0";
    host.stop_training = stop_training;
    host.log = log_message;

    /* Every parameter of the schema, none except the one given. */
    const char *names[64];
    trainer_value_t values[64];
    uint32_t count = descriptor->param_count < 64 ? descriptor->param_count : 64;
    for (uint32_t i = 0; i < count; i++) {
        names[i] = descriptor->params[i]->name;
        memset(&values[i], 0, sizeof values[i]);
        values[i].type = TRAINER_VALUE_NONE;
        if (strcmp(names[i], argv[2]) == 0) {
            values[i].type = TRAINER_VALUE_STRING;
            values[i].string_value = argv[3];
        }
    }
    trainer_param_values_t params = {sizeof params, count, names, values};
    void *instance = NULL;
    char error[1024] = "";
    counting = 1;
    trainer_status_t created = descriptor->create(&host, &params, &instance, error, sizeof error);
    counting = 0;
    long create_allocations = allocations;
    allocations = 0;
    if (created != TRAINER_STATUS_OK) {
        fprintf(stderr, "create: %s\n", error);
        return 2;
    }

    trainer_log_item_t items[] = {{"loss", 0.25}, {"accuracy", 0.875}};
    trainer_logs_t logs = {sizeof logs, 2, items};
    trainer_logs_t none = {sizeof none, 0, NULL};
    const trainer_hooks_t *hooks = descriptor->hooks;
    long calls = strtol(argv[4], NULL, 10);
    hooks->on_epoch_begin(instance, 0, &none);
    for (int i = 0; i < 3; i++) {
        hooks->on_train_batch_begin(instance, i, &none);
        hooks->on_train_batch_end(instance, i, &logs);
    }
    counting = 1;
    for (long i = 0; i < calls; i++) {
        hooks->on_train_batch_begin(instance, i, &none);
        hooks->on_train_batch_end(instance, i, &logs);
    }
    counting = 0;
    hooks->on_epoch_end(instance, 0, &logs);
    descriptor->destroy(instance);
    printf("create %ld calls %ld allocations %ld stops %ld\n", create_allocations, calls,
           (long)allocations, stops);
    return 0;
}
