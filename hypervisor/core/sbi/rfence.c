// SPDX-License-Identifier: MIT
/*
 * SBI RFENCE extension. Every remote fence flushes the target's whole
 * instruction stream and TLB: more than asked, which is always correct.
 * There is no H extension for guests, so the hfence calls are unsupported.
 */
#include "bulkhead/capsule.h"
#include "bulkhead/lib.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"

enum {
	RFENCE_FENCE_I = 0,
	RFENCE_SFENCE_VMA = 1,
	RFENCE_SFENCE_VMA_ASID = 2,
};

struct bh_sbiret bh_sbi_rfence(struct bh_hart_state *hs, unsigned long fid,
			       const unsigned long *args)
{
	const struct bh_capsule *c = bh_capsule_of(hs);
	uint64_t vcpus, harts = 0;
	long err;

	if (fid > RFENCE_SFENCE_VMA_ASID)
		return (struct bh_sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	err = bh_sbi_hart_mask(c, args[0], args[1], &vcpus);
	if (err)
		return (struct bh_sbiret){ err, 0 };
	for (; vcpus; vcpus &= vcpus - 1)
		harts |= 1ULL << c->vcpu_harts[bh_lowest_bit(vcpus)];
	bh_remote_fence(hs, harts);
	return (struct bh_sbiret){ SBI_SUCCESS, 0 };
}
