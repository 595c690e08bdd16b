// SPDX-License-Identifier: MIT
/* Cross-hart requests: mailbox bits, msip, and counted remote fences. */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/lib.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sched.h"

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
 * hart takes the interrupt again and finds the bit. A message for a vCPU
 * whose window is not now stays in its mailbox until the window starts
 * (bh_sched_follow serves it then). Kept one function in the image, where
 * tests/hypervisor/test_mmio_order.py finds that order.
 */
__noinline void bh_mailbox_post(struct bh_vcpu *target, uint32_t msg)
{
	__atomic_fetch_or(&target->mailbox, msg, __ATOMIC_RELEASE);
	bh_arch_send_ipi(target->hart);
}

void bh_mailbox_halt(uint32_t hart)
{
	__atomic_fetch_or(&bh_hart_states[hart].mailbox, BH_MSG_HALT,
			  __ATOMIC_RELEASE);
	bh_arch_send_ipi(hart);
}

bool bh_mailbox_take(struct bh_vcpu *vc, uint32_t msg)
{
	return __atomic_fetch_and(&vc->mailbox, ~msg, __ATOMIC_ACQUIRE) & msg;
}

static bool same_translations(const struct bh_fence *a, const struct bh_fence *b)
{
	return a->vma_all == b->vma_all && a->asid_only == b->asid_only &&
	       a->asid == b->asid && a->start == b->start && a->size == b->size;
}

/*
 * Two fences asked of one vCPU before it served either: both, the
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
 * counted), fences (or knows it will flush everything before the vCPU runs
 * again), and publishes the value it read, so a requester whose ticket is
 * <= fence_done knows a fence covering its request ran after it.
 */
static bool take_fences(struct bh_vcpu *vc, uint64_t *req, struct bh_fence *f)
{
	*req = __atomic_load_n(&vc->fence_req, __ATOMIC_ACQUIRE);
	if (*req == __atomic_load_n(&vc->fence_done, __ATOMIC_RELAXED))
		return false;
	bh_lock(&vc->fence_lock);
	*f = vc->fence_pending;
	vc->fence_pending = (struct bh_fence){ 0 };
	bh_unlock(&vc->fence_lock);
	return true;
}

static void serve_fences(struct bh_vcpu *vc)
{
	struct bh_fence f;
	uint64_t req;

	if (!take_fences(vc, &req, &f))
		return;
	bh_arch_fence(&f);
	__atomic_store_n(&vc->fence_done, req, __ATOMIC_RELEASE);
}

void bh_mailbox_fences_covered(struct bh_vcpu *vc)
{
	struct bh_fence f;
	uint64_t req;

	if (take_fences(vc, &req, &f))
		__atomic_store_n(&vc->fence_done, req, __ATOMIC_RELEASE);
}

void bh_mailbox_serve_vcpu(struct bh_vcpu *vc)
{
	uint32_t msg = __atomic_exchange_n(&vc->mailbox, 0, __ATOMIC_ACQUIRE);

	serve_fences(vc);
	/*
	 * As in SBI HSM, an IPI to a stopped vCPU is lost; one sent after
	 * hart_start (START_PENDING) waits for the vCPU to come up.
	 */
	if ((msg & BH_MSG_SSIP) &&
	    READ_ONCE(vc->hsm_state) != BH_HSM_STOPPED)
		bh_arch_inject_ssip();
	if (msg & BH_MSG_STOP)
		vc->stop_pending = 1;
}

void bh_mailbox_service(struct bh_hart_state *h)
{
	/*
	 * Clear msip first: a message posted after the exchanges re-raises it
	 * (the ordering argument is above bh_mailbox_post).
	 */
	bh_arch_clear_ipi();
	if (__atomic_exchange_n(&h->mailbox, 0, __ATOMIC_ACQUIRE) & BH_MSG_HALT)
		bh_arch_halt();
	if (h->current)
		bh_mailbox_serve_vcpu(h->current);
	if (h->schedule)
		bh_sched_serve_descheduled(h);
}

void bh_remote_fence(struct bh_vcpu *vc, uint64_t vcpus,
		     const struct bh_fence *f)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	uint64_t tickets[BH_MAX_VCPUS] = { 0 };
	uint64_t others = vcpus & ~(1ULL << vc->vcpu), left;
	uint32_t v;

	for (left = others; left; left &= left - 1) {
		struct bh_vcpu *target;

		v = bh_lowest_bit(left);
		target = bh_vcpu_of(c, v);
		bh_lock(&target->fence_lock);
		fence_merge(&target->fence_pending, f);
		bh_unlock(&target->fence_lock);
		tickets[v] = __atomic_add_fetch(&target->fence_req, 1,
						__ATOMIC_ACQ_REL);
		bh_mailbox_post(target, BH_MSG_FENCE);
	}
	if (vcpus & (1ULL << vc->vcpu))
		bh_arch_fence(f);
	for (left = others; left; left &= left - 1) {
		struct bh_vcpu *target;

		v = bh_lowest_bit(left);
		target = bh_vcpu_of(c, v);
		/* Serve our own mailbox: the target may be fencing us. */
		while (__atomic_load_n(&target->fence_done, __ATOMIC_ACQUIRE) <
		       tickets[v]) {
			bh_mailbox_service(bh_hart_of(vc));
			if (vc->stop_pending)
				return;
		}
	}
}
