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

static struct bh_sbiret hart_start(struct bh_vcpu *vc,
				   unsigned long vhart, unsigned long addr,
				   unsigned long arg)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];
	struct bh_vcpu *target;
	long err = SBI_SUCCESS;

	if (vhart >= c->vcpu_count)
		return result(SBI_ERR_INVALID_PARAM, 0);
	if (!bh_capsule_owns(c, addr, ENTRY_BYTES))
		return result(SBI_ERR_INVALID_ADDRESS, 0);
	target = bh_vcpu_of(c, (uint32_t)vhart);
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
		bh_mailbox_post(target, BH_MSG_START);
	return result(err, 0);
}

static struct bh_sbiret hart_stop(struct bh_vcpu *vc)
{
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];

	bh_lock(&cs->lock);
	vc->hsm_state = BH_HSM_STOP_PENDING;
	bh_unlock(&cs->lock);
	vc->leave = BH_LEAVE_HART_STOP;
	return result(SBI_SUCCESS, 0);
}

static struct bh_sbiret get_status(struct bh_vcpu *vc,
				   unsigned long vhart)
{
	const struct bh_capsule *c = bh_capsule_of(vc);

	if (vhart >= c->vcpu_count)
		return result(SBI_ERR_INVALID_PARAM, 0);
	return result(SBI_SUCCESS,
		      READ_ONCE(bh_vcpu_of(c, (uint32_t)vhart)->hsm_state));
}

static void set_state(struct bh_vcpu *vc, uint32_t state)
{
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];

	bh_lock(&cs->lock);
	vc->hsm_state = state;
	bh_unlock(&cs->lock);
}

/*
 * The vCPU waits in its hart's loop (bh_hart_run) until an interrupt it
 * enabled is pending, or its capsule stops it. Its result is in a0 before
 * it waits: a retentive suspend resumes after the ecall, a non-retentive
 * one at addr as if started there. On a shared hart the wait leaves the
 * rest of its window idle.
 */
static struct bh_sbiret hart_suspend(struct bh_vcpu *vc,
				     uint32_t type, unsigned long addr,
				     unsigned long arg)
{
	const struct bh_capsule *c = bh_capsule_of(vc);

	if (type != SBI_HSM_SUSPEND_RETENTIVE &&
	    type != SBI_HSM_SUSPEND_NON_RETENTIVE)
		return result(SBI_ERR_INVALID_PARAM, 0);
	if (type == SBI_HSM_SUSPEND_NON_RETENTIVE &&
	    !bh_capsule_owns(c, addr, ENTRY_BYTES))
		return result(SBI_ERR_INVALID_ADDRESS, 0);
	vc->resume_at_start = type == SBI_HSM_SUSPEND_NON_RETENTIVE;
	if (vc->resume_at_start) {
		vc->start_addr = addr;
		vc->start_arg = arg;
	}
	set_state(vc, BH_HSM_SUSPENDED);
	vc->leave = BH_LEAVE_SUSPEND;
	return result(SBI_SUCCESS, 0);
}

struct bh_sbiret bh_sbi_hsm(struct bh_vcpu *vc, unsigned long fid,
			    const unsigned long *args)
{
	switch (fid) {
	case HSM_HART_START:
		return hart_start(vc, args[0], args[1], args[2]);
	case HSM_HART_STOP:
		return hart_stop(vc);
	case HSM_HART_GET_STATUS:
		return get_status(vc, args[0]);
	case HSM_HART_SUSPEND:
		/* suspend_type is a uint32_t: the upper 32 bits are not its. */
		return hart_suspend(vc, (uint32_t)args[0], args[1], args[2]);
	default:
		return result(SBI_ERR_NOT_SUPPORTED, 0);
	}
}
