/*
 * trace.c - the workload schema.
 *
 * Defaults (written into the tree, so results show them): a VM arrives at
 * 0s and never departs; its one phase touches 50% of its memory uniformly
 * at 10k touches/s with 20% writes; shares are "normal" (10 per MB, as
 * vSphere); no reservation; the limit is the VM's memory.
 */
#include "trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "xmem.h"

static const char *const pattern_names[] = {"uniform", "zipf", "hot-cold", "sequential", NULL};
static const char *const shares_names[] = {"low", "normal", "high", NULL};
static const double shares_per_mb[] = {5, 10, 20};

/* Keys of a phase, also accepted on a group (except at, working_set). */
#define PHASE_KEYS "pattern", "skew", "hot_fraction", "hot_probability", "rate", "writes"
/* Keys shared by explicit VMs and groups. */
#define VM_KEYS "reservation", "limit", "shares", "image", "content", "zero_freed", "salt"

static int read_phase_fields(struct cfg_node *map, struct phase *p, struct sim_err *err)
{
	int pat, rc;

	if ((rc = cfg_read_enum(map, "pattern", "uniform", pattern_names, &pat, err)))
		return rc;
	p->pattern = (enum pattern)pat;
	if (p->pattern == PATTERN_ZIPF &&
	    (rc = cfg_read_number(map, "skew", "0.9", 0, 10, &p->skew, err)))
		return rc;
	if (p->pattern == PATTERN_HOTCOLD &&
	    ((rc = cfg_read_fraction(map, "hot_fraction", "20%", 0, 1, &p->hot_fraction, err)) ||
	     (rc = cfg_read_fraction(map, "hot_probability", "80%", 0, 1, &p->hot_probability,
				     err))))
		return rc;
	if ((rc = cfg_read_rate(map, "rate", "10k/s", &p->rate, err)) ||
	    (rc = cfg_read_fraction(map, "writes", "20%", 0, 1, &p->writes, err)))
		return rc;
	if (!(p->rate <= TRACE_MAX_RATE))
		return cfg_err(err, -SIM_ERANGE, cfg_get(map, "rate"),
			       "'rate' must be at most 1G/s (10^9 touches per second)");
	/* A key that belongs to another pattern is a mistake worth naming. */
	if (p->pattern != PATTERN_ZIPF && cfg_get(map, "skew"))
		return cfg_err(err, -SIM_EINVAL, cfg_get(map, "skew"),
			       "'skew' applies only to pattern zipf");
	if (p->pattern != PATTERN_HOTCOLD &&
	    (cfg_get(map, "hot_fraction") || cfg_get(map, "hot_probability")))
		return cfg_err(err, -SIM_EINVAL,
			       cfg_get(map, "hot_fraction") ? cfg_get(map, "hot_fraction")
							    : cfg_get(map, "hot_probability"),
			       "hot_fraction and hot_probability apply only to pattern hot-cold");
	return 0;
}

/* A working set given as a size or as a share of memory. */
static int read_ws(struct cfg_node *map, struct phase *p, struct sim_err *err)
{
	struct cfg_node *n = cfg_get(map, "working_set");
	struct dist d;
	int rc;

	if (!n)
		n = cfg_put_scalar(map, "working_set", "50%");
	if ((rc = dist_parse(n, DIST_SIZE_OR_FRACTION, &d, err)))
		return rc;
	if (d.kind != DIST_CONSTANT) {
		dist_release(&d);
		return cfg_err(
			err, -SIM_ETYPE, n,
			"a phase's working_set is one size or percentage, not a distribution");
	}
	if (d.fraction) {
		p->ws_bytes = -1;
		p->ws_frac = d.p1;
	} else {
		p->ws_bytes = (int64_t)d.p1;
	}
	return 0;
}

/*
 * Compression ratios (a page's size over its compressed size) are by
 * default lognormal with median 3.06 and sigma 0.5.  Its harmonic mean,
 * which is what a ratio of total bytes in to total bytes out measures,
 * is 3.06 e^(-0.125) = 2.70, between zram's measured lzo ratios 2.69 and
 * 2.77 [MECHANISMS.md 2.4]; the spread is ours (no per-page figures are
 * published there).  Then 19.8% of pages compress worse than 2:1 (they
 * are swapped) and 29.6% to 4:1 or better (a quarter-page slot).
 */
#define COMPRESS_MEDIAN 3.06
#define COMPRESS_SIGMA 0.5

/* The slots a ratio distribution gives (model/spec.h). */
static struct compress_spec compress_of(const struct dist *d)
{
	double below_2 = dist_below(d, 2), below_4 = dist_below(d, 4);

	return (struct compress_spec){.quarter = 1 - below_4, .half = below_4 - below_2};
}

/* map's 'compress': a distribution of ratios, or the default. */
static int read_compress(struct cfg_node *map, struct compress_spec *c, struct sim_err *err)
{
	struct cfg_node *n = map ? cfg_get(map, "compress") : NULL;
	struct dist d = {.kind = DIST_LOGNORMAL, .p1 = COMPRESS_MEDIAN, .p2 = COMPRESS_SIGMA};
	int rc;

	if (n && (rc = dist_parse(n, DIST_NUMBER, &d, err)))
		return rc;
	*c = compress_of(&d);
	dist_release(&d);
	return 0;
}

