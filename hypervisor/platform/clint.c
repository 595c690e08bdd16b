// SPDX-License-Identifier: MIT
/* SiFive CLINT: msip per hart at +0, mtimecmp at +0x4000. */
#include "bulkhead/mmio.h"
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"

#define CLINT_MSIP	0x0
#define CLINT_MTIMECMP	0x4000
#define CLINT_MTIME	0xbff8

static uint64_t msip(uint32_t hart)
{
	return bh_board.clint_base + CLINT_MSIP + 4 * (uint64_t)hart;
}

/* The write's "fence w,o" publishes the mailbox bits posted before it. */
void bh_clint_send_ipi(uint32_t hart)
{
	bh_mmio_write32(msip(hart), 1);
}

/*
 * The caller reads its mailbox next. Were that read performed before the
 * clear, a message posted in between (mailbox bit, then msip = 1) could
 * have its msip cleared by this store while the read missed its bit: the
 * message would wait, unannounced, for the next one. The fence puts the
 * clear before every later read in the global order.
 */
void bh_clint_clear_ipi(uint32_t hart)
{
	bh_mmio_write32(msip(hart), 0);
	bh_mmio_output_before_reads();
}

void bh_clint_set_timer(uint32_t hart, uint64_t when)
{
	bh_mmio_write64(bh_board.clint_base + CLINT_MTIMECMP + 8 * (uint64_t)hart,
			when);
}

uint64_t bh_clint_read_time(void)
{
	return bh_mmio_read64(bh_board.clint_base + CLINT_MTIME);
}
