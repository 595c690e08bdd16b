// SPDX-License-Identifier: MIT
/* SBI TIME extension: one timer per vCPU, i.e. per hart. */
#include "bulkhead/arch.h"
#include "bulkhead/sbi.h"

struct bh_sbiret bh_sbi_time(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args)
{
	(void)vc;
	if (fid != SBI_TIME_SET_TIMER)
		return (struct bh_sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	bh_arch_set_guest_timer(args[0]);
	return (struct bh_sbiret){ SBI_SUCCESS, 0 };
}
