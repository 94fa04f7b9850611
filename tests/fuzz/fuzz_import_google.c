/*
 * fuzz_import_google.c - `memsim import google-derived` on one file (a GCD_VMs series);
 * what it writes must load as a trace.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(import_google_derived, "google-derived", "vm_1_1", data, size);
}
