/*
 * host.c - host accounting.  Removal swaps the last VM into the hole, so
 * both add and remove are O(1); each VM remembers its slot.
 */
#include "host.h"

#include <stdlib.h>

#include "err.h"
#include "vm.h"
#include "xmem.h"

void host_init(struct host *h, size_t id, const char *name, const char *group,
	       int64_t memory_bytes, int64_t overhead_bytes)
{
	*h = (struct host){0};
	h->id = id;
	h->name = xstrdup(name);
	h->group = group;
	h->memory_bytes = memory_bytes;
	h->overhead_bytes = overhead_bytes;
}

void host_release(struct host *h)
{
	free(h->name);
	free(h->vms);
}

int64_t host_capacity_bytes(const struct host *h)
{
	return h->memory_bytes - h->overhead_bytes;
}

int64_t host_unpromised_bytes(const struct host *h)
{
	int64_t free_bytes = host_capacity_bytes(h) - h->committed_bytes;

	return free_bytes > 0 ? free_bytes : 0;
}

void host_add_vm(struct host *h, struct vm *vm)
{
	XGROW(h->vms, h->cap_vms, h->n_vms + 1);
	vm->host = h;
	vm->ran_on = h;
	vm->host_slot = h->n_vms;
	h->vms[h->n_vms++] = vm;
	h->committed_bytes += vm_memory_bytes(vm);
	if (h->committed_bytes > h->committed_peak_bytes)
		h->committed_peak_bytes = h->committed_bytes;
	h->vms_hosted++;
}

void host_remove_vm(struct host *h, struct vm *vm)
{
	size_t slot = vm->host_slot;

	if (vm->host != h || slot >= h->n_vms || h->vms[slot] != vm)
		SIM_BUG("VM %s is not on host %s", vm->spec->name, h->name);
	h->vms[slot] = h->vms[--h->n_vms];
	h->vms[slot]->host_slot = slot;
	h->committed_bytes -= vm_memory_bytes(vm);
	vm->host = NULL;
}
