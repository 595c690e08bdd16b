// SPDX-License-Identifier: MIT
/*
 * Hypervisor panic: a bug in the hypervisor itself. Print, stop the other
 * harts, and make QEMU exit with a failure code, never hang silently.
 */
#include "bulkhead/arch.h"
#include "bulkhead/console.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/platform.h"

#define PANIC_EXIT_CODE	1

static uint32_t panicking;

void bh_halt_other_harts(void)
{
	uint32_t self = bh_arch_hart_id(), hart;

	for (hart = 0; hart < BH_HART_COUNT; hart++) {
		if (hart != self)
			bh_mailbox_halt(hart);
	}
}

void bh_panic(const char *fmt, ...)
{
	char text[200];
	size_t len;
	va_list ap;

	/* A second panic (on another hart, or while panicking) just stops. */
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		bh_arch_halt();
	bh_halt_other_harts();
	len = bh_snprintf(text, sizeof(text), "[bulkhead] PANIC hart %u: ",
			  bh_arch_hart_id());
	va_start(ap, fmt);
	len += bh_vsnprintf(text + len, sizeof(text) - len, fmt, ap);
	va_end(ap);
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	bh_console_panic_message(text, len);
	bh_poweroff_fail(PANIC_EXIT_CODE);
}