static int find_image(const struct trace *t, const char *name)
{
	size_t i;

	return nameset_find(&t->image_names, name, &i) ? (int)i : -1;
}

/* reservation, limit, shares, image, content: common to VMs and groups. */
static int read_vm_common(struct cfg_node *map, const struct trace *t, struct vm_spec *v,
			  struct sim_err *err)
{
	struct cfg_node *sh = cfg_get(map, "shares"), *img = cfg_get(map, "image");
	static const char *const content_keys[] = {"zero", "image", "compress", NULL};
	struct cfg_node *content = cfg_get(map, "content");
	int rc, level;

	if ((rc = cfg_read_size(map, "reservation", "0", &v->reservation_bytes, err)))
		return rc;
	v->limit_bytes = -1;
	if (cfg_get(map, "limit") && (rc = cfg_read_size(map, "limit", NULL, &v->limit_bytes, err)))
		return rc;
	v->shares_per_mb = 10;
	if (sh && sh->kind == CFG_SCALAR && sh->text[0] >= '0' && sh->text[0] <= '9') {
		if ((rc = cfg_read_number(map, "shares", NULL, 1, 1e12, &v->shares, err)))
			return rc;
		v->shares_per_mb = 0;
	} else {
		if ((rc = cfg_read_enum(map, "shares", "normal", shares_names, &level, err)))
			return rc;
		v->shares_per_mb = shares_per_mb[level];
	}
	if ((rc = cfg_read_bool(map, "zero_freed", "false", &v->zero_freed, err)))
		return rc;
	/* A page-sharing salt (ESX's sched.mem.pshare.salt), a string:
	 * VMs of equal salts may share pages under tps's salting. */
	if (cfg_get(map, "salt")) {
		const char *salt;

		if ((rc = cfg_node_string(cfg_get(map, "salt"), &salt, err)))
			return rc;
		v->has_salt = true;
		v->salt = rng_entity(salt);
	}
	v->image = -1;
	if (img) {
		const char *name;

		if ((rc = cfg_node_string(img, &name, err)))
			return rc;
		v->image = find_image(t, name);
		if (v->image < 0)
			return cfg_err(err, -SIM_EINVAL, img, "unknown image '%s'", name);
	}
	if (!content)
		return read_compress(NULL, &v->compress, err);
	if ((rc = cfg_expect(content, CFG_MAP, "content", err)) ||
	    (rc = cfg_check_keys(content, "content", content_keys, err)) ||
	    (rc = read_compress(content, &v->compress, err)) ||
	    (rc = cfg_read_fraction(content, "zero", "0%", 0, 1, &v->content_zero, err)) ||
	    (rc = cfg_read_fraction(content, "image", "0%", 0, 1, &v->content_image, err)))
		return rc;
	if (v->content_zero + v->content_image > 1 + 1e-9)
		return cfg_err(err, -SIM_ERANGE, content,
			       "content shares add up to more than 100%%");
	if (v->content_image > 0 && v->image < 0)
		return cfg_err(err, -SIM_EINVAL, cfg_get(content, "image"),
			       "content has image pages but the VM names no image");
	return 0;
}

/* Checks sizes against memory once memory is known. */
static int check_vm_sizes(const struct cfg_node *map, struct vm_spec *v, struct sim_err *err)
{
	if (v->reservation_bytes > v->memory_bytes)
		return cfg_err(err, -SIM_ERANGE, cfg_get(map, "reservation"),
			       "reservation is larger than the VM's memory");
	if (v->limit_bytes >= 0 && v->limit_bytes < v->reservation_bytes)
		return cfg_err(err, -SIM_ERANGE, cfg_get(map, "limit"),
			       "limit is smaller than the reservation");
	if (v->limit_bytes < 0 || v->limit_bytes > v->memory_bytes)
		v->limit_bytes = v->memory_bytes;
	if (v->shares_per_mb > 0)
		v->shares = v->shares_per_mb * (double)v->memory_bytes / 1048576.0;
	return 0;
}

/*
 * Hyper-V dynamic memory (MECHANISMS.md 3): dynamic: {startup, minimum,
 * maximum, buffer, weight}.  startup defaults to the VM's memory, minimum
 * to startup (Hyper-V 2012 and later), maximum to the memory; the VM's
 * memory becomes its maximum, its guest-physical size.
 */
/* Memory buffer: 20% by default, 5-2000% (Set-VMMemory -Buffer; "Mastering
 * Hyper-V" p.116). */
#define DYNAMIC_BUFFER_DEFAULT "20%"
#define DYNAMIC_BUFFER_MIN 0.05
#define DYNAMIC_BUFFER_MAX 20.0
/* Weight: Msvm_MemorySettingData Weight, which is Set-VMMemory's -Priority
 * 0-100 (default 50) times 100: 5000 by default, 0-10000. */
