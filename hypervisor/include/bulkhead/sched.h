/* SPDX-License-Identifier: MIT */
/*
 * The scheduler of shared harts: each follows its schedule's window table
 * (bulkhead/tables.h), switching vCPUs at window boundaries
 * (docs/design.md, "Scheduler"). Pinned harts never come here.
 */
#ifndef BULKHEAD_SCHED_H
#define BULKHEAD_SCHED_H

#include <stdint.h>

#include "bulkhead/hart.h"

/*
 * When frame 0 of every schedule starts, on every hart (the time CSR):
 * hart 0 sets it at boot, so the harts of one schedule switch together.
 */
extern uint64_t bh_sched_epoch;

/* Where a time falls in a schedule. */
struct bh_sched_slot {
	int32_t window;		/* index in the schedule's windows; -1: idle time */
	uint64_t end;		/* when that window (or idle gap) ends */
};

/* The slot of schedule s at time t, its frames starting at epoch. */
struct bh_sched_slot bh_sched_at(const struct bh_schedule *s, uint64_t epoch,
				 uint64_t t);

/* The vCPU window w of a schedule runs. */
struct bh_vcpu *bh_sched_window_vcpu(const struct bh_window *w);

/*
 * Shared hart h at time now: if the window (or gap) it is in has ended,
 * switch to the one now (the outgoing vCPU's state saved, the incoming
 * one's restored with its capsule's PMP and PLIC enables, every cached
 * translation dropped) and set the M-mode timer to its end.
 */
void bh_sched_follow(struct bh_hart_state *h, uint64_t now);

/*
 * Shared hart h's mailbox, for the vCPUs whose windows are not now: a
 * remote fence is done at once (the hart flushes everything before any of
 * them runs again), a capsule stop parks them where they are. IPIs and
 * starts wait in their mailboxes for their next window.
 */
void bh_sched_serve_descheduled(struct bh_hart_state *h);

/*
 * The hypervisor's deadline passed while vc ran: on a shared hart its
 * window has ended; switch (vc's registers are in its frame already) and
 * never return. Pinned harts set no deadline.
 */
void bh_sched_tick(struct bh_vcpu *vc);

#endif
