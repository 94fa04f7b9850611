/*
 * cfg.c - YAML to a node tree, and typed, located readers over it.
 *
 * libyaml's event parser builds the tree with a stack of open collections.
 * Anchors and aliases are refused (a config that needs them is better
 * written out), and so are duplicate keys, which YAML leaves undefined.
 * libyaml marks are 0-based; nodes store them 1-based, as editors count.
 */
#include "cfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "nameset.h"
#include "units.h"
#include "xmem.h"

#define CFG_MAX_DEPTH 64
/* A mapping with this many keys gets a hash index for its duplicate check,
 * so a mapping of n keys loads in O(n), not O(n^2). */
#define CFG_INDEX_MIN 8

static struct cfg_node *node_new(enum cfg_kind kind, const char *file, unsigned line,
				 unsigned col)
{
	struct cfg_node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->file = xstrdup(file);
	n->line = line;
	n->col = col;
	return n;
}

struct cfg_node *cfg_new_map(const char *file, unsigned line, unsigned col)
{
	return node_new(CFG_MAP, file, line, col);
}

void cfg_free(struct cfg_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++) {
		cfg_free(n->kids[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->kids);
	free(n->keys);
	free(n->text);
	free((char *)n->file);
	free(n);
}

struct cfg_node *cfg_clone(const struct cfg_node *n)
{
	struct cfg_node *c = node_new(n->kind, n->file, n->line, n->col);
	size_t i;

	c->text = n->text ? xstrdup(n->text) : NULL;
	c->quoted = n->quoted;
	c->key_line = n->key_line;
	c->key_col = n->key_col;
	c->norm = n->norm;
	c->as_int = n->as_int;
	c->as_num = n->as_num;
	for (i = 0; i < n->n; i++) {
		if (n->kind == CFG_MAP)
			cfg_map_add(c, n->keys[i], cfg_clone(n->kids[i]));
		else
			cfg_map_add(c, NULL, cfg_clone(n->kids[i]));
	}
	return c;
}

/* --- flow text --------------------------------------------------------- */

/* A growing string for cfg_flow_text. */
struct flow_buf {
	char *s;
	size_t n, cap;
};

static void flow_put(struct flow_buf *b, const char *t, size_t len)
{
	XGROW(b->s, b->cap, b->n + len + 1);
	memcpy(b->s + b->n, t, len);
	b->n += len;
	b->s[b->n] = '\0';
}

/* Whether t reads back as the same plain scalar in a flow collection:
 * no indicator YAML gives a meaning to there, no leading or trailing space. */
static bool flow_plain_ok(const char *t)
{
	size_t len = strlen(t);

	if (!len || t[0] == ' ' || t[len - 1] == ' ')
		return false;
	if (t[0] == '-' ? len == 1 || t[1] == ' ' : strchr("?:,[]{}#&*!|>'\"%@`", t[0]) != NULL)
		return false;
	return !strpbrk(t, ",[]{}#\"'\\\n\t") && !strstr(t, ": ") &&
	       t[len - 1] != ':';
}

static void flow_scalar(struct flow_buf *b, const char *t, bool quoted)
{
	const char *p;

	if (!quoted && flow_plain_ok(t)) {
		flow_put(b, t, strlen(t));
		return;
	}
	flow_put(b, "\"", 1);
	for (p = t; *p; p++) {
		char esc[8];

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = *p;
			flow_put(b, esc, 2);
		} else if ((unsigned char)*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)*p);
			flow_put(b, esc, 4);
		} else {
			flow_put(b, p, 1);
		}
	}
	flow_put(b, "\"", 1);
}

static void flow_node(struct flow_buf *b, const struct cfg_node *n)
{
	size_t i;

	if (n->kind == CFG_SCALAR) {
		flow_scalar(b, n->text ? n->text : "", n->quoted);
		return;
	}
	flow_put(b, n->kind == CFG_MAP ? "{" : "[", 1);
	for (i = 0; i < n->n; i++) {
		if (i)
			flow_put(b, ", ", 2);
		if (n->kind == CFG_MAP) {
			flow_scalar(b, n->keys[i], false);
			flow_put(b, ": ", 2);
		}
		flow_node(b, n->kids[i]);
	}
	flow_put(b, n->kind == CFG_MAP ? "}" : "]", 1);
}

