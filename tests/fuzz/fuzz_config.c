/*
 * fuzz_config.c - the config loader: scenario_load on a config file, with
 * its defaults, policies and inline workload (a workload file it names is
 * read from the same temporary folder, which holds only this config).
 */
#include "harness.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_put("config.yaml", data, size);
	struct scenario_opts opts = {0};
	struct sim_err err = {0};
	struct scenario sc;
	int rc;

	rc = scenario_load(path, &opts, &sc, &err);
	fuzz_check_err("scenario_load", rc, &err);
	if (!rc)
		(void)scenario_pages_estimate(&sc);
	scenario_release(&sc);          /* after a failure too, as memsim run does */
	return 0;
}
