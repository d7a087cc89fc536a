/* trainer_guard.h: what the training process does when a plugin misbehaves in process, and
 * when the user interrupts a run. Internal to the host: no plugin sees it.
 *
 * Plugin calls. The host marks every call into a plugin (trainer_guard_enter before,
 * trainer_guard_leave after; a few stores, no system call). While a call is marked:
 *   - a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP) is reported on standard error
 *     as "error: plugin ID crashed in HOOK (SIGSEGV)" by a handler that only writes
 *     (async-signal-safe), then the process exits with status 1;
 *   - exit() called by the plugin is reported as "error: plugin ID called exit(N) in HOOK", and
 *     the process exits with status 1, never 0;
 *   - a call that lasts longer than the hook timeout is reported as "error: plugin ID did not
 *     return from HOOK within N s" by a watchdog thread, which then calls the timeout action
 *     (the host writes what the run has) and exits with status 1.
 * A call into an isolated plugin (a relay to its plugin-host process) leaves the mark at once:
 * the relay bounds it with the same timeout itself, and a crash there is not this process's.
 * A crash outside a marked call (a bug of the host itself) gets the action that was installed
 * before (the Swift runtime's backtrace, or the default): the process dies by the signal.
 *
 * Interrupts. trainer_interrupts_install makes SIGINT and SIGTERM set a flag the training loop
 * reads after each batch (trainer_interrupt_signal); a second one ends the process at once
 * with status 128 + the signal. A signal the process was started ignoring (nohup) stays
 * ignored. trainer_interrupts_remove puts the previous actions back. */
#ifndef TRAINER_GUARD_H
#define TRAINER_GUARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Installs the crash handlers (on an alternate stack, so a stack overflow is reported too) and
 * the exit() check, once per process. */
void trainer_guard_install(void);

/* Marks a call into plugin `plugin` (its id) at `hook` (a C name such as "on_epoch_end", or
 * "create", "save_state"...). Both strings must stay valid until trainer_guard_leave. */
void trainer_guard_enter(const char *plugin, const char *hook);
void trainer_guard_leave(void);

/* Starts the watchdog: a marked call lasting more than `seconds` ends the run as described
 * above, after `action(context)` (may be NULL). Seconds <= 0 or not finite: no watchdog. The
 * action runs on the watchdog's thread while the plugin's call is still running. */
void trainer_guard_set_timeout(double seconds, void (*action)(void *context), void *context);

/* SIGINT and SIGTERM set the interrupt flag (the first time) or end the process (the second). */
void trainer_interrupts_install(void);
void trainer_interrupts_remove(void);
/* The signal that interrupted the run (SIGINT or SIGTERM), or 0. */
int trainer_interrupt_signal(void);

#ifdef __cplusplus
}
#endif

#endif
