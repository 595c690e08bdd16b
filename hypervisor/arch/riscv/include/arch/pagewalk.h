/* SPDX-License-Identifier: MIT */
/* Translating a guest virtual address through the guest's page tables. */
#ifndef ARCH_PAGEWALK_H
#define ARCH_PAGEWALK_H

#include <stdint.h>

#include "bulkhead/arch.h"
#include "bulkhead/tables.h"

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

/*
 * bh_pagewalk through cache (struct bh_guest_xlate, bulkhead/arch.h): a
 * hit costs one read of the leaf entry; a miss walks and refills it.
 */
int bh_pagewalk_cached(struct bh_guest_xlate *cache,
		       const struct bh_region *mem, uint64_t satp, uint64_t va,
		       uint64_t *pa);

#endif
