/* SPDX-License-Identifier: MIT */
/*
 * What each physical hart does at run time: whose supervisor state it
 * holds, and, on a hart a schedule shares, where it is in the schedule
 * (docs/design.md, "Scheduler").
 */
#ifndef BULKHEAD_HART_H
#define BULKHEAD_HART_H

#include <stdint.h>

#include "bulkhead/compiler.h"
#include "bulkhead/tables.h"
#include "bulkhead/vcpu.h"

struct bh_hart_state {
	/*
	 * The vCPU whose supervisor state, PMP and PLIC enables the hart
	 * holds: a pinned hart's vCPU always; on a shared hart the vCPU of the
	 * window now, NULL between windows; NULL on a hart no capsule uses.
	 */
	struct bh_vcpu *current;
	const struct bh_schedule *schedule;	/* NULL: not shared */
	uint32_t mailbox;	/* BH_MSG_HALT, atomic */
	int32_t window;		/* shared: the window now, -1 between windows */
	uint64_t window_end;	/* shared: when the window (or gap) now ends */
};

extern struct bh_hart_state bh_hart_states[BH_HART_COUNT];

static inline struct bh_hart_state *bh_hart_of(const struct bh_vcpu *vc)
{
	return &bh_hart_states[vc->hart];
}

/*
 * The hart's own loop, for every hart, when no guest runs on it: start,
 * resume or wake the current vCPU when it can run, follow the schedule on
 * a shared hart, and otherwise wait and serve its mailbox. Never returns.
 */
void bh_hart_run(struct bh_hart_state *h) __noreturn;

#endif