char *cfg_flow_text(const struct cfg_node *n)
{
	struct flow_buf b = {0};

	flow_put(&b, "", 0);
	flow_node(&b, n);
	return b.s;
}

/* Appends a child; key is NULL for sequences. */
void cfg_map_add(struct cfg_node *map, const char *key, struct cfg_node *val)
{
	if (map->n == map->cap) {
		map->cap = map->cap ? 2 * map->cap : 4;
		map->kids = xrealloc(map->kids, map->cap * sizeof(*map->kids));
		if (map->kind == CFG_MAP)
			map->keys = xrealloc(map->keys, map->cap * sizeof(*map->keys));
	}
	if (map->kind == CFG_MAP)
		map->keys[map->n] = xstrdup(key);
	map->kids[map->n++] = val;
}

int cfg_err(struct sim_err *err, int code, const struct cfg_node *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_err_vset(err, code, at ? at->file : "", at ? at->line : 0, at ? at->col : 0, fmt, ap);
	va_end(ap);
	return code;
}

/* --- parsing --------------------------------------------------------- */

struct builder {
	const char *file;
	struct cfg_node *stack[CFG_MAX_DEPTH];
	char *pending_key[CFG_MAX_DEPTH];       /* map: key waiting for a value */
	unsigned key_line[CFG_MAX_DEPTH], key_col[CFG_MAX_DEPTH];
	struct nameset keys[CFG_MAX_DEPTH];     /* map: its keys, once it has many */
	int depth;
	struct cfg_node *root;
};

static int yaml_fail(struct sim_err *err, const char *file, const yaml_parser_t *p)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
	const char *what = p->problem ? p->problem : "invalid YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return sim_err_set(err, -SIM_ENOMEM, file, 0, 0, "out of memory reading YAML");
	if (p->context)
		return sim_err_set(err, -SIM_ESYNTAX, file, (unsigned)m->line + 1,
				   (unsigned)m->column + 1, "YAML syntax error: %s %s", what,
				   p->context);
	return sim_err_set(err, -SIM_ESYNTAX, file, (unsigned)m->line + 1,
			   (unsigned)m->column + 1, "YAML syntax error: %s", what);
}

/* Whether the mapping on top of the stack has key already. */
static bool is_key_of(struct builder *b, const char *key)
{
	const struct cfg_node *top = b->stack[b->depth - 1];
	struct nameset *set = &b->keys[b->depth - 1];
	size_t i;

	if (top->n < CFG_INDEX_MIN) {
		for (i = 0; i < top->n; i++)
			if (strcmp(top->keys[i], key) == 0)
				return true;
		return false;
	}
	if (!set->cap)
		for (i = 0; i < top->n; i++)
			nameset_add(set, top->keys[i], i);
	return nameset_find(set, key, NULL);
}

/* Adds a finished node to the collection on top of the stack. */
static int attach(struct builder *b, struct cfg_node *n, struct sim_err *err)
{
	struct cfg_node *top;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	top = b->stack[b->depth - 1];
	if (top->kind == CFG_SEQ) {
		cfg_map_add(top, NULL, n);
		return 0;
	}
	if (!b->pending_key[b->depth - 1]) {
		/* n is a key: only scalars may be keys. */
		if (n->kind != CFG_SCALAR) {
			cfg_err(err, -SIM_ETYPE, n, "mapping keys must be plain words");
			cfg_free(n);
			return -SIM_ETYPE;
		}
		if (is_key_of(b, n->text)) {
			cfg_err(err, -SIM_EDUP, n, "duplicate key '%s'", n->text);
			cfg_free(n);
			return -SIM_EDUP;
		}
		b->pending_key[b->depth - 1] = n->text;
		b->key_line[b->depth - 1] = n->line;
		b->key_col[b->depth - 1] = n->col;
		n->text = NULL;
		cfg_free(n);
		return 0;
	}
	n->key_line = b->key_line[b->depth - 1];
	n->key_col = b->key_col[b->depth - 1];
	cfg_map_add(top, b->pending_key[b->depth - 1], n);
	if (b->keys[b->depth - 1].cap)
		nameset_add(&b->keys[b->depth - 1], top->keys[top->n - 1], top->n - 1);
	free(b->pending_key[b->depth - 1]);
	b->pending_key[b->depth - 1] = NULL;
	return 0;
}

