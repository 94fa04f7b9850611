/*
 * swapdev.h - a host's swap device: a capacity in pages and a bandwidth
 * shared by all its VMs.  A request's latency is the device's access
 * latency, one page's transfer, and a queueing wait that depends on how
 * busy the device is (see swapdev.c).
 */
#ifndef SWAPDEV_H
#define SWAPDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

struct swapdev {
	uint64_t capacity_pages;
	uint64_t used_pages;
	int64_t read_latency_ns, write_latency_ns;
	int64_t transfer_ns;            /* one page at the bandwidth */
	sim_time window_ns;             /* load is measured per window (a tick) */
	sim_time window_start;
	int64_t window_work_ns;         /* transfer time asked for in this window */
	int64_t backlog_ns;             /* work left over from earlier windows */
	int64_t wait_ns;                /* queueing wait in this window */
	uint64_t pages_in, pages_out;   /* totals, for I/O figures */
};

void swapdev_init(struct swapdev *d, uint64_t capacity_pages, int64_t read_latency_ns,
		  int64_t write_latency_ns, double bandwidth, int64_t page_bytes,
		  sim_time window_ns);
bool swapdev_is_full(const struct swapdev *d);
/* Takes a slot for a write issued at t; returns its latency. */
int64_t swapdev_write(struct swapdev *d, sim_time t);
/* A read issued at t, which frees its slot; returns its latency. */
int64_t swapdev_read(struct swapdev *d, sim_time t);
/* Frees a slot whose content is no longer needed (no I/O). */
void swapdev_discard(struct swapdev *d);

#endif /* SWAPDEV_H */
