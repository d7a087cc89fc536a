/*
 * StopAtAccuracy: the callback users write first, as a trainer plugin in plain C11.
 *
 * At the end of every epoch it reads the monitored value from the epoch's logs; once the
 * value reaches the threshold it logs why (verbose 1) and asks the host to stop training.
 *
 * Parameters (see the schema in StopAtAccuracy.c):
 *   monitor    string, default "accuracy"  the log to watch ("val_accuracy", "loss", ...)
 *   threshold  double, default 0.9         any finite value
 *   mode       "max" | "min", default max  max: stop when value >= threshold;
 *                                          min: stop when value <= threshold
 *   verbose    int 0 | 1, default 1       1: log a message when it stops training
 *
 * A monitored name missing from the logs is reported once, as a warning, and never stops
 * training. The plugin needs only trainer_plugin.h; it builds without Swift:
 *
 *     cc -std=c11 -shared -fPIC -I Sources/CTrainerPlugin/include \
 *        Plugins/StopAtAccuracy/StopAtAccuracy.c -o libStopAtAccuracy.so
 */
#ifndef STOP_AT_ACCURACY_H
#define STOP_AT_ACCURACY_H

#define STOP_AT_ACCURACY_ID "StopAtAccuracy"
#define STOP_AT_ACCURACY_VERSION "1.0.0"

#endif /* STOP_AT_ACCURACY_H */
