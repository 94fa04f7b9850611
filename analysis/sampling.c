/*
 * sampling.c - scaling a sampled run's record back.
 *
 * A sampled count n estimates the full count as n / rate (model/sample.c
 * gives why).  It is a Poisson count (a binomial one of small rate), so
 * its relative standard error is about 1/sqrt(n): 3% at 1,000 events,
 * 10% at 100.  The summary's counts that rest on fewer than
 * SAMPLING_FEW_EVENTS sampled events are listed, with that error; a count
 * of none says only that the full one is likely below 3 / rate events (the
 * 95% bound of a Poisson count that came out 0), in the metric's unit.
 */
#include "sampling.h"

#include <math.h>
#include <string.h>

#define PAGE_4K 4096.0

bool sampling_is_on(const struct run_record *r)
{
	return r->sampling.rate > 0 && r->sampling.rate < 1;
}

static uint64_t up_u(uint64_t v, double rate)
{
	return (uint64_t)((double)v / rate + 0.5);
}

static int64_t up_i(int64_t v, double rate)
{
	return (int64_t)llround((double)v / rate);
}

/* Policy figures are counts when their key says pages or bytes, or a
 * mean of them (a VM's figures: "assigned_bytes_mean"). */
static bool is_count_key(const char *k)
{
	size_t n = strlen(k);

	if (n > 5 && !strcmp(k + n - 5, "_mean"))
		n -= 5;
	return (n > 6 && !strncmp(k + n - 6, "_pages", 6)) ||
	       (n > 6 && !strncmp(k + n - 6, "_bytes", 6));
}

static void scale_series(struct rec_series *s, double rate)
{
	size_t i;
	int k;

	for (k = 0; k < COL_COUNT; k++) {
		if (k == COL_CONFIGURED)        /* configured memory is not sampled */
			continue;
		for (i = 0; i < s->n; i++)
			s->col[k][i] = up_i(s->col[k][i], rate);
	}
	for (k = 0; k < REC_FAULTS; k++)
		for (i = 0; i < s->n_kinds; i++)
			s->faults_kind[k][i] = up_u(s->faults_kind[k][i], rate);
}

/* The sampled VM's tables are a scaled replica's: their last level is
 * exactly the rate's share, the levels above about it (model/pt.c). */
static void scale_mapping(struct rec_mapping *m, double rate)
{
	m->table_bytes = up_i(m->table_bytes, rate);
	m->table_bytes_peak = up_i(m->table_bytes_peak, rate);
	m->large_bytes = up_i(m->large_bytes, rate);
	m->small_bytes = up_i(m->small_bytes, rate);
	m->broken_large_pages = up_u(m->broken_large_pages, rate);
	m->broken_shared_bytes = up_i(m->broken_shared_bytes, rate);
}

static void scale_host(struct rec_host *h, double rate)
{
	size_t i, k;

	h->free_bytes = up_i(h->free_bytes, rate);
	h->private_bytes = up_i(h->private_bytes, rate);
	h->shared_bytes = up_i(h->shared_bytes, rate);
	h->compression_bytes = up_i(h->compression_bytes, rate);
	h->overhead_bytes_used = up_i(h->overhead_bytes_used, rate);
	h->shared_saved_bytes = up_i(h->shared_saved_bytes, rate);
	h->swap_used_bytes = up_i(h->swap_used_bytes, rate);
	h->swap_bytes = up_i(h->swap_bytes, rate);
	h->used_bytes_peak = up_i(h->used_bytes_peak, rate);
	h->swapped_bytes_peak = up_i(h->swapped_bytes_peak, rate);
	scale_mapping(&h->mapping, rate);
	h->swap_queue.requests = up_u(h->swap_queue.requests, rate);
	h->disk_queue.requests = up_u(h->disk_queue.requests, rate);
	for (i = 0; i < h->n_policies; i++)
		for (k = 0; k < h->policies[i].n; k++)
			if (is_count_key(h->policies[i].key[k]))
				h->policies[i].value[k] = round(h->policies[i].value[k] / rate);
	if (h->series)
		scale_series(h->series, rate);
}

static void scale_vm(struct rec_vm *v, double rate)
{
	size_t i;
	int k;

	for (k = 0; k < REC_STATES; k++)
		v->pages[k] = up_u(v->pages[k], rate);
	for (k = 0; k < REC_FAULTS; k++)
		v->faults[k] = up_u(v->faults[k], rate);
	v->double_paging = up_u(v->double_paging, rate);
	v->resident_bytes_mean /= rate;
	v->ballooned_bytes_mean /= rate;
	v->swapped_bytes_mean /= rate;
	v->compressed_bytes_mean /= rate;
	v->active_bytes_mean /= rate;
	v->estimated_active_bytes_mean /= rate;
	scale_mapping(&v->mapping, rate);
	for (i = 0; i < v->n_policies; i++)
		for (k = 0; k < (int)v->policies[i].n; k++)
			if (is_count_key(v->policies[i].key[k]))
				v->policies[i].value[k] /= rate;
	if (v->series)
		for (k = 0; k < VCOL_COUNT; k++)
			if (k != VCOL_CONFIGURED)
				for (i = 0; i < v->series->n; i++)
					v->series->col[k][i] = up_i(v->series->col[k][i], rate);
	/* touches and stall_s are the full VM's already (model/sample.c). */
}