#define DYNAMIC_WEIGHT_DEFAULT "5000"
#define DYNAMIC_WEIGHT_MAX 10000
/* startup, minimum and maximum as shares of the VM's memory: 0.01% to 10000%. */
#define DYNAMIC_SHARE_MIN 0.0001
#define DYNAMIC_SHARE_MAX 100.0

/* One of startup, minimum, maximum: a size, or a share of the VM's memory
 * ("50%"; a group's VMs draw their memory, so shares follow it). */
static int read_dynamic_size(struct cfg_node *d, const char *key, struct dynamic_size *out,
			     struct sim_err *err)
{
	struct cfg_node *n = cfg_get(d, key);
	int64_t bytes;
	int rc;

	out->set = n != NULL;
	out->where = n;
	if (!n)
		return 0;
	if (n->kind == CFG_SCALAR && n->text && strchr(n->text, '%')) {
		out->share = true;
		return cfg_read_fraction(d, key, NULL, DYNAMIC_SHARE_MIN, DYNAMIC_SHARE_MAX,
					 &out->value, err);
	}
	if ((rc = cfg_read_size(d, key, NULL, &bytes, err)) ||
	    (rc = cfg_check_size_range(d, key, bytes, 1, TRACE_MAX_VM_BYTES, err)))
		return rc;
	out->value = (double)bytes;
	return 0;
}

static int read_dynamic(struct cfg_node *m, struct dynamic_template *dt, struct sim_err *err)
{
	static const char *const keys[] = {"startup", "minimum", "maximum", "buffer", "weight",
					   NULL};
	struct cfg_node *d = cfg_get(m, "dynamic");
	int64_t weight;
	int rc;

	memset(dt, 0, sizeof(*dt));
	if (!d)
		return 0;
	if ((rc = cfg_expect(d, CFG_MAP, "dynamic", err)) ||
	    (rc = cfg_check_keys(d, "dynamic", keys, err)) ||
	    (rc = read_dynamic_size(d, "maximum", &dt->maximum, err)) ||
	    (rc = read_dynamic_size(d, "startup", &dt->startup, err)) ||
	    (rc = read_dynamic_size(d, "minimum", &dt->minimum, err)) ||
	    (rc = cfg_read_fraction(d, "buffer", DYNAMIC_BUFFER_DEFAULT, DYNAMIC_BUFFER_MIN,
				    DYNAMIC_BUFFER_MAX, &dt->buffer, err)) ||
	    (rc = cfg_read_int(d, "weight", DYNAMIC_WEIGHT_DEFAULT, 0, DYNAMIC_WEIGHT_MAX, &weight,
			       err)))
		return rc;
	dt->weight = (double)weight;
	dt->where = d;
	dt->on = true;
	return 0;
}

static int64_t dynamic_bytes(const struct dynamic_size *z, int64_t memory, int64_t dflt)
{
	if (!z->set)
		return dflt;
	return z->share ? (int64_t)llround(z->value * (double)memory) : (int64_t)z->value;
}

/*
 * Gives v its dynamic settings for its memory (before the memory becomes
 * the maximum).  startup defaults to the memory, minimum to startup, maximum
 * to the memory.  An explicit VM (clamp false) gets an error where the
 * order minimum <= startup <= maximum breaks; a group's VM, whose memory is
 * drawn, has startup and minimum clamped into it instead.
 */
static int apply_dynamic(const struct dynamic_template *dt, struct vm_spec *v, bool clamp,
			 struct sim_err *err)
{
	struct dynamic_spec *dy = &v->dynamic;
	int64_t maximum = dynamic_bytes(&dt->maximum, v->memory_bytes, v->memory_bytes);

	if (!dt->on)
		return 0;
	dy->startup_bytes = dynamic_bytes(&dt->startup, v->memory_bytes, v->memory_bytes);
	if (maximum < 1)
		maximum = 1;
	if (maximum > TRACE_MAX_VM_BYTES) {
		if (!clamp)
			return cfg_err(err, -SIM_ERANGE, dt->maximum.where,
				       "maximum must be at most 1 PiB");
		maximum = TRACE_MAX_VM_BYTES;
	}
	if (dy->startup_bytes < 1)
		dy->startup_bytes = 1;
	if (dy->startup_bytes > maximum) {
		if (!clamp)
			return cfg_err(err, -SIM_ERANGE,
				       dt->startup.set ? dt->startup.where : dt->maximum.where,
				       "startup is larger than maximum");
		dy->startup_bytes = maximum;
	}
	dy->minimum_bytes = dynamic_bytes(&dt->minimum, v->memory_bytes, dy->startup_bytes);
	if (dy->minimum_bytes < 1)
		dy->minimum_bytes = 1;
	if (dy->minimum_bytes > dy->startup_bytes) {
		if (!clamp)
			return cfg_err(err, -SIM_ERANGE, dt->minimum.where,
				       "minimum is larger than startup");
		dy->minimum_bytes = dy->startup_bytes;
	}
	dy->buffer = dt->buffer;
	dy->weight = dt->weight;
	dy->on = true;
	v->memory_bytes = maximum;
	return 0;
}

/* A group's settings: where both sides of an order are shares, or both
 * sizes, a broken order is an error at load, as for an explicit VM. */
