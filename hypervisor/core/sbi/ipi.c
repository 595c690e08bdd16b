// SPDX-License-Identifier: MIT
/* SBI IPI extension: a supervisor software interrupt on virtual harts. */
#include "bulkhead/capsule.h"
#include "bulkhead/lib.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"

#define IPI_SEND_IPI	0

struct bh_sbiret bh_sbi_ipi(struct bh_vcpu *vc, unsigned long fid,
			    const unsigned long *args)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	uint64_t vcpus;
	long err;

	if (fid != IPI_SEND_IPI)
		return (struct bh_sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	err = bh_sbi_hart_mask(c, args[0], args[1], &vcpus);
	if (err)
		return (struct bh_sbiret){ err, 0 };
	for (; vcpus; vcpus &= vcpus - 1)
		bh_mailbox_post(bh_vcpu_of(c, bh_lowest_bit(vcpus)),
				BH_MSG_SSIP);
	return (struct bh_sbiret){ SBI_SUCCESS, 0 };
}
