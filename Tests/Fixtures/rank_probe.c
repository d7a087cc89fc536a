/* A plugin for data-parallel runs (created on every rank with `--every-rank RankProbe`): it
 * learns its rank and the world size through "trainer.distributed/1" and, at on_train_end,
 * saves the rank's weights to <run_dir>/rank-<rank>.safetensors and writes
 * <run_dir>/rank-<rank>.txt:
 *
 *     rank 1 world 2 batches 7 epoch_end_logs loss=0.51234 accuracy=0.8125 ...
 *
 * (`batches`: training batches this rank finished; the logs: the last on_epoch_end's, every
 * value with 17 significant digits), and the host name it ran on to <run_dir>/rank-<rank>.host. It can also act on one rank after that rank's
 * `at_batch`-th training batch (counted from 1 over the whole run):
 *
 *   stop_rank  int, default -1: on this rank, ask the host to stop training
 *   kill_rank  int, default -1: on this rank, kill the process with SIGKILL (a rank that dies)
 *   at_batch   int, default 3
 */
#define _DEFAULT_SOURCE
#include "trainer_plugin.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const trainer_param_spec_t stop_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_INT,
    .name = "stop_rank",
    .help = "the rank that asks to stop after at_batch batches (-1: none)",
    .default_value = {.type = TRAINER_VALUE_INT, .int_value = -1},
};

static const trainer_param_spec_t kill_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_INT,
    .name = "kill_rank",
    .help = "the rank that kills itself after at_batch batches (-1: none)",
    .default_value = {.type = TRAINER_VALUE_INT, .int_value = -1},
};

static const trainer_param_spec_t at_spec = {
    .struct_size = sizeof(trainer_param_spec_t),
    .type = TRAINER_VALUE_INT,
    .name = "at_batch",
    .help = "batches (from 1, over the whole run) after which to act",
    .default_value = {.type = TRAINER_VALUE_INT, .int_value = 3},
};

static const trainer_param_spec_t *const params[] = {&stop_spec, &kill_spec, &at_spec};

typedef struct probe {
    const trainer_host_t *host;
    int64_t rank, world, stop_rank, kill_rank, at_batch, batches;
    char run_dir[4096];
    char logs[4096];
} probe_t;

static int64_t int_param(const trainer_param_values_t *values, const char *name) {
    for (uint32_t i = 0; i < values->count; i++)
        if (strcmp(values->names[i], name) == 0) return values->values[i].int_value;
    return -1;
}

static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *values, void **out,
                               char *error, size_t error_size) {
    probe_t *p = calloc(1, sizeof *p);
    if (p == NULL) return TRAINER_STATUS_ERROR;
    p->host = host;
    p->stop_rank = int_param(values, "stop_rank");
    p->kill_rank = int_param(values, "kill_rank");
    p->at_batch = int_param(values, "at_batch");
    p->world = 1;
    const trainer_distributed_ext_t *ext = host->get_extension(host, TRAINER_EXT_DISTRIBUTED);
    if (ext == NULL) {
        snprintf(error, error_size, "the host has no %s", TRAINER_EXT_DISTRIBUTED);
        free(p);
        return TRAINER_STATUS_ERROR;
    }
    p->rank = ext->rank(host);
    p->world = ext->world_size(host);
    trainer_run_params_t run = {.struct_size = sizeof run};
    host->get_run_params(host, &run);
    snprintf(p->run_dir, sizeof p->run_dir, "%s", run.run_dir);
    *out = p;
    return TRAINER_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static trainer_status_t batch_end(void *instance, int64_t batch, const trainer_logs_t *logs) {
    (void)batch, (void)logs;
    probe_t *p = instance;
    p->batches++;
    if (p->batches == p->at_batch && p->rank == p->kill_rank) raise(SIGKILL);
    if (p->batches == p->at_batch && p->rank == p->stop_rank) p->host->stop_training(p->host);
    return TRAINER_STATUS_OK;
}

static trainer_status_t epoch_end(void *instance, int64_t epoch, const trainer_logs_t *logs) {
    (void)epoch;
    probe_t *p = instance;
    size_t used = 0;
    p->logs[0] = 0;
    for (uint32_t i = 0; i < logs->count && used < sizeof p->logs; i++)
        used += snprintf(p->logs + used, sizeof p->logs - used, " %s=%.17g", logs->items[i].name, logs->items[i].value);
    return TRAINER_STATUS_OK;
}

static trainer_status_t train_end(void *instance, const trainer_logs_t *logs) {
    (void)logs;
    probe_t *p = instance;
    char path[4200], error[512];
    snprintf(path, sizeof path, "%s/rank-%lld.safetensors", p->run_dir, (long long)p->rank);
    if (p->host->save_weights(p->host, path, error, sizeof error) != TRAINER_STATUS_OK) {
        p->host->log(p->host, TRAINER_LOG_ERROR, error);
        return TRAINER_STATUS_ERROR;
    }
    snprintf(path, sizeof path, "%s/rank-%lld.txt", p->run_dir, (long long)p->rank);
    FILE *file = fopen(path, "w");
    if (file == NULL) return TRAINER_STATUS_ERROR;
    fprintf(file, "rank %lld world %lld batches %lld epoch_end_logs%s\n", (long long)p->rank, (long long)p->world,
            (long long)p->batches, p->logs);
    fclose(file);
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    snprintf(path, sizeof path, "%s/rank-%lld.host", p->run_dir, (long long)p->rank);
    if ((file = fopen(path, "w")) == NULL) return TRAINER_STATUS_ERROR;
    fprintf(file, "%s\n", host);
    fclose(file);
    return TRAINER_STATUS_OK;
}

static const trainer_hooks_t hooks = {
    .struct_size = sizeof(trainer_hooks_t),
    .on_train_batch_end = batch_end,
    .on_epoch_end = epoch_end,
    .on_train_end = train_end,
};

static const trainer_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(trainer_plugin_descriptor_t),
    .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
    .id = "RankProbe",
    .name = "Rank probe",
    .version = "1.0.0",
    .summary = "Saves each rank's weights and logs; stops or kills one rank (tests).",
    .param_count = 3,
    .params = params,
    .create = create,
    .destroy = destroy,
    .hooks = &hooks,
};

TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
