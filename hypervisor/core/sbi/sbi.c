// SPDX-License-Identifier: MIT
/* SBI dispatch: find the extension, call it, put the result in a0/a1. */
#include "bulkhead/capsule.h"
#include "bulkhead/sbi.h"

/* Hart masks are 64 bits wide and every vCPU has a hart of its own. */
_Static_assert(BH_MAX_VCPUS <= 64, "at most 64 vCPUs per capsule");

/*
 * Each extension in the slot of its EID (bulkhead/sbi.h). Two extensions
 * in one slot do not build (-Woverride-init, part of -Wextra): then
 * BH_SBI_SLOTS must grow (entry.S masks the EID with BH_SBI_SLOTS - 1).
 */
#define EXTENSION(eid, handler)	[BH_SBI_SLOT(eid)] = { eid, handler }

const struct bh_sbi_extension bh_sbi_extensions[BH_SBI_SLOTS] = {
	EXTENSION(SBI_EXT_LEGACY_PUTCHAR, bh_sbi_legacy_putchar),
	EXTENSION(SBI_EXT_LEGACY_GETCHAR, bh_sbi_legacy_getchar),
	EXTENSION(SBI_EXT_BASE, bh_sbi_base),
	EXTENSION(SBI_EXT_TIME, bh_sbi_time),
	EXTENSION(SBI_EXT_IPI, bh_sbi_ipi),
	EXTENSION(SBI_EXT_RFENCE, bh_sbi_rfence),
	EXTENSION(SBI_EXT_HSM, bh_sbi_hsm),
	EXTENSION(SBI_EXT_SRST, bh_sbi_srst),
	EXTENSION(SBI_EXT_DBCN, bh_sbi_dbcn),
	EXTENSION(SBI_EXT_BULKHEAD, bh_sbi_bulkhead),
};

void bh_sbi_dispatch(struct bh_vcpu *vc)
{
	uint64_t *regs = vc->frame.regs;
	unsigned long eid = regs[BH_REG_A7];
	const struct bh_sbi_extension *ext = bh_sbi_find(eid);
	struct bh_sbiret ret;

	/* An ecall is 4 bytes; the guest resumes after it. */
	vc->frame.mepc += 4;
	if (!ext) {
		regs[BH_REG_A0] = (uint64_t)SBI_ERR_NOT_SUPPORTED;
		return;
	}
	ret = ext->handler(vc, regs[BH_REG_A6], &regs[BH_REG_A0]);
	regs[BH_REG_A0] = (uint64_t)ret.error;
	if (eid > SBI_EXT_LEGACY_LAST)
		regs[BH_REG_A1] = ret.value;
}

long bh_sbi_hart_mask(const struct bh_capsule *c, unsigned long mask,
		      unsigned long base, uint64_t *vcpus)
{
	unsigned long n = c->vcpu_count;

	if (base == -1UL) {
		/* Every hart of the capsule; the mask is ignored. */
		*vcpus = n >= 64 ? ~0ULL : (1ULL << n) - 1;
		return SBI_SUCCESS;
	}
	if (!mask) {
		*vcpus = 0;
		return SBI_SUCCESS;
	}
	/*
	 * Bit b names virtual hart base + b. With base < n <= 64 no base + b
	 * wraps around, and the set bits must all lie below n - base.
	 */
	if (base >= n || (n - base < 64 && mask >> (n - base)))
		return SBI_ERR_INVALID_PARAM;
	*vcpus = mask << base;
	return SBI_SUCCESS;
}
