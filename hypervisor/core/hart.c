// SPDX-License-Identifier: MIT
/*
 * The loop a hart runs while none of its guests does: it starts, wakes or
 * resumes the vCPU whose state it holds when that vCPU can run, follows
 * its schedule when shared, and otherwise waits and serves its mailbox.
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sched.h"

/* Under the capsule lock: leave the parked state if this vCPU may start. */
static bool take_start(struct bh_vcpu *vc, uint64_t *pc, uint64_t *arg)
{
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];
	bool start;

	bh_lock(&cs->lock);
	start = vc->hsm_state == BH_HSM_START_PENDING &&
		cs->run == BH_CAPSULE_RUNNING;
	if (start) {
		vc->hsm_state = BH_HSM_STARTED;
		*pc = vc->start_addr;
		*arg = vc->start_arg;
		WRITE_ONCE(vc->parked, 0);
	}
	bh_unlock(&cs->lock);
	return start;
}

/* A suspended vCPU wakes on an interrupt it enabled, or to be stopped. */
static bool take_wake(struct bh_vcpu *vc)
{
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];

	if (!vc->stop_pending && !bh_arch_guest_irq_pending())
		return false;
	bh_lock(&cs->lock);
	vc->hsm_state = BH_HSM_STARTED;
	bh_unlock(&cs->lock);
	return true;
}

/*
 * The hart holds vc's state: run it if it can (never returning then).
 * Parked, it may have been started; suspended, woken; otherwise it was
 * descheduled in the middle of its work and resumes where it was.
 */
static void try_run(struct bh_vcpu *vc)
{
	uint64_t pc, arg;

	if (READ_ONCE(vc->parked)) {
		vc->stop_pending = 0;	/* already stopped */
		if (take_start(vc, &pc, &arg))
			bh_vcpu_enter(vc, pc, arg);
		return;
	}
	if (READ_ONCE(vc->hsm_state) == BH_HSM_SUSPENDED) {
		if (!take_wake(vc))
			return;
		if (vc->resume_at_start && !vc->stop_pending)
			bh_vcpu_enter(vc, vc->start_addr, vc->start_arg);
	}
	bh_vcpu_before_return(vc);
	bh_arch_resume_guest(vc);
}

void bh_hart_run(struct bh_hart_state *h)
{
	for (;;) {
		if (h->schedule)
			bh_sched_follow(h, bh_arch_time());
		if (h->current)
			try_run(h->current);
		bh_arch_wait();
		bh_arch_timer_poll();
		bh_mailbox_service(h);
	}
}
