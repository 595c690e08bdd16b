// SPDX-License-Identifier: MIT
/* SiFive CLINT: msip per hart at +0, mtimecmp at +0x4000. */
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"

#define CLINT_MSIP	0x0
#define CLINT_MTIMECMP	0x4000

static volatile uint32_t *msip(uint32_t hart)
{
	return (volatile uint32_t *)(uintptr_t)(bh_board.clint_base +
						CLINT_MSIP + 4 * hart);
}

void bh_clint_send_ipi(uint32_t hart)
{
	*msip(hart) = 1;
}

void bh_clint_clear_ipi(uint32_t hart)
{
	*msip(hart) = 0;
}

void bh_clint_set_timer(uint32_t hart, uint64_t when)
{
	volatile uint64_t *mtimecmp = (volatile uint64_t *)(uintptr_t)
		(bh_board.clint_base + CLINT_MTIMECMP + 8 * hart);

	*mtimecmp = when;
}
