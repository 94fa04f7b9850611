/*
 * results.h - the plain record of one run (counters and series, no model
 * pointers) and its JSON form, schema "memsim-results/1" (DESIGN.md
 * section 8).  Keys a version cannot fill yet are absent, never zero.
 */
#ifndef RESULTS_H
#define RESULTS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "err.h"

#define RESULTS_SCHEMA "memsim-results/1"

struct rec_host {
	char *name;
	const char *group;
	int64_t memory_bytes, overhead_bytes;
	int64_t configured_bytes_peak, configured_bytes_end;
	uint64_t vms_hosted;
};

struct rec_vm {
	char *name;
	const char *group;              /* NULL for explicit VMs */
	const char *host;               /* NULL if never placed */
	const char *state;
	int64_t memory_bytes;
	double arrive_s;
	bool placed;
	double placed_s;
	bool departed;
	double depart_s;
	double wait_s;                  /* time queued */
};

struct rec_series {
	size_t n, cap;
	double *t_s;
	int64_t *configured_bytes;
	int64_t *free_bytes;
};

struct run_record {
	const char *name;
	uint64_t seed;
	uint32_t replication;
	const struct cfg_node *config;  /* effective config; borrowed */
	double wall_s;
	uint64_t events;
	double duration_s;
	uint64_t arrived, placed, rejected, queued, timed_out, waiting;
	int64_t host_bytes;
	int64_t configured_bytes;       /* peak of the sum over running VMs */
	double configured_bytes_mean;   /* time-weighted */
	double overcommit_ratio;        /* configured_bytes / host_bytes */
	size_t hosts_used;
	struct rec_host *hosts;
	size_t n_hosts;
	struct rec_vm *vms;
	size_t n_vms;
	struct rec_series series;
};

void results_release(struct run_record *r);
void results_series_add(struct rec_series *s, double t_s, int64_t configured, int64_t free_b);
/* The whole document; the caller owns it (cJSON_Delete). */
cJSON *results_to_json(const struct run_record *r);
/* A cfg tree as JSON, with normalized values where they were read. */
cJSON *results_config_json(const struct cfg_node *n);
/* Writes JSON text to path through a temporary file and a rename. */
int results_write_file(const char *path, const char *text, struct sim_err *err);

#endif /* RESULTS_H */
