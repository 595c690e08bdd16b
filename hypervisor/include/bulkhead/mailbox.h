/* SPDX-License-Identifier: MIT */
/*
 * Requests between harts: a bit in the target's mailbox plus its CLINT msip.
 * Remote fences are counted so the sender can wait for completion.
 */
#ifndef BULKHEAD_MAILBOX_H
#define BULKHEAD_MAILBOX_H

#include <stdint.h>

#include "bulkhead/hart.h"

enum bh_msg {
	BH_MSG_SSIP = 1 << 0,	/* SBI IPI: make SSIP pending for the guest */
	BH_MSG_FENCE = 1 << 1,	/* remote fence: look at fence_pending */
	BH_MSG_START = 1 << 2,	/* HSM start: look at hsm_state */
	BH_MSG_STOP = 1 << 3,	/* the capsule is stopping: park */
	BH_MSG_HALT = 1 << 4,	/* hypervisor panic: stop for good */
};

void bh_mailbox_post(uint32_t hart, uint32_t msg);
/* Posts BH_MSG_HALT to every hart but this one (core/panic.c). */
void bh_halt_other_harts(void);

/* Handle this hart's messages; a STOP sets hs->stop_pending. */
void bh_mailbox_service(struct bh_hart_state *hs);

/*
 * Fence f on the harts in hart_bits (physical hart bitmask), the caller
 * locally, the others by message, and wait until all are done. A hart asked
 * for two different fences before it served either does both at once,
 * widened to all translations. Gives up waiting when the caller's own
 * capsule is being stopped (hs->stop_pending).
 */
void bh_remote_fence(struct bh_hart_state *hs, uint64_t hart_bits,
		     const struct bh_fence *f);

#endif