/* Frees what an interrupted parse built: open collections are not yet
 * attached to their parents, so each is freed on its own. */
static void builder_release(struct builder *b)
{
	int i;

	for (i = 0; i < b->depth; i++) {
		free(b->pending_key[i]);
		cfg_free(b->stack[i]);
	}
	cfg_free(b->root);
}

static int parse_events(yaml_parser_t *p, const char *file, struct cfg_node **root,
			struct sim_err *err)
{
	struct builder b = {.file = file};
	yaml_event_t ev;
	int rc = 0, docs = 0;
	bool done = false;

	while (!done) {
		struct cfg_node *n;
		unsigned line, col;

		if (!yaml_parser_parse(p, &ev)) {
			rc = yaml_fail(err, file, p);
			break;
		}
		line = (unsigned)ev.start_mark.line + 1;
		col = (unsigned)ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = sim_err_set(err, -SIM_ESYNTAX, file, line, col,
						 "only one YAML document is allowed per file");
			break;
		case YAML_ALIAS_EVENT:
			rc = sim_err_set(
				err, -SIM_EUNSUPPORTED, file, line, col,
				"YAML aliases (*name) are not supported; write the value out");
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.anchor) {
				rc = sim_err_set(err, -SIM_EUNSUPPORTED, file, line, col,
						 "YAML anchors (&name) are not supported");
				break;
			}
			n = node_new(CFG_SCALAR, file, line, col);
			n->text = xstrdup((const char *)ev.data.scalar.value);
			n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
			rc = attach(&b, n, err);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ev.type == YAML_SEQUENCE_START_EVENT
				    ? ev.data.sequence_start.anchor != NULL
				    : ev.data.mapping_start.anchor != NULL) {
				rc = sim_err_set(err, -SIM_EUNSUPPORTED, file, line, col,
						 "YAML anchors (&name) are not supported");
				break;
			}
			if (b.depth == CFG_MAX_DEPTH) {
				rc = sim_err_set(err, -SIM_ERANGE, file, line, col,
						 "nesting deeper than %d levels", CFG_MAX_DEPTH);
				break;
			}
			if (b.depth > 0 && b.stack[b.depth - 1]->kind == CFG_MAP &&
			    !b.pending_key[b.depth - 1]) {
				rc = sim_err_set(err, -SIM_ETYPE, file, line, col,
						 "mapping keys must be plain words");
				break;
			}
			b.stack[b.depth] = node_new(ev.type == YAML_MAPPING_START_EVENT ? CFG_MAP
											: CFG_SEQ,
						    file, line, col);
			nameset_release(&b.keys[b.depth]);
			b.pending_key[b.depth++] = NULL;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			n = b.stack[--b.depth];
			rc = attach(&b, n, err);
			break;
		case YAML_NO_EVENT:
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	for (int d = 0; d < CFG_MAX_DEPTH; d++)
		nameset_release(&b.keys[d]);    /* the key indexes, done or not */
	if (rc) {
		builder_release(&b);
		return rc;
	}
	if (!b.root)
		return sim_err_set(err, -SIM_EINVAL, file, 1, 1, "the file is empty");
	if (b.root->kind != CFG_MAP) {
		rc = cfg_err(err, -SIM_ETYPE, b.root, "the document must be a mapping of keys");
		cfg_free(b.root);
		return rc;
	}
	*root = b.root;
	return 0;
}

int cfg_load_file(const char *path, struct cfg_node **root, struct sim_err *err)
{
	yaml_parser_t p;
	FILE *f = fopen(path, "rb");
	struct stat st;
	int rc;

	if (!f)
		return sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot read: it is a directory");
	}
	if (!yaml_parser_initialize(&p)) {
		fclose(f);
		return sim_err_set(err, -SIM_ENOMEM, path, 0, 0, "cannot start the YAML parser");
	}
	yaml_parser_set_input_file(&p, f);
	rc = parse_events(&p, path, root, err);
	if (p.error == YAML_READER_ERROR && ferror(f))
		rc = sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
	yaml_parser_delete(&p);
	fclose(f);
	return rc;
}

