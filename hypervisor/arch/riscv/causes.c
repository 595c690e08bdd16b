// SPDX-License-Identifier: MIT
/* Names of the RISC-V trap cause codes, for the trap counter log line. */
#include "arch/csr.h"
#include "bulkhead/arch.h"
#include "bulkhead/compiler.h"

static const char *const exceptions[] = {
	[CAUSE_MISALIGNED_FETCH] = "misaligned-fetch",
	[CAUSE_FETCH_ACCESS] = "fetch-access",
	[CAUSE_ILLEGAL_INSTRUCTION] = "illegal-insn",
	[CAUSE_BREAKPOINT] = "breakpoint",
	[CAUSE_MISALIGNED_LOAD] = "misaligned-load",
	[CAUSE_LOAD_ACCESS] = "load-access",
	[CAUSE_MISALIGNED_STORE] = "misaligned-store",
	[CAUSE_STORE_ACCESS] = "store-access",
	[CAUSE_USER_ECALL] = "ecall-u",
	[CAUSE_SUPERVISOR_ECALL] = "ecall-s",
	[CAUSE_FETCH_PAGE_FAULT] = "fetch-page",
	[CAUSE_LOAD_PAGE_FAULT] = "load-page",
	[CAUSE_STORE_PAGE_FAULT] = "store-page",
};

static const char *const interrupts[] = {
	[IRQ_S_SOFT] = "s-soft",
	[IRQ_M_SOFT] = "m-soft",
	[IRQ_S_TIMER] = "s-timer",
	[IRQ_M_TIMER] = "m-timer",
	[IRQ_S_EXT] = "s-external",
	[IRQ_M_EXT] = "m-external",
};

const char *bh_arch_trap_name(bool interrupt, uint32_t code)
{
	if (interrupt)
		return code < BH_ARRAY_SIZE(interrupts) ? interrupts[code] : NULL;
	return code < BH_ARRAY_SIZE(exceptions) ? exceptions[code] : NULL;
}
