/* SPDX-License-Identifier: MIT */
/*
 * For the assembly checks that fill every register with a pattern
 * (ecall_regs.S, uart_regs.S): the registers their C caller keeps (ra, gp,
 * tp, s0-s11) saved in the first KEPT_REGS slots of their stack frame,
 * and back.
 */
#ifndef HELLO_KEPT_REGS_H
#define HELLO_KEPT_REGS_H

#define KEPT_REGS	15
#define KEPT(n)		(8 * (n))	/* slot n of the frame */

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

#endif
