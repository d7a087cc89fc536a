#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// The fuzz target's entry point, which each target defines (`@_cdecl`): one input, its bytes
/// valid during the call. Returns 0.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/// Runs libFuzzer (the runtime `-sanitize=fuzzer` links) with the command line `argc`/`argv`
/// over `LLVMFuzzerTestOneInput`, and returns its exit status. A target's `main` calls it:
/// SwiftPM gives an executable a `main` of its own, so libFuzzer's cannot be the one that runs.
int fuzz_driver_run(int argc, char **argv);

#endif
