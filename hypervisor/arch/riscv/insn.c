// SPDX-License-Identifier: MIT
/* Reading the guest instruction that made an access; the time CSR read. */
#include "arch/insn.h"

bool bh_arch_decode_mem_op(uint32_t insn, struct bh_mem_op *op)
{
	return bh_insn_decode(insn, op);
}

bool bh_arch_read_mem_op(struct bh_vcpu *vc, uint64_t epc,
			 struct bh_mem_op *op)
{
	uint32_t insn;

	return !bh_arch_guest_fetch(vc, epc, &insn) && bh_insn_decode(insn, op);
}

#define OPCODE_SYSTEM	0x73
#define CSR_TIME_NUMBER	0xc01

/* funct3 of the CSR instructions that write nothing when rs1/uimm is 0. */
static bool csr_set_or_clear(uint32_t funct3)
{
	return funct3 == 2 || funct3 == 3 || funct3 == 6 || funct3 == 7;
}

bool bh_insn_time_read(uint32_t insn, unsigned int *rd)
{
	if ((insn & 0x7f) != OPCODE_SYSTEM || insn >> 20 != CSR_TIME_NUMBER)
		return false;
	if (!csr_set_or_clear(insn >> 12 & 7) || (insn >> 15 & 0x1f))
		return false;
	*rd = insn >> 7 & 0x1f;
	return true;
}
