/* Reports a plugin that crashes, exits or hangs inside a call, and turns SIGINT/SIGTERM into a
 * flag the training loop reads: see trainer_guard.h. Everything a signal handler does here is
 * async-signal-safe (write, _exit, sigaction, raise). */
#define _GNU_SOURCE
#include "trainer_guard.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The call in progress: plugin id and hook name, or NULL between calls; `serial` counts calls,
 * so the watchdog can tell one long call from many short ones. */
static const char *volatile current_plugin;
static const char *volatile current_hook;
static _Atomic uint64_t call_serial; /* written by the training thread only */
static volatile sig_atomic_t interrupt_signal;

void trainer_guard_enter(const char *plugin, const char *hook) {
    current_hook = hook;
    current_plugin = plugin;
    atomic_store_explicit(&call_serial, atomic_load_explicit(&call_serial, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

void trainer_guard_leave(void) { current_plugin = NULL; }

/* ---- Writing without allocating ---------------------------------------------------------- */

static void put(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void put_number(long long value) {
    char digits[24];
    int n = 0;
    int negative = value < 0;
    unsigned long long magnitude = negative ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0 && n < 22);
    char text[25];
    int k = 0;
    if (negative) text[k++] = '-';
    while (n > 0) text[k++] = digits[--n];
    text[k] = '\0';
    put(text);
}

static const char *signal_name(int signal) {
    switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGTRAP: return "SIGTRAP";
    default: return "a signal";
    }
}

/* ---- Crashes ------------------------------------------------------------------------------ */

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP};
static struct sigaction previous_actions[sizeof crash_signals / sizeof crash_signals[0]];

static void on_crash(int signal) {
    const char *plugin = current_plugin;
    if (plugin) {
        put("error: plugin ");
        put(plugin);
        put(" crashed in ");
        put(current_hook ? current_hook : "a call");
        put(" (");
        put(signal_name(signal));
        put("); the run stops. Files already written are intact.\n");
        _exit(1);
    }
    /* Not in a plugin: the host's own fault gets the action that was there before (the Swift
     * runtime's backtrace, or the default). A fault returns to the faulting instruction, which
     * faults again under that action; an abort is raised again. */
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++) {
        if (crash_signals[i] == signal) sigaction(signal, &previous_actions[i], NULL);
    }
    if (signal == SIGABRT) raise(signal);
}

/* exit() inside a plugin call: reported, and never status 0. */
static void on_exit_called(int status, void *unused) {
    (void)unused;
    const char *plugin = current_plugin;
    if (!plugin) return;
    put("error: plugin ");
    put(plugin);
    put(" called exit(");
    put_number(status);
    put(") in ");
    put(current_hook ? current_hook : "a call");
    put("; the run stops. Files already written are intact.\n");
    _exit(1);
}

void trainer_guard_install(void) {
    static atomic_flag installed = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&installed)) return;
    /* An alternate stack, so that a plugin's runaway recursion is reported too. */
    static char alternate[1 << 16];
    stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0};
    sigaltstack(&stack, NULL);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_crash;
        action.sa_flags = SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(crash_signals[i], &action, &previous_actions[i]);
    }
    on_exit(on_exit_called, NULL);
}

/* ---- The watchdog ------------------------------------------------------------------------- */

static double timeout_seconds;
static void (*timeout_action)(void *);
static void *timeout_context;

static void *watch(void *unused) {
    (void)unused;
    const double tick = timeout_seconds < 1 ? timeout_seconds / 4 : 0.25;
    struct timespec pause = {.tv_sec = (time_t)tick, .tv_nsec = (long)((tick - (double)(time_t)tick) * 1e9)};
    uint64_t watched = 0;
    double elapsed = 0;
    for (;;) {
        nanosleep(&pause, NULL);
        const char *plugin = current_plugin;
        uint64_t serial = atomic_load_explicit(&call_serial, memory_order_relaxed);
        if (!plugin || serial != watched) {
            watched = serial;
            elapsed = 0;
            continue;
        }
        elapsed += tick;
        if (elapsed < timeout_seconds) continue;
        const char *hook = current_hook;
        put("error: plugin ");
        put(plugin);
        put(" did not return from ");
        put(hook ? hook : "a call");
        put(" within ");
        put_number((long long)ceil(timeout_seconds));
        put(" s (hook_timeout); the run stops.\n");
        if (timeout_action) timeout_action(timeout_context);
        _exit(1);
    }
    return NULL;
}

void trainer_guard_set_timeout(double seconds, void (*action)(void *), void *context) {
    static atomic_flag started = ATOMIC_FLAG_INIT;
    if (!(seconds > 0) || !isfinite(seconds)) return;
    timeout_seconds = seconds;
    timeout_action = action;
    timeout_context = context;
    if (atomic_flag_test_and_set(&started)) return;
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attributes, watch, NULL) != 0) atomic_flag_clear(&started);
    pthread_attr_destroy(&attributes);
}

/* ---- Interrupts --------------------------------------------------------------------------- */

static void on_interrupt(int signal) {
    if (interrupt_signal) _exit(128 + signal);
    interrupt_signal = signal;
    put(signal == SIGINT ? "\nInterrupted: finishing the current batch (Ctrl-C again to stop at once)\n"
                         : "\nTerminated: finishing the current batch\n");
}

static const int interrupt_signals[] = {SIGINT, SIGTERM};
static struct sigaction interrupt_previous[2];
static int interrupt_installed[2];

/* A signal the process was started ignoring (nohup, a background job of a script) stays
 * ignored; the others get on_interrupt until trainer_interrupts_remove puts theirs back. */
void trainer_interrupts_install(void) {
    for (int i = 0; i < 2; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        interrupt_installed[i] = sigaction(interrupt_signals[i], NULL, &interrupt_previous[i]) == 0 &&
                                 interrupt_previous[i].sa_handler != SIG_IGN &&
                                 sigaction(interrupt_signals[i], &action, NULL) == 0;
    }
}

void trainer_interrupts_remove(void) {
    for (int i = 0; i < 2; i++) {
        if (interrupt_installed[i]) sigaction(interrupt_signals[i], &interrupt_previous[i], NULL);
        interrupt_installed[i] = 0;
    }
}

int trainer_interrupt_signal(void) { return interrupt_signal; }
