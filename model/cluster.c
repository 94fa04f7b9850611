/*
 * cluster.c - admission, placement, queueing and departures.
 *
 * Event handlers receive a struct vm * and find the cluster through
 * vm->cluster, which keeps an event's argument at one word.
 */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xmem.h"

static void account(struct cluster *c, int64_t delta)
{
	sim_time now = sim_now(c->sim);

	c->stats.committed_byte_ns +=
		(double)c->stats.committed_bytes * (double)(now - c->stats.last_change_ns);
	c->stats.last_change_ns = now;
	c->stats.committed_bytes += delta;
	if (c->stats.committed_bytes > c->stats.committed_peak_bytes)
		c->stats.committed_peak_bytes = c->stats.committed_bytes;
}

void cluster_settle(struct cluster *c)
{
	account(c, 0);
}

static void on_depart(struct sim *s, void *arg);
static void on_timeout(struct sim *s, void *arg);

/* Places vm if some host will take it; true if placed. */
static bool try_place(struct cluster *c, struct vm *vm)
{
	long i;
	size_t k;
	sim_time life;

	for (k = 0; k < c->n_hosts; k++)
		c->headroom[k] = c->p.overcommit->headroom(c->p.overcommit_priv, &c->hosts[k]);
	i = c->p.placement->choose(c->p.placement_priv, c->host_ptrs, c->headroom, c->n_hosts,
				   vm);
	if (i < 0)
		return false;
	if ((size_t)i >= c->n_hosts || c->headroom[i] < vm_memory_bytes(vm))
		SIM_BUG("placement '%s' chose host %ld, which cannot take VM %s",
			c->p.placement->info.name, i, vm->spec->name);
	host_add_vm(&c->hosts[i], vm);
	vm->state = VM_RUNNING;
	vm->placed_ns = sim_now(c->sim);
	c->stats.placed++;
	account(c, vm_memory_bytes(vm));
	if (vm->timeout_event) {
		sim_cancel(c->sim, vm->timeout_event);
		vm->timeout_event = 0;
	}
	life = vm_lifetime_ns(vm);
	if (life != SIM_NEVER && life <= SIM_NEVER - vm->placed_ns)
		sim_at(c->sim, vm->placed_ns + life, on_depart, vm);
	return true;
}

static void queue_remove(struct cluster *c, struct vm *vm)
{
	size_t i;

	for (i = 0; i < c->n_queue; i++)
		if (c->queue[i] == vm) {
			memmove(&c->queue[i], &c->queue[i + 1],
				(c->n_queue - i - 1) * sizeof(*c->queue));
			c->n_queue--;
			return;
		}
	SIM_BUG("VM %s is not queued", vm->spec->name);
}

/* Retries the queue in arrival order.  Note that's O(queue x hosts). */
static void retry_queue(struct cluster *c)
{
	size_t i = 0, kept = 0;

	for (i = 0; i < c->n_queue; i++) {
		struct vm *vm = c->queue[i];

		if (!try_place(c, vm))
			c->queue[kept++] = vm;
	}
	c->n_queue = kept;
}

static void on_arrive(struct sim *s, void *arg)
{
	struct vm *vm = arg;
	struct cluster *c = vm->cluster;

	vm->arrived_ns = sim_now(s);
	c->stats.arrived++;
	if (try_place(c, vm))
		return;
	if (!c->p.queue_on_full) {
		vm->state = VM_REJECTED;
		c->stats.rejected++;
		return;
	}
	vm->state = VM_QUEUED;
	c->stats.queued++;
	XGROW(c->queue, c->cap_queue, c->n_queue + 1);
	c->queue[c->n_queue++] = vm;
	if (c->p.max_wait_ns != SIM_NEVER)
		vm->timeout_event = sim_after(s, c->p.max_wait_ns, on_timeout, vm);
}

static void on_timeout(struct sim *s, void *arg)
{
	struct vm *vm = arg;
	struct cluster *c = vm->cluster;

	(void)s;
	vm->timeout_event = 0;
	if (vm->state != VM_QUEUED)
		SIM_BUG("timeout for VM %s, which is %s", vm->spec->name, vm_state_name(vm->state));
	queue_remove(c, vm);
	vm->state = VM_REJECTED;
	c->stats.rejected++;
	c->stats.timed_out++;
}

static void on_depart(struct sim *s, void *arg)
{
	struct vm *vm = arg;
	struct cluster *c = vm->cluster;

	host_remove_vm(vm->host, vm);
	vm->state = VM_DEPARTED;
	vm->departed_ns = sim_now(s);
	account(c, -vm_memory_bytes(vm));
	if (c->n_queue)
		retry_queue(c);
}

struct cluster *cluster_new(struct sim *s, const struct cluster_params *p)
{
	struct cluster *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->sim = s;
	c->p = *p;
	c->vms = xcalloc(p->n_vms ? p->n_vms : 1, sizeof(*c->vms));
	c->n_vms = p->n_vms;
	for (i = 0; i < p->n_vms; i++) {
		vm_init(&c->vms[i], &p->vms[i], i);
		c->vms[i].cluster = c;
	}
	c->n_hosts = p->n_hosts;
	c->hosts = xcalloc(p->n_hosts ? p->n_hosts : 1, sizeof(*c->hosts));
	c->host_ptrs = xcalloc(p->n_hosts ? p->n_hosts : 1, sizeof(*c->host_ptrs));
	c->headroom = xcalloc(p->n_hosts ? p->n_hosts : 1, sizeof(*c->headroom));
	for (i = 0; i < p->n_hosts; i++) {
		const struct host_params *hp = &p->hosts[i];

		host_init(&c->hosts[i], i, hp->name, hp->group, hp->memory_bytes,
			  hp->overhead_bytes);
		c->host_ptrs[i] = &c->hosts[i];
	}
	c->stats.last_change_ns = sim_now(s);
	return c;
}

void cluster_free(struct cluster *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n_hosts; i++)
		host_release(&c->hosts[i]);
	free(c->hosts);
	free(c->host_ptrs);
	free(c->headroom);
	free(c->queue);
	free(c->vms);
	free(c);
}

void cluster_start(struct cluster *c)
{
	size_t i;

	for (i = 0; i < c->n_vms; i++)
		sim_at(c->sim, c->vms[i].spec->arrive_ns, on_arrive, &c->vms[i]);
}

int64_t cluster_host_bytes(const struct cluster *c)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		sum += c->hosts[i].memory_bytes;
	return sum;
}

int64_t cluster_unpromised_bytes(const struct cluster *c)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		sum += host_unpromised_bytes(&c->hosts[i]);
	return sum;
}

size_t cluster_hosts_used(const struct cluster *c)
{
	size_t n = 0, i;

	for (i = 0; i < c->n_hosts; i++)
		n += c->hosts[i].vms_hosted > 0;
	return n;
}
