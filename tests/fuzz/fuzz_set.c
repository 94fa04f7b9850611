/*
 * fuzz_set.c - `--set KEY=VALUE`: the input is the assignments, each ended
 * by a NUL as in argv (so a value may hold a newline, as a sweep's can),
 * applied in order by scenario_load to a small valid config (that of
 * tests/data/cli_good.yaml), which must then load or fail cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "scenario.h"

#define FUZZ_MAX_SETS 16

static const char base[] = "name: fuzz-set\n"
			   "seed: 3\n"
			   "duration: 1h\n"
			   "sample: 5m\n"
			   "hosts:\n"
			   "  - {name: std, count: 2, memory: 64GiB, overhead: 2GiB}\n"
			   "workload:\n"
			   "  vms:\n"
			   "    - {name: a, memory: 4GiB}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *path;
	const char *sets[FUZZ_MAX_SETS];
	struct scenario_opts opts = {0};
	struct sim_err err = {0};
	struct scenario sc;
	char *text, *arg;
	size_t n = 0;
	int rc;

	if (!path)
		path = fuzz_put("base.yaml", base, sizeof(base) - 1);
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	for (arg = text; arg < text + size && n < FUZZ_MAX_SETS; arg += strlen(arg) + 1)
		sets[n++] = arg;
	opts.sets = sets;
	opts.n_sets = n;
	rc = scenario_load(path, &opts, &sc, &err);
	fuzz_check_err("scenario_load --set", rc, &err);
	scenario_release(&sc);
	free(text);
	return 0;
}
