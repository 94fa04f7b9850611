/*
 * host.h - a physical host: memory, hypervisor overhead, and the VMs it
 * runs.  Capacity for VMs is memory - overhead.  Committed memory is the
 * sum of the configured memory of the VMs it runs, which may exceed the
 * capacity when the overcommit policy allows it.
 */
#ifndef HOST_H
#define HOST_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

struct vm;

struct host {
	char *name;                     /* "<group>-<i>" */
	const char *group;              /* borrowed from the scenario */
	size_t id;                      /* index in the cluster */
	int64_t memory_bytes;
	int64_t overhead_bytes;         /* taken by the hypervisor */
	int64_t committed_bytes;        /* sum of resident VMs' memory */
	int64_t committed_peak_bytes;
	uint64_t vms_hosted;            /* VMs ever placed here */
	struct vm **vms;                /* resident VMs, unordered */
	size_t n_vms, cap_vms;
	struct hmem mem;                /* frames, shared frames, swap */
};

void host_init(struct host *h, size_t id, const char *name, const char *group,
	       int64_t memory_bytes, int64_t overhead_bytes);
void host_release(struct host *h);
int64_t host_capacity_bytes(const struct host *h);
/* Capacity not promised to any VM, never below 0. */
int64_t host_unpromised_bytes(const struct host *h);
void host_add_vm(struct host *h, struct vm *vm);
void host_remove_vm(struct host *h, struct vm *vm);

#endif /* HOST_H */
