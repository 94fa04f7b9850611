/*
 * nameset.c - open addressing with linear probing over FNV-1a hashes,
 * kept at most half full, so a lookup probes a few slots on average.
 */
#include "nameset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;     /* FNV-1a, 64-bit */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001B3ULL;
	}
	return h;
}

/* The slot holding name, or the free slot where it would go. */
static size_t slot_of(const struct nameset *s, const char *name)
{
	size_t i = (size_t)hash(name) & (s->cap - 1);

	while (s->name[i] && strcmp(s->name[i], name) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void grow(struct nameset *s)
{
	struct nameset old = *s;
	size_t i;

	s->cap = old.cap ? 2 * old.cap : 16;
	s->name = xcalloc(s->cap, sizeof(*s->name));
	s->val = xcalloc(s->cap, sizeof(*s->val));
	for (i = 0; i < old.cap; i++)
		if (old.name[i]) {
			size_t k = slot_of(s, old.name[i]);

			s->name[k] = old.name[i];
			s->val[k] = old.val[i];
		}
	free(old.name);
	free(old.val);
}

void nameset_init(struct nameset *s)
{
	memset(s, 0, sizeof(*s));
}

void nameset_release(struct nameset *s)
{
	free(s->name);
	free(s->val);
	memset(s, 0, sizeof(*s));
}

bool nameset_find(const struct nameset *s, const char *name, size_t *val)
{
	size_t k;

	if (!s->cap)
		return false;
	k = slot_of(s, name);
	if (!s->name[k])
		return false;
	if (val)
		*val = s->val[k];
	return true;
}

bool nameset_add(struct nameset *s, const char *name, size_t val)
{
	size_t k;

	if (2 * (s->n + 1) > s->cap)
		grow(s);
	k = slot_of(s, name);
	if (s->name[k])
		return false;
	s->name[k] = name;
	s->val[k] = val;
	s->n++;
	return true;
}
