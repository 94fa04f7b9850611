/*
 * sweep_spec.c - loading and expanding sweep files.
 *
 * The sweep file is read with memsim's own config loader, so errors carry
 * PATH:LINE:COL like any config error.  Axis values are kept as the YAML
 * scalar text (a mapping or list value as its flow text, cfg_flow_text)
 * and handed to `memsim run --set` verbatim; a range
 * {from, to, step} is expanded inclusively into numbers printed with as many
 * decimals as from and step have, so 0.1..0.5 step 0.1 gives "0.3", not
 * "0.30000000000000004".  The sweep never loads the base config itself
 * (DESIGN.md section 1): a bad axis key or value shows up as failed runs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "sweep_spec.h"
#include "xmem.h"

/* Tunables: bounds that keep a typo from expanding into millions of runs. */
static const size_t SWEEP_MAX_AXIS_VALUES = 10000;
static const size_t SWEEP_MAX_RUNS = 1000000;

static const char *const sweep_keys[] = { "base", "replications", "mode", "axes", "baseline",
					  NULL };
static const char *const range_keys[] = { "from", "to", "step", NULL };
static const char *const mode_names[] = { "grid", "zip", NULL };

/* Decimals written after the point in a plain decimal, or -1 for other forms. */
static int decimals_of(const char *t)
{
	const char *dot = strchr(t, '.');

	if (strpbrk(t, "eExXnNiI"))
		return -1;
	return dot ? (int)strlen(dot + 1) : 0;
}

static void add_value(struct sweep_axis *a, size_t *cap, const char *text)
{
	XGROW(a->values, *cap, a->n + 1);
	a->values[a->n++] = xstrdup(text);
}

static int read_range(struct cfg_node *map, struct sweep_axis *a, struct sim_err *err)
{
	double from, to, step;
	int rc, d1, d2, dec;
	size_t cap = 0, n, i;
	char buf[64];

	rc = cfg_check_keys(map, "a range", range_keys, err);
	if (!rc)
		rc = cfg_read_number(map, "from", NULL, -1e300, 1e300, &from, err);
	if (!rc)
		rc = cfg_read_number(map, "to", NULL, -1e300, 1e300, &to, err);
	if (!rc)
		rc = cfg_read_number(map, "step", NULL, -1e300, 1e300, &step, err);
	if (rc)
		return rc;
	if (!(step > 0))
		return cfg_err(err, -SIM_ERANGE, cfg_get(map, "step"),
			       "a range's step must be greater than 0");
	if (to < from)
		return cfg_err(err, -SIM_ERANGE, cfg_get(map, "to"),
			       "a range's 'to' must not be less than its 'from'");
	if ((to - from) / step + 1.0 > (double)SWEEP_MAX_AXIS_VALUES)
		return cfg_err(err, -SIM_ERANGE, map, "a range of more than %zu values",
			       SWEEP_MAX_AXIS_VALUES);
	/* A small slack, so 0.1..0.5 step 0.1 includes 0.5. */
	n = (size_t)floor((to - from) / step + 1e-9) + 1;
	d1 = decimals_of(cfg_get(map, "from")->text);
	d2 = decimals_of(cfg_get(map, "step")->text);
	dec = d1 < 0 || d2 < 0 ? -1 : (d1 > d2 ? d1 : d2);
	for (i = 0; i < n; i++) {
		double v = from + (double)i * step;

		if (dec >= 0)
			snprintf(buf, sizeof(buf), "%.*f", dec, v);
		else
			snprintf(buf, sizeof(buf), "%.17g", v);
		add_value(a, &cap, buf);
	}
	return 0;
}

static int read_axis(const char *key, struct cfg_node *n, struct sweep_axis *a,
		     struct sim_err *err)
{
	size_t cap = 0, i;

	a->key = xstrdup(key);
	if (!key[0] || strchr(key, '='))
		return sim_err_set(err, -SIM_EINVAL, n->file, n->key_line, n->key_col,
				   "axis '%.64s' is not a config path", key);
	if (n->kind == CFG_MAP)
		return read_range(n, a, err);
	if (n->kind != CFG_SEQ)
		return cfg_err(err, -SIM_ETYPE, n,
			       "axis '%.64s' must be a list of values or {from, to, step}", key);
	if (n->n == 0)
		return cfg_err(err, -SIM_EINVAL, n, "axis '%.64s' has no values", key);
	if (n->n > SWEEP_MAX_AXIS_VALUES)
		return cfg_err(err, -SIM_ERANGE, n, "axis '%.64s' has more than %zu values", key,
			       SWEEP_MAX_AXIS_VALUES);
	for (i = 0; i < n->n; i++) {
		/* A mapping or list value (a whole policy set) goes to --set as
		 * its flow text, which replaces the key's whole value. */
		if (n->kids[i]->kind != CFG_SCALAR) {
			char *text = cfg_flow_text(n->kids[i]);

			add_value(a, &cap, text);
			free(text);
		} else {
			add_value(a, &cap, n->kids[i]->text);
		}
	}
	return 0;
}

