/*
 * describe.c - a trace over time.  The bins run from 0 to a horizon: the
 * run's duration when a config gives one, else the last event of the trace
 * (an arrival, a departure or a phase change), so VMs that never depart
 * still show their phases; a VM that never departs counts as alive to the
 * end.  When every event is at 0 there is one bin.  The working set of a
 * VM at a time is that of its phase then, counting phases from its arrival
 * (as a run does when it is placed at once).
 */
#include "describe.h"

#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "xmem.h"

static int64_t ws_at(const struct vm_spec *v, int64_t t)
{
	size_t i, p = 0;

	if (t < v->arrive_ns + v->phases[0].at_ns)
		return 0;
	for (i = 0; i < v->n_phases; i++)
		if (v->phases[i].at_ns <= t - v->arrive_ns)
			p = i;
	return trace_phase_ws_bytes(&v->phases[p], v->memory_bytes);
}

double describe_memory_estimate(const struct trace *t, size_t n_bins)
{
	double phases = 0;
	size_t i;

	for (i = 0; i < t->n_vms; i++)
		phases += (double)t->vms[i].n_phases;
	phases += (double)(trace_vm_count(t) - t->n_vms);
	/* Per VM: its spec, its place in the sorted list of names, and its name
	 * (malloc'd, under 64 bytes with the allocator's overhead). */
	return (double)trace_vm_count(t) * (sizeof(struct vm_spec) + sizeof(void *) + 64) +
	       phases * sizeof(struct phase) + (double)n_bins * sizeof(struct describe_bin);
}

int describe_check_fits(const struct trace *t, size_t n_bins, const char *path,
			struct sim_err *err)
{
	double need = describe_memory_estimate(t, n_bins);
	const char *what;
	double budget = xmem_budget(&what);
	char a[32], b[32];

	if (budget < 0 || need <= budget)
		return 0;
	return sim_err_set(err, -SIM_ENOMEM, path, 0, 0,
			   "out of memory (describing %zu VMs needs about %s and %s leaves %s)",
			   trace_vm_count(t), units_format_size((int64_t)need, a, sizeof(a)), what,
			   units_format_size((int64_t)budget, b, sizeof(b)));
}

void describe_vms(const struct vm_spec *vms, size_t n, size_t n_bins, struct description *d)
{
	describe_vms_to(vms, n, n_bins, 0, d);
}

void describe_vms_to(const struct vm_spec *vms, size_t n, size_t n_bins, int64_t horizon_ns,
		     struct description *d)
{
	int64_t width;
	size_t i, b;

	memset(d, 0, sizeof(*d));
	d->n_vms = n;
	if (!n || !n_bins)
		return;
	d->first_arrive_ns = vms[0].arrive_ns;
	d->memory_min = d->memory_max = vms[0].memory_bytes;
	for (i = 0; i < n; i++) {
		const struct vm_spec *v = &vms[i];

		if (v->arrive_ns < d->first_arrive_ns)
			d->first_arrive_ns = v->arrive_ns;
		if (v->arrive_ns > d->last_arrive_ns)
			d->last_arrive_ns = v->arrive_ns;
		if (v->arrive_ns > d->end_ns)
			d->end_ns = v->arrive_ns;
		if (v->depart_ns != TRACE_NEVER && v->depart_ns > d->end_ns)
			d->end_ns = v->depart_ns;
		/* A phase change is an event too, while the VM is there. */
		for (size_t k = 0; k < v->n_phases; k++) {
			int64_t at = v->arrive_ns + v->phases[k].at_ns;

			if (at > d->end_ns && (v->depart_ns == TRACE_NEVER || at < v->depart_ns))
				d->end_ns = at;
		}
		if (v->memory_bytes < d->memory_min)
			d->memory_min = v->memory_bytes;
		if (v->memory_bytes > d->memory_max)
			d->memory_max = v->memory_bytes;
		d->memory_mean += (double)v->memory_bytes / (double)n;
	}
	d->horizon_ns = horizon_ns > 0 ? horizon_ns : d->end_ns;
	/* Nothing happens after 0: one bin says it all. */
	if (d->horizon_ns == 0)
		n_bins = 1;
	width = d->horizon_ns / (int64_t)n_bins + 1;
	d->n_bins = n_bins;
	d->bins = xcalloc(n_bins, sizeof(*d->bins));
	for (b = 0; b < n_bins; b++) {
		struct describe_bin *x = &d->bins[b];

		x->start_ns = (int64_t)b * width;
		for (i = 0; i < n; i++) {
			const struct vm_spec *v = &vms[i];

			if (v->arrive_ns >= x->start_ns && v->arrive_ns < x->start_ns + width)
				x->arrivals++;
			if (v->arrive_ns <= x->start_ns &&
			    (v->depart_ns == TRACE_NEVER || v->depart_ns > x->start_ns)) {
				x->alive++;
				x->configured_bytes += v->memory_bytes;
				x->ws_bytes += ws_at(v, x->start_ns);
			}
		}
	}
}

void describe_release(struct description *d)
{
	free(d->bins);
	memset(d, 0, sizeof(*d));
}

/* The unit times are shown in: the largest of s, min, h, d that keeps the horizon >= 2. */
static void time_unit(int64_t horizon_ns, double *per, const char **name)
{
	static const struct {
		double ns;
		const char *name;
	} units[] = {{86400e9, "d"}, {3600e9, "h"}, {60e9, "min"}, {1e9, "s"}};
	size_t i;

	for (i = 0; i < 3 && (double)horizon_ns < 2 * units[i].ns; i++)
		;
	*per = units[i].ns;
	*name = units[i].name;
}

void describe_print(const struct description *d, FILE *f)
{
	char a[32], b[32], c[32];
	const char *u;
	double per;
	size_t i;

	fprintf(f, "VMs:        %zu\n", d->n_vms);
	if (!d->n_vms)
		return;
	time_unit(d->horizon_ns > d->end_ns ? d->horizon_ns : d->end_ns, &per, &u);
	fprintf(f, "arrivals:   from %.2f%s to %.2f%s; the last event at %.2f%s\n",
		(double)d->first_arrive_ns / per, u, (double)d->last_arrive_ns / per, u,
		(double)d->end_ns / per, u);
	if (d->end_ns == 0)
		fprintf(f, "            every VM arrives at 0 and none departs or changes phase\n");
	fprintf(f, "memory:     %s to %s per VM, mean %s\n",
		units_format_size(d->memory_min, a, sizeof(a)),
		units_format_size(d->memory_max, b, sizeof(b)),
		units_format_size((int64_t)d->memory_mean, c, sizeof(c)));
	fprintf(f, "\n%12s %9s %7s %14s %14s\n", "time", "arrivals", "alive", "configured",
		"working set");
	for (i = 0; i < d->n_bins; i++) {
		const struct describe_bin *x = &d->bins[i];
		char t[32];

		snprintf(t, sizeof(t), "%.2f%s", (double)x->start_ns / per, u);
		fprintf(f, "%12s %9llu %7llu %14s %14s\n", t, (unsigned long long)x->arrivals,
			(unsigned long long)x->alive,
			units_format_size(x->configured_bytes, a, sizeof(a)),
			units_format_size(x->ws_bytes, b, sizeof(b)));
	}
}
