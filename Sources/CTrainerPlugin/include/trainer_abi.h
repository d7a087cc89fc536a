/*
 * trainer_abi.h: the ABI version, the entry symbol, statuses.
 * Part of the trainer plugin ABI; include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_ABI_H
#define TRAINER_ABI_H

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

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_ABI_H */
