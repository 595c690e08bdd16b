// SPDX-License-Identifier: MIT
/* Cross-hart requests: mailbox bits, msip, and counted remote fences. */
#include "bulkhead/arch.h"
#include "bulkhead/mailbox.h"

/* Remote fences name harts in a 64-bit mask. */
_Static_assert(BH_HART_COUNT <= 64, "at most 64 harts");

/*
 * Sender: the AMO sets the bit, then msip is raised; receiver: msip is
 * cleared, then the mailbox is swapped to 0. msip is a device register, so
 * the atomics' own ordering (acquire/release, "rw" only) does not cover it:
 * the CLINT accessor puts "fence w,o" before the msip store
 * (bh_clint_send_ipi) and "fence o,r" after the clear (bh_clint_clear_ipi).
 * Then no message is lost: if the receiver's swap misses a bit, the swap
 * precedes the sender's AMO in the global order, the receiver's clear
 * precedes its swap (fence o,r), the sender's msip = 1 follows its AMO
 * (fence w,o), so the clear comes before the raise and msip stays set; the
 * hart takes the interrupt again and finds the bit.
 */
void bh_mailbox_post(uint32_t hart, uint32_t msg)
{
	__atomic_fetch_or(&bh_hart_states[hart].mailbox, msg, __ATOMIC_RELEASE);
	bh_arch_send_ipi(hart);
}

static bool same_translations(const struct bh_fence *a, const struct bh_fence *b)
{
	return a->vma_all == b->vma_all && a->asid_only == b->asid_only &&
	       a->asid == b->asid && a->start == b->start && a->size == b->size;
}

/*
 * Two fences asked of one hart before it served either: both, the
 * translations widened to all of them unless the two asked the same.
 */
static void fence_merge(struct bh_fence *into, const struct bh_fence *f)
{
	bool fence_i = into->fence_i || f->fence_i;

	if (!into->vma) {
		*into = *f;
	} else if (f->vma && !same_translations(into, f)) {
		into->vma_all = true;
		into->asid_only = false;
	}
	into->fence_i = fence_i;
}

/*
 * fence_req counts requests; the hart reads it, then takes what the
 * requests merged into fence_pending (each requester merged before it
 * counted), fences, and publishes the value it read, so a requester whose
 * ticket is <= fence_done knows a fence covering its request ran after it.
 */
static void service_fences(struct bh_hart_state *hs)
{
	uint64_t req = __atomic_load_n(&hs->fence_req, __ATOMIC_ACQUIRE);
	struct bh_fence f;

	if (req == __atomic_load_n(&hs->fence_done, __ATOMIC_RELAXED))
		return;
	bh_lock(&hs->fence_lock);
	f = hs->fence_pending;
	hs->fence_pending = (struct bh_fence){ 0 };
	bh_unlock(&hs->fence_lock);
	bh_arch_fence(&f);
	__atomic_store_n(&hs->fence_done, req, __ATOMIC_RELEASE);
}

void bh_mailbox_service(struct bh_hart_state *hs)
{
	uint32_t msg;

	/*
	 * Clear msip first: a message posted after the exchange re-raises it
	 * (the ordering argument is above bh_mailbox_post).
	 */
	bh_arch_clear_ipi();
	msg = __atomic_exchange_n(&hs->mailbox, 0, __ATOMIC_ACQUIRE);
	if (msg & BH_MSG_HALT)
		bh_arch_halt();
	service_fences(hs);
	/*
	 * As in SBI HSM, an IPI to a stopped vCPU is lost; one sent after
	 * hart_start (START_PENDING) waits for the vCPU to come up.
	 */
	if ((msg & BH_MSG_SSIP) &&
	    READ_ONCE(hs->hsm_state) != BH_HSM_STOPPED)
		bh_arch_inject_ssip();
	if (msg & BH_MSG_STOP)
		hs->stop_pending = 1;
}

void bh_remote_fence(struct bh_hart_state *hs, uint64_t hart_bits,
		     const struct bh_fence *f)
{
	uint64_t tickets[BH_HART_COUNT] = { 0 };
	uint32_t hart;

	for (hart = 0; hart < BH_HART_COUNT; hart++) {
		struct bh_hart_state *target = &bh_hart_states[hart];

		if (!(hart_bits & (1ULL << hart)) || target == hs)
			continue;
		bh_lock(&target->fence_lock);
		fence_merge(&target->fence_pending, f);
		bh_unlock(&target->fence_lock);
		tickets[hart] = __atomic_add_fetch(&target->fence_req, 1,
						   __ATOMIC_ACQ_REL);
		bh_mailbox_post(hart, BH_MSG_FENCE);
	}
	if (hart_bits & (1ULL << hs->hart))
		bh_arch_fence(f);
	for (hart = 0; hart < BH_HART_COUNT; hart++) {
		struct bh_hart_state *target = &bh_hart_states[hart];

		if (!(hart_bits & (1ULL << hart)) || target == hs)
			continue;
		/* Serve our own mailbox: the target may be fencing us. */
		while (__atomic_load_n(&target->fence_done, __ATOMIC_ACQUIRE) <
		       tickets[hart]) {
			bh_mailbox_service(hs);
			if (hs->stop_pending)
				return;
		}
	}
}
