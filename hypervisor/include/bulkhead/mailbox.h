/* SPDX-License-Identifier: MIT */
/*
 * Requests between vCPUs and harts: a bit in the target vCPU's mailbox (or
 * the hart's, for HALT) plus the CLINT msip of the hart it runs on. Remote
 * fences are counted so the sender can wait for completion.
 */
#ifndef BULKHEAD_MAILBOX_H
#define BULKHEAD_MAILBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/hart.h"

enum bh_msg {
	BH_MSG_SSIP = 1 << 0,	/* SBI IPI: make SSIP pending for the guest */
	BH_MSG_FENCE = 1 << 1,	/* remote fence: look at fence_pending */
	BH_MSG_START = 1 << 2,	/* HSM start: look at hsm_state */
	BH_MSG_STOP = 1 << 3,	/* the capsule is stopping: park */
	BH_MSG_HALT = 1 << 4,	/* hypervisor panic: stop for good (to a hart) */
};

void bh_mailbox_post(struct bh_vcpu *target, uint32_t msg);
/* Posts BH_MSG_HALT to every hart but this one (core/panic.c). */
void bh_halt_other_harts(void);

/* Stop a hart for good (a hypervisor panic). */
void bh_mailbox_halt(uint32_t hart);

/*
 * Handle hart h's messages: HALT, its current vCPU's, and on a shared hart
 * what the descheduled vCPUs' cannot wait for (bh_sched_serve_descheduled).
 * A STOP for the current vCPU sets its stop_pending.
 */
void bh_mailbox_service(struct bh_hart_state *h);

/* The messages of vc, whose state the caller's hart holds now. */
void bh_mailbox_serve_vcpu(struct bh_vcpu *vc);

/* Clear msg from vc's mailbox; true when it was there. */
bool bh_mailbox_take(struct bh_vcpu *vc, uint32_t msg);

/*
 * The fences asked of vc are done without fencing: its hart drops every
 * cached translation and instruction before vc runs again.
 */
void bh_mailbox_fences_covered(struct bh_vcpu *vc);

/*
 * Fence f on the vCPUs of the caller's capsule in vcpus (bit v: vCPU v),
 * the caller locally, the others by message, and wait until all are done.
 * A vCPU asked for two different fences before it served either does both
 * at once, widened to all translations. Gives up waiting when the caller's
 * own capsule is being stopped (vc->stop_pending).
 */
void bh_remote_fence(struct bh_vcpu *vc, uint64_t vcpus,
		     const struct bh_fence *f);

#endif
