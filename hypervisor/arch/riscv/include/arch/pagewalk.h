/* SPDX-License-Identifier: MIT */
/* Translating a guest virtual address through the guest's page tables. */
#ifndef ARCH_PAGEWALK_H
#define ARCH_PAGEWALK_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/arch.h"
#include "bulkhead/region.h"
#include "bulkhead/tables.h"

#define BH_SATP_MODE_SHIFT	60
#define BH_PAGE_SHIFT		12
#define BH_SATP_MODE_BARE	0
#define BH_SATP_MODE_SV39	8
#define BH_SATP_MODE_SV48	9
#define BH_SATP_MODE_SV57	10

/*
 * Walk the Sv39/Sv48/Sv57 tables rooted at satp for va. Every page-table
 * entry read must lie inside mem (the capsule's memory); the hypervisor
 * reads nothing else. Returns 0 and the physical address in *pa, or -1 when
 * the address does not translate (invalid or non-canonical address, invalid
 * or reserved entry, misaligned superpage, table outside mem).
 */
int bh_pagewalk(const struct bh_region *mem, uint64_t satp, uint64_t va,
		uint64_t *pa);

/* bh_pagewalk_cached's miss: walk, and refill cache from the walk. */
int bh_pagewalk_fill(struct bh_guest_xlate *cache, const struct bh_region *mem,
		     uint64_t satp, uint64_t va, uint64_t *pa);

/*
 * bh_pagewalk without a walk: true and *pa when va translates with no
 * paging, or through cache (struct bh_guest_xlate, bulkhead/arch.h, filled
 * by bh_pagewalk_fill) at the cost of one read of the leaf entry. False: a
 * walk is needed.
 */
static inline bool bh_pagewalk_hit(const struct bh_guest_xlate *cache,
				   uint64_t satp, uint64_t va, uint64_t *pa)
{
	if ((satp >> BH_SATP_MODE_SHIFT) == BH_SATP_MODE_BARE) {
		*pa = va;
		return true;
	}
	/*
	 * The walk that filled the entry found its leaf inside the memory it
	 * was given: a vCPU's entries are filled with its capsule's memory
	 * only, and that never changes.
	 */
	if (!cache->leaf_addr || cache->satp != satp ||
	    cache->va_page != va >> BH_PAGE_SHIFT ||
	    *(volatile const uint64_t *)bh_arch_phys(cache->leaf_addr) !=
	    cache->leaf)
		return false;
	*pa = (cache->pa_page << BH_PAGE_SHIFT) |
	      (va & ((1UL << BH_PAGE_SHIFT) - 1));
	return true;
}

/* bh_pagewalk through cache: a hit, or a walk that refills it. */
static inline int bh_pagewalk_cached(struct bh_guest_xlate *cache,
				     const struct bh_region *mem,
				     uint64_t satp, uint64_t va, uint64_t *pa)
{
	if (bh_pagewalk_hit(cache, satp, va, pa))
		return 0;
	return bh_pagewalk_fill(cache, mem, satp, va, pa);
}

#endif
