// SPDX-License-Identifier: MIT
/* Checking a saved vCPU state against the reset values (state.h). */
#include "format.h"
#include "runtime.h"
#include "state.h"

#define SSTATUS_UXL	(3UL << 32)	/* read-only XLEN of U-mode */

struct arch_state entry_state[GUEST_MAX_HARTS];

struct named {
	const char *name;
	unsigned long value;
};

int arch_state_check(const struct arch_state *s, int at_resume, char *why,
		     size_t len)
{
	const struct named csrs[] = {
		{ "sstatus", s->sstatus & ~SSTATUS_UXL },
		{ "sie", s->sie },
		{ "sip", at_resume ? 0 : s->sip },
		{ "stvec", s->stvec },
		{ "sscratch", s->sscratch },
		{ "sepc", s->sepc },
		{ "scause", s->scause },
		{ "stval", s->stval },
		{ "satp", s->satp },
		{ "scounteren", s->scounteren },
		{ "senvcfg", s->senvcfg },
		{ "fcsr", s->has_fp ? s->fcsr : 0 },
	};
	unsigned long i;

	for (i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++) {
		if (csrs[i].value) {
			snprintf(why, len, "%s is %lx, want 0", csrs[i].name,
				 csrs[i].value);
			return -1;
		}
	}
	for (i = 0; s->has_fp && i < 32; i++) {
		if (s->f[i]) {
			snprintf(why, len, "f%lu is %lx, want 0", i,
				 (unsigned long)s->f[i]);
			return -1;
		}
	}
	return 0;
}
