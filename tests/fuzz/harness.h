/*
 * harness.h - what the libFuzzer harnesses in tests/fuzz share.  Each
 * harness feeds one loader the fuzzer's bytes and turns a broken promise
 * into a crash, so libFuzzer keeps the input: besides what the sanitizers
 * catch, an error without a negative code or a message, an error message
 * that spans lines, and an importer output that the trace loader refuses.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes size bytes to rel in this process's temporary folder (removed at
 * exit); returns its path (one of four rotating buffers). */
const char *fuzz_put(const char *rel, const void *data, size_t size);

/* Aborts, naming what, unless rc is 0, or a negative code with err filled
 * in and its message on one line. */
void fuzz_check_err(const char *what, int rc, const struct sim_err *err);

/*
 * Imports data, written as file name, with fn.  An input may start with a
 * line "#fuzz-opts KEY=VALUE...", with KEYs scale, start, length, max and
 * seed read as `memsim import` reads --time-scale, --start, --length,
 * --max-vms and --seed; the rest is the file.  A successful import of VMs
 * must load back as a trace.
 */
int fuzz_import(import_fn *fn, const char *kind, const char *name, const uint8_t *data,
		size_t size);

#endif /* FUZZ_HARNESS_H */
