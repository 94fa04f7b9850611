/*
 * fuzz_import_bitbrains.c - `memsim import bitbrains` on one file (GWA-T-12 Bitbrains CSV (one VM per file));
 * what it writes must load as a trace.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(import_bitbrains, "bitbrains", "x.csv", data, size);
}
