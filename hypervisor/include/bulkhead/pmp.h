/* SPDX-License-Identifier: MIT */
/* PMP backend internals shared by its CSR code and the unit tests. */
#ifndef BULKHEAD_PMP_H
#define BULKHEAD_PMP_H

#include <stddef.h>
#include <stdint.h>

#include "bulkhead/tables.h"

#if BH_PMP_ENTRIES > 64
#error "RISC-V has at most 64 PMP entries"
#endif

#define BH_PMP_LOCK	0x80
/* RV64: the even pmpcfg registers, eight entries each. */
#define BH_PMPCFG_REGS	((BH_PMP_ENTRIES + 7) / 8)

#define BH_PMP_OK	-1
#define BH_PMP_TOO_MANY	-2

/*
 * The pmpcfg values that enable exactly capsule c's entries for its vCPU
 * vcpu (those of its other vCPUs' own are OFF, as all past them).
 * Returns BH_PMP_OK, BH_PMP_TOO_MANY, or the index of an entry with the L
 * bit, which would bind M-mode too and can never be undone.
 */
int bh_pmp_pack(const struct bh_capsule *c, uint32_t vcpu,
		uint64_t cfg[BH_PMPCFG_REGS]);

/* What one PMP entry matches, as the hardware reads it. */
struct bh_pmp_range {
	uint64_t base;
	uint64_t size;		/* 0: the entry matches nothing */
	uint8_t perm;		/* R, W, X bits of pmpcfg */
};

/*
 * Decode entry i of entries (entry i - 1 is the bottom of a TOR range) the
 * way hardware with a PMP grain of `grain` bytes reads it: bits below the
 * grain of a TOR address read as zeros, those of a NAPOT address as ones.
 * Returns 0, or -1 for an entry hardware would not hold as written: NA4
 * with a grain above 4 bytes, the L bit, reserved bits, W without R, an
 * address wider than pmpaddr.
 */
int bh_pmp_decode(const struct bh_pmp_entry *entries, uint32_t i,
		  uint64_t grain, struct bh_pmp_range *r);

/*
 * Check capsule c's PMP entries as decoded with grain: every range they
 * match lies inside its memory, or inside one of its devices and is not
 * executable; one for a single vCPU, inside that vCPU's own PLIC context
 * page and not executable. Returns 0, or -1 with the reason in why.
 */
int bh_pmp_check(const struct bh_capsule *c, uint64_t grain, char *why,
		 size_t len);

#endif