int cfg_load_string(const char *name, const char *text, struct cfg_node **root,
		    struct sim_err *err)
{
	yaml_parser_t p;
	int rc;

	if (!yaml_parser_initialize(&p))
		return sim_err_set(err, -SIM_ENOMEM, name, 0, 0, "cannot start the YAML parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	rc = parse_events(&p, name, root, err);
	yaml_parser_delete(&p);
	return rc;
}

/* --- paths and --set ------------------------------------------------ */

static bool is_index(const char *s, size_t *idx)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end)
		return false;
	*idx = v;
	return true;
}

struct cfg_node *cfg_get(const struct cfg_node *map, const char *key)
{
	size_t i;

	if (!map || map->kind != CFG_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->kids[i];
	return NULL;
}

static void map_replace(struct cfg_node *map, const char *key, struct cfg_node *val)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0) {
			cfg_free(map->kids[i]);
			map->kids[i] = val;
			return;
		}
	cfg_map_add(map, key, val);
}

struct cfg_node *cfg_put_scalar(struct cfg_node *map, const char *key, const char *text)
{
	struct cfg_node *n = node_new(CFG_SCALAR, map->file, 0, 0);

	n->text = xstrdup(text);
	map_replace(map, key, n);
	return n;
}

struct cfg_node *cfg_at_path(struct cfg_node *root, const char *path)
{
	char *copy = xstrdup(path), *save = NULL, *part;
	struct cfg_node *n = root;
	size_t idx;

	for (part = strtok_r(copy, ".", &save); part && n; part = strtok_r(NULL, ".", &save)) {
		if (n->kind == CFG_SEQ && is_index(part, &idx))
			n = idx < n->n ? n->kids[idx] : NULL;
		else
			n = cfg_get(n, part);
	}
	free(copy);
	return n;
}

/* Forgets the places of nodes that came from a command line. */
static void unplace(struct cfg_node *n)
{
	size_t i;

	n->line = n->col = n->key_line = n->key_col = 0;
	for (i = 0; i < n->n; i++)
		unplace(n->kids[i]);
}

int cfg_set_path(struct cfg_node *root, const char *assignment, struct sim_err *err)
{
	const char *eq = strchr(assignment, '=');
	char *path, *save = NULL, *part, *next, *doc, *where;
	struct cfg_node *n = root, *val_root = NULL, *val;
	int rc = 0;
	size_t idx;

	if (!eq || eq == assignment)
		return sim_err_set(err, -SIM_EINVAL, "--set", 0, 0,
				   "'%s' is not KEY=VALUE (as policies.balloon.policy=none)",
				   assignment);
	path = xstrdup(assignment);
	path[eq - assignment] = '\0';
	if (path[0] == '.' || path[strlen(path) - 1] == '.' || strstr(path, "..")) {
		rc = sim_err_set(err, -SIM_EINVAL, "--set", 0, 0, "'%s' has an empty key", path);
		free(path);
		return rc;
	}
	/* Parse the value as the YAML document "v: VALUE"; errors in it, or
	 * later about it, name the whole assignment since it has no file. */
	doc = xmalloc(strlen(eq + 1) + 4);
	sprintf(doc, "v: %s", eq + 1);
	where = xmalloc(strlen(assignment) + 8);
	sprintf(where, "--set %s", assignment);
	rc = cfg_load_string(where, doc, &val_root, err);
	free(doc);
	if (rc) {
		err->line = err->col = 0;
		goto out;
	}
	if (val_root->n != 1) {
		rc = sim_err_set(err, -SIM_EINVAL, where, 0, 0, "the value must be one YAML value");
		goto out;
	}
	unplace(val_root);
	/* Take the value out of its wrapper. */
	val = val_root->kids[0];
	free(val_root->keys[0]);
	val_root->n = 0;

	part = strtok_r(path, ".", &save);
	while (part) {
		next = strtok_r(NULL, ".", &save);
		if (n->kind == CFG_SEQ) {
			if (!is_index(part, &idx) || idx >= n->n) {
				rc = sim_err_set(err, -SIM_EINVAL, where, 0, 0,
						 "'%s' is not an index of a list of %zu", part,
						 n->n);
				cfg_free(val);
				goto out;
			}
			if (!next) {
				cfg_free(n->kids[idx]);
				n->kids[idx] = val;
				break;
			}
			n = n->kids[idx];
		} else if (n->kind == CFG_MAP) {
			struct cfg_node *child = cfg_get(n, part);

			if (!next) {
				map_replace(n, part, val);
				break;
			}
			if (!child) {
				child = cfg_new_map(where, 0, 0);
				cfg_map_add(n, part, child);
			}
			n = child;
		} else {
			rc = sim_err_set(err, -SIM_EINVAL, where, 0, 0,
					 "'%s' is inside a plain value", part);
			cfg_free(val);
			goto out;
		}
		part = next;
	}
out:
	cfg_free(val_root);
	free(where);
	free(path);
	return rc;
}

