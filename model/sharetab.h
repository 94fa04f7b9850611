/*
 * sharetab.h - a host's shared frames, found by content.  Each shared frame
 * has a content key (zero, or page k of image i) and a reference count of
 * the guest pages mapped to it; it is freed when the count reaches zero.
 * A record may cap its sharers per frame (KSM's max_page_sharing): its r
 * references then take ceil(r / cap) frames (the duplicates of one
 * content, packed as if their chain were always compacted).
 */
#ifndef SHARETAB_H
#define SHARETAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHARETAB_NONE UINT32_MAX

struct sharetab {
	struct share_frame {
		uint64_t key;
		uint32_t refs;          /* 0: the record is free */
		uint32_t cap;           /* most references per frame; 0: no cap */
		uint32_t next_free;
	} *frames;
	uint32_t n_frames;              /* records in use or on the free list */
	size_t cap_frames;
	uint32_t free_head;
	uint32_t *slots;                /* open addressing: frame index + 1, 0 empty */
	uint32_t n_slots;               /* a power of two */
	uint32_t n_used;                /* live shared frames, duplicates too */
};

void sharetab_init(struct sharetab *t);
void sharetab_release(struct sharetab *t);
/* The live frame holding key, or SHARETAB_NONE. */
uint32_t sharetab_find(const struct sharetab *t, uint64_t key);
/* A new frame for key with one reference and at most cap per frame (0: no
 * cap); key must not be present. */
uint32_t sharetab_add(struct sharetab *t, uint64_t key, uint32_t cap);
/* Adds a reference; true when it needs a frame of its own (a new duplicate). */
bool sharetab_ref(struct sharetab *t, uint32_t frame);
/* Drops a reference; returns the references left (0: record freed).  A
 * frame is freed when n_used drops. */
uint32_t sharetab_unref(struct sharetab *t, uint32_t frame);
/* Frames the record takes: 1, or ceil(refs / cap). */
uint32_t sharetab_frames(const struct sharetab *t, uint32_t frame);
uint32_t sharetab_refs(const struct sharetab *t, uint32_t frame);

#endif /* SHARETAB_H */
