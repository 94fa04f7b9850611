/*
 * xmem.c - allocators that exit on failure, and the memory budget.
 */
#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void xmem_oom(size_t n)
{
	fprintf(stderr, "memsim: error: out of memory (allocating %zu bytes)\n", n);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xmem_oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		xmem_oom(size && count > (size_t)-1 / size ? (size_t)-1 : count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		xmem_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

void xgrow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (c < need)
		c *= 2;
	*arr = xrealloc(*arr, c * size);
	*cap = c;
}

/* Bytes of address space mapped now (Linux: /proc/self/statm), or 0. */
static double mapped_now(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (double)pages * (double)sysconf(_SC_PAGESIZE);
}

double xmem_budget(const char **what)
{
	static const struct {
		int resource;
		const char *name;
	} limits[] = {
		{RLIMIT_AS, "the address-space limit (ulimit -v)"},
		{RLIMIT_DATA, "the data-size limit (ulimit -d)"},
	};
	double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
	double budget = phys > 0 ? 0.8 * phys : -1;
	size_t i;

	*what = "this machine's memory";
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct rlimit rl;
		double left;

		if (getrlimit(limits[i].resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
			continue;
		left = (double)rl.rlim_cur - mapped_now();
		if (left < 0)
			left = 0;
		if (budget < 0 || left < budget) {
			budget = left;
			*what = limits[i].name;
		}
	}
	return budget;
}
