/*
 * sharetab.c - records in an array with a free list, indexed by an
 * open-addressing hash of their keys (linear probing, backward-shift
 * deletion, load at most one half).
 */
#include "sharetab.h"

#include <stdlib.h>

#include "err.h"
#include "rng.h"
#include "xmem.h"

void sharetab_init(struct sharetab *t)
{
	*t = (struct sharetab){0};
	t->free_head = SHARETAB_NONE;
	t->n_slots = 64;
	t->slots = xcalloc(t->n_slots, sizeof(*t->slots));
}

void sharetab_release(struct sharetab *t)
{
	free(t->frames);
	free(t->slots);
	*t = (struct sharetab){0};
}

static uint32_t home(const struct sharetab *t, uint64_t key)
{
	return (uint32_t)rng_mix(key) & (t->n_slots - 1);
}

uint32_t sharetab_find(const struct sharetab *t, uint64_t key)
{
	uint32_t i = home(t, key);

	while (t->slots[i]) {
		uint32_t f = t->slots[i] - 1;

		if (t->frames[f].key == key)
			return f;
		i = (i + 1) & (t->n_slots - 1);
	}
	return SHARETAB_NONE;
}

static void insert_slot(struct sharetab *t, uint32_t f)
{
	uint32_t i = home(t, t->frames[f].key);

	while (t->slots[i])
		i = (i + 1) & (t->n_slots - 1);
	t->slots[i] = f + 1;
}

static void grow_slots(struct sharetab *t)
{
	uint32_t *old = t->slots, n = t->n_slots, i;

	t->n_slots *= 2;
	t->slots = xcalloc(t->n_slots, sizeof(*t->slots));
	for (i = 0; i < n; i++)
		if (old[i])
			insert_slot(t, old[i] - 1);
	free(old);
}

uint32_t sharetab_add(struct sharetab *t, uint64_t key, uint32_t cap)
{
	uint32_t f;

	if (sharetab_find(t, key) != SHARETAB_NONE)
		SIM_BUG("shared frame for key %llx exists", (unsigned long long)key);
	if ((t->n_used + 1) * 2 > t->n_slots)
		grow_slots(t);
	if (t->free_head != SHARETAB_NONE) {
		f = t->free_head;
		t->free_head = t->frames[f].next_free;
	} else {
		XGROW(t->frames, t->cap_frames, t->n_frames + 1);
		f = t->n_frames++;
	}
	t->frames[f].key = key;
	t->frames[f].refs = 1;
	t->frames[f].cap = cap;
	t->n_used++;
	insert_slot(t, f);
	return f;
}

bool sharetab_ref(struct sharetab *t, uint32_t frame)
{
	struct share_frame *s;

	if (frame >= t->n_frames || t->frames[frame].refs == 0)
		SIM_BUG("reference to a free shared frame %u", frame);
	s = &t->frames[frame];
	if (s->cap && s->refs++ % s->cap == 0) {
		t->n_used++;    /* every frame full: a new duplicate */
		return true;
	}
	if (!s->cap)
		s->refs++;
	return false;
}

uint32_t sharetab_frames(const struct sharetab *t, uint32_t frame)
{
	const struct share_frame *s;

	if (frame >= t->n_frames || !t->frames[frame].refs)
		return 0;
	s = &t->frames[frame];
	return s->cap ? (s->refs + s->cap - 1) / s->cap : 1;
}

static void remove_slot(struct sharetab *t, uint32_t f)
{
	uint32_t mask = t->n_slots - 1, i = home(t, t->frames[f].key), j;

	while (t->slots[i] != f + 1)
		i = (i + 1) & mask;
	t->slots[i] = 0;
	for (j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		uint32_t g = t->slots[j] - 1;

		t->slots[j] = 0;
		insert_slot(t, g);
	}
}

uint32_t sharetab_unref(struct sharetab *t, uint32_t frame)
{
	struct share_frame *s;

	if (frame >= t->n_frames || t->frames[frame].refs == 0)
		SIM_BUG("unreference of a free shared frame %u", frame);
	s = &t->frames[frame];
	if (--s->refs) {
		if (s->cap && s->refs % s->cap == 0)
			t->n_used--;    /* a duplicate empties */
		return s->refs;
	}
	remove_slot(t, frame);
	s->next_free = t->free_head;
	t->free_head = frame;
	t->n_used--;
	return 0;
}

uint32_t sharetab_refs(const struct sharetab *t, uint32_t frame)
{
	return frame < t->n_frames ? t->frames[frame].refs : 0;
}
