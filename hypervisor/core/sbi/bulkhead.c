// SPDX-License-Identifier: MIT
/*
 * The Bulkhead SBI extension (firmware-specific EID 0x0A42554C): a guest
 * reads the trap counters of the hart its calling vCPU runs on.
 *
 *	TRAP_COUNT (fid 0): a0 = kind (0 exception, 1 interrupt), a1 = cause
 *	code (0..63, or 64 for every code above 63) -> the count.
 *	TRAP_TOTAL (fid 1): every trap taken from a guest on this hart.
 *
 * The call itself is an S-mode ecall, counted before it is served.
 */
#include "bulkhead/sbi.h"
#include "bulkhead/traps.h"

struct bh_sbiret bh_sbi_bulkhead(struct bh_vcpu *vc, unsigned long fid,
				 const unsigned long *args)
{
	struct bh_sbiret ret = { SBI_SUCCESS, 0 };

	switch (fid) {
	case SBI_BULKHEAD_TRAP_COUNT:
		if (args[0] > SBI_BULKHEAD_KIND_INTERRUPT ||
		    args[1] > BH_TRAP_CODES) {
			ret.error = SBI_ERR_INVALID_PARAM;
			break;
		}
		ret.value = bh_traps_read(vc, args[0] ==
					  SBI_BULKHEAD_KIND_INTERRUPT, args[1]);
		break;
	case SBI_BULKHEAD_TRAP_TOTAL:
		ret.value = bh_traps_total(vc);
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
	return ret;
}
