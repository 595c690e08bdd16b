// SPDX-License-Identifier: MIT
/*
 * A software walk of the guest's own page tables (Sv39, Sv48, Sv57), to
 * learn which physical address a faulting guest access was aimed at.
 */
#include <stdbool.h>

#include "bulkhead/arch.h"
#include "arch/pagewalk.h"
#include "bulkhead/region.h"

#define PTE_V		(1UL << 0)
#define PTE_R		(1UL << 1)
#define PTE_W		(1UL << 2)
#define PTE_X		(1UL << 3)
#define PTE_PPN_SHIFT	10
#define PTE_PPN_MASK	((1UL << 44) - 1)
#define PAGE_SHIFT	12
#define VPN_BITS	9

#define SATP_MODE_SHIFT	60
#define SATP_PPN_MASK	((1UL << 44) - 1)

static int levels_of(uint64_t satp)
{
	switch (satp >> SATP_MODE_SHIFT) {
	case BH_SATP_MODE_SV39:
		return 3;
	case BH_SATP_MODE_SV48:
		return 4;
	case BH_SATP_MODE_SV57:
		return 5;
	default:
		return -1;
	}
}

/* Bits above the top VPN must all equal the top bit of the VPN. */
static bool canonical(uint64_t va, int levels)
{
	unsigned int bits = PAGE_SHIFT + VPN_BITS * levels;
	int64_t extended = (int64_t)(va << (64 - bits)) >> (64 - bits);

	return (uint64_t)extended == va;
}

static int read_pte(const struct bh_region *mem, uint64_t addr, uint64_t *pte)
{
	if (!bh_region_contains(mem, addr, sizeof(*pte)))
		return -1;
	*pte = *(volatile uint64_t *)bh_arch_phys(addr);
	return 0;
}

/* Where the walk ended: the leaf entry and its address. */
struct leaf {
	uint64_t addr;
	uint64_t pte;
};

static int walk(const struct bh_region *mem, uint64_t satp, uint64_t va,
		uint64_t *pa, struct leaf *leaf)
{
	int levels = levels_of(satp);
	uint64_t table = (satp & SATP_PPN_MASK) << PAGE_SHIFT;
	int level;

	if (levels < 0 || !canonical(va, levels))
		return -1;
	for (level = levels - 1; level >= 0; level--) {
		unsigned int shift = PAGE_SHIFT + VPN_BITS * level;
		uint64_t index = (va >> shift) & ((1UL << VPN_BITS) - 1);
		uint64_t pte, ppn;

		leaf->addr = table + index * 8;
		if (read_pte(mem, leaf->addr, &pte))
			return -1;
		if (!(pte & PTE_V) || ((pte & PTE_W) && !(pte & PTE_R)))
			return -1;
		ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
		if (!(pte & (PTE_R | PTE_X))) {
			table = ppn << PAGE_SHIFT;
			continue;
		}
		/* A superpage must be aligned to its size. */
		if ((ppn << PAGE_SHIFT) & ((1UL << shift) - 1))
			return -1;
		leaf->pte = pte;
		*pa = (ppn << PAGE_SHIFT) | (va & ((1UL << shift) - 1));
		return 0;
	}
	return -1;
}

static bool bare(uint64_t satp)
{
	return (satp >> SATP_MODE_SHIFT) == BH_SATP_MODE_BARE;
}

int bh_pagewalk(const struct bh_region *mem, uint64_t satp, uint64_t va,
		uint64_t *pa)
{
	struct leaf leaf;

	if (bare(satp)) {
		*pa = va;
		return 0;
	}
	return walk(mem, satp, va, pa, &leaf);
}

static bool cache_hit(const struct bh_guest_xlate *cache,
		      const struct bh_region *mem, uint64_t satp, uint64_t va)
{
	uint64_t pte;

	if (!cache->leaf_addr || cache->satp != satp ||
	    cache->va_page != va >> PAGE_SHIFT)
		return false;
	return !read_pte(mem, cache->leaf_addr, &pte) && pte == cache->leaf;
}

int bh_pagewalk_cached(struct bh_guest_xlate *cache,
		       const struct bh_region *mem, uint64_t satp, uint64_t va,
		       uint64_t *pa)
{
	struct leaf leaf;

	if (bare(satp)) {
		*pa = va;
		return 0;
	}
	if (cache_hit(cache, mem, satp, va)) {
		*pa = (cache->pa_page << PAGE_SHIFT) | (va & ((1UL << PAGE_SHIFT) - 1));
		return 0;
	}
	cache->leaf_addr = 0;
	if (walk(mem, satp, va, pa, &leaf))
		return -1;
	cache->satp = satp;
	cache->va_page = va >> PAGE_SHIFT;
	cache->pa_page = *pa >> PAGE_SHIFT;
	cache->leaf = leaf.pte;
	cache->leaf_addr = leaf.addr;
	return 0;
}
