/* SPDX-License-Identifier: MIT */
/*
 * For the assembly checks that fill every register with a pattern
 * (ecall_regs.S, uart_regs.S), their stack frame: the registers their C
 * caller keeps (ra, gp, tp, s0-s11) in the first KEPT_REGS slots, saved
 * and restored by the macros below; three slots of the check's own
 * (KEPT(15) to KEPT(17)); then the 32 registers it saw (SEEN), which
 * copy_seen copies out.
 */
#ifndef HELLO_KEPT_REGS_H
#define HELLO_KEPT_REGS_H

#define KEPT_REGS	15
#define KEPT(n)		(8 * (n))	/* slot n of the frame */
#define SEEN(n)		(KEPT(18) + 8 * (n))	/* register xn as seen */
#define FRAME		SEEN(32)

.macro	save_kept
	sd	ra, KEPT(0)(sp)
	sd	gp, KEPT(1)(sp)
	sd	tp, KEPT(2)(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, KEPT(3 + \n)(sp)
	.endr
.endm

.macro	restore_kept
	ld	ra, KEPT(0)(sp)
	ld	gp, KEPT(1)(sp)
	ld	tp, KEPT(2)(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, KEPT(3 + \n)(sp)
	.endr
.endm

/* SEEN(0..31) to the 32 doublewords at out, which ends past them. */
.macro	copy_seen out, from, end, tmp
	addi	\from, sp, SEEN(0)
	addi	\end, \out, 32 * 8
1:	ld	\tmp, 0(\from)
	sd	\tmp, 0(\out)
	addi	\from, \from, 8
	addi	\out, \out, 8
	bltu	\out, \end, 1b
.endm

#endif
