/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V PLIC register layout (riscv-plic-spec 1.0.0) and the
 * platform's access to the real registers. Policy (who may touch what)
 * is core/vplic.c; this header only says where things are.
 *
 *	+0x000000 + 4 * s			priority of source s (s = 0 reserved)
 *	+0x001000 + 4 * w			pending bits of sources 32w..32w+31
 *	+0x002000 + 0x80 * c + 4 * w		enable bits of context c, word w
 *	+0x200000 + 0x1000 * c			threshold of context c
 *	+0x200004 + 0x1000 * c			claim/complete of context c
 */
#ifndef BULKHEAD_PLIC_H
#define BULKHEAD_PLIC_H

#include <stdint.h>

#define BH_PLIC_PRIORITY	0x0
#define BH_PLIC_PENDING		0x1000
#define BH_PLIC_ENABLE		0x2000
#define BH_PLIC_ENABLE_STRIDE	0x80
#define BH_PLIC_CONTEXT		0x200000
#define BH_PLIC_CONTEXT_STRIDE	0x1000
#define BH_PLIC_THRESHOLD	0x0	/* in a context's page */
#define BH_PLIC_CLAIM		0x4	/* in a context's page */

enum bh_plic_kind {
	BH_PLIC_REG_PRIORITY,	/* index: source */
	BH_PLIC_REG_PENDING,	/* index: word */
	BH_PLIC_REG_ENABLE,	/* context, index: word */
	BH_PLIC_REG_CONTEXT,	/* context; index: byte offset in its page */
};

/* What a word-aligned offset into the PLIC names. */
struct bh_plic_reg {
	enum bh_plic_kind kind;
	uint32_t context;
	uint32_t index;
};

static inline void bh_plic_decode(uint64_t offset, struct bh_plic_reg *r)
{
	r->context = 0;
	if (offset < BH_PLIC_PENDING) {
		r->kind = BH_PLIC_REG_PRIORITY;
		r->index = (uint32_t)(offset / 4);
	} else if (offset < BH_PLIC_ENABLE) {
		r->kind = BH_PLIC_REG_PENDING;
		r->index = (uint32_t)((offset - BH_PLIC_PENDING) / 4);
	} else if (offset < BH_PLIC_CONTEXT) {
		r->kind = BH_PLIC_REG_ENABLE;
		r->context = (uint32_t)((offset - BH_PLIC_ENABLE) /
					BH_PLIC_ENABLE_STRIDE);
		r->index = (uint32_t)((offset - BH_PLIC_ENABLE) %
				      BH_PLIC_ENABLE_STRIDE / 4);
	} else {
		r->kind = BH_PLIC_REG_CONTEXT;
		r->context = (uint32_t)((offset - BH_PLIC_CONTEXT) /
					BH_PLIC_CONTEXT_STRIDE);
		r->index = (uint32_t)((offset - BH_PLIC_CONTEXT) %
				      BH_PLIC_CONTEXT_STRIDE);
	}
}

static inline uint64_t bh_plic_priority(uint32_t source)
{
	return BH_PLIC_PRIORITY + 4 * (uint64_t)source;
}

static inline uint64_t bh_plic_pending(uint32_t word)
{
	return BH_PLIC_PENDING + 4 * (uint64_t)word;
}

static inline uint64_t bh_plic_enable(uint32_t context, uint32_t word)
{
	return BH_PLIC_ENABLE + BH_PLIC_ENABLE_STRIDE * (uint64_t)context +
	       4 * (uint64_t)word;
}

static inline uint64_t bh_plic_context(uint32_t context, uint32_t reg)
{
	return BH_PLIC_CONTEXT + BH_PLIC_CONTEXT_STRIDE * (uint64_t)context +
	       reg;
}

/*
 * The board's PLIC (bh_board.plic), one 32-bit register at offset, through
 * bulkhead/mmio.h. Callers pass only offsets they computed themselves.
 */
uint32_t bh_plic_read(uint64_t offset);
void bh_plic_write(uint64_t offset, uint32_t value);

#endif
