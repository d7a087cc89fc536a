/* A program (not a plugin) that checks every function of trainer_plugin_helpers.h against
 * hand-built ABI structs: it prints one line per failed check and "checked N" at the end, and
 * exits 1 when a check failed. CHelperHeaderTests compile it with -Wall -Werror and run it. */
#include "trainer_plugin_helpers.h"

#include <math.h>
#include <stdlib.h>

static int checks, failures;

#define CHECK(condition)                                                                      \
    do {                                                                                      \
        checks++;                                                                             \
        if (!(condition)) {                                                                   \
            failures++;                                                                       \
            printf("failed: %s (line %d)\n", #condition, __LINE__);                            \
        }                                                                                     \
    } while (0)

static char logged[2048];
static trainer_log_level_t logged_level = -1;

static void record_log(const trainer_host_t *host, trainer_log_level_t level, const char *message) {
    (void)host;
    logged_level = level;
    snprintf(logged, sizeof logged, "%s", message);
}

static void report(const trainer_host_t *host, const char *name, double value) {
    (void)host, (void)name, (void)value;
}

static char stopped[64];

static void stop_training(const trainer_host_t *host) {
    (void)host;
    snprintf(stopped, sizeof stopped, "stop");
}

static void stop_training_because(const trainer_host_t *host, const char *reason) {
    (void)host;
    snprintf(stopped, sizeof stopped, "stop because %s", reason ? reason : "(null)");
}

static char log_set[64];

static trainer_status_t set_log(const trainer_host_t *host, const char *name, double value) {
    (void)host;
    if (strcmp(name, "bad name") == 0) return TRAINER_STATUS_ERROR;
    snprintf(log_set, sizeof log_set, "%s=%g", name, value);
    return TRAINER_STATUS_OK;
}

static const trainer_report_ext_t report_ext = {.struct_size = sizeof(trainer_report_ext_t), .report = report};
static const trainer_logs_ext_t logs_ext = {.struct_size = sizeof(trainer_logs_ext_t), .set = set_log};
/* A trainer.logs/1 struct whose struct_size ends before `set`. */
static const trainer_logs_ext_t short_logs_ext = {.struct_size = sizeof(uint32_t), .set = set_log};
static const uint32_t tiny_ext = 2; /* a struct whose struct_size is too small to hold anything */

static const void *get_extension(const trainer_host_t *host, const char *id) {
    (void)host;
    if (strcmp(id, TRAINER_EXT_REPORT) == 0) return &report_ext;
    if (strcmp(id, TRAINER_EXT_LOGS) == 0) return &logs_ext;
    if (strcmp(id, "tiny/1") == 0) return &tiny_ext;
    return NULL;
}

static const void *get_short_extension(const trainer_host_t *host, const char *id) {
    (void)host;
    if (strcmp(id, TRAINER_EXT_LOGS) == 0) return &short_logs_ext;
    return NULL;
}

static void check_params(void) {
    const char *names[] = {"patience", "delta", "flag", "monitor", "baseline", "count_as_double"};
    const trainer_value_t values[] = {
        {.type = TRAINER_VALUE_INT, .int_value = 7},
        {.type = TRAINER_VALUE_DOUBLE, .double_value = 0.25},
        {.type = TRAINER_VALUE_BOOL, .int_value = 1},
        {.type = TRAINER_VALUE_STRING, .string_value = "val_loss"},
        {.type = TRAINER_VALUE_NONE},
        {.type = TRAINER_VALUE_INT, .int_value = 3},
    };
    trainer_param_values_t params = {.struct_size = sizeof params, .count = 6, .names = names, .values = values};

    CHECK(trainer_param_find(&params, "delta") == &values[1]);
    CHECK(trainer_param_find(&params, "Delta") == NULL);
    CHECK(trainer_param_find(&params, "missing") == NULL);
    CHECK(trainer_param_find(NULL, "delta") == NULL);
    CHECK(trainer_param_int(&params, "patience", -1) == 7);
    CHECK(trainer_param_int(&params, "flag", -1) == 1);
    CHECK(trainer_param_int(&params, "delta", -1) == -1);
    CHECK(trainer_param_int(&params, "missing", 42) == 42);
    CHECK(trainer_param_double(&params, "delta", 9) == 0.25);
    CHECK(trainer_param_double(&params, "count_as_double", 9) == 3.0);
    CHECK(trainer_param_double(&params, "monitor", 9) == 9);
    CHECK(trainer_param_bool(&params, "flag", false) == true);
    CHECK(trainer_param_bool(&params, "patience", false) == false);
    CHECK(strcmp(trainer_param_string(&params, "monitor", "x"), "val_loss") == 0);
    CHECK(strcmp(trainer_param_string(&params, "baseline", "x"), "x") == 0);
    CHECK(trainer_param_is_none(&params, "baseline"));
    CHECK(!trainer_param_is_none(&params, "monitor"));
    CHECK(!trainer_param_is_none(&params, "missing"));

    /* A values struct too small to hold `values` is treated as empty. */
    trainer_param_values_t small = params;
    small.struct_size = 8;
    CHECK(trainer_param_find(&small, "delta") == NULL);
    CHECK(trainer_param_int(&small, "patience", -1) == -1);
}

static void check_logs(void) {
    const trainer_log_item_t items[] = {{"loss", 0.5}, {"val_loss", NAN}, {"accuracy", 0.75}};
    trainer_logs_t logs = {.struct_size = sizeof logs, .count = 3, .items = items};
    trainer_logs_t empty = {.struct_size = sizeof empty, .count = 0, .items = NULL};
    double value = -1;

    CHECK(trainer_logs_find(&logs, "accuracy") == &items[2]);
    CHECK(trainer_logs_find(&logs, "acc") == NULL);
    CHECK(trainer_logs_find(&empty, "loss") == NULL);
    CHECK(trainer_logs_find(NULL, "loss") == NULL);
    CHECK(trainer_logs_get(&logs, "loss", &value) && value == 0.5);
    CHECK(trainer_logs_get(&logs, "val_loss", &value) && isnan(value));
    value = -1;
    CHECK(!trainer_logs_get(&logs, "missing", &value) && value == -1);
}

static void check_host(void) {
    trainer_host_t host = {.struct_size = sizeof host, .log = record_log, .get_extension = get_extension};

    const trainer_report_ext_t *found =
        trainer_host_extension(&host, TRAINER_EXT_REPORT, TRAINER_STRUCT_END(trainer_report_ext_t, report));
    CHECK(found == &report_ext);
    CHECK(trainer_host_extension(&host, "trainer.report/2", sizeof(uint32_t)) == NULL);
    CHECK(trainer_host_extension(&host, TRAINER_EXT_REPORT, sizeof(trainer_report_ext_t) + 8) == NULL);
    CHECK(trainer_host_extension(&host, "tiny/1", 0) == NULL);
    CHECK(trainer_host_extension(NULL, TRAINER_EXT_REPORT, 0) == NULL);

    /* A host table that ends before get_extension (an older host) has no extensions. */
    trainer_host_t old = host;
    old.struct_size = (uint32_t)offsetof(trainer_host_t, get_extension);
    CHECK(!TRAINER_HOST_HAS(&old, get_extension));
    CHECK(trainer_host_extension(&old, TRAINER_EXT_REPORT, 0) == NULL);
    CHECK(TRAINER_HOST_HAS(&host, log));
    CHECK(!TRAINER_HOST_HAS(&host, evaluate));

    trainer_host_t copy;
    CHECK(trainer_host_copy(&old, &copy) == old.struct_size);
    CHECK(copy.log == record_log && copy.get_extension == NULL);

    trainer_log(&host, TRAINER_LOG_WARNING, "epoch %d: %s", 3, "late");
    CHECK(logged_level == TRAINER_LOG_WARNING && strcmp(logged, "epoch 3: late") == 0);
    char long_text[1500];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    trainer_log(&host, TRAINER_LOG_INFO, "%s", long_text);
    CHECK(strlen(logged) == 1023);
    trainer_log(&old, TRAINER_LOG_INFO, "no crash without a log function: %d", 1);
}

static void check_stop_and_logs_set(void) {
    trainer_host_t host = {.struct_size = sizeof host, .stop_training = stop_training,
                           .get_extension = get_extension, .stop_training_because = stop_training_because};

    trainer_stop_training_because(&host, "loss is NaN");
    CHECK(strcmp(stopped, "stop because loss is NaN") == 0);
    /* A 1.1 host's table ends at get_extension: it stops without the reason. */
    trainer_host_t old = host;
    old.struct_size = (uint32_t)TRAINER_STRUCT_END(trainer_host_t, get_extension);
    trainer_stop_training_because(&old, "loss is NaN");
    CHECK(strcmp(stopped, "stop") == 0);
    trainer_host_t unset = host;
    unset.stop_training_because = NULL;
    trainer_stop_training_because(&unset, "loss is NaN");
    CHECK(strcmp(stopped, "stop") == 0);
    trainer_stop_training_because(NULL, "no crash without a host");

    CHECK(trainer_logs_set(&host, "val_f1", 0.5) == TRAINER_STATUS_OK);
    CHECK(strcmp(log_set, "val_f1=0.5") == 0);
    CHECK(trainer_logs_set(&host, "bad name", 1) == TRAINER_STATUS_ERROR);
    CHECK(strcmp(log_set, "val_f1=0.5") == 0);
    trainer_host_t short_ext = host;
    short_ext.get_extension = get_short_extension;
    CHECK(trainer_logs_set(&short_ext, "val_f1", 1) == TRAINER_STATUS_ERROR);
    trainer_host_t without = host;
    without.get_extension = NULL;
    CHECK(trainer_logs_set(&without, "val_f1", 1) == TRAINER_STATUS_ERROR);
    CHECK(trainer_logs_set(NULL, "val_f1", 1) == TRAINER_STATUS_ERROR);
    CHECK(strcmp(log_set, "val_f1=0.5") == 0);
}

static void check_errors(void) {
    char error[8];
    trainer_set_error(error, sizeof error, "bad %s", "key");
    CHECK(strcmp(error, "bad key") == 0);
    trainer_set_error(error, sizeof error, "too long %d", 12345);
    CHECK(strcmp(error, "too lon") == 0);
    /* "abcdé…" : 'é' is two bytes; a cut inside it drops the whole character. */
    trainer_set_error(error, sizeof error, "abcdef\xc3\xa9");
    CHECK(strcmp(error, "abcdef") == 0);
    trainer_set_error(error, sizeof error, "abcde\xc3\xa9xyz");
    CHECK(strcmp(error, "abcde\xc3\xa9") == 0);
    trainer_set_error(error, sizeof error, "ab\xe2\x82\xac\xe2\x82\xac"); /* two euro signs, 3 bytes each */
    CHECK(strcmp(error, "ab\xe2\x82\xac") == 0);
    trainer_set_error(NULL, 10, "ignored");
    trainer_set_error(error, 0, "ignored");
    CHECK(strcmp(error, "ab\xe2\x82\xac") == 0);
}

int main(void) {
    check_params();
    check_logs();
    check_host();
    check_stop_and_logs_set();
    check_errors();
    printf("checked %d, failed %d\n", checks, failures);
    return failures ? 1 : 0;
}
