// SPDX-License-Identifier: MIT
/* The board's PLIC registers, by offset (layout in bulkhead/plic.h). */
#include "bulkhead/mmio.h"
#include "bulkhead/plic.h"
#include "bulkhead/tables.h"

uint32_t bh_plic_read(uint64_t offset)
{
	return bh_mmio_read32(bh_board.plic.base + offset);
}

void bh_plic_write(uint64_t offset, uint32_t value)
{
	bh_mmio_write32(bh_board.plic.base + offset, value);
}
