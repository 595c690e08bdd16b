/* SPDX-License-Identifier: MIT */
/*
 * uart_regs(scr, seen): see uart_regs.h. Each round trip runs with every
 * register but sp and t6 holding its pattern, so the values are saved on
 * the stack first and copied out after; sstatus.SIE is off meanwhile, so
 * no interrupt can come in between.
 */
#include "uart_regs.h"
#include "kept_regs.h"

#define SSTATUS_SIE	2
/* KEPT(KEPT_REGS) on: scr, seen, sstatus; SEEN: the registers after a round trip */

/* Round trip of xn through the scratch register, then seen[...] = x1..x31. */
.macro	round_trip n
	ld	t6, KEPT(15)(sp)
	.irp m, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	li	x\m, UART_PATTERN(\m)
	.endr
	sb	x\n, 0(t6)
	lbu	x\n, 0(t6)
	.irp m, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\m, SEEN(\m)(sp)
	.endr
	/* seen row: 32 registers (x0 and sp: 0) */
	ld	a0, KEPT(16)(sp)
	copy_seen a0, a1, a2, a3
	sd	a0, KEPT(16)(sp)
.endm

	.text
	.globl	uart_regs
uart_regs:
	addi	sp, sp, -FRAME
	save_kept
	sd	a0, KEPT(15)(sp)
	sd	a1, KEPT(16)(sp)
	csrrci	t0, sstatus, SSTATUS_SIE
	sd	t0, KEPT(17)(sp)
	sd	zero, SEEN(0)(sp)
	sd	zero, SEEN(2)(sp)
	.irp n, UART_REGS_TRIED
	round_trip \n
	.endr
	ld	t0, KEPT(17)(sp)
	csrw	sstatus, t0
	restore_kept
	addi	sp, sp, FRAME
	ret
