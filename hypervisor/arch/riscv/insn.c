// SPDX-License-Identifier: MIT
/* Decoding integer loads and stores, 32-bit and compressed (RV64). */
#include "arch/insn.h"

#define OPCODE_LOAD	0x03
#define OPCODE_STORE	0x23

static bool decode_32(uint32_t insn, struct bh_mem_op *op)
{
	uint32_t funct3 = (insn >> 12) & 7;

	op->length = 4;
	switch (insn & 0x7f) {
	case OPCODE_LOAD:
		if (funct3 == 7)
			return false;
		op->store = false;
		op->width = 1 << (funct3 & 3);
		op->sign_extend = !(funct3 & 4);
		op->reg = (insn >> 7) & 31;
		return op->width < 8 || op->sign_extend; /* no "ldu" */
	case OPCODE_STORE:
		if (funct3 > 3)
			return false;
		op->store = true;
		op->width = 1 << funct3;
		op->sign_extend = false;
		op->reg = (insn >> 20) & 31;
		return true;
	default:
		return false;
	}
}

/* funct3 of the compressed forms: 010 lw, 011 ld, 110 sw, 111 sd. */
static bool compressed_kind(uint32_t funct3, struct bh_mem_op *op)
{
	switch (funct3) {
	case 2:
	case 3:
		op->store = false;
		op->sign_extend = true;
		break;
	case 6:
	case 7:
		op->store = true;
		op->sign_extend = false;
		break;
	default:
		return false;
	}
	op->width = (funct3 & 1) ? 8 : 4;
	return true;
}

static bool decode_16(uint16_t insn, struct bh_mem_op *op)
{
	uint32_t funct3 = (insn >> 13) & 7;

	op->length = 2;
	if (!compressed_kind(funct3, op))
		return false;
	switch (insn & 3) {
	case 0:	/* c.lw, c.ld: rd' in [4:2]; c.sw, c.sd: rs2' in [4:2] */
		op->reg = 8 + ((insn >> 2) & 7);
		return true;
	case 2:	/* c.lwsp, c.ldsp: rd in [11:7]; c.swsp, c.sdsp: rs2 in [6:2] */
		if (op->store) {
			op->reg = (insn >> 2) & 31;
			return true;
		}
		op->reg = (insn >> 7) & 31;
		return op->reg != 0;	/* rd = 0 is reserved */
	default:
		return false;
	}
}

bool bh_insn_decode(uint32_t insn, struct bh_mem_op *op)
{
	if (bh_insn_length((uint16_t)insn) == 4)
		return decode_32(insn, op);
	return decode_16((uint16_t)insn, op);
}

bool bh_arch_decode_mem_op(uint32_t insn, struct bh_mem_op *op)
{
	return bh_insn_decode(insn, op);
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
