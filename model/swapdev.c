/*
 * swapdev.c - one queue, first come first served: a request issued at t
 * starts when the device is free, holds it for one page's transfer, and
 * completes after the access latency on top.  Reads and writes share the
 * queue, so a burst of evictions delays the next swap-in.
 */
#include "swapdev.h"

#include <math.h>

#include "err.h"

void swapdev_init(struct swapdev *d, uint64_t capacity_pages, int64_t read_latency_ns,
		  int64_t write_latency_ns, double bandwidth, int64_t page_bytes)
{
	*d = (struct swapdev){0};
	d->capacity_pages = capacity_pages;
	d->read_latency_ns = read_latency_ns;
	d->write_latency_ns = write_latency_ns;
	d->transfer_ns = (int64_t)llround((double)page_bytes / bandwidth * 1e9);
}

bool swapdev_is_full(const struct swapdev *d)
{
	return d->used_pages >= d->capacity_pages;
}

static int64_t queue(struct swapdev *d, sim_time t, int64_t access_ns)
{
	sim_time start = d->busy_until > t ? d->busy_until : t;

	d->busy_until = start + d->transfer_ns;
	return d->busy_until - t + access_ns;
}

int64_t swapdev_write(struct swapdev *d, sim_time t)
{
	if (swapdev_is_full(d))
		SIM_BUG("write to a full swap device");
	d->used_pages++;
	d->pages_out++;
	return queue(d, t, d->write_latency_ns);
}

int64_t swapdev_read(struct swapdev *d, sim_time t)
{
	if (d->used_pages == 0)
		SIM_BUG("read from an empty swap device");
	d->used_pages--;
	d->pages_in++;
	return queue(d, t, d->read_latency_ns);
}

void swapdev_discard(struct swapdev *d)
{
	if (d->used_pages == 0)
		SIM_BUG("discard on an empty swap device");
	d->used_pages--;
}
