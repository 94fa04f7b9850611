/*
 * migrate_none.c - no live migration.
 */
#include "policy.h"

const struct migration_ops migration_none_ops = {
	.info = {.name = "none"},
};
