/*
 * balloon_none.c - no balloon: VMs keep the memory they touch.
 */
#include "policy.h"

const struct balloon_ops balloon_none_ops = {
	.info = {.name = "none"},
};
