/*
 * fuzz_trace.c - the trace loader: a workload file read (cfg_load_file) and
 * loaded (trace_load), then, when small, expanded into VMs as a run would.
 */
#include "cfg.h"
#include "harness.h"
#include "trace.h"

/* Expands only traces of up to this many VMs, so a count of 10^8 costs nothing. */
#define FUZZ_EXPAND_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;
	int rc;

	rc = cfg_load_file(fuzz_put("trace.yaml", data, size), &root, &err);
	fuzz_check_err("cfg_load_file", rc, &err);
	if (!rc) {
		rc = trace_load(root, &t, &err);
		fuzz_check_err("trace_load", rc, &err);
		if (!rc) {
			if (trace_vm_count(&t) <= FUZZ_EXPAND_MAX) {
				struct vm_spec *specs = NULL;
				size_t n = 0;

				rc = trace_expand(&t, 1, 0, 4096, &specs, &n, &err);
				fuzz_check_err("trace_expand", rc, &err);
				if (!rc)
					trace_specs_free(specs, n);
			}
		}
		trace_release(&t);      /* after a failure too, as memsim describe does */
	}
	cfg_free(root);
	return 0;
}
