// SPDX-License-Identifier: MIT
/* The sstatus side of a trap the hypervisor hands to a guest. */
#include "arch/deliver.h"

uint64_t bh_riscv_deliver_mstatus(uint64_t mstatus)
{
	uint64_t from = mstatus & MSTATUS_MPP;
	uint64_t out = mstatus & ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE |
				   MSTATUS_MPP);

	if (from == MSTATUS_MPP_S)
		out |= MSTATUS_SPP;
	if (mstatus & MSTATUS_SIE)
		out |= MSTATUS_SPIE;
	return out | MSTATUS_MPP_S;
}
