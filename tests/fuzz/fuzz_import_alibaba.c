/*
 * fuzz_import_alibaba.c - `memsim import alibaba-gpu` on one file (Alibaba GPU v2023 pod list);
 * what it writes must load as a trace.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(import_alibaba_gpu, "alibaba-gpu", "pods.csv", data, size);
}
