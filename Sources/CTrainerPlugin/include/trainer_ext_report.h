/*
 * trainer_ext_report.h: the "trainer.report/1" extension, decisions stated as named numbers.
 * Found with host->get_extension(id); include trainer_plugin.h, which includes every part.
 */
#ifndef TRAINER_EXT_REPORT_H
#define TRAINER_EXT_REPORT_H

#include "trainer_host.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif /* TRAINER_EXT_REPORT_H */
