/*
 * overcommit_none.c - no overcommit: the configured memory of a host's VMs
 * never exceeds its capacity (memory - overhead).
 */
#include "host.h"
#include "policy.h"

static int64_t none_headroom(const void *priv, const struct host *h)
{
	(void)priv;
	return host_capacity_bytes(h) - h->committed_bytes;
}

const struct overcommit_ops overcommit_none_ops = {
	.info = {.name = "none"},
	.headroom = none_headroom,
};
