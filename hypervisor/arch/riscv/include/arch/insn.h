/* SPDX-License-Identifier: MIT */
/* RISC-V instruction formats: the guest loads and stores that hit an emulated device. */
#ifndef ARCH_INSN_H
#define ARCH_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/arch.h"	/* struct bh_mem_op */

/* Length in bytes of the instruction whose low 16 bits are low. */
static inline unsigned int bh_insn_length(uint16_t low)
{
	return (low & 3) == 3 ? 4 : 2;
}

#define BH_OPCODE_LOAD	0x03
#define BH_OPCODE_STORE	0x23

static inline bool bh_insn_decode_32(uint32_t insn, struct bh_mem_op *op)
{
	uint32_t funct3 = (insn >> 12) & 7;

	op->length = 4;
	switch (insn & 0x7f) {
	case BH_OPCODE_LOAD:
		if (funct3 == 7)
			return false;
		op->store = false;
		op->width = 1 << (funct3 & 3);
		op->sign_extend = !(funct3 & 4);
		op->reg = (insn >> 7) & 31;
		return op->width < 8 || op->sign_extend; /* no "ldu" */
	case BH_OPCODE_STORE:
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
static inline bool bh_insn_compressed_kind(uint32_t funct3, struct bh_mem_op *op)
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

static inline bool bh_insn_decode_16(uint16_t insn, struct bh_mem_op *op)
{
	uint32_t funct3 = (insn >> 13) & 7;

	op->length = 2;
	if (!bh_insn_compressed_kind(funct3, op))
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

/*
 * Decode an integer load or store (lb..ld, lbu..lwu, sb..sd, c.lw, c.ld,
 * c.sw, c.sd, c.lwsp, c.ldsp, c.swsp, c.sdsp). Returns false for anything
 * else. Inline: the trap path of every emulated access runs it.
 */
static inline bool bh_insn_decode(uint32_t insn, struct bh_mem_op *op)
{
	if (bh_insn_length((uint16_t)insn) == 4)
		return bh_insn_decode_32(insn, op);
	return bh_insn_decode_16((uint16_t)insn, op);
}


/*
 * Whether insn only reads the time CSR (rdtime: csrrs or csrrc with x0,
 * csrrsi or csrrci with 0); *rd is then its destination register.
 */
bool bh_insn_time_read(uint32_t insn, unsigned int *rd);

#endif
