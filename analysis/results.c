/*
 * results.c - the run record as JSON.
 *
 * Output is deterministic: keys in a fixed order, numbers printed by cJSON,
 * except integers of 10^15 and more, printed here with all their digits
 * (cJSON gives 15 significant digits whenever they read back within a
 * rounding error, which drops the last digits of 2^50 bytes or a seed
 * near 2^53).  Integers are exact up to 2^53, which is 8 PiB of bytes.  Wall time and
 * version live only in "run", which comparisons ignore.  Files are written
 * by outfile.c: next to their final name and renamed, so a reader never
 * sees half a file.
 */
#include "results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "sampling.h"
#include "version.h"
#include "xmem.h"

const char *const rec_state_names[REC_STATES] = {
	"untouched", "private", "shared", "swapped", "compressed", "ballooned",
};
const char *const rec_fault_names[REC_FAULTS] = {
	"zero_fill", "cow", "host_swap_in", "decompress", "guest_swap_in",
};
const char *const rec_col_names[COL_COUNT] = {
	"configured_bytes", "used_bytes", "free_bytes", "shared_saved_bytes", "ballooned_bytes",
	"swapped_bytes", "compressed_bytes", "faults",
};
const char *const rec_vm_col_names[VCOL_COUNT] = {
	"configured_bytes", "used_bytes", "ballooned_bytes", "swapped_bytes", "compressed_bytes",
	"faults", "active_bytes", "estimated_active_bytes", "assigned_bytes",
};

void results_vm_series_free(struct rec_vm_series *s)
{
	int k;

	if (!s)
		return;
	free(s->t_s);
	for (k = 0; k < VCOL_COUNT; k++)
		free(s->col[k]);
	free(s->stall_s);
	free(s);
}

void results_release(struct run_record *r)
{
	size_t i;
	int k;

	for (i = 0; i < r->n_hosts; i++) {
		free(r->hosts[i].name);
		if (r->hosts[i].series) {
			free(r->hosts[i].series->t_s);
			for (k = 0; k < COL_COUNT; k++)
				free(r->hosts[i].series->col[k]);
			free(r->hosts[i].series->stall_s);
			free(r->hosts[i].series);
		}
	}
	free(r->hosts);
	for (i = 0; i < r->n_vms; i++) {
		free(r->vms[i].name);
		results_vm_series_free(r->vms[i].series);
		free(r->vms[i].policies);
	}
	free(r->vms);
	free(r->series.t_s);
	for (k = 0; k < COL_COUNT; k++)
		free(r->series.col[k]);
	free(r->series.stall_s);
	for (k = 0; k < REC_FAULTS; k++)
		free(r->series.faults_kind[k]);
	memset(r, 0, sizeof(*r));
}

void results_series_add(struct rec_series *s, double t_s, const int64_t v[COL_COUNT],
			double stall_s)
{
	int k;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->t_s = xrealloc(s->t_s, s->cap * sizeof(*s->t_s));
		s->stall_s = xrealloc(s->stall_s, s->cap * sizeof(*s->stall_s));
		for (k = 0; k < COL_COUNT; k++)
			s->col[k] = xrealloc(s->col[k], s->cap * sizeof(*s->col[k]));
	}
	s->t_s[s->n] = t_s;
	s->stall_s[s->n] = stall_s;
	for (k = 0; k < COL_COUNT; k++)
		s->col[k][s->n] = v[k];
	s->n++;
}

void results_vm_series_add(struct rec_vm_series *s, double t_s, const int64_t v[VCOL_COUNT],
			   double stall_s)
{
	int k;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->t_s = xrealloc(s->t_s, s->cap * sizeof(*s->t_s));
		s->stall_s = xrealloc(s->stall_s, s->cap * sizeof(*s->stall_s));
		for (k = 0; k < VCOL_COUNT; k++)
			s->col[k] = xrealloc(s->col[k], s->cap * sizeof(*s->col[k]));
	}
	s->t_s[s->n] = t_s;
	s->stall_s[s->n] = stall_s;
	for (k = 0; k < VCOL_COUNT; k++)
		s->col[k][s->n] = v[k];
	s->n++;
}

/* Integers from here on are printed with every digit (see the top). */
#define EXACT_DIGITS_FROM 1e15

/* An integer with every digit. */
static cJSON *int_json(int64_t v)
{
	char buf[32];

	if (v > -EXACT_DIGITS_FROM && v < EXACT_DIGITS_FROM)
		return cJSON_CreateNumber((double)v);
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return cJSON_CreateRaw(buf);
}

