// SPDX-License-Identifier: MIT
/* PMP backend: the pmpcfg register values for a vCPU's entries. */
#include "bulkhead/pmp.h"

int bh_pmp_pack(const struct bh_capsule *c, uint32_t vcpu,
		uint64_t cfg[BH_PMPCFG_REGS])
{
	uint32_t i;

	for (i = 0; i < BH_PMPCFG_REGS; i++)
		cfg[i] = 0;
	if (c->pmp_count > BH_PMP_ENTRIES)
		return BH_PMP_TOO_MANY;
	for (i = 0; i < c->pmp_count; i++) {
		if (c->pmp[i].cfg & BH_PMP_LOCK)
			return (int)i;
		if (c->pmp[i].only_vcpu && c->pmp[i].only_vcpu != vcpu + 1)
			continue;	/* another vCPU's PLIC context page */
		/* On RV64 entry i is byte i % 8 of pmpcfg(2 * (i / 8)). */
		cfg[i / 8] |= (uint64_t)c->pmp[i].cfg << (8 * (i % 8));
	}
	return BH_PMP_OK;
}