/* --- keys and suggestions ------------------------------------------- */

size_t cfg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row = xmalloc((lb + 1) * sizeof(*row));
	size_t d;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const char *cfg_suggest(const char *s, const char *const names[])
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(s) / 3 + 1;

	for (; *names; names++) {
		size_t d = cfg_edit_distance(s, *names);

		if (d < best_d) {
			best_d = d;
			best = *names;
		}
	}
	return best_d <= limit ? best : NULL;
}

int cfg_check_keys(const struct cfg_node *map, const char *what, const char *const allowed[],
		   struct sim_err *err)
{
	size_t i;

	for (i = 0; i < map->n; i++) {
		const char *const *a;
		const char *hint;
		const char *key = map->keys[i];
		const struct cfg_node *at = map->kids[i];
		bool ok = false;

		for (a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				ok = true;
		if (ok)
			continue;
		hint = cfg_suggest(key, allowed);
		if (hint)
			return sim_err_set(err, -SIM_EKEY, at->file, at->key_line, at->key_col,
					   "unknown key '%.64s' in %s; did you mean '%s'?", key,
					   what, hint);
		return sim_err_set(err, -SIM_EKEY, at->file, at->key_line, at->key_col,
				   "unknown key '%.64s' in %s", key, what);
	}
	return 0;
}

static const char *kind_name(enum cfg_kind k)
{
	switch (k) {
	case CFG_SCALAR:
		return "a plain value";
	case CFG_MAP:
		return "a mapping";
	case CFG_SEQ:
		return "a list";
	}
	return "?";
}

int cfg_expect(const struct cfg_node *n, enum cfg_kind kind, const char *what,
	       struct sim_err *err)
{
	if (n->kind == kind)
		return 0;
	return cfg_err(err, -SIM_ETYPE, n, "%s must be %s, not %s", what, kind_name(kind),
		       kind_name(n->kind));
}

/* --- typed readers --------------------------------------------------- */

/* Finds map[key], adding the default; *n is NULL only on error. */
static int lookup(struct cfg_node *map, const char *key, const char *def, struct cfg_node **n,
		  struct sim_err *err)
{
	*n = cfg_get(map, key);
	if (!*n) {
		if (!def)
			return cfg_err(err, -SIM_EMISSING, map, "missing required key '%s'", key);
		*n = cfg_put_scalar(map, key, def);
	}
	if ((*n)->kind != CFG_SCALAR)
		return cfg_err(err, -SIM_ETYPE, *n, "'%s' must be a plain value, not %s", key,
			       kind_name((*n)->kind));
	if (!(*n)->text[0] && !(*n)->quoted)
		return cfg_err(err, -SIM_EINVAL, *n, "'%s' has no value", key);
	return 0;
}

typedef int units_parse_i64_fn(const char *s, int64_t *v, char *why, size_t n);
typedef int units_parse_dbl_fn(const char *s, double *v, char *why, size_t n);

static int scalar_i64(struct cfg_node *n, units_parse_i64_fn *parse, int64_t *out,
		      struct sim_err *err)
{
	char why[256];
	int rc;

