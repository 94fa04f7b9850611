/*
 * share_none.c - no page sharing.
 */
#include "policy.h"

const struct sharing_ops sharing_none_ops = {
	.info = {.name = "none"},
};