static void note(struct rec_sampling *s, const char *metric, double events)
{
	if (s->n < REC_SAMPLING_METRICS) {
		s->metric[s->n] = metric;
		s->events[s->n++] = events;
	}
}

/* The sampled events behind each summary count, before it is scaled. */
static void note_events(struct run_record *r)
{
	static const char *const fault_paths[REC_FAULTS] = {
		"summary.faults.zero_fill", "summary.faults.cow", "summary.faults.host_swap_in",
		"summary.faults.decompress", "summary.faults.guest_swap_in",
	};
	struct rec_sampling *s = &r->sampling;
	double all = 0;
	size_t i;
	int k;

	for (k = 0; k < REC_FAULTS; k++) {
		note(s, fault_paths[k], (double)r->faults[k]);
		all += (double)r->faults[k];
	}
	note(s, "summary.faults.double_paging", (double)r->double_paging);
	note(s, "summary.io.host_swap_out_bytes", (double)r->host_swap_out_bytes / PAGE_4K);
	note(s, "summary.io.host_swap_in_bytes", (double)r->host_swap_in_bytes / PAGE_4K);
	note(s, "summary.io.guest_swap_out_bytes", (double)r->guest_swap_out_bytes / PAGE_4K);
	note(s, "summary.io.guest_swap_in_bytes", (double)r->guest_swap_in_bytes / PAGE_4K);
	/* Stall, slowdown and progress rest on every fault. */
	note(s, "summary.performance.stall_s", all);
	/* A mean of memory rests on the pages in that state, on average. */
	note(s, "summary.memory.swapped_bytes_mean", r->swapped_mean / PAGE_4K);
	note(s, "summary.memory.ballooned_bytes_mean", r->ballooned_mean / PAGE_4K);
	note(s, "summary.memory.compressed_bytes_mean", r->compressed_mean / PAGE_4K);
	for (i = 0; i < r->n_vms; i++)
		for (k = 0; k < REC_STATES; k++)
			s->sampled_pages += r->vms[i].pages[k];
	for (i = 0; i < r->n_vms; i++)
		if (r->vms[i].ran)
			s->pages += (uint64_t)((double)r->vms[i].memory_bytes / PAGE_4K);
}

void sampling_scale(struct run_record *r, double rate)
{
	size_t i;
	int k;

	r->sampling.rate = rate;
	note_events(r);
	r->used_mean /= rate;
	r->shared_saved_mean /= rate;
	r->ballooned_mean /= rate;
	r->swapped_mean /= rate;
	r->compressed_mean /= rate;
	r->used_peak = up_i(r->used_peak, rate);
	for (k = 0; k < REC_FAULTS; k++)
		r->faults[k] = up_u(r->faults[k], rate);
	r->double_paging = up_u(r->double_paging, rate);
	r->host_swap_out_bytes = up_i(r->host_swap_out_bytes, rate);
	r->host_swap_in_bytes = up_i(r->host_swap_in_bytes, rate);
	r->guest_swap_out_bytes = up_i(r->guest_swap_out_bytes, rate);
	r->guest_swap_in_bytes = up_i(r->guest_swap_in_bytes, rate);
	for (i = 0; i < r->n_hosts; i++)
		scale_host(&r->hosts[i], rate);
	for (i = 0; i < r->n_vms; i++)
		scale_vm(&r->vms[i], rate);
	scale_series(&r->series, rate);
}

cJSON *sampling_json(const struct run_record *r)
{
	const struct rec_sampling *s = &r->sampling;
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i;

	cJSON_AddNumberToObject(o, "rate", s->rate);
	cJSON_AddNumberToObject(o, "sampled_pages", (double)s->sampled_pages);
	cJSON_AddNumberToObject(o, "pages", (double)s->pages);
	cJSON_AddStringToObject(o, "confidence",
				"counts and bytes are the sampled ones over the rate; those "
				"resting on fewer than 1000 sampled events are listed in "
				"low_confidence with their relative standard error, "
				"1/sqrt(events), or, with none, the full figure's 95% bound "
				"(below), 3/rate events in the metric's unit");
	a = cJSON_AddArrayToObject(o, "low_confidence");
	for (i = 0; i < s->n; i++) {
		cJSON *m;
		double n = s->events[i];

		if (n >= SAMPLING_FEW_EVENTS)
			continue;
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "metric", s->metric[i]);
		cJSON_AddNumberToObject(m, "sampled_events", round(n * 100) / 100);
		if (n > 0)
			cJSON_AddNumberToObject(m, "relative_error", 1.0 / sqrt(n));
		else    /* 3/rate events, in the metric's unit (pages are 4 KiB) */
			cJSON_AddNumberToObject(m, "below",
						round(3.0 / s->rate) *
							(strstr(s->metric[i], "_bytes") ? PAGE_4K : 1));
		cJSON_AddItemToArray(a, m);
	}
	return o;
}
