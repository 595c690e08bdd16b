// SPDX-License-Identifier: MIT
/*
 * PMP backend: the boot-time proof that a capsule's PMP entries, read as the
 * hardware reads them (grain applied), grant nothing but its memory and its
 * devices, and that an entry for one vCPU only grants the page of that
 * vCPU's own PLIC context. The generator computed them; the most
 * security-critical table is still not trusted unchecked.
 */
#include <stdbool.h>

#include "bulkhead/isolation.h"
#include "bulkhead/lib.h"
#include "bulkhead/log.h"
#include "bulkhead/plic.h"
#include "bulkhead/pmp.h"
#include "bulkhead/region.h"

#define PMP_R		0x01
#define PMP_W		0x02
#define PMP_X		0x04
#define PMP_A		0x18
#define PMP_A_OFF	0x00
#define PMP_A_TOR	0x08
#define PMP_A_NA4	0x10
#define PMP_A_NAPOT	0x18
#define PMP_RESERVED	0x60
/* RV64: pmpaddr holds bits 55:2 of a physical address. */
#define PMPADDR_BITS	54

_Static_assert(BH_PMP_GRAIN >= 4 && (BH_PMP_GRAIN & (BH_PMP_GRAIN - 1)) == 0,
	       "the PMP grain is a power of two of at least 4 bytes");

static bool valid_addr(uint64_t addr)
{
	return !(addr >> PMPADDR_BITS);
}

static void decode_tor(const struct bh_pmp_entry *entries, uint32_t i,
		       uint64_t units, struct bh_pmp_range *r)
{
	uint64_t low = i ? entries[i - 1].addr & ~(units - 1) : 0;
	uint64_t high = entries[i].addr & ~(units - 1);

	if (low < high) {
		r->base = low << 2;
		r->size = (high - low) << 2;
	}
}

static void decode_napot(uint64_t addr, uint64_t units,
			 struct bh_pmp_range *r)
{
	/* With a grain of 2^(G+2) bytes, bits G-2..0 read as ones. */
	uint64_t ones = units >= 2 ? (units >> 1) - 1 : 0;
	uint64_t a = addr | ones;
	uint32_t t = bh_lowest_bit(~a);	/* trailing ones: the size */

	if (t >= PMPADDR_BITS) {	/* the whole physical address space */
		r->base = 0;
		r->size = 1ULL << (PMPADDR_BITS + 2);
		return;
	}
	r->base = (a & ~((1ULL << t) - 1)) << 2;
	r->size = 8ULL << t;
}

int bh_pmp_decode(const struct bh_pmp_entry *entries, uint32_t i,
		  uint64_t grain, struct bh_pmp_range *r)
{
	const struct bh_pmp_entry *e = &entries[i];
	uint64_t units = grain >> 2;	/* the grain in pmpaddr units */

	r->base = 0;
	r->size = 0;
	r->perm = e->cfg & (PMP_R | PMP_W | PMP_X);
	if (e->cfg & (BH_PMP_LOCK | PMP_RESERVED))
		return -1;
	if ((e->cfg & PMP_W) && !(e->cfg & PMP_R))
		return -1;
	if (!valid_addr(e->addr) || (i && !valid_addr(entries[i - 1].addr)))
		return -1;
	switch (e->cfg & PMP_A) {
	case PMP_A_OFF:
		return 0;
	case PMP_A_TOR:
		decode_tor(entries, i, units, r);
		return 0;
	case PMP_A_NA4:
		if (grain != 4)
			return -1;	/* not selectable: hardware holds something else */
		r->base = e->addr << 2;
		r->size = 4;
		return 0;
	default:
		decode_napot(e->addr, units, r);
		return 0;
	}
}

static bool inside_a_device(const struct bh_capsule *c,
			    const struct bh_pmp_range *r)
{
	uint32_t d;

	for (d = 0; d < c->device_count; d++) {
		if (bh_region_contains(&c->devices[d], r->base, r->size))
			return true;
	}
	return false;
}

/*
 * Range r lies inside the threshold/claim page of vCPU v's PLIC context
 * rounded out to the grain: the one context page its hart may reach.
 */
static bool inside_own_context(const struct bh_capsule *c, uint32_t v,
			       const struct bh_pmp_range *r, uint64_t grain)
{
	uint64_t start, end;
	struct bh_region page;
	uint32_t n;

	if (v >= c->vcpu_count || v >= BH_MAX_VCPUS || !bh_board.plic.size)
		return false;
	n = c->plic_contexts[v];
	if (n >= BH_PLIC_CONTEXTS)
		return false;
	start = bh_board.plic.base + bh_plic_context(n, 0);
	end = start + BH_PLIC_CONTEXT_STRIDE;
	page.base = start & ~(grain - 1);
	page.size = ((end + grain - 1) & ~(grain - 1)) - page.base;
	return bh_region_contains(&page, r->base, r->size);
}

static int fail(char *why, size_t len, const struct bh_capsule *c, uint32_t i,
		const struct bh_pmp_range *r, const char *what)
{
	bh_snprintf(why, len, "capsule %s PMP entry %u [%#lx, %#lx) %s",
		    c->name, i, (unsigned long)r->base,
		    (unsigned long)(r->base + r->size), what);
	return -1;
}

int bh_pmp_check(const struct bh_capsule *c, uint64_t grain, char *why,
		 size_t len)
{
	struct bh_pmp_range r;
	uint32_t i;

	for (i = 0; i < c->pmp_count; i++) {
		if (bh_pmp_decode(c->pmp, i, grain, &r)) {
			bh_snprintf(why, len,
				    "capsule %s PMP entry %u (addr %#lx, cfg %#x) cannot be held with a %#lx-byte grain",
				    c->name, i, (unsigned long)c->pmp[i].addr,
				    c->pmp[i].cfg, (unsigned long)grain);
			return -1;
		}
		if (c->pmp[i].only_vcpu) {
			if (r.size && (!inside_own_context(c, c->pmp[i].only_vcpu - 1u,
							   &r, grain) ||
				       (r.perm & PMP_X)))
				return fail(why, len, c, i, &r,
					    "is one vCPU's but not its own PLIC context page");
			continue;
		}
		if (!r.size || bh_region_contains(&c->memory, r.base, r.size))
			continue;
		if (!inside_a_device(c, &r))
			return fail(why, len, c, i, &r,
				    "reaches beyond its memory and devices");
		if (r.perm & PMP_X)
			return fail(why, len, c, i, &r,
				    "makes a device executable");
	}
	return 0;
}

int bh_isolation_check(const struct bh_capsule *c, char *why, size_t len)
{
	return bh_pmp_check(c, BH_PMP_GRAIN, why, len);
}
