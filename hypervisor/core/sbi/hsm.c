// SPDX-License-Identifier: MIT
/*
 * SBI HSM extension on virtual harts. State changes of a capsule's vCPUs
 * happen under the capsule lock, so they cannot race with a capsule stop.
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"

enum {
	HSM_HART_START = 0,
	HSM_HART_STOP = 1,
	HSM_HART_GET_STATUS = 2,
	HSM_HART_SUSPEND = 3,
};

/* An entry point must hold at least one compressed instruction. */
#define ENTRY_BYTES	2

static struct bh_sbiret result(long error, unsigned long value)
{
	return (struct bh_sbiret){ error, value };
}

static struct bh_sbiret hart_start(struct bh_hart_state *hs,
				   unsigned long vhart, unsigned long addr,
				   unsigned long arg)
{
	const struct bh_capsule *c = bh_capsule_of(hs);
	struct bh_capsule_state *cs = &bh_capsule_states[hs->capsule];
	struct bh_hart_state *target;
	long err = SBI_SUCCESS;

	if (vhart >= c->vcpu_count)
		return result(SBI_ERR_INVALID_PARAM, 0);
	if (!bh_capsule_owns(c, addr, ENTRY_BYTES))
		return result(SBI_ERR_INVALID_ADDRESS, 0);
	target = bh_vcpu_hart(c, (uint32_t)vhart);
	bh_lock(&cs->lock);
	if (cs->run != BH_CAPSULE_RUNNING) {
		err = SBI_ERR_FAILED;	/* the caller is being stopped */
	} else if (target->hsm_state != BH_HSM_STOPPED) {
		/*
		 * SBI 2.0 names one error for a hart that is not stopped,
		 * whether it runs or a start of it is still pending.
		 */
		err = SBI_ERR_ALREADY_AVAILABLE;
	} else {
		target->start_addr = addr;
		target->start_arg = arg;
		target->hsm_state = BH_HSM_START_PENDING;
	}
	bh_unlock(&cs->lock);
	if (!err)
		bh_mailbox_post(target->hart, BH_MSG_START);
	return result(err, 0);
}

static struct bh_sbiret hart_stop(struct bh_hart_state *hs)
{
	struct bh_capsule_state *cs = &bh_capsule_states[hs->capsule];

	bh_lock(&cs->lock);
	hs->hsm_state = BH_HSM_STOP_PENDING;
	bh_unlock(&cs->lock);
	hs->leave = BH_LEAVE_HART_STOP;
	return result(SBI_SUCCESS, 0);
}

static struct bh_sbiret get_status(struct bh_hart_state *hs,
				   unsigned long vhart)
{
	const struct bh_capsule *c = bh_capsule_of(hs);

	if (vhart >= c->vcpu_count)
		return result(SBI_ERR_INVALID_PARAM, 0);
	return result(SBI_SUCCESS,
		      READ_ONCE(bh_vcpu_hart(c, (uint32_t)vhart)->hsm_state));
}

static void set_state(struct bh_hart_state *hs, uint32_t state)
{
	struct bh_capsule_state *cs = &bh_capsule_states[hs->capsule];

	bh_lock(&cs->lock);
	hs->hsm_state = state;
	bh_unlock(&cs->lock);
}

/*
 * Wait in M-mode until an interrupt the guest enabled is pending, serving
 * what wakes the hart meanwhile: its mailbox (an SBI IPI makes SSIP
 * pending) and, without Sstc, the multiplexed timer (STIP). A capsule stop
 * ends the wait too.
 */
static void wait_for_guest_interrupt(struct bh_hart_state *hs)
{
	set_state(hs, BH_HSM_SUSPENDED);
	while (!bh_arch_guest_irq_pending() && !hs->stop_pending) {
		bh_arch_wait();
		bh_arch_timer_poll();
		bh_mailbox_service(hs);
	}
	set_state(hs, BH_HSM_STARTED);
}

static struct bh_sbiret hart_suspend(struct bh_hart_state *hs,
				     uint32_t type, unsigned long addr,
				     unsigned long arg)
{
	const struct bh_capsule *c = bh_capsule_of(hs);

	if (type != SBI_HSM_SUSPEND_RETENTIVE &&
	    type != SBI_HSM_SUSPEND_NON_RETENTIVE)
		return result(SBI_ERR_INVALID_PARAM, 0);
	if (type == SBI_HSM_SUSPEND_NON_RETENTIVE &&
	    !bh_capsule_owns(c, addr, ENTRY_BYTES))
		return result(SBI_ERR_INVALID_ADDRESS, 0);
	wait_for_guest_interrupt(hs);
	if (type == SBI_HSM_SUSPEND_NON_RETENTIVE) {
		/* Resumes at addr as if started there; no return. */
		hs->start_addr = addr;
		hs->start_arg = arg;
		hs->leave = BH_LEAVE_SUSPEND;
	}
	return result(SBI_SUCCESS, 0);
}

struct bh_sbiret bh_sbi_hsm(struct bh_hart_state *hs, unsigned long fid,
			    const unsigned long *args)
{
	switch (fid) {
	case HSM_HART_START:
		return hart_start(hs, args[0], args[1], args[2]);
	case HSM_HART_STOP:
		return hart_stop(hs);
	case HSM_HART_GET_STATUS:
		return get_status(hs, args[0]);
	case HSM_HART_SUSPEND:
		/* suspend_type is a uint32_t: the upper 32 bits are not its. */
		return hart_suspend(hs, (uint32_t)args[0], args[1], args[2]);
	default:
		return result(SBI_ERR_NOT_SUPPORTED, 0);
	}
}
