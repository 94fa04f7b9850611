/*
 * swapdev.h - a storage device shared by all the VMs of a host: the host's
 * swap device, or the datastore that holds the VMs' virtual disks (where
 * the guests swap).  A request's latency is the device's access latency,
 * one page's transfer, and a queueing wait that depends on how busy the
 * device was in the previous window (see swapdev.c).  The cluster closes
 * a window at every tick (swapdev_roll), so which window a request counts
 * in never depends on how far into the tick its VM had stalled.
 */
#ifndef SWAPDEV_H
#define SWAPDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

#define SWAPDEV_UNBOUNDED UINT64_MAX    /* capacity of a device that is never full */

struct swapdev {
	uint64_t capacity_pages;
	uint64_t used_pages;
	int64_t read_latency_ns, write_latency_ns;
	int64_t transfer_ns;            /* one page at the bandwidth */
	int64_t work_ns;                /* the load a request adds: transfer_ns, or in a
					 * sampled run the 1/rate requests' it stands for */
	sim_time window_start;          /* the open window began here */
	int64_t window_work_ns;         /* transfer time asked for in this window */
	int64_t backlog_ns;             /* work left over from earlier windows */
	int64_t wait_ns;                /* queueing wait in this window */
	uint64_t pages_in, pages_out;   /* totals, for I/O figures */
	int64_t busy_ns;                /* total transfer time asked for */
	double wait_sum_ns;             /* total queueing wait of all requests */
};

void swapdev_init(struct swapdev *d, uint64_t capacity_pages, int64_t read_latency_ns,
		  int64_t write_latency_ns, double bandwidth, int64_t page_bytes);
/* Closes the window open since the last roll at t, and opens one at t. */
void swapdev_roll(struct swapdev *d, sim_time t);
bool swapdev_is_full(const struct swapdev *d);
/* Takes a slot and writes a page to it; returns the write's latency. */
int64_t swapdev_write(struct swapdev *d);
/* Reads a page, which frees its slot; returns the read's latency. */
int64_t swapdev_read(struct swapdev *d);
/* Frees a slot whose content is no longer needed (no I/O). */
void swapdev_discard(struct swapdev *d);
/* A page's read or write on a device whose contents are counted by its
 * users (the guests' swap on the datastore): no slot moves. */
int64_t swapdev_transfer(struct swapdev *d, bool write);

#endif /* SWAPDEV_H */
