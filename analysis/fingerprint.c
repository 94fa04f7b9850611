/*
 * fingerprint.c - run fingerprints.
 *
 * The hash is 64-bit FNV-1a over the unformatted JSON of the effective
 * config, then of the workload tree when it came from a file (a trace's
 * contents matter as much as its name), then "seed=S replication=R".  The
 * JSON is what a results file would hold, so two configs that differ only
 * in comments, key order within the YAML text or unit spelling (4h, 240m)
 * get the same fingerprint, and any difference in what the run reads gets
 * another.  FNV-1a is not a cryptographic hash: it tells stale runs from
 * current ones, and no one gains by forging a collision.
 */
#include "fingerprint.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

/* FNV-1a, 64 bits: offset basis and prime from Fowler, Noll and Vo,
 * "The FNV Non-Cryptographic Hash Algorithm" (draft-eastlake-fnv), section 2. */
static const uint64_t FNV_OFFSET = 0xcbf29ce484222325ULL;
static const uint64_t FNV_PRIME = 0x100000001b3ULL;

static uint64_t fnv_add(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t fnv_add_tree(uint64_t h, const struct cfg_node *n)
{
	cJSON *j = results_config_json(n);
	char *text = cJSON_PrintUnformatted(j);

	h = fnv_add(h, text);
	h = fnv_add(h, "\n");
	free(text);
	cJSON_Delete(j);
	return h;
}

void fingerprint_run(const struct cfg_node *config, const struct cfg_node *workload,
		     uint64_t seed, uint32_t r, char out[FINGERPRINT_LEN])
{
	uint64_t h = fnv_add_tree(FNV_OFFSET, config);
	char tail[64];

	if (workload)
		h = fnv_add_tree(h, workload);
	snprintf(tail, sizeof(tail), "seed=%llu replication=%u", (unsigned long long)seed,
		 (unsigned)r);
	h = fnv_add(h, tail);
	snprintf(out, FINGERPRINT_LEN, "fnv1a64:%016llx", (unsigned long long)h);
}

bool fingerprint_read(const char *path, char out[FINGERPRINT_LEN])
{
	static const char key[] = "\"fingerprint\":";
	char buf[4096], *p, *end;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, key);
	if (!p)
		return false;
	p += sizeof(key) - 1;
	p += strspn(p, " \t\r\n");
	if (*p++ != '"' || !(end = strchr(p, '"')) || end - p >= FINGERPRINT_LEN)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return true;
}