static int check_group_dynamic(const struct dynamic_template *dt, struct sim_err *err)
{
	const struct dynamic_size *st = &dt->startup, *mn = &dt->minimum, *mx = &dt->maximum;

	if (!dt->on)
		return 0;
	if (st->set && mx->set && st->share == mx->share && st->value > mx->value)
		return cfg_err(err, -SIM_ERANGE, st->where, "startup is larger than maximum");
	if (st->set && !mx->set && st->share && st->value > 1)
		return cfg_err(err, -SIM_ERANGE, st->where, "startup is larger than maximum");
	if (mn->set && st->set && mn->share == st->share && mn->value > st->value)
		return cfg_err(err, -SIM_ERANGE, mn->where, "minimum is larger than startup");
	if (mn->set && !st->set && mn->share && mn->value > 1)
		return cfg_err(err, -SIM_ERANGE, mn->where, "minimum is larger than startup");
	return 0;
}

/* 'base' and 'same' come together. */
static int image_version_keys(struct cfg_node *m, struct sim_err *err)
{
	struct cfg_node *b = cfg_get(m, "base"), *same = cfg_get(m, "same");

	if (same && !b)
		return cfg_err(err, -SIM_EINVAL, same, "'same' needs a 'base' image");
	if (b && !same)
		return cfg_err(err, -SIM_EINVAL, b, "a 'base' needs 'same' (a share of its pages)");
	return 0;
}

/* Each image's base: a name among the images, never itself or a version
 * of it (no cycle); `same` only with a base. */
static int read_image_bases(struct cfg_node *list, struct trace *t, struct sim_err *err)
{
	size_t i, n;
	int rc;

	for (i = 0; i < t->n_images; i++) {
		struct cfg_node *m = list->kids[i], *b = cfg_get(m, "base");
		const char *name;

		if (!b)
			continue;
		if ((rc = cfg_read_string(m, "base", NULL, &name, err)))
			return rc;
		t->images[i].base = find_image(t, name);
		if (t->images[i].base < 0)
			return cfg_err(err, -SIM_EINVAL, b, "unknown image '%s'", name);
	}
	for (i = 0; i < t->n_images; i++) {
		int k = t->images[i].base;

		for (n = 0; k >= 0 && n <= t->n_images; n++)
			k = t->images[k].base;
		if (k >= 0 || t->images[i].base == (int)i)
			return cfg_err(err, -SIM_EINVAL, cfg_get(list->kids[i], "base"),
				       "image '%s' is a version of itself", t->images[i].name);
	}
	return 0;
}

static int read_images(struct cfg_node *list, struct trace *t, struct sim_err *err)
{
	static const char *const keys[] = {"size", "zero", "compress", "base", "same", NULL};
	size_t i;
	int rc;

	if ((rc = cfg_expect(list, CFG_MAP, "images", err)))
		return rc;
	t->images = xcalloc(list->n ? list->n : 1, sizeof(*t->images));
	for (i = 0; i < list->n; i++) {
		struct image_spec *im = &t->images[t->n_images];
		struct cfg_node *m = list->kids[i];

		if ((rc = cfg_expect(m, CFG_MAP, "an image", err)) ||
		    (rc = cfg_check_keys(m, "an image", keys, err)))
			return rc;
		im->name = xstrdup(list->keys[i]);
		nameset_add(&t->image_names, im->name, t->n_images);
		t->n_images++;
		if ((rc = cfg_read_size(m, "size", NULL, &im->size_bytes, err)) ||
		    (rc = cfg_read_fraction(m, "zero", "0%", 0, 1, &im->zero, err)) ||
		    (rc = read_compress(m, &im->compress, err)))
			return rc;
		if ((rc = cfg_check_size_range(m, "size", im->size_bytes, 1, TRACE_MAX_VM_BYTES,
					       err)) ||
		    (rc = image_version_keys(m, err)) ||
		    (rc = cfg_read_fraction(m, "same", "0%", 0, 1, &im->same, err)))
			return rc;
		im->base = -1;
	}
	return read_image_bases(list, t, err);
}

static int read_phases(struct cfg_node *map, struct vm_spec *v, struct sim_err *err)
{
	static const char *const keys[] = {"at", "working_set", PHASE_KEYS, NULL};
	struct cfg_node *list = cfg_get(map, "phases");
	size_t i;
	int rc;

	if (!list) {
		/* One phase from the defaults; written out as a list. */
		struct cfg_node *seq = cfg_new_map(map->file, 0, 0);
		struct cfg_node *ph = cfg_new_map(map->file, 0, 0);

		seq->kind = CFG_SEQ;
		cfg_map_add(seq, NULL, ph);
		cfg_map_add(map, "phases", seq);
		list = seq;
	}
	if ((rc = cfg_expect(list, CFG_SEQ, "phases", err)))
		return rc;
	if (list->n == 0)
		return cfg_err(err, -SIM_EINVAL, list, "phases must not be empty");
	v->phases = xcalloc(list->n, sizeof(*v->phases));
	for (i = 0; i < list->n; i++) {
		struct cfg_node *m = list->kids[i];
		struct phase *p = &v->phases[i];

		if ((rc = cfg_expect(m, CFG_MAP, "a phase", err)) ||
		    (rc = cfg_check_keys(m, "a phase", keys, err)) ||
		    (rc = cfg_read_duration(m, "at", i ? NULL : "0s", &p->at_ns, err)) ||
		    (rc = read_ws(m, p, err)) || (rc = read_phase_fields(m, p, err)))
			return rc;
		v->n_phases++;
		if (i > 0 && p->at_ns <= v->phases[i - 1].at_ns)
			return cfg_err(err, -SIM_EINVAL, cfg_get(m, "at"),
				       "phases must be in increasing order of 'at'");
		if (p->ws_bytes > v->memory_bytes)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "working_set"),
				       "working set is larger than the VM's memory");
	}
	return 0;
}

