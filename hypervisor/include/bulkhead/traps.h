/* SPDX-License-Identifier: MIT */
/*
 * Per-hart, per-cause counts of the traps the hypervisor takes from guests
 * (docs/design.md, "Trap counters"): read by a guest through the Bulkhead
 * SBI extension, logged when a capsule ends.
 */
#ifndef BULKHEAD_TRAPS_H
#define BULKHEAD_TRAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/vcpu.h"

/* The trap path of hart vc took an interrupt or exception with this code. */
static inline void bh_traps_count(struct bh_vcpu *vc, bool interrupt,
				  uint64_t code)
{
	uint64_t *slot = interrupt ? vc->traps.interrupt : vc->traps.exception;

	slot[code < BH_TRAP_CODES ? code : BH_TRAP_CODES]++;
}

/* Traps of one kind and code on hart vc (code BH_TRAP_CODES: all above). */
uint64_t bh_traps_read(const struct bh_vcpu *vc, bool interrupt,
		       uint64_t code);

/* Every trap taken on hart vc. */
uint64_t bh_traps_total(const struct bh_vcpu *vc);

/* One info line per vCPU of capsule c: its hart's non-zero counts. */
void bh_traps_log(const struct bh_capsule *c);

#endif
