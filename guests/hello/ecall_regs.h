/* SPDX-License-Identifier: MIT */
/* ecall_regs(): an SBI call that shows every register the call left. */
#ifndef HELLO_ECALL_REGS_H
#define HELLO_ECALL_REGS_H

/* What register xn holds during the call (n: 1, 3..9, 11..15, 18..31). */
#define ECALL_PATTERN(n)	(0x5eed000000000000 + (n) * 0x0101010101)

#ifndef __ASSEMBLER__
/*
 * One SBI call (a7 = eid, a6 = fid, a0 = arg0) with every other register
 * but sp holding ECALL_PATTERN(its number); regs[n] gets xn as the call
 * left it (regs[2]: sp), regs[0] the sp it had before.
 */
void ecall_regs(unsigned long eid, unsigned long fid, unsigned long arg0,
		unsigned long regs[32]);
#endif

#endif