/*
 * A working set given as a series of [time, size] points: each point starts
 * a phase of that size, with the VM's own pattern keys.
 */
static int read_series(struct cfg_node *map, struct vm_spec *v, struct sim_err *err)
{
	struct cfg_node *list = cfg_get(map, "working_set_series");
	struct phase proto = {0};
	size_t i;
	int rc;

	if (cfg_get(map, "phases"))
		return cfg_err(err, -SIM_EINVAL, list,
			       "give either phases or working_set_series, not both");
	if ((rc = cfg_expect(list, CFG_SEQ, "working_set_series", err)))
		return rc;
	if (list->n == 0)
		return cfg_err(err, -SIM_EINVAL, list, "working_set_series must not be empty");
	if ((rc = read_phase_fields(map, &proto, err)))
		return rc;
	v->phases = xcalloc(list->n, sizeof(*v->phases));
	for (i = 0; i < list->n; i++) {
		struct cfg_node *pt = list->kids[i];
		struct phase *p = &v->phases[i];
		struct dist d;

		if (pt->kind != CFG_SEQ || pt->n != 2)
			return cfg_err(err, -SIM_ETYPE, pt, "a series point is [time, size]");
		*p = proto;
		if ((rc = cfg_node_duration(pt->kids[0], &p->at_ns, err)) ||
		    (rc = dist_parse(pt->kids[1], DIST_SIZE_OR_FRACTION, &d, err)))
			return rc;
		if (d.fraction) {
			p->ws_bytes = -1;
			p->ws_frac = d.p1;
		} else {
			p->ws_bytes = (int64_t)d.p1;
		}
		dist_release(&d);
		v->n_phases++;
		if (i > 0 && p->at_ns <= v->phases[i - 1].at_ns)
			return cfg_err(err, -SIM_EINVAL, pt->kids[0],
				       "series points must be in increasing order of time");
		if (p->ws_bytes > v->memory_bytes)
			return cfg_err(err, -SIM_ERANGE, pt->kids[1],
				       "working set is larger than the VM's memory");
	}
	return 0;
}

static int read_vm(struct cfg_node *m, const struct trace *t, struct vm_spec *v,
		   struct sim_err *err)
{
	static const char *const keys[] = {
		"name", "memory", "arrive", "depart", "phases", "working_set_series", PHASE_KEYS,
		VM_KEYS, "dynamic", NULL,
	};
	struct dynamic_template dt;
	const char *name;
	int rc;

	v->where = m;
	v->depart_ns = TRACE_NEVER;
	if ((rc = cfg_expect(m, CFG_MAP, "a VM", err)) ||
	    (rc = cfg_check_keys(m, "a VM", keys, err)) ||
	    (rc = cfg_read_string(m, "name", NULL, &name, err)))
		return rc;
	v->name = xstrdup(name);
	if ((rc = cfg_read_size(m, "memory", NULL, &v->memory_bytes, err)))
		return rc;
	if (v->memory_bytes <= 0)
		return cfg_err(err, -SIM_ERANGE, cfg_get(m, "memory"), "memory must be positive");
	if ((rc = cfg_check_size_range(m, "memory", v->memory_bytes, 1, TRACE_MAX_VM_BYTES, err)))
		return rc;
	if ((rc = read_dynamic(m, &dt, err)) || (rc = apply_dynamic(&dt, v, false, err)) ||
	    (rc = read_vm_common(m, t, v, err)) ||
	    (rc = check_vm_sizes(m, v, err)) ||
	    (rc = cfg_read_duration(m, "arrive", "0s", &v->arrive_ns, err)))
		return rc;
	if (cfg_get(m, "depart")) {
		if ((rc = cfg_read_duration(m, "depart", NULL, &v->depart_ns, err)))
			return rc;
		if (v->depart_ns <= v->arrive_ns)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "depart"),
				       "'depart' must be after 'arrive'");
	}
	if (cfg_get(m, "working_set_series"))
		return read_series(m, v, err);
	/* Pattern keys on the VM itself belong with a series. */
	if (cfg_get(m, "pattern") || cfg_get(m, "rate") || cfg_get(m, "writes"))
		return cfg_err(err, -SIM_EINVAL,
			       cfg_get(m, "pattern") ? cfg_get(m, "pattern")
			       : cfg_get(m, "rate") ? cfg_get(m, "rate") : cfg_get(m, "writes"),
			       "pattern keys go in each phase (or with a working_set_series)");
	return read_phases(m, v, err);
}

