// SPDX-License-Identifier: MIT
/*
 * Ending the machine through the board's poweroff device. A sifive,test
 * powers off with an exit status or resets; a GPIO restart pin only
 * resets: on QEMU sifive_u, run with -no-reboot, that is an exit with
 * status 0 whatever the code (the log says how the capsules ended).
 */
#include "bulkhead/arch.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"
#include "drivers.h"

/*
 * A board without a poweroff device the hypervisor drives (poweroff_base
 * 0, docs/boards.md) halts every hart instead: the board stays powered,
 * doing nothing, until it is switched off.
 */
static void __noreturn finish(uint32_t value)
{
	if (!bh_board.poweroff_base) {
		bh_halt_other_harts();
		bh_arch_halt();
	}
	if (bh_board.poweroff_kind == BH_POWEROFF_GPIO_RESTART)
		bh_gpio_restart();
	else
		bh_sifive_test_finish(value);
	/* Only reached when the device does not act. */
	bh_arch_halt();
}

void bh_poweroff(void)
{
	finish(BH_FINISHER_PASS);
}

void bh_poweroff_fail(uint32_t code)
{
	finish(BH_FINISHER_FAIL | (code << 16));
}

void bh_system_reset(void)
{
	finish(BH_FINISHER_RESET);
}