void results_series_add_kinds(struct rec_series *s, const uint64_t kinds[REC_FAULTS])
{
	int k;

	if (s->n_kinds == s->cap_kinds) {
		s->cap_kinds = s->cap_kinds ? 2 * s->cap_kinds : 64;
		for (k = 0; k < REC_FAULTS; k++)
			s->faults_kind[k] = xrealloc(s->faults_kind[k],
						     s->cap_kinds * sizeof(*s->faults_kind[k]));
	}
	for (k = 0; k < REC_FAULTS; k++)
		s->faults_kind[k][s->n_kinds] = kinds[k];
	s->n_kinds++;
}

/* NaN and infinities would print as null; they never belong in results. */
static cJSON *num(double v)
{
	if (!isfinite(v))
		v = 0.0;
	if (fabs(v) >= EXACT_DIGITS_FROM && fabs(v) < 0x1p63 && v == floor(v))
		return int_json((int64_t)v);
	return cJSON_CreateNumber(v);
}

static void add_num(cJSON *o, const char *k, double v)
{
	cJSON_AddItemToObject(o, k, num(v));
}

/* A policy's figure: a key "a.b" is b in the object a (made on first use),
 * so a policy's flat figures can hold nested objects. */
static void add_stat(cJSON *o, const char *key, double v)
{
	const char *dot = strchr(key, '.');
	char name[64];
	cJSON *sub;

	if (!dot) {
		add_num(o, key, v);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(dot - key), key);
	sub = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!sub)
		sub = cJSON_AddObjectToObject(o, name);
	add_stat(sub, dot + 1, v);
}

static void add_str_or_null(cJSON *o, const char *k, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, k, s);
	else
		cJSON_AddNullToObject(o, k);
}

/* A scalar nobody read: resolved as YAML's core schema would. */
static cJSON *plain_scalar(const struct cfg_node *n)
{
	const char *t = n->text;
	char *end;
	double v;

	if (n->quoted)
		return cJSON_CreateString(t);
	if (!strcmp(t, "true") || !strcmp(t, "false"))
		return cJSON_CreateBool(t[0] == 't');
	if (!strcmp(t, "null") || !strcmp(t, "~") || !t[0])
		return cJSON_CreateNull();
	v = strtod(t, &end);
	if (end != t && !*end && isfinite(v) && (t[0] == '-' || t[0] == '.' ||
						 (t[0] >= '0' && t[0] <= '9')))
		return num(v);
	return cJSON_CreateString(t);
}

cJSON *results_config_json(const struct cfg_node *n)
{
	cJSON *o;
	size_t i;

	switch (n->kind) {
	case CFG_SCALAR:
		switch (n->norm) {
		case CFG_NORM_INT:
			return int_json(n->as_int);
		case CFG_NORM_NUM:
			return num(n->as_num);
		case CFG_NORM_STR:
			return cJSON_CreateString(n->text);
		case CFG_NORM_BOOL:
			return cJSON_CreateBool(n->as_int != 0);
		case CFG_NORM_NONE:
			return plain_scalar(n);
		}
		break;
	case CFG_MAP:
		o = cJSON_CreateObject();
		for (i = 0; i < n->n; i++)
			cJSON_AddItemToObject(o, n->keys[i], results_config_json(n->kids[i]));
		return o;
	case CFG_SEQ:
		o = cJSON_CreateArray();
		for (i = 0; i < n->n; i++)
			cJSON_AddItemToArray(o, results_config_json(n->kids[i]));
		return o;
	}
	return cJSON_CreateNull();
}

static cJSON *device_json(const struct rec_device *d)
{
	cJSON *o = cJSON_CreateObject();

	add_num(o, "requests", (double)d->requests);
	add_num(o, "utilization", d->utilization);
	add_num(o, "wait_mean_s", d->wait_mean_s);
	return o;
}

static cJSON *int_array(const int64_t *v, size_t n);

/* A host's series: the cluster series' keys, faults and stall those of its VMs. */
static cJSON *host_series_json(const struct rec_series *s)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "t_s");
	size_t i;
	int k;

	for (i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, num(s->t_s[i]));
	for (k = 0; k < COL_COUNT; k++)
		cJSON_AddItemToObject(o, rec_col_names[k], int_array(s->col[k], s->n));
	a = cJSON_AddArrayToObject(o, "stall_s");
	for (i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, num(s->stall_s[i]));
	return o;
}

/* A VM's series: the cluster's memory keys that are the VM's own (free
 * frames and sharing's savings are the host's), stall, and its working
 * set and estimate. */
