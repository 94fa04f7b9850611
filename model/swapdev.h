/*
 * swapdev.h - a host's swap device: a capacity in pages and one FIFO queue
 * served at the device's bandwidth.  A request's latency is its wait for
 * the queue, its transfer time, and the device's fixed access latency.
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
	sim_time busy_until;            /* the queue drains at this time */
	uint64_t pages_in, pages_out;   /* totals, for I/O figures */
};

void swapdev_init(struct swapdev *d, uint64_t capacity_pages, int64_t read_latency_ns,
		  int64_t write_latency_ns, double bandwidth, int64_t page_bytes);
bool swapdev_is_full(const struct swapdev *d);
/* Takes a slot and queues a write issued at t; returns its latency. */
int64_t swapdev_write(struct swapdev *d, sim_time t);
/* Queues a read issued at t and frees its slot; returns its latency. */
int64_t swapdev_read(struct swapdev *d, sim_time t);
/* Frees a slot whose content is no longer needed (no I/O). */
void swapdev_discard(struct swapdev *d);

#endif /* SWAPDEV_H */