	if (n->kind != CFG_SCALAR)
		return cfg_err(err, -SIM_ETYPE, n, "expected a plain value, not %s",
			       kind_name(n->kind));
	rc = parse(n->text, out, why, sizeof(why));
	if (rc)
		return cfg_err(err, rc, n, "%s", why);
	n->norm = CFG_NORM_INT;
	n->as_int = *out;
	return 0;
}

static int scalar_dbl(struct cfg_node *n, units_parse_dbl_fn *parse, double *out,
		      struct sim_err *err)
{
	char why[256];
	int rc;

	if (n->kind != CFG_SCALAR)
		return cfg_err(err, -SIM_ETYPE, n, "expected a plain value, not %s",
			       kind_name(n->kind));
	rc = parse(n->text, out, why, sizeof(why));
	if (rc)
		return cfg_err(err, rc, n, "%s", why);
	n->norm = CFG_NORM_NUM;
	n->as_num = *out;
	return 0;
}

int cfg_node_size(struct cfg_node *n, int64_t *out, struct sim_err *err)
{
	int rc = scalar_i64(n, units_parse_size, out, err);

	if (!rc && *out > CFG_MAX_BYTES)
		return cfg_err(err, -SIM_ERANGE, n,
			       "'%s' is more than 64 PiB (2^56 bytes), the largest size memsim "
			       "accepts", n->text);
	return rc;
}

int cfg_node_duration(struct cfg_node *n, int64_t *ns, struct sim_err *err)
{
	int rc = scalar_i64(n, units_parse_duration, ns, err);

	if (!rc && *ns > CFG_MAX_NS)
		return cfg_err(err, -SIM_ERANGE, n,
			       "'%s' is more than 10 years (3650d), the longest duration memsim "
			       "accepts", n->text);

	/* Durations are written out in seconds. */
	if (!rc) {
		n->norm = CFG_NORM_NUM;
		n->as_num = (double)*ns / 1e9;
	}
	return rc;
}

int cfg_node_number(struct cfg_node *n, double *out, struct sim_err *err)
{
	return scalar_dbl(n, units_parse_number, out, err);
}

int cfg_node_fraction(struct cfg_node *n, double *out, struct sim_err *err)
{
	return scalar_dbl(n, units_parse_fraction, out, err);
}

int cfg_node_string(struct cfg_node *n, const char **out, struct sim_err *err)
{
	if (n->kind != CFG_SCALAR)
		return cfg_err(err, -SIM_ETYPE, n, "expected a name, not %s", kind_name(n->kind));
	if (!n->text[0])
		return cfg_err(err, -SIM_EINVAL, n, "expected a name, found an empty value");
	n->norm = CFG_NORM_STR;
	*out = n->text;
	return 0;
}

int cfg_read_size(struct cfg_node *map, const char *key, const char *def, int64_t *out,
		  struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	return rc ? rc : cfg_node_size(n, out, err);
}

int cfg_read_duration(struct cfg_node *map, const char *key, const char *def, int64_t *ns,
		      struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	return rc ? rc : cfg_node_duration(n, ns, err);
}

int cfg_check_size_range(const struct cfg_node *map, const char *key, int64_t v, int64_t lo,
			 int64_t hi, struct sim_err *err)
{
	char a[32], b[32], c[32];

	if (v >= lo && v <= hi)
		return 0;
	return cfg_err(err, -SIM_ERANGE, cfg_get(map, key) ? cfg_get(map, key) : map,
		       "'%s' must be between %s and %s, not %s", key,
		       units_format_size(lo, a, sizeof(a)), units_format_size(hi, b, sizeof(b)),
		       units_format_size(v, c, sizeof(c)));
}

int cfg_check_duration_range(const struct cfg_node *map, const char *key, int64_t v, int64_t lo,
			     int64_t hi, struct sim_err *err)
{
	char a[32], b[32], c[32];

	if (v >= lo && v <= hi)
		return 0;
	return cfg_err(err, -SIM_ERANGE, cfg_get(map, key) ? cfg_get(map, key) : map,
		       "'%s' must be between %s and %s, not %s", key,
		       units_format_duration(lo, a, sizeof(a)),
		       units_format_duration(hi, b, sizeof(b)),
		       units_format_duration(v, c, sizeof(c)));
}

int cfg_read_rate(struct cfg_node *map, const char *key, const char *def, double *per_s,
		  struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	return rc ? rc : scalar_dbl(n, units_parse_rate, per_s, err);
}

int cfg_read_bandwidth(struct cfg_node *map, const char *key, const char *def, double *bps,
		       struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	return rc ? rc : scalar_dbl(n, units_parse_bandwidth, bps, err);
}

static int in_range(const struct cfg_node *n, const char *key, double v, double lo, double hi,
		    bool percent, struct sim_err *err)
{
	if (v >= lo && v <= hi)
		return 0;
	if (percent)
		return cfg_err(err, -SIM_ERANGE, n, "'%s' must be between %g%% and %g%%, not %g%%",
			       key, lo * 100, hi * 100, v * 100);
	return cfg_err(err, -SIM_ERANGE, n, "'%s' must be between %g and %g, not %g", key, lo,
		       hi, v);
}

int cfg_read_fraction(struct cfg_node *map, const char *key, const char *def, double lo,
		      double hi, double *out, struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	if (!rc)
		rc = cfg_node_fraction(n, out, err);
	return rc ? rc : in_range(n, key, *out, lo, hi, true, err);
}

int cfg_read_number(struct cfg_node *map, const char *key, const char *def, double lo,
		    double hi, double *out, struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	if (!rc)
		rc = cfg_node_number(n, out, err);
	return rc ? rc : in_range(n, key, *out, lo, hi, false, err);
}

int cfg_read_int(struct cfg_node *map, const char *key, const char *def, int64_t lo, int64_t hi,
		 int64_t *out, struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	if (!rc)
		rc = scalar_i64(n, units_parse_int, out, err);
	if (rc)
		return rc;
	if (*out < lo || *out > hi)
		return cfg_err(err, -SIM_ERANGE, n, "'%s' must be between %lld and %lld, not %lld",
			       key, (long long)lo, (long long)hi, (long long)*out);
	return 0;
}

int cfg_read_bool(struct cfg_node *map, const char *key, const char *def, bool *out,
		  struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	if (rc)
		return rc;
	if (!strcmp(n->text, "true") || !strcmp(n->text, "yes") || !strcmp(n->text, "on"))
		*out = true;
	else if (!strcmp(n->text, "false") || !strcmp(n->text, "no") || !strcmp(n->text, "off"))
		*out = false;
	else
		return cfg_err(err, -SIM_ETYPE, n, "'%s' must be true or false, not '%s'", key,
			       n->text);
	n->norm = CFG_NORM_BOOL;
	n->as_int = *out;
	return 0;
}

int cfg_read_string(struct cfg_node *map, const char *key, const char *def, const char **out,
		    struct sim_err *err)
{
	struct cfg_node *n;
	int rc = lookup(map, key, def, &n, err);

