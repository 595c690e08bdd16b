/* SPDX-License-Identifier: MIT */
/* Access faults of a capsule: emulate its virtual devices or forward. */
#ifndef BULKHEAD_FAULT_H
#define BULKHEAD_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/hart.h"

#define BH_CAUSE_FETCH_ACCESS	1
#define BH_CAUSE_LOAD_ACCESS	5
#define BH_CAUSE_STORE_ACCESS	7

/* What one trapped access fault looked like. */
struct bh_fault {
	uint64_t cause;
	uint64_t epc;
	uint64_t tval;
	uint64_t satp;
};

/*
 * Try to emulate a load/store access fault as an access to the capsule's
 * virtual UART. On success the destination register in hs->frame is written
 * and hs->frame.mepc advanced; returns true. False: forward the fault.
 */
bool bh_fault_emulate(struct bh_hart_state *hs, const struct bh_fault *f);

/*
 * The guest state a forwarded fault would land in, as far as the capsule
 * fault rules need it.
 */
struct bh_guest_trap_state {
	uint64_t stvec;		/* trap vector (virtual when satp != 0) */
	uint64_t sepc, scause, stval;	/* as they are now */
	bool from_s;		/* the fault was taken in S-mode */
};

/*
 * Decide whether the guest can take fault f: NULL when it can, else the
 * reason it is a capsule fault (broken trap vector, fault in the handler
 * before it returned). Records f as forwarded when it can.
 */
const char *bh_fault_check_forward(struct bh_hart_state *hs,
				   const struct bh_fault *f,
				   const struct bh_guest_trap_state *g);

#endif
