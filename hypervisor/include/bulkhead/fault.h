/* SPDX-License-Identifier: MIT */
/*
 * Faults of a capsule's accesses: emulate its virtual devices, forward the
 * fault to the guest, or apply the capsule's on-fault policy.
 */
#ifndef BULKHEAD_FAULT_H
#define BULKHEAD_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/vcpu.h"

/* The access that faulted, as the arch layer classified its cause. */
enum bh_access {
	BH_ACCESS_OTHER = 0,	/* not a memory access fault */
	BH_ACCESS_FETCH,
	BH_ACCESS_LOAD,
	BH_ACCESS_STORE,
};

/* What one trapped fault looked like. */
struct bh_fault {
	uint64_t cause;		/* the architecture's code, forwarded as is */
	enum bh_access access;
	uint64_t epc;
	uint64_t tval;
	uint64_t satp;		/* the guest's translation when it faulted */
};

/*
 * A fault of the guest on this hart: emulate it (a virtual device access),
 * else deliver it to the guest, else, when the guest cannot take it, apply
 * the capsule's on-fault policy (no return then).
 */
void bh_fault_handle(struct bh_vcpu *vc, const struct bh_fault *f);

/*
 * Try to emulate a load/store access fault as an access to the capsule's
 * virtual UART (width 1 or 4) or to the PLIC's shared priority, pending and
 * enable registers (aligned width 4, core/vplic.c). On success the destination register in vc->frame is written
 * and vc->frame.mepc advanced; returns true. False: forward the fault.
 */
bool bh_fault_emulate(struct bh_vcpu *vc, const struct bh_fault *f);

/*
 * Decide whether the guest can take fault f: NULL when it can, else the
 * reason it is a capsule fault (broken trap vector, the same fault again
 * inside its handler). Records f as forwarded when it can.
 */
const char *bh_fault_check_forward(struct bh_vcpu *vc,
				   const struct bh_fault *f,
				   const struct bh_guest_trap_state *g);

#endif
