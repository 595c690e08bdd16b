// SPDX-License-Identifier: MIT
/*
 * SBI SRST extension. The specification resets "the system"; for a guest
 * the system is its capsule: shutdown turns the capsule off (then its
 * on_poweroff policy applies), a reboot restarts it from the pristine store
 * when on_reboot says so. Only a capsule with may_reset_system powers off or
 * resets the whole board. A guest whose manifest says so (Linux booted with
 * `reboot=panic_warm`) warm-reboots only when it panicked: its capsule's
 * on_fault policy applies instead.
 */
#include "bulkhead/capsule.h"
#include "bulkhead/sbi.h"

#define SRST_SYSTEM_RESET		0
#define SRST_TYPE_VENDOR_FIRST		0xf0000000UL
#define SRST_REASON_SBI_FIRST		0xe0000000UL

static long check(uint32_t type, uint32_t reason)
{
	if (type >= SRST_TYPE_VENDOR_FIRST)
		return SBI_ERR_NOT_SUPPORTED;
	if (type > SBI_SRST_WARM_REBOOT)
		return SBI_ERR_INVALID_PARAM;
	if (reason > SBI_SRST_REASON_FAILURE && reason < SRST_REASON_SBI_FIRST)
		return SBI_ERR_INVALID_PARAM;
	return SBI_SUCCESS;
}

struct bh_sbiret bh_sbi_srst(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	/* Both are uint32_t: the upper 32 bits of a0 and a1 are not theirs. */
	uint32_t type = (uint32_t)args[0];
	uint32_t reason = (uint32_t)args[1];
	bool shutdown = type == SBI_SRST_SHUTDOWN;
	long err;

	if (fid != SRST_SYSTEM_RESET)
		return (struct bh_sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	err = check(type, reason);
	if (err)
		return (struct bh_sbiret){ err, 0 };
	vc->srst_reason = reason;	/* exit status (capsule.c) */
	if (type == SBI_SRST_WARM_REBOOT && c->warm_reboot_is_panic)
		vc->leave = BH_LEAVE_PANIC;
	else if (c->may_reset_system)
		vc->leave = shutdown ? BH_LEAVE_SYSTEM_OFF :
				       BH_LEAVE_SYSTEM_RESET;
	else
		vc->leave = shutdown ? BH_LEAVE_SHUTDOWN : BH_LEAVE_REBOOT;
	return (struct bh_sbiret){ SBI_SUCCESS, 0 };
}
