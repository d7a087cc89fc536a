/*
 * trainer_ext_distributed.h: the "trainer.distributed/1" extension, rank and world size under mpirun.
 * Found with host->get_extension(id); include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_EXT_DISTRIBUTED_H
#define TRAINER_EXT_DISTRIBUTED_H

#include "trainer_host.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_EXT_DISTRIBUTED_H */