static int read_arrivals(struct cfg_node *g, struct group_spec *gs, struct sim_err *err)
{
	static const char *const procs[] = {"at-once", "poisson", "list", NULL};
	static const char *const keys[] = {"process", "at", "rate", "start", "times", NULL};
	struct cfg_node *a = cfg_get(g, "arrivals"), *times;
	int proc, rc;
	size_t i;

	if (!a) {
		a = cfg_new_map(g->file, 0, 0);
		cfg_map_add(g, "arrivals", a);
	}
	if ((rc = cfg_expect(a, CFG_MAP, "arrivals", err)) ||
	    (rc = cfg_check_keys(a, "arrivals", keys, err)) ||
	    (rc = cfg_read_enum(a, "process", "at-once", procs, &proc, err)))
		return rc;
	gs->process = (enum arrival_process)proc;
	switch (gs->process) {
	case ARRIVE_AT_ONCE:
		return cfg_read_duration(a, "at", "0s", &gs->start_ns, err);
	case ARRIVE_POISSON:
		if ((rc = cfg_read_rate(a, "rate", NULL, &gs->rate, err)) ||
		    (rc = cfg_read_duration(a, "start", "0s", &gs->start_ns, err)))
			return rc;
		if (!(gs->rate > 0 && gs->rate <= TRACE_MAX_RATE))
			return cfg_err(err, -SIM_ERANGE, cfg_get(a, "rate"),
				       "arrival rate must be positive and at most 1G/s");
		return 0;
	case ARRIVE_LIST:
		times = cfg_get(a, "times");
		if (!times)
			return cfg_err(err, -SIM_EMISSING, a, "missing required key 'times'");
		if ((rc = cfg_expect(times, CFG_SEQ, "times", err)))
			return rc;
		/* A count beside the list is optional, and must agree with it. */
		if (cfg_get(g, "count")) {
			if ((rc = cfg_read_int(g, "count", NULL, 0, TRACE_MAX_VMS, &gs->count,
					       err)))
				return rc;
			if ((size_t)gs->count != times->n)
				return cfg_err(err, -SIM_EINVAL, times,
					       "%zu times for a count of %lld", times->n,
					       (long long)gs->count);
		}
		gs->count = (int64_t)times->n;
		gs->times = xcalloc(times->n ? times->n : 1, sizeof(*gs->times));
		for (i = 0; i < times->n; i++)
			if ((rc = cfg_node_duration(times->kids[i], &gs->times[i], err)))
				return rc;
		return 0;
	}
	return 0;
}

static int read_group(struct cfg_node *g, const struct trace *t, struct group_spec *gs,
		      struct sim_err *err)
{
	static const char *const keys[] = {
		"name", "count", "arrivals", "lifetime", "memory", "working_set", PHASE_KEYS,
		VM_KEYS, "dynamic", NULL,
	};
	struct cfg_node *n;
	const char *name;
	int rc;

	gs->where = g;
	if ((rc = cfg_expect(g, CFG_MAP, "a group", err)) ||
	    (rc = cfg_check_keys(g, "a group", keys, err)) ||
	    (rc = cfg_read_string(g, "name", NULL, &name, err)))
		return rc;
	gs->name = xstrdup(name);
	n = cfg_get(g, "arrivals");
	if (!(n && n->kind == CFG_MAP && cfg_get(n, "times")) &&
	    (rc = cfg_read_int(g, "count", NULL, 0, TRACE_MAX_VMS, &gs->count, err)))
		return rc;
	if ((rc = read_arrivals(g, gs, err)))
		return rc;
	if ((n = cfg_get(g, "memory")) == NULL)
		return cfg_err(err, -SIM_EMISSING, g, "missing required key 'memory'");
	if ((rc = dist_parse(n, DIST_SIZE, &gs->memory, err)))
		return rc;
	if (!(dist_min(&gs->memory) > 0) && gs->memory.kind != DIST_NORMAL)
		return cfg_err(err, -SIM_ERANGE, n, "memory must be positive");
	/* Draws above the largest VM are clamped (expand_group); a smallest
	 * value above it is a mistake. */
	if (dist_min(&gs->memory) > (double)TRACE_MAX_VM_BYTES)
		return cfg_err(err, -SIM_ERANGE, n, "memory must be at most 1 PiB");
	if ((n = cfg_get(g, "lifetime"))) {
		if ((rc = dist_parse(n, DIST_DURATION, &gs->lifetime, err)))
			return rc;
		gs->has_lifetime = true;
	}
	if (!(n = cfg_get(g, "working_set")))
		n = cfg_put_scalar(g, "working_set", "50%");
	if ((rc = dist_parse(n, DIST_SIZE_OR_FRACTION, &gs->working_set, err)))
		return rc;
	gs->proto.depart_ns = TRACE_NEVER;
	gs->proto.n_phases = 1;
	gs->proto.phases = xcalloc(1, sizeof(*gs->proto.phases));
	if ((rc = read_phase_fields(g, &gs->proto.phases[0], err)) ||
	    (rc = read_vm_common(g, t, &gs->proto, err)) ||
	    (rc = read_dynamic(g, &gs->dynamic, err)) ||
	    (rc = check_group_dynamic(&gs->dynamic, err)))
		return rc;
	return 0;
}