	return rc ? rc : cfg_node_string(n, out, err);
}

int cfg_read_enum(struct cfg_node *map, const char *key, const char *def,
		  const char *const choices[], int *out, struct sim_err *err)
{
	struct cfg_node *n;
	const char *s, *hint;
	char list[256] = "";
	int i, rc = lookup(map, key, def, &n, err);

	if (rc || (rc = cfg_node_string(n, &s, err)))
		return rc;
	for (i = 0; choices[i]; i++) {
		if (strcmp(choices[i], s) == 0) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 choices[i]);
	}
	hint = cfg_suggest(s, choices);
	if (hint)
		return cfg_err(err, -SIM_EINVAL, n, "unknown %s '%s'; did you mean '%s'?", key, s,
			       hint);
	return cfg_err(err, -SIM_EINVAL, n, "unknown %s '%s' (choose one of: %s)", key, s, list);
}

void cfg_map_keep(struct cfg_node *map, const char *const *keep)
{
	size_t i, k = 0;

	for (i = 0; i < map->n; i++) {
		const char *const *p = keep;

		while (*p && strcmp(*p, map->keys[i]))
			p++;
		if (*p) {
			map->keys[k] = map->keys[i];
			map->kids[k++] = map->kids[i];
			continue;
		}
		free(map->keys[i]);
		cfg_free(map->kids[i]);
	}
	map->n = k;
}