static cJSON *vm_series_json(const struct rec_vm_series *s)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "t_s");
	size_t i;
	int k;

	for (i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, num(s->t_s[i]));
	for (k = 0; k <= VCOL_FAULTS; k++)
		cJSON_AddItemToObject(o, rec_vm_col_names[k], int_array(s->col[k], s->n));
	a = cJSON_AddArrayToObject(o, "stall_s");
	for (i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, num(s->stall_s[i]));
	for (k = VCOL_FAULTS + 1; k < VCOL_COUNT; k++)
		cJSON_AddItemToObject(o, rec_vm_col_names[k], int_array(s->col[k], s->n));
	return o;
}

static cJSON *host_json(const struct rec_host *h)
{
	cJSON *o = cJSON_CreateObject(), *po_mapping;
	size_t i;

	cJSON_AddStringToObject(o, "name", h->name);
	cJSON_AddStringToObject(o, "group", h->group);
	add_num(o, "memory_bytes", (double)h->memory_bytes);
	add_num(o, "overhead_bytes", (double)h->overhead_bytes);
	add_num(o, "vms_hosted", (double)h->vms_hosted);
	add_num(o, "configured_bytes_peak", (double)h->configured_bytes_peak);
	add_num(o, "configured_bytes_end", (double)h->configured_bytes_end);
	add_num(o, "free_bytes", (double)h->free_bytes);
	add_num(o, "private_bytes", (double)h->private_bytes);
	add_num(o, "shared_bytes", (double)h->shared_bytes);
	add_num(o, "shared_saved_bytes", (double)h->shared_saved_bytes);
	add_num(o, "compression_cache_bytes", (double)h->compression_bytes);
	add_num(o, "swap_bytes", (double)h->swap_bytes);
	add_num(o, "swap_used_bytes", (double)h->swap_used_bytes);
	cJSON_AddBoolToObject(o, "swap_full", h->swap_full);
	cJSON_AddItemToObject(o, "swap_queue", device_json(&h->swap_queue));
	cJSON_AddItemToObject(o, "disk_queue", device_json(&h->disk_queue));
	add_num(o, "oom_vms", (double)h->oom);
	for (i = 0; i < h->n_policies; i++) {
		const struct rec_policy *p = &h->policies[i];
		cJSON *po = cJSON_AddObjectToObject(o, p->family);
		size_t k;

		cJSON_AddStringToObject(po, "policy", p->policy);
		if (p->pressure)
			cJSON_AddStringToObject(po, "pressure", p->pressure);
		for (k = 0; k < p->n; k++)
			add_stat(po, p->key[k], p->value[k]);
	}
	add_num(o, "used_bytes_peak", (double)h->used_bytes_peak);
	add_num(o, "swapped_bytes_peak", (double)h->swapped_bytes_peak);
	po_mapping = cJSON_AddObjectToObject(o, "mapping");
	add_num(po_mapping, "table_bytes", (double)h->mapping.table_bytes);
	add_num(po_mapping, "large_bytes", (double)h->mapping.large_bytes);
	add_num(po_mapping, "small_bytes", (double)h->mapping.small_bytes);
	add_num(po_mapping, "broken_large_pages", (double)h->mapping.broken_large_pages);
	add_num(po_mapping, "broken_shared_bytes", (double)h->mapping.broken_shared_bytes);
	if (h->series)
		cJSON_AddItemToObject(o, "series", host_series_json(h->series));
	return o;
}

static cJSON *counts(const char *const *names, const uint64_t *v, int n)
{
	cJSON *o = cJSON_CreateObject();
	int k;

	for (k = 0; k < n; k++)
		add_num(o, names[k], (double)v[k]);
	return o;
}

