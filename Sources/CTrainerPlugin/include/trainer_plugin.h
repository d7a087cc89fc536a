/*
 * trainer_plugin.h: the contract between the `trainer` host and its callback plugins.
 *
 * This header and the parts it includes are the whole ABI. A plugin written in C, C++, Rust,
 * Zig or Swift needs nothing else: include it, export one function, build a shared object,
 * drop it in a plugins directory.
 *
 *     cc -shared -fPIC -I<dir of this header> my_plugin.c -o libMyPlugin.so
 *
 * (`trainer sdk --cflags` prints that -I option. trainer_plugin_helpers.h, beside this header,
 * has optional static inline helpers: typed parameters, log lookup, extensions, messages.)
 *
 * One concept per part, each included here, so a plugin includes this header alone:
 *   trainer_abi.h              versions, the entry symbol, statuses
 *   trainer_logs.h             logs: the named numbers hooks receive
 *   trainer_params.h           the parameter schema and the values a run gives
 *   trainer_host.h             the host table: what a plugin may ask of the host
 *   trainer_hooks.h            hooks: Keras's Callback methods, and their order
 *   trainer_state.h            saved state, for resumed runs
 *   trainer_descriptor.h       the descriptor the entry function returns
 * and the extensions, optional host capabilities found with host->get_extension(id), each
 * by a versioned id (a new revision is a new id; a released one never changes):
 *   trainer_ext_report.h       "trainer.report/1"       decisions as named numbers
 *   trainer_ext_checkpoint.h   "trainer.checkpoint/1"   the whole training state
 *   trainer_ext_distributed.h  "trainer.distributed/1"  rank and world size (ABI 1.2)
 *   trainer_ext_logs.h         "trainer.logs/1"         values added to the logs (ABI 1.2)
 *   trainer_ext_weights.h      "trainer.weights/1"      weights set from buffers (ABI 1.2)
 *   trainer_ext_predict.h      "trainer.predict/1"      the model's outputs on data (ABI 1.2)
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
 *  - Reports. Names given to "trainer.report/1" are letters, digits and '_'; a name ending in
 *    `_epoch` holds a 0-based epoch index (the CLI shows it 1-based, as Keras prints epochs),
 *    one ending in `_batch` a 0-based batch index within its epoch.
 *  - Extensions. Copy the struct get_extension returns as any other (its struct_size first):
 *    a host may give a shorter one of the same id, never a different layout.
 */
#ifndef TRAINER_PLUGIN_H
#define TRAINER_PLUGIN_H

#include "trainer_abi.h"
#include "trainer_logs.h"
#include "trainer_params.h"
#include "trainer_host.h"
#include "trainer_hooks.h"
#include "trainer_state.h"
#include "trainer_descriptor.h"

#include "trainer_ext_report.h"
#include "trainer_ext_checkpoint.h"
#include "trainer_ext_distributed.h"
#include "trainer_ext_logs.h"
#include "trainer_ext_weights.h"
#include "trainer_ext_predict.h"

#endif /* TRAINER_PLUGIN_H */
