// SPDX-License-Identifier: MIT
/* SBI BASE extension. */
#include "bulkhead/arch.h"
#include "bulkhead/sbi.h"

enum {
	BASE_GET_SPEC_VERSION = 0,
	BASE_GET_IMPL_ID = 1,
	BASE_GET_IMPL_VERSION = 2,
	BASE_PROBE_EXTENSION = 3,
	BASE_GET_MVENDORID = 4,
	BASE_GET_MARCHID = 5,
	BASE_GET_MIMPID = 6,
};

struct bh_sbiret bh_sbi_base(struct bh_hart_state *hs, unsigned long fid,
			     const unsigned long *args)
{
	struct bh_sbiret ret = { SBI_SUCCESS, 0 };

	(void)hs;
	switch (fid) {
	case BASE_GET_SPEC_VERSION:
		ret.value = SBI_SPEC_VERSION;
		break;
	case BASE_GET_IMPL_ID:
		ret.value = SBI_IMPL_ID;
		break;
	case BASE_GET_IMPL_VERSION:
		ret.value = BH_VERSION;
		break;
	case BASE_PROBE_EXTENSION:
		ret.value = bh_sbi_find(args[0]) ? 1 : 0;
		break;
	case BASE_GET_MVENDORID:
		ret.value = bh_arch_mvendorid();
		break;
	case BASE_GET_MARCHID:
		ret.value = bh_arch_marchid();
		break;
	case BASE_GET_MIMPID:
		ret.value = bh_arch_mimpid();
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
	return ret;
}
