/*
 * cfg.h - YAML documents as a tree of nodes that remember where they came
 * from, and typed readers that report errors at that place.
 *
 * Readers record the normalized value they read on the node (bytes,
 * seconds, fractions), and defaults are written into the tree as they are
 * read, so the tree after loading is the effective configuration.
 * Invariant: every node has file, line and col (line 0 for nodes that came
 * from a default or from --set).
 */
#ifndef CFG_H
#define CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * The largest size and duration any key accepts.  With them (and the
 * tighter ranges of particular keys, README "Input ranges") every sum and
 * product the model forms stays within 64 bits.
 */
#define CFG_MAX_BYTES (INT64_C(1) << 56)                /* 64 PiB */
#define CFG_MAX_NS INT64_C(315360000000000000)          /* 10 years of 365 days */

enum cfg_kind { CFG_SCALAR, CFG_MAP, CFG_SEQ };

/* How a scalar was read, for writing the effective config back out. */
enum cfg_norm {
	CFG_NORM_NONE,                  /* not read: written as YAML resolves it */
	CFG_NORM_INT,                   /* as_int */
	CFG_NORM_NUM,                   /* as_num */
	CFG_NORM_STR,                   /* the text */
	CFG_NORM_BOOL,                  /* as_int 0/1 */
};

struct cfg_node {
	enum cfg_kind kind;
	const char *file;               /* owned by the document's file list */
	unsigned line, col;             /* 1-based; 0 when synthesized */
	unsigned key_line, key_col;     /* where the key naming it stands */
	char *text;                     /* CFG_SCALAR: the scalar */
	bool quoted;                    /* scalar was quoted: a string */
	size_t n, cap;                  /* CFG_MAP / CFG_SEQ: children */
	char **keys;                    /* CFG_MAP: keys, parallel to kids */
	struct cfg_node **kids;
	enum cfg_norm norm;
	int64_t as_int;
	double as_num;
};

/* Parses a YAML file; *root is a mapping.  Returns 0 or -SIM_E*. */
int cfg_load_file(const char *path, struct cfg_node **root, struct sim_err *err);
/* Parses YAML text; name is used in messages. */
int cfg_load_string(const char *name, const char *text, struct cfg_node **root,
		    struct sim_err *err);
void cfg_free(struct cfg_node *n);
struct cfg_node *cfg_clone(const struct cfg_node *n);

/* n as one line of YAML flow text ({a: 1, b: [x, "y z"]}), which reads back
 * as an equal node; the caller frees it. */
char *cfg_flow_text(const struct cfg_node *n);
/* Applies "a.b.0.c=VALUE"; VALUE is YAML (a scalar, or [..] / {..}). */
int cfg_set_path(struct cfg_node *root, const char *assignment, struct sim_err *err);
/* The node at a dotted path, or NULL. */
struct cfg_node *cfg_at_path(struct cfg_node *root, const char *path);

/* Fills *err with the node's place.  Returns code. */
int cfg_err(struct sim_err *err, int code, const struct cfg_node *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Map access: the child for key, or NULL. */
struct cfg_node *cfg_get(const struct cfg_node *map, const char *key);
/* Adds (or replaces) key with a scalar child; returns it. */
struct cfg_node *cfg_put_scalar(struct cfg_node *map, const char *key, const char *text);
struct cfg_node *cfg_new_map(const char *file, unsigned line, unsigned col);
void cfg_map_add(struct cfg_node *map, const char *key, struct cfg_node *val);
/* Drops every key of map not in keep (NULL-terminated), freeing its value. */
void cfg_map_keep(struct cfg_node *map, const char *const *keep);

/* Fails on a key not in allowed (NULL-terminated), with a did-you-mean. */
int cfg_check_keys(const struct cfg_node *map, const char *what,
		   const char *const allowed[], struct sim_err *err);
int cfg_expect(const struct cfg_node *n, enum cfg_kind kind, const char *what,
	       struct sim_err *err);

/*
 * Typed readers of map[key].  def is the default as YAML text, or NULL when
 * the key is required; a missing key with a default is added to the map.
 * *out_node (when not NULL) gets the node, for later range errors.
 */
int cfg_read_size(struct cfg_node *map, const char *key, const char *def, int64_t *out,
		  struct sim_err *err);
int cfg_read_duration(struct cfg_node *map, const char *key, const char *def, int64_t *ns,
		      struct sim_err *err);
/* Fails unless lo <= v <= hi, where v is what map[key] was read as (a size,
 * or a duration), naming the range in units. */
int cfg_check_size_range(const struct cfg_node *map, const char *key, int64_t v, int64_t lo,
			 int64_t hi, struct sim_err *err);
int cfg_check_duration_range(const struct cfg_node *map, const char *key, int64_t v, int64_t lo,
			     int64_t hi, struct sim_err *err);
int cfg_read_rate(struct cfg_node *map, const char *key, const char *def, double *per_s,
		  struct sim_err *err);
int cfg_read_bandwidth(struct cfg_node *map, const char *key, const char *def, double *bps,
		       struct sim_err *err);
/* A fraction in [lo, hi] (75% or 0.75). */
int cfg_read_fraction(struct cfg_node *map, const char *key, const char *def, double lo,
		      double hi, double *out, struct sim_err *err);
/* A plain number in [lo, hi]. */
int cfg_read_number(struct cfg_node *map, const char *key, const char *def, double lo,
		    double hi, double *out, struct sim_err *err);
/* A whole number in [lo, hi]. */
int cfg_read_int(struct cfg_node *map, const char *key, const char *def, int64_t lo,
		 int64_t hi, int64_t *out, struct sim_err *err);
int cfg_read_bool(struct cfg_node *map, const char *key, const char *def, bool *out,
		  struct sim_err *err);
/* A string; *out borrows the node's text. */
int cfg_read_string(struct cfg_node *map, const char *key, const char *def, const char **out,
		    struct sim_err *err);
/* One of choices (NULL-terminated); *out is its index. */
int cfg_read_enum(struct cfg_node *map, const char *key, const char *def,
		  const char *const choices[], int *out, struct sim_err *err);

/* The same readers on a scalar node itself (for list items). */
int cfg_node_size(struct cfg_node *n, int64_t *out, struct sim_err *err);
int cfg_node_duration(struct cfg_node *n, int64_t *ns, struct sim_err *err);
int cfg_node_number(struct cfg_node *n, double *out, struct sim_err *err);
int cfg_node_fraction(struct cfg_node *n, double *out, struct sim_err *err);
int cfg_node_string(struct cfg_node *n, const char **out, struct sim_err *err);

/* Levenshtein distance, for did-you-mean suggestions. */
size_t cfg_edit_distance(const char *a, const char *b);
/* The closest of names (NULL-terminated) to s when close enough, else NULL. */
const char *cfg_suggest(const char *s, const char *const names[]);

#endif /* CFG_H */
