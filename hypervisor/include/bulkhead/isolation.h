/* SPDX-License-Identifier: MIT */
/*
 * The isolation backend boundary. Core code confines capsules only through
 * these calls; backend/pmp implements them with PMP, a later H-extension
 * backend with G-stage translation.
 */
#ifndef BULKHEAD_ISOLATION_H
#define BULKHEAD_ISOLATION_H

#include <stddef.h>
#include <stdint.h>

#include "bulkhead/arch.h"
#include "bulkhead/tables.h"

/*
 * Boot, hart 0, before any capsule runs: prove that the isolation state the
 * tables give capsule c, as the hardware will read it, reaches only c's
 * memory and devices. Returns 0, or -1 with the reason in why.
 */
int bh_isolation_check(const struct bh_capsule *c, char *why, size_t len);

/* Boot, on every hart: give S-mode nothing until a capsule is entered. */
void bh_isolation_hart_init(void);

/*
 * Before entering capsule c's vCPU vcpu on this hart: confine S-mode to
 * the capsule, and of its PLIC context pages to that vCPU's own.
 */
void bh_isolation_enter(const struct bh_capsule *c, uint32_t vcpu);

/*
 * A digest of this hart's isolation state as the hardware holds it now
 * (PMP: FNV-1a 64 over the little-endian bytes of every pmpcfg register,
 * then every pmpaddr register; docs/security.md). The log prints it when a
 * vCPU enters and leaves, so a test can compare it with the tables.
 */
uint64_t bh_isolation_digest(void);

/*
 * An access fault of capsule c at faulting address tval (as mtval reports
 * it, with the guest's satp): the capsule physical address the access was
 * aimed at, through cache (bulkhead/arch.h; NULL: none) where a translation
 * is needed.
 * Returns 0, or -1 when it cannot be told (the address does not translate
 * through page tables inside the capsule).
 */
int bh_isolation_fault_address(const struct bh_capsule *c,
			       struct bh_guest_xlate *cache, uint64_t satp,
			       uint64_t tval, uint64_t *pa);

/*
 * bh_isolation_fault_address when it needs no walk of the guest's tables
 * (no translation, or cache holds it): true and *pa. False: ask
 * bh_isolation_fault_address.
 */
bool bh_isolation_fault_address_hit(const struct bh_capsule *c,
				    const struct bh_guest_xlate *cache,
				    uint64_t satp, uint64_t tval, uint64_t *pa);

#endif