/* Whether two values are the same; plain decimals compare by value (2 is 2.0). */
static bool same_value(const char *a, const char *b)
{
	char *ea, *eb;
	double x, y;

	if (!strcmp(a, b))
		return true;
	if (decimals_of(a) < 0 || decimals_of(b) < 0)
		return false;
	x = strtod(a, &ea);
	y = strtod(b, &eb);
	return ea != a && eb != b && !*ea && !*eb && x == y;
}

static int read_baseline(struct cfg_node *map, struct sweep_spec *s, struct sim_err *err)
{
	size_t i, a, v;
	int rc = cfg_expect(map, CFG_MAP, "baseline", err);

	if (rc)
		return rc;
	s->baseline_axis = xcalloc(map->n + 1, sizeof(*s->baseline_axis));
	s->baseline_value = xcalloc(map->n + 1, sizeof(*s->baseline_value));
	for (i = 0; i < map->n; i++) {
		const struct cfg_node *val = map->kids[i];
		char *text;

		for (a = 0; a < s->n_axes; a++)
			if (!strcmp(s->axes[a].key, map->keys[i]))
				break;
		if (a == s->n_axes)
			return sim_err_set(err, -SIM_EKEY, val->file, val->key_line, val->key_col,
					   "baseline key '%.64s' is not an axis", map->keys[i]);
		text = val->kind == CFG_SCALAR ? xstrdup(val->text) : cfg_flow_text(val);
		for (v = 0; v < s->axes[a].n; v++)
			if (same_value(s->axes[a].values[v], text))
				break;
		if (v == s->axes[a].n) {
			rc = cfg_err(err, -SIM_EINVAL, val,
				     "baseline value '%.64s' is not a value of axis '%.64s'",
				     text, map->keys[i]);
			free(text);
			return rc;
		}
		free(text);
		s->baseline_axis[s->n_baseline] = a;
		s->baseline_value[s->n_baseline++] = v;
	}
	return 0;
}

/* Numbers the points: grid with the last axis fastest, or zip. */
static int expand(struct cfg_node *axes, struct sweep_spec *s, struct sim_err *err)
{
	size_t p, a, n = 1;

	if (s->zip) {
		n = s->n_axes ? s->axes[0].n : 1;
		for (a = 1; a < s->n_axes; a++)
			if (s->axes[a].n != n)
				return cfg_err(err, -SIM_EINVAL, axes->kids[a],
					       "zip axis '%.64s' has %zu values, "
					       "but '%.64s' has %zu", s->axes[a].key,
					       s->axes[a].n, s->axes[0].key, n);
	} else {
		for (a = 0; a < s->n_axes; a++) {
			if (n * s->axes[a].n > SWEEP_MAX_RUNS)
				return cfg_err(err, -SIM_ERANGE, axes,
					       "the grid has more than %zu points", SWEEP_MAX_RUNS);
			n *= s->axes[a].n;
		}
	}
	if ((double)n * (double)s->replications > (double)SWEEP_MAX_RUNS)
		return cfg_err(err, -SIM_ERANGE, axes, "the sweep has more than %zu runs",
			       SWEEP_MAX_RUNS);
	s->n_points = n;
	s->choice = xcalloc(n * s->n_axes + 1, sizeof(*s->choice));
	for (p = 0; p < n; p++) {
		size_t rest = p;

		for (a = s->n_axes; a-- > 0;) {
			size_t *c = &s->choice[p * s->n_axes + a];

			if (s->zip) {
				*c = p;
			} else {
				*c = rest % s->axes[a].n;
				rest /= s->axes[a].n;
			}
		}
	}
	return 0;
}

