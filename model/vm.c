/*
 * vm.c - VM life cycle helpers.
 */
#include "vm.h"

#include <math.h>

#include "rng.h"

void vm_init(struct vm *vm, const struct vm_spec *spec, size_t id)
{
	*vm = (struct vm){0};
	vm->spec = spec;
	vm->id = id;
	vm->state = VM_PENDING;
	vm->placed_ns = -1;
	vm->departed_ns = -1;
}

int64_t vm_memory_bytes(const struct vm *vm)
{
	return vm->spec->memory_bytes;
}

sim_time vm_lifetime_ns(const struct vm *vm)
{
	if (vm->spec->depart_ns == SPEC_NEVER)
		return SIM_NEVER;
	return vm->spec->depart_ns - vm->spec->arrive_ns;
}

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_PENDING:
		return "pending";
	case VM_QUEUED:
		return "queued";
	case VM_RUNNING:
		return "running";
	case VM_DEPARTED:
		return "departed";
	case VM_REJECTED:
		return "rejected";
	case VM_OOM:
		return "oom";
	}
	return "?";
}

uint64_t vm_working_set_pages(const struct vm *vm)
{
	return vm->mem.wss.pages;
}

uint64_t vm_entity(const struct vm *vm)
{
	return rng_entity(vm->spec->name);
}

sim_time vm_placed_ns(const struct vm *vm)
{
	return vm->placed_ns;
}

/* bytes of the VM's memory_bytes (its maximum) in its pages, rounded down. */
static uint64_t share_of_pages(const struct vm *vm, int64_t bytes)
{
	double max = (double)vm->spec->memory_bytes;

	if (bytes >= vm->spec->memory_bytes || max <= 0)
		return vm_pages(vm);
	return (uint64_t)floor((double)vm_pages(vm) * ((double)bytes / max));
}

uint64_t vm_startup_pages(const struct vm *vm)
{
	return vm_is_dynamic(vm) ? share_of_pages(vm, vm->spec->dynamic.startup_bytes)
				 : vm_pages(vm);
}

uint64_t vm_minimum_pages(const struct vm *vm)
{
	return vm_is_dynamic(vm) ? share_of_pages(vm, vm->spec->dynamic.minimum_bytes)
				 : vm_pages(vm);
}