static int by_name_then_place(const void *a, const void *b)
{
	const struct vm_spec *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	return c ? c : (*x < *y ? -1 : *x > *y);
}

/* Names must be unique; sorting keeps this O(n log n) for large imports.
 * The error names the later of two in the file. */
static int check_unique_vms(const struct trace *t, struct sim_err *err)
{
	const struct vm_spec **v = xmalloc((t->n_vms ? t->n_vms : 1) * sizeof(*v));
	size_t i;
	int rc = 0;

	for (i = 0; i < t->n_vms; i++)
		v[i] = &t->vms[i];
	qsort(v, t->n_vms, sizeof(*v), by_name_then_place);
	for (i = 1; i < t->n_vms && !rc; i++)
		if (!strcmp(v[i - 1]->name, v[i]->name))
			rc = cfg_err(err, -SIM_EDUP, cfg_get(v[i]->where, "name"),
				     "duplicate VM name '%s'", v[i]->name);
	free(v);
	return rc;
}

int trace_load(struct cfg_node *root, struct trace *t, struct sim_err *err)
{
	static const char *const keys[] = {"images", "vms", "groups", NULL};
	struct nameset group_names;
	struct cfg_node *n;
	size_t i;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = cfg_check_keys(root, "the workload", keys, err)))
		return rc;
	if ((n = cfg_get(root, "images")) && (rc = read_images(n, t, err)))
		return rc;
	if ((n = cfg_get(root, "vms"))) {
		if ((rc = cfg_expect(n, CFG_SEQ, "vms", err)))
			return rc;
		t->vms = xcalloc(n->n ? n->n : 1, sizeof(*t->vms));
		for (i = 0; i < n->n; i++) {
			rc = read_vm(n->kids[i], t, &t->vms[i], err);
			t->n_vms = i + 1;
			if (rc)
				return rc;
		}
		if ((rc = check_unique_vms(t, err)))
			return rc;
	}
	if ((n = cfg_get(root, "groups"))) {
		if ((rc = cfg_expect(n, CFG_SEQ, "groups", err)))
			return rc;
		t->groups = xcalloc(n->n ? n->n : 1, sizeof(*t->groups));
		nameset_init(&group_names);
		for (i = 0; i < n->n && !rc; i++) {
			rc = read_group(n->kids[i], t, &t->groups[i], err);
			t->n_groups = i + 1;
			if (!rc && !nameset_add(&group_names, t->groups[i].name, i))
				rc = cfg_err(err, -SIM_EDUP, cfg_get(n->kids[i], "name"),
					     "duplicate group name '%s'", t->groups[i].name);
		}
		nameset_release(&group_names);
		if (rc)
			return rc;
	}
	if (t->n_vms == 0 && t->n_groups == 0)
		return cfg_err(err, -SIM_EMISSING, root,
			       "the workload has no 'vms' and no 'groups'");
	if (trace_vm_count(t) > TRACE_MAX_VMS)
		return cfg_err(err, -SIM_ERANGE, root,
			       "the workload has %zu VMs in all, more than 10^8", trace_vm_count(t));
	return 0;
}

static void spec_release(struct vm_spec *v)
{
	free(v->name);
	free(v->phases);
}

void trace_release(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->n_images; i++)
		free(t->images[i].name);
	free(t->images);
	nameset_release(&t->image_names);
	for (i = 0; i < t->n_vms; i++)
		spec_release(&t->vms[i]);
	free(t->vms);
	for (i = 0; i < t->n_groups; i++) {
		struct group_spec *g = &t->groups[i];

		free(g->name);
		free(g->times);
		dist_release(&g->lifetime);
		dist_release(&g->memory);
		dist_release(&g->working_set);
		spec_release(&g->proto);
	}
	free(t->groups);
	memset(t, 0, sizeof(*t));
}

size_t trace_vm_count(const struct trace *t)
{
	size_t n = t->n_vms, i;

	for (i = 0; i < t->n_groups; i++)
		n += (size_t)t->groups[i].count;
	return n;
}

int64_t trace_phase_ws_bytes(const struct phase *p, int64_t memory_bytes)
{
	return spec_phase_ws_bytes(p, memory_bytes);
}

static int64_t round_up(int64_t v, int64_t unit)
{
	if (v < unit)
		return unit;
	if (v > INT64_MAX - unit)
		return INT64_MAX / unit * unit;
	return (v + unit - 1) / unit * unit;
}

static int64_t clamp_ns(double t)
{
	if (!(t < 9.2e18))
		return TRACE_NEVER;
	return t < 0 ? 0 : (int64_t)t;
}

