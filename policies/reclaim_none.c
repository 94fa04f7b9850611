/*
 * reclaim_none.c - no proactive reclamation.
 */
#include "policy.h"

const struct reclaim_ops reclaim_none_ops = {
	.info = {.name = "none"},
};
