/* SPDX-License-Identifier: MIT */
/* Overflow-safe checks on half-open physical ranges. */
#ifndef BULKHEAD_REGION_H
#define BULKHEAD_REGION_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/tables.h"

/*
 * True when [base, base + size) lies inside region r. A range that wraps
 * around the address space is never inside. An empty range is inside when
 * base is inside r or at its end. Inline: every emulated access checks
 * several ranges.
 */
static inline bool bh_region_contains(const struct bh_region *r, uint64_t base,
				      uint64_t size)
{
	/* Below r->base wraps to more than r->size: no region wraps. */
	uint64_t offset = base - r->base;

	if (offset > r->size)
		return false;
	/* Written as a subtraction so that base + size cannot wrap. */
	return size <= r->size - offset && (size == 0 || offset < r->size);
}

#endif
