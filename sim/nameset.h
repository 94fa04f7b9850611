/*
 * nameset.h - a set of names, each with a number (its index in the caller's
 * list), for finding duplicates and looking names up in O(1) expected time.
 * Names are borrowed: they must outlive the set and not change.
 */
#ifndef NAMESET_H
#define NAMESET_H

#include <stdbool.h>
#include <stddef.h>

struct nameset {
	const char **name;              /* open addressing; NULL = free slot */
	size_t *val;                    /* parallel to name */
	size_t cap;                     /* 0, or a power of two */
	size_t n;                       /* names held, at most cap / 2 */
};

void nameset_init(struct nameset *s);
void nameset_release(struct nameset *s);
/* Whether name is in the set; *val (when not NULL) gets its number. */
bool nameset_find(const struct nameset *s, const char *name, size_t *val);
/* Adds name with number val; false (and no change) when it is there already. */
bool nameset_add(struct nameset *s, const char *name, size_t val);

#endif /* NAMESET_H */
