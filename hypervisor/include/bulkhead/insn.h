/* SPDX-License-Identifier: MIT */
/* Decoding the guest loads and stores that hit an emulated device. */
#ifndef BULKHEAD_INSN_H
#define BULKHEAD_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct bh_mem_op {
	bool store;
	bool sign_extend;	/* loads: lb, lh, lw */
	uint8_t width;		/* bytes: 1, 2, 4 or 8 */
	uint8_t reg;		/* rd of a load, rs2 of a store */
	uint8_t length;		/* instruction bytes: 2 or 4 */
};

/* Length in bytes of the instruction whose low 16 bits are low. */
static inline unsigned int bh_insn_length(uint16_t low)
{
	return (low & 3) == 3 ? 4 : 2;
}

/*
 * Decode an integer load or store (lb..ld, lbu..lwu, sb..sd, c.lw, c.ld,
 * c.sw, c.sd, c.lwsp, c.ldsp, c.swsp, c.sdsp). Returns false for anything
 * else.
 */
bool bh_insn_decode(uint32_t insn, struct bh_mem_op *op);

#endif
