// SPDX-License-Identifier: MIT
/* Range checks every guest-supplied address goes through. */
#include "bulkhead/capsule.h"
#include "bulkhead/region.h"

bool bh_region_contains(const struct bh_region *r, uint64_t base,
			uint64_t size)
{
	uint64_t offset;

	if (base < r->base)
		return false;
	offset = base - r->base;
	if (offset > r->size)
		return false;
	/* Written as a subtraction so that base + size cannot wrap. */
	return size <= r->size - offset && (size == 0 || offset < r->size);
}

bool bh_capsule_owns(const struct bh_capsule *c, uint64_t base, uint64_t size)
{
	return bh_region_contains(&c->memory, base, size);
}
