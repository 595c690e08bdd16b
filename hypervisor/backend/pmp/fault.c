// SPDX-License-Identifier: MIT
/*
 * PMP backend: with no second translation stage, a capsule physical address
 * is a machine physical address, and a faulting virtual address is
 * translated through the guest's own page tables.
 */
#include "bulkhead/isolation.h"
#include "arch/pagewalk.h"

int bh_isolation_fault_address(const struct bh_capsule *c,
			       struct bh_guest_xlate *cache, uint64_t satp,
			       uint64_t tval, uint64_t *pa)
{
	if (!cache)
		return bh_pagewalk(&c->memory, satp, tval, pa);
	return bh_pagewalk_cached(cache, &c->memory, satp, tval, pa);
}

bool bh_isolation_fault_address_hit(const struct bh_capsule *c,
				    const struct bh_guest_xlate *cache,
				    uint64_t satp, uint64_t tval, uint64_t *pa)
{
	(void)c;	/* the entry was filled with its memory */
	return bh_pagewalk_hit(cache, satp, tval, pa);
}