static cJSON *vm_json(const struct rec_vm *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m;
	size_t i;

	cJSON_AddStringToObject(o, "name", v->name);
	add_str_or_null(o, "group", v->group);
	add_str_or_null(o, "host", v->host);
	cJSON_AddStringToObject(o, "state", v->state);
	add_num(o, "memory_bytes", (double)v->memory_bytes);
	add_num(o, "arrive_s", v->arrive_s);
	if (v->placed)
		add_num(o, "placed_s", v->placed_s);
	else
		cJSON_AddNullToObject(o, "placed_s");
	if (v->departed)
		add_num(o, "depart_s", v->depart_s);
	else
		cJSON_AddNullToObject(o, "depart_s");
	add_num(o, "wait_s", v->wait_s);
	/* A VM that never ran has no pages, and did none of its work. */
	if (v->ran)
		cJSON_AddItemToObject(o, "pages", counts(rec_state_names, v->pages, REC_STATES));
	cJSON_AddItemToObject(o, "faults", counts(rec_fault_names, v->faults, REC_FAULTS));
	add_num(cJSON_GetObjectItem(o, "faults"), "double_paging", (double)v->double_paging);
	add_num(o, "touches", v->touches);
	add_num(o, "stall_s", v->stall_s);
	add_num(o, "slowdown", v->slowdown);
	add_num(o, "progress", v->progress);
	if (v->ran) {
		add_num(o, "stalled_share", v->stalled_share);
		/* Infinite for a VM that got no work done: null, not a number. */
		if (isfinite(v->inflation))
			add_num(o, "inflation", v->inflation);
		else
			cJSON_AddNullToObject(o, "inflation");
		m = cJSON_AddObjectToObject(o, "memory");
		add_num(m, "resident_bytes_mean", round(v->resident_bytes_mean));
		add_num(m, "ballooned_bytes_mean", round(v->ballooned_bytes_mean));
		add_num(m, "swapped_bytes_mean", round(v->swapped_bytes_mean));
		add_num(m, "compressed_bytes_mean", round(v->compressed_bytes_mean));
		add_num(m, "active_bytes_mean", round(v->active_bytes_mean));
		add_num(m, "estimated_active_bytes_mean", round(v->estimated_active_bytes_mean));
		m = cJSON_AddObjectToObject(o, "mapping");
		add_num(m, "table_bytes", (double)v->mapping.table_bytes);
		add_num(m, "table_bytes_peak", (double)v->mapping.table_bytes_peak);
		add_num(m, "large_bytes", (double)v->mapping.large_bytes);
		add_num(m, "small_bytes", (double)v->mapping.small_bytes);
		add_num(m, "broken_large_pages", (double)v->mapping.broken_large_pages);
		add_num(m, "broken_shared_bytes", (double)v->mapping.broken_shared_bytes);
		add_num(m, "translation_overhead", v->mapping.translation_overhead);
		add_num(m, "translation_s", v->mapping.translation_s);
	}
	for (i = 0; i < v->n_policies; i++) {
		const struct rec_policy *p = &v->policies[i];
		cJSON *po = cJSON_AddObjectToObject(o, p->family);
		size_t k;

		cJSON_AddStringToObject(po, "policy", p->policy);
		for (k = 0; k < p->n; k++)
			add_stat(po, p->key[k], p->value[k]);
	}
	cJSON_AddBoolToObject(o, "oom", v->oom);
	if (v->series)
		cJSON_AddItemToObject(o, "series", vm_series_json(v->series));
	return o;
}

/*
 * What the hosts cost a month, and what the same workload would need
 * without overcommit: the peak configured memory over one host's capacity,
 * rounded up (a lower bound; packing can only need more).
 */
static cJSON *cost_json(const struct run_record *r)
{
	cJSON *o = cJSON_CreateObject();
	double used = (double)r->hosts_used, plain = (double)r->hosts_without_overcommit;

	cJSON_AddStringToObject(o, "currency", r->currency);
	add_num(o, "host_per_month", r->host_per_month);
	add_num(o, "hosts_used", used);
	add_num(o, "monthly", used * r->host_per_month);
	add_num(o, "hosts_without_overcommit", plain);
	add_num(o, "monthly_without_overcommit", plain * r->host_per_month);
	add_num(o, "hosts_saved", plain - used);
	add_num(o, "saved_per_month", (plain - used) * r->host_per_month);
	return o;
}

static cJSON *int_array(const int64_t *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, int_json(v[i]));
	return a;
}