/* Expands group g into out[0..count). */
static void expand_group(const struct group_spec *g, uint64_t seed, uint32_t rep,
			 int64_t page_bytes, struct vm_spec *out)
{
	uint64_t id = rng_entity(g->name);
	gsl_rng *arr = rng_stream(seed, rep, RNG_ARRIVALS, id);
	gsl_rng *life = rng_stream(seed, rep, RNG_LIFETIMES, id);
	gsl_rng *size = rng_stream(seed, rep, RNG_SIZES, id);
	gsl_rng *wss = rng_stream(seed, rep, RNG_WORKING_SETS, id);
	double t = (double)g->start_ns;
	int64_t i;

	for (i = 0; i < g->count; i++) {
		struct vm_spec *v = &out[i];
		char name[300];
		double mem = dist_sample(&g->memory, size);
		double ws = dist_sample(&g->working_set, wss);

		*v = g->proto;
		snprintf(name, sizeof(name), "%s-%lld", g->name, (long long)i);
		v->name = xstrdup(name);
		v->group = g->name;
		v->where = g->where;
		switch (g->process) {
		case ARRIVE_AT_ONCE:
			v->arrive_ns = g->start_ns;
			break;
		case ARRIVE_POISSON:
			t += gsl_ran_exponential(arr, 1e9 / g->rate);
			v->arrive_ns = clamp_ns(t);
			break;
		case ARRIVE_LIST:
			v->arrive_ns = g->times[i];
			break;
		}
		v->depart_ns = TRACE_NEVER;
		if (g->has_lifetime) {
			double l = dist_sample(&g->lifetime, life);

			v->depart_ns = clamp_ns((double)v->arrive_ns + (l > 1 ? l : 1));
		}
		mem = mem < (double)TRACE_MAX_VM_BYTES ? mem : (double)TRACE_MAX_VM_BYTES;
		v->memory_bytes = round_up(mem > 0 ? (int64_t)llround(mem) : 0, page_bytes);
		/* Its dynamic settings follow its memory; the size is the maximum. */
		apply_dynamic(&g->dynamic, v, true, NULL);
		v->memory_bytes = round_up(v->memory_bytes, page_bytes);
		if (v->limit_bytes < 0 || v->limit_bytes > v->memory_bytes)
			v->limit_bytes = v->memory_bytes;
		if (v->reservation_bytes > v->memory_bytes)
			v->reservation_bytes = v->memory_bytes;
		if (v->shares_per_mb > 0)
			v->shares = v->shares_per_mb * (double)v->memory_bytes / 1048576.0;
		v->phases = xmalloc(sizeof(*v->phases));
		v->phases[0] = g->proto.phases[0];
		if (g->working_set.fraction) {
			v->phases[0].ws_bytes = -1;
			v->phases[0].ws_frac = ws < 0 ? 0 : ws > 1 ? 1 : ws;
		} else {
			v->phases[0].ws_bytes = ws < 0 ? 0
						: ws > (double)v->memory_bytes ? v->memory_bytes
									: (int64_t)llround(ws);
		}
	}
	gsl_rng_free(arr);
	gsl_rng_free(life);
	gsl_rng_free(size);
	gsl_rng_free(wss);
}

static int cmp_name(const void *a, const void *b)
{
	const struct vm_spec *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int trace_expand(const struct trace *t, uint64_t seed, uint32_t replication, int64_t page_bytes,
		 struct vm_spec **out, size_t *n, struct sim_err *err)
{
	size_t total = trace_vm_count(t), k = 0, i;
	struct vm_spec *v = xcalloc(total ? total : 1, sizeof(*v));
	struct vm_spec **sorted;

	for (i = 0; i < t->n_vms; i++, k++) {
		v[k] = t->vms[i];
		v[k].name = xstrdup(t->vms[i].name);
		v[k].memory_bytes = round_up(v[k].memory_bytes, page_bytes);
		if (v[k].limit_bytes == t->vms[i].memory_bytes)
			v[k].limit_bytes = v[k].memory_bytes;
		v[k].phases = xmalloc(v[k].n_phases * sizeof(*v[k].phases));
		memcpy(v[k].phases, t->vms[i].phases, v[k].n_phases * sizeof(*v[k].phases));
	}
	for (i = 0; i < t->n_groups; i++) {
		expand_group(&t->groups[i], seed, replication, page_bytes, &v[k]);
		k += (size_t)t->groups[i].count;
	}
	/* Generated names may collide with explicit ones: "web-0". */
	sorted = xmalloc((total ? total : 1) * sizeof(*sorted));
	for (i = 0; i < total; i++)
		sorted[i] = &v[i];
	qsort(sorted, total, sizeof(*sorted), cmp_name);
	for (i = 1; i < total; i++)
		if (!strcmp(sorted[i - 1]->name, sorted[i]->name)) {
			const struct vm_spec *d = sorted[i]->group ? sorted[i - 1] : sorted[i];
			int rc = cfg_err(err, -SIM_EDUP, d->where,
					 "VM name '%s' is also the name of a generated VM",
					 d->name);

			free(sorted);
			trace_specs_free(v, total);
			return rc;
		}
	free(sorted);
	*out = v;
	*n = total;
	return 0;
}

void trace_specs_free(struct vm_spec *specs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		spec_release(&specs[i]);
	free(specs);
}
