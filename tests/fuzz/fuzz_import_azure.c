/*
 * fuzz_import_azure.c - `memsim import azure` on one file (Azure vmtable, V1 or the V2 re-export);
 * what it writes must load as a trace.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(import_azure, "azure", "vmtable.csv", data, size);
}
