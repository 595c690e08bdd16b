/* SPDX-License-Identifier: MIT */
/*
 * The PLIC as capsules see it (docs/design.md, "Interrupts"). A capsule
 * reaches its own contexts' threshold/claim pages directly (the isolation
 * backend grants them); its accesses to the shared priority, pending and
 * enable registers trap and are emulated here: it reads and writes only
 * the bits of its own sources in its own contexts, everything else reads
 * as zero and ignores writes.
 */
#ifndef BULKHEAD_VPLIC_H
#define BULKHEAD_VPLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/tables.h"
#include "bulkhead/vcpu.h"

/*
 * Boot, hart 0, before any capsule runs: every source's priority 0, every
 * context's enables 0 (machine contexts included: no interrupt ever reaches
 * M-mode through the PLIC), every supervisor context's threshold 0.
 */
void bh_vplic_init(void);

/*
 * Emulate capsule c's aligned 32-bit access at offset into the PLIC window.
 * A load's result goes to *value, a store takes it from there. Returns
 * false when the access is not emulated (a context page, past the window):
 * the fault is forwarded as hardware would deliver it.
 */
bool bh_vplic_access(const struct bh_capsule *c, uint64_t offset, bool store,
		     uint32_t *value);

/*
 * Capsule c is stopped (every vCPU parked), before a restart or for good:
 * its sources' priorities 0, any claim of them completed, its contexts'
 * enables 0 and thresholds 0. A restarted capsule starts clean, a halted
 * one leaves no source stuck.
 */
void bh_vplic_reset_capsule(const struct bh_capsule *c);

/*
 * A switch on a shared hart: vCPU vc's window ends. Its capsule's enable
 * bits in its PLIC context and the context's threshold go to
 * vc->plic_enables and vc->plic_threshold, its bits there are cleared (the
 * sources stay pending at their gateways until its next window), and from
 * now on the capsule's enable accesses for that context reach the saved
 * copy (vc->plic_saved). Nothing but the flag for a vCPU without context.
 */
void bh_vplic_save(struct bh_vcpu *vc);

/* vCPU vc's window starts: what bh_vplic_save saved, back in its context. */
void bh_vplic_restore(struct bh_vcpu *vc);

/* A saved state as after reset: no enables, threshold 0. */
void bh_vplic_reset_saved(struct bh_vcpu *vc);

/* A vCPU with context n enters its capsule: the threshold at reset, 0. */
void bh_vplic_enter(uint32_t n);

/* True when source s is one of capsule c's (never source 0). */
bool bh_vplic_owns_source(const struct bh_capsule *c, uint32_t s);

/* True when PLIC context n is the supervisor context of one of c's vCPUs. */
bool bh_vplic_owns_context(const struct bh_capsule *c, uint32_t n);

#endif
