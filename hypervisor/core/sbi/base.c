// SPDX-License-Identifier: MIT
/* SBI BASE extension. */
#include "bulkhead/arch.h"
#include "bulkhead/sbi.h"

/* Also read by entry.S's fast path: the answers are kept in one place. */
const unsigned long bh_sbi_base_values[BH_SBI_BASE_VALUES] = {
	[SBI_BASE_GET_SPEC_VERSION] = SBI_SPEC_VERSION,
	[SBI_BASE_GET_IMPL_ID] = SBI_IMPL_ID,
	[SBI_BASE_GET_IMPL_VERSION] = BH_VERSION,
};

struct bh_sbiret bh_sbi_base(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args)
{
	struct bh_sbiret ret = { SBI_SUCCESS, 0 };

	(void)vc;
	switch (fid) {
	case SBI_BASE_GET_SPEC_VERSION:
	case SBI_BASE_GET_IMPL_ID:
	case SBI_BASE_GET_IMPL_VERSION:
		ret.value = bh_sbi_base_values[fid];
		break;
	case SBI_BASE_PROBE_EXTENSION:
		ret.value = bh_sbi_find(args[0]) ? 1 : 0;
		break;
	case SBI_BASE_GET_MVENDORID:
		ret.value = bh_arch_mvendorid();
		break;
	case SBI_BASE_GET_MARCHID:
		ret.value = bh_arch_marchid();
		break;
	case SBI_BASE_GET_MIMPID:
		ret.value = bh_arch_mimpid();
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
	return ret;
}
