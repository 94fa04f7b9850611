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
 */
#include "swapdev.h"

#include <math.h>

#include "err.h"

void swapdev_init(struct swapdev *d, uint64_t capacity_pages, int64_t read_latency_ns,
		  int64_t write_latency_ns, double bandwidth, int64_t page_bytes,
		  sim_time window_ns)
{
	*d = (struct swapdev){0};
	d->capacity_pages = capacity_pages;
	d->read_latency_ns = read_latency_ns;
	d->write_latency_ns = write_latency_ns;
	d->transfer_ns = (int64_t)llround((double)page_bytes / bandwidth * 1e9);
	d->window_ns = window_ns > 0 ? window_ns : 1000000000;
}

bool swapdev_is_full(const struct swapdev *d)
{
	return d->used_pages >= d->capacity_pages;
}

/* Closes the windows that ended by t and sets the wait for t's window. */
static void roll(struct swapdev *d, sim_time t)
{
	while (t >= d->window_start + d->window_ns) {
		/* Its own requests set the queueing; inherited work, the backlog. */
		int64_t work = d->backlog_ns + d->window_work_ns;
		double rho = (double)d->window_work_ns / (double)d->window_ns;
		double s = (double)d->transfer_ns, cap = (double)d->window_ns / 2.0, q = cap;

		if (rho < 1.0 && rho * s / (2.0 * (1.0 - rho)) < cap)
			q = rho * s / (2.0 * (1.0 - rho));
		d->backlog_ns = work > d->window_ns ? work - d->window_ns : 0;
		d->wait_ns = d->backlog_ns + (int64_t)q;
		d->window_work_ns = 0;
		d->window_start += d->window_ns;
		/* Idle windows: jump ahead, working the backlog off as we go. */
		if (!d->backlog_ns && t >= d->window_start + d->window_ns) {
			d->window_start += (t - d->window_start) / d->window_ns * d->window_ns;
			d->wait_ns = 0;
		}
	}
}

static int64_t request(struct swapdev *d, sim_time t, int64_t access_ns)
{
	roll(d, t);
	d->window_work_ns += d->transfer_ns;
	return d->wait_ns + d->transfer_ns + access_ns;
}

int64_t swapdev_write(struct swapdev *d, sim_time t)
{
	if (swapdev_is_full(d))
		SIM_BUG("write to a full swap device");
	d->used_pages++;
	d->pages_out++;
	return request(d, t, d->write_latency_ns);
}

int64_t swapdev_read(struct swapdev *d, sim_time t)
{
	if (d->used_pages == 0)
		SIM_BUG("read from an empty swap device");
	d->used_pages--;
	d->pages_in++;
	return request(d, t, d->read_latency_ns);
}

void swapdev_discard(struct swapdev *d)
{
	if (d->used_pages == 0)
		SIM_BUG("discard on an empty swap device");
	d->used_pages--;
}