cJSON *results_to_json(const struct run_record *r)
{
	cJSON *root = cJSON_CreateObject(), *o, *sum, *a;
	size_t i;
	int k;

	cJSON_AddStringToObject(root, "schema", RESULTS_SCHEMA);
	cJSON_AddStringToObject(root, "name", r->name);
	cJSON_AddItemToObject(root, "seed", int_json((int64_t)r->seed));
	add_num(root, "replication", r->replication);
	if (r->fingerprint)
		cJSON_AddStringToObject(root, "fingerprint", r->fingerprint);
	cJSON_AddItemToObject(root, "config", results_config_json(r->config));

	o = cJSON_AddObjectToObject(root, "run");
	cJSON_AddStringToObject(o, "memsim_version", MEMSIM_VERSION);
	add_num(o, "wall_s", r->wall_s);
	add_num(o, "events", (double)r->events);

	sum = cJSON_AddObjectToObject(root, "summary");
	add_num(sum, "duration_s", r->duration_s);
	o = cJSON_AddObjectToObject(sum, "vms");
	add_num(o, "arrived", (double)r->arrived);
	add_num(o, "placed", (double)r->placed);
	add_num(o, "rejected", (double)r->rejected);
	add_num(o, "queued", (double)r->queued);
	add_num(o, "timed_out", (double)r->timed_out);
	add_num(o, "waiting_at_end", (double)r->waiting);
	add_num(o, "oom", (double)r->oom);
	o = cJSON_AddObjectToObject(sum, "memory");
	add_num(o, "host_bytes", (double)r->host_bytes);
	add_num(o, "configured_bytes", (double)r->configured_bytes);
	add_num(o, "configured_bytes_mean", round(r->configured_bytes_mean));
	add_num(o, "overcommit_ratio", r->overcommit_ratio);
	add_num(o, "used_bytes_mean", round(r->used_mean));
	add_num(o, "used_bytes_peak", (double)r->used_peak);
	add_num(o, "shared_saved_bytes_mean", round(r->shared_saved_mean));
	add_num(o, "ballooned_bytes_mean", round(r->ballooned_mean));
	add_num(o, "swapped_bytes_mean", round(r->swapped_mean));
	add_num(o, "compressed_bytes_mean", round(r->compressed_mean));
	o = counts(rec_fault_names, r->faults, REC_FAULTS);
	add_num(o, "double_paging", (double)r->double_paging);
	cJSON_AddItemToObject(sum, "faults", o);
	o = cJSON_AddObjectToObject(sum, "io");
	add_num(o, "host_swap_out_bytes", (double)r->host_swap_out_bytes);
	add_num(o, "host_swap_in_bytes", (double)r->host_swap_in_bytes);
	add_num(o, "guest_swap_out_bytes", (double)r->guest_swap_out_bytes);
	add_num(o, "guest_swap_in_bytes", (double)r->guest_swap_in_bytes);
	add_num(o, "host_compress_bytes", (double)r->host_compress_bytes);
	add_num(o, "host_compress_evict_bytes", (double)r->host_compress_evict_bytes);
	o = cJSON_AddObjectToObject(sum, "performance");
	add_num(o, "touches", r->touches);
	add_num(o, "stall_s", r->stall_s);
	add_num(o, "slowdown_mean", r->slowdown_mean);
	add_num(o, "slowdown_p99", r->slowdown_p99);
	add_num(o, "slowdown_p95", r->slowdown_p95);
	add_num(o, "progress_mean", r->progress_mean);
	add_num(o, "stalled_share_mean", r->stalled_share_mean);
	add_num(o, "inflation_mean", r->inflation_mean);
	add_num(o, "inflation_p99", r->inflation_p99);
	add_num(o, "sla_violations", (double)r->sla_violations);
	add_num(sum, "hosts_used", (double)r->hosts_used);
	add_num(sum, "hosts_swap_full", (double)r->hosts_swap_full);
	if (r->has_cost)
		cJSON_AddItemToObject(sum, "cost", cost_json(r));

	if (sampling_is_on(r))
		cJSON_AddItemToObject(root, "sampling", sampling_json(r));

	a = cJSON_AddArrayToObject(root, "hosts");
	for (i = 0; i < r->n_hosts; i++)
		cJSON_AddItemToArray(a, host_json(&r->hosts[i]));
	a = cJSON_AddArrayToObject(root, "vms");
	for (i = 0; i < r->n_vms; i++)
		cJSON_AddItemToArray(a, vm_json(&r->vms[i]));

	o = cJSON_AddObjectToObject(root, "series");
	a = cJSON_AddArrayToObject(o, "t_s");
	for (i = 0; i < r->series.n; i++)
		cJSON_AddItemToArray(a, num(r->series.t_s[i]));
	for (k = 0; k < COL_COUNT; k++)
		cJSON_AddItemToObject(o, rec_col_names[k],
				      int_array(r->series.col[k], r->series.n));
	a = cJSON_AddArrayToObject(o, "stall_s");
	for (i = 0; i < r->series.n; i++)
		cJSON_AddItemToArray(a, num(r->series.stall_s[i]));
	/* faults split by kind: faults_zero_fill, ...; they add up to faults. */
	for (k = 0; k < REC_FAULTS && r->series.n_kinds == r->series.n; k++) {
		char key[64];

		snprintf(key, sizeof(key), "faults_%s", rec_fault_names[k]);
		a = cJSON_AddArrayToObject(o, key);
		for (i = 0; i < r->series.n; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(
						     (double)r->series.faults_kind[k][i]));
	}
	return root;
}

int results_write_file(const char *path, const char *text, struct sim_err *err)
{
	return outfile_write(path, text, strlen(text), true, err);
}
