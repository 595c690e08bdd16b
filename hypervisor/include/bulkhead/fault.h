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

/* in_frame for a frame that holds every register. */
#define BH_REGS_ALL	0xffffffffU

/*
 * Try to emulate a load or store (store) access fault at guest address tval
 * (translated by satp), made by the instruction at vc->frame.mepc, as an
 * access to the capsule's virtual UART (width 1 or 4) or to the PLIC's
 * shared priority, pending and enable registers (aligned width 4,
 * core/vplic.c), when the register the instruction names is one of
 * in_frame's (bit n: x<n> is in vc->frame). On success the destination
 * register in vc->frame is written and vc->frame.mepc advanced; returns
 * true. False: nothing was changed.
 */
bool bh_fault_emulate_access(struct bh_vcpu *vc, bool store, uint64_t tval,
			     uint64_t satp, uint32_t in_frame);

/*
 * bh_fault_emulate_access for the accesses a polling driver makes most,
 * cheaply, for the trap entry's path that has only some registers in the
 * frame: a virtual-UART register the console has no part in, at addresses
 * whose translations need no walk. False, with nothing changed, for
 * anything else.
 */
bool bh_fault_emulate_quick(struct bh_vcpu *vc, bool store, uint64_t tval,
			    uint64_t satp, uint32_t in_frame);

/* bh_fault_emulate_access for fault f, made at vc->frame.mepc. */
static inline bool bh_fault_emulate(struct bh_vcpu *vc,
				    const struct bh_fault *f,
				    uint32_t in_frame)
{
	if (f->access != BH_ACCESS_LOAD && f->access != BH_ACCESS_STORE)
		return false;
	return bh_fault_emulate_access(vc, f->access == BH_ACCESS_STORE,
				       f->tval, f->satp, in_frame);
}

/*
 * Decide whether the guest can take fault f: NULL when it can, else the
 * reason it is a capsule fault (broken trap vector, the same fault again
 * inside its handler). Records f as forwarded when it can.
 */
const char *bh_fault_check_forward(struct bh_vcpu *vc,
				   const struct bh_fault *f,
				   const struct bh_guest_trap_state *g);

#endif
