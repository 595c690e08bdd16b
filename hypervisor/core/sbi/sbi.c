// SPDX-License-Identifier: MIT
/* SBI dispatch: find the extension, call it, put the result in a0/a1. */
#include "bulkhead/capsule.h"
#include "bulkhead/sbi.h"

static const struct bh_sbi_extension extensions[] = {
	{ SBI_EXT_LEGACY_PUTCHAR, bh_sbi_legacy_putchar, 1 },
	{ SBI_EXT_LEGACY_GETCHAR, bh_sbi_legacy_getchar, 1 },
	{ SBI_EXT_BASE, bh_sbi_base, 0 },
	{ SBI_EXT_TIME, bh_sbi_time, 0 },
	{ SBI_EXT_IPI, bh_sbi_ipi, 0 },
	{ SBI_EXT_RFENCE, bh_sbi_rfence, 0 },
	{ SBI_EXT_HSM, bh_sbi_hsm, 0 },
	{ SBI_EXT_SRST, bh_sbi_srst, 0 },
	{ SBI_EXT_DBCN, bh_sbi_dbcn, 0 },
	{ SBI_EXT_BULKHEAD, bh_sbi_bulkhead, 0 },
};

const struct bh_sbi_extension *bh_sbi_find(unsigned long eid)
{
	size_t i;

	for (i = 0; i < BH_ARRAY_SIZE(extensions); i++) {
		if (extensions[i].eid == eid)
			return &extensions[i];
	}
	return NULL;
}

void bh_sbi_dispatch(struct bh_hart_state *hs)
{
	uint64_t *regs = hs->frame.regs;
	const struct bh_sbi_extension *ext = bh_sbi_find(regs[BH_REG_A7]);
	unsigned long args[6];
	struct bh_sbiret ret;
	int i;

	/* An ecall is 4 bytes; the guest resumes after it. */
	hs->frame.mepc += 4;
	if (!ext) {
		regs[BH_REG_A0] = (uint64_t)SBI_ERR_NOT_SUPPORTED;
		return;
	}
	for (i = 0; i < 6; i++)
		args[i] = regs[BH_REG_A0 + i];
	ret = ext->handler(hs, regs[BH_REG_A6], args);
	regs[BH_REG_A0] = (uint64_t)ret.error;
	if (!ext->legacy)
		regs[BH_REG_A1] = ret.value;
}

long bh_sbi_hart_mask(const struct bh_capsule *c, unsigned long mask,
		      unsigned long base, uint64_t *vcpus)
{
	uint64_t selected = 0;
	unsigned int bit;

	if (base == -1UL) {
		/* Every hart of the capsule; the mask is ignored. */
		*vcpus = c->vcpu_count >= 64 ? ~0ULL :
			 (1ULL << c->vcpu_count) - 1;
		return SBI_SUCCESS;
	}
	for (bit = 0; bit < 64; bit++) {
		unsigned long vhart = base + bit;

		if (!(mask & (1UL << bit)))
			continue;
		/* vhart < base: base + bit wrapped around. */
		if (vhart < base || vhart >= c->vcpu_count)
			return SBI_ERR_INVALID_PARAM;
		selected |= 1ULL << vhart;
	}
	*vcpus = selected;
	return SBI_SUCCESS;
}