/* The base config's path: relative paths are taken from the sweep file's folder. */
static char *resolve(const char *sweep_path, const char *base)
{
	const char *slash = strrchr(sweep_path, '/');
	size_t dir = slash ? (size_t)(slash - sweep_path) + 1 : 0;
	char *p;

	if (base[0] == '/' || !dir)
		return xstrdup(base);
	p = xmalloc(dir + strlen(base) + 1);
	memcpy(p, sweep_path, dir);
	strcpy(p + dir, base);
	return p;
}

static int load(struct cfg_node *root, const char *path, struct sweep_spec *s,
		struct sim_err *err)
{
	struct cfg_node *axes, *baseline;
	const char *base;
	struct stat st;
	int mode, rc;
	size_t i;

	rc = cfg_check_keys(root, "a sweep file", sweep_keys, err);
	if (!rc)
		rc = cfg_read_string(root, "base", NULL, &base, err);
	if (rc)
		return rc;
	s->base = resolve(path, base);
	if (stat(s->base, &st) != 0)
		return cfg_err(err, -SIM_EIO, cfg_get(root, "base"),
			       "cannot open base config '%s': %s", s->base, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cfg_err(err, -SIM_EIO, cfg_get(root, "base"),
			       "base config '%s' is not a file", s->base);
	rc = cfg_read_int(root, "replications", "1", 1, 100000, &s->replications, err);
	if (!rc)
		rc = cfg_read_enum(root, "mode", "grid", mode_names, &mode, err);
	if (rc)
		return rc;
	s->zip = mode == 1;
	axes = cfg_get(root, "axes");
	if (!axes)
		return cfg_err(err, -SIM_EMISSING, root, "missing required key 'axes'");
	rc = cfg_expect(axes, CFG_MAP, "axes", err);
	if (rc)
		return rc;
	s->axes = xcalloc(axes->n + 1, sizeof(*s->axes));
	for (i = 0; i < axes->n; i++) {
		rc = read_axis(axes->keys[i], axes->kids[i], &s->axes[s->n_axes++], err);
		if (rc)
			return rc;
	}
	baseline = cfg_get(root, "baseline");
	if (baseline) {
		rc = read_baseline(baseline, s, err);
		if (rc)
			return rc;
	}
	return expand(axes, s, err);
}

int sweep_spec_load(const char *path, struct sweep_spec *s, struct sim_err *err)
{
	struct cfg_node *root = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	rc = cfg_load_file(path, &root, err);
	if (!rc)
		rc = load(root, path, s, err);
	cfg_free(root);
	if (rc)
		sweep_spec_release(s);
	return rc;
}

void sweep_spec_release(struct sweep_spec *s)
{
	size_t a, v;

	for (a = 0; a < s->n_axes; a++) {
		for (v = 0; v < s->axes[a].n; v++)
			free(s->axes[a].values[v]);
		free(s->axes[a].values);
		free(s->axes[a].key);
	}
	free(s->axes);
	free(s->baseline_axis);
	free(s->baseline_value);
	free(s->choice);
	free(s->base);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

const char *sweep_spec_value(const struct sweep_spec *s, size_t point, size_t axis)
{
	return s->axes[axis].values[s->choice[point * s->n_axes + axis]];
}

void sweep_spec_point_id(size_t point, char *buf, size_t n)
{
	snprintf(buf, n, "p%03zu", point);
}

long sweep_spec_baseline_of(const struct sweep_spec *s, size_t point)
{
	const char **want;
	size_t a, b, q;
	long found = -1;

	if (!s->n_baseline)
		return -1;
	want = xcalloc(s->n_axes + 1, sizeof(*want));
	for (a = 0; a < s->n_axes; a++)
		want[a] = sweep_spec_value(s, point, a);
	for (b = 0; b < s->n_baseline; b++) {
		const struct sweep_axis *ax = &s->axes[s->baseline_axis[b]];

		want[s->baseline_axis[b]] = ax->values[s->baseline_value[b]];
	}
	/* A point with the baseline's values is a baseline point itself. */
	for (a = 0; a < s->n_axes; a++)
		if (!same_value(sweep_spec_value(s, point, a), want[a]))
			break;
	if (a == s->n_axes)
		q = s->n_points;
	else
		q = 0;
	/* Values compare as text, so zip axes that repeat a value work too.
	 * Note that's O(points x axes); a sweep has thousands of points at most. */
	for (; q < s->n_points && found < 0; q++) {
		for (a = 0; a < s->n_axes; a++)
			if (!same_value(sweep_spec_value(s, q, a), want[a]))
				break;
		if (a == s->n_axes)
			found = (long)q;
	}
	free(want);
	return found;
}
