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

/*
 * Decode an integer load or store (lb..ld, lbu..lwu, sb..sd, c.lw, c.ld,
 * c.sw, c.sd, c.lwsp, c.ldsp, c.swsp, c.sdsp). Returns false for anything
 * else.
 */
bool bh_insn_decode(uint32_t insn, struct bh_mem_op *op);

/*
 * Whether insn only reads the time CSR (rdtime: csrrs or csrrc with x0,
 * csrrsi or csrrci with 0); *rd is then its destination register.
 */
bool bh_insn_time_read(uint32_t insn, unsigned int *rd);

#endif
