// SPDX-License-Identifier: MIT
/* The sifive,test finisher: power off, fail with a code, or reset. */
#include "bulkhead/arch.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/mmio.h"
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"

#define FINISHER_FAIL	0x3333
#define FINISHER_PASS	0x5555
#define FINISHER_RESET	0x7777

/*
 * A board without a poweroff device the hypervisor drives (poweroff_base
 * 0, docs/boards.md) halts every hart instead, where it would power off or
 * reset: the board stays powered, doing nothing, until it is switched off.
 */
static void __noreturn finish(uint32_t value)
{
	if (!bh_board.poweroff_base) {
		bh_halt_other_harts();
		bh_arch_halt();
	}
	bh_mmio_write32(bh_board.poweroff_base, value);
	/* Only reached when the device is missing. */
	bh_arch_halt();
}

void bh_poweroff(void)
{
	finish(FINISHER_PASS);
}

void bh_poweroff_fail(uint32_t code)
{
	finish(FINISHER_FAIL | (code << 16));
}

void bh_system_reset(void)
{
	finish(FINISHER_RESET);
}
