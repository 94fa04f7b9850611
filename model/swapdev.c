/*
 * swapdev.c - the device's queue as a fluid over windows of one tick.
 *
 * VMs are simulated one after another within a tick, so their requests do
 * not arrive in time order, and a strict FIFO would make the last VM wait
 * behind requests that really came after its own.  Instead every request
 * in a window sees the same wait, set from the window before: with
 * utilization rho < 1 the M/D/1 mean wait, rho*s / (2(1 - rho)) for a
 * transfer time s, which a queue cannot reach within one window as rho
 * nears 1, so it is capped at half a window; and when more work was asked
 * for than a window can serve, the excess carries over as a backlog that
 * every later request waits behind (on top of the cap) until the device
 * works it off.  The wait never falls as the load rises.
 *
 * Windows are closed by the caller, once per tick, and never by a
 * request's own time: a VM that stalls past the tick's end must not close
 * the window for the VMs simulated after it, which would count a tick's
 * requests in two windows and make the next read rho > 1.
 *
 * The device is busy only while it transfers: s is the page's bytes at
 * the bandwidth.  The access latency is the time a request spends in
 * flight, overlapped with the others' (an SSD serves many at once), so a
 * device delivers its bandwidth whatever the page size.
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
	/* No bandwidth (a model without I/O, in tests): transfers take no time. */
	d->transfer_ns = bandwidth > 0 ? (int64_t)llround((double)page_bytes / bandwidth * 1e9) : 0;
	d->work_ns = d->transfer_ns;
}

bool swapdev_is_full(const struct swapdev *d)
{
	return d->used_pages >= d->capacity_pages;
}

void swapdev_roll(struct swapdev *d, sim_time t)
{
	int64_t len = t - d->window_start;
	/* Its own requests set the queueing; inherited work, the backlog. */
	int64_t work = d->backlog_ns + d->window_work_ns;
	double rho, s = (double)d->transfer_ns, cap, q;

	if (len <= 0)
		return;
	rho = (double)d->window_work_ns / (double)len;
	cap = q = (double)len / 2.0;
	if (rho < 1.0 && rho * s / (2.0 * (1.0 - rho)) < cap)
		q = rho * s / (2.0 * (1.0 - rho));
	d->backlog_ns = work > len ? work - len : 0;
	d->wait_ns = d->backlog_ns + (int64_t)q;
	d->window_work_ns = 0;
	d->window_start = t;
}

static int64_t request(struct swapdev *d, int64_t access_ns)
{
	d->window_work_ns += d->work_ns;
	d->busy_ns += d->work_ns;
	d->wait_sum_ns += (double)d->wait_ns;
	return d->wait_ns + d->transfer_ns + access_ns;
}

int64_t swapdev_write(struct swapdev *d)
{
	if (swapdev_is_full(d))
		SIM_BUG("write to a full swap device");
	d->used_pages++;
	return swapdev_transfer(d, true);
}

int64_t swapdev_read(struct swapdev *d)
{
	if (d->used_pages == 0)
		SIM_BUG("read from an empty swap device");
	d->used_pages--;
	return swapdev_transfer(d, false);
}

void swapdev_discard(struct swapdev *d)
{
	if (d->used_pages == 0)
		SIM_BUG("discard on an empty swap device");
	d->used_pages--;
}

int64_t swapdev_transfer(struct swapdev *d, bool write)
{
	if (write) {
		d->pages_out++;
		return request(d, d->write_latency_ns);
	}
	d->pages_in++;
	return request(d, d->read_latency_ns);
}
