// SPDX-License-Identifier: MIT
/* Range checks every guest-supplied address goes through (bulkhead/region.h). */
#include "bulkhead/capsule.h"
#include "bulkhead/region.h"

bool bh_capsule_owns(const struct bh_capsule *c, uint64_t base, uint64_t size)
{
	return bh_region_contains(&c->memory, base, size);
}
