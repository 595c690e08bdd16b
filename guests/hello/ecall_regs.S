/* SPDX-License-Identifier: MIT */
/*
 * ecall_regs(eid, fid, arg0, regs): see ecall_regs.h. While the registers
 * hold their patterns none is left to address memory with, so sp waits in
 * sscratch (whose value is kept) and sstatus.SIE is off: no interrupt can
 * come in between.
 */
#include "ecall_regs.h"
#include "kept_regs.h"

#define SSTATUS_SIE	2
/* KEPT(KEPT_REGS) on: regs, sstatus, sscratch; SEEN: the registers after the call */

	.text
	.globl	ecall_regs
ecall_regs:
	addi	sp, sp, -FRAME
	save_kept
	sd	a3, KEPT(15)(sp)
	csrrci	t0, sstatus, SSTATUS_SIE
	sd	t0, KEPT(16)(sp)
	csrr	t0, sscratch
	sd	t0, KEPT(17)(sp)
	sd	sp, SEEN(0)(sp)
	csrw	sscratch, sp
	mv	a7, a0
	mv	a6, a1
	mv	a0, a2
	.irp n, 1,3,4,5,6,7,8,9,11,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	li	x\n, ECALL_PATTERN(\n)
	.endr
	ecall
	csrrw	sp, sscratch, sp	/* ours back; sscratch: the call's */
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, SEEN(\n)(sp)
	.endr
	csrr	t0, sscratch
	sd	t0, SEEN(2)(sp)
	ld	t0, KEPT(17)(sp)
	csrw	sscratch, t0
	ld	t0, KEPT(16)(sp)
	csrw	sstatus, t0
	/* regs[] = SEEN(0..31) */
	ld	a3, KEPT(15)(sp)
	copy_seen a3, t0, t1, t2
	restore_kept
	addi	sp, sp, FRAME
	ret
