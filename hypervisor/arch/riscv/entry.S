/* SPDX-License-Identifier: MIT */
/*
 * Reset entry and trap entry/exit.
 *
 * mscratch holds this hart's struct bh_frame while a guest runs and 0 while
 * the hypervisor runs, so the trap entry tells the two apart without
 * touching any other register: a trap from M-mode is a panic.
 */
#include "arch/csr.h"
#include "bulkhead/hart.h"
#include "bulkhead_config.h"

#define REG(n)	(BH_FRAME_REGS + 8 * (n))

	/* For the footprint report: an absolute symbol. */
	.globl bh_stack_size
	.set	bh_stack_size, BH_STACK_SIZE

	.section .text.entry, "ax"
	.globl _start
_start:
	csrw	CSR_MIE, zero
	csrw	CSR_MSCRATCH, zero
	la	t0, bh_trap_entry
	csrw	CSR_MTVEC, t0
	li	t0, BH_HART_COUNT
	bgeu	a0, t0, .Lpark		/* a hart the board does not describe */

	/* sp = bh_stacks + (hartid + 1) * BH_STACK_SIZE */
	la	sp, bh_stacks
	li	t0, BH_STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	mv	s0, a0
	bnez	a0, .Lwait_release

	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	bh_boot_primary
	fence	rw, rw
	li	t0, 1
	la	t1, bh_released
	sw	t0, 0(t1)
	j	3f

.Lwait_release:
	la	t1, bh_released
1:	lw	t0, 0(t1)
	beqz	t0, 1b
	fence	rw, rw
3:	mv	a0, s0
	call	bh_main

.Lpark:
	wfi
	j	.Lpark

	.section .data
	.align	2
	/* Set by hart 0 when bss, the UART and the tables' state are ready. */
bh_released:
	.word	0

	.text
	.align	4
	.globl bh_trap_entry
bh_trap_entry:
	csrrw	sp, CSR_MSCRATCH, sp
	beqz	sp, .Ltrap_from_m

	sd	x1, REG(1)(sp)
	sd	x3, REG(3)(sp)
	sd	x4, REG(4)(sp)
	sd	x5, REG(5)(sp)
	sd	x6, REG(6)(sp)
	sd	x7, REG(7)(sp)
	sd	x8, REG(8)(sp)
	sd	x9, REG(9)(sp)
	sd	x10, REG(10)(sp)
	sd	x11, REG(11)(sp)
	sd	x12, REG(12)(sp)
	sd	x13, REG(13)(sp)
	sd	x14, REG(14)(sp)
	sd	x15, REG(15)(sp)
	sd	x16, REG(16)(sp)
	sd	x17, REG(17)(sp)
	sd	x18, REG(18)(sp)
	sd	x19, REG(19)(sp)
	sd	x20, REG(20)(sp)
	sd	x21, REG(21)(sp)
	sd	x22, REG(22)(sp)
	sd	x23, REG(23)(sp)
	sd	x24, REG(24)(sp)
	sd	x25, REG(25)(sp)
	sd	x26, REG(26)(sp)
	sd	x27, REG(27)(sp)
	sd	x28, REG(28)(sp)
	sd	x29, REG(29)(sp)
	sd	x30, REG(30)(sp)
	sd	x31, REG(31)(sp)
	csrrw	t0, CSR_MSCRATCH, zero	/* the guest's sp; now in the hypervisor */
	sd	t0, REG(2)(sp)
	csrr	t0, CSR_MEPC
	sd	t0, BH_FRAME_MEPC(sp)
	csrr	t0, CSR_MSTATUS
	sd	t0, BH_FRAME_MSTATUS(sp)
	mv	a0, sp
	ld	sp, BH_FRAME_STACK_TOP(a0)
	call	bh_trap
	/* bh_trap returns the frame: fall through into the return path. */

/* void bh_trap_return(struct bh_frame *frame): restore the guest, mret. */
	.globl bh_trap_return
bh_trap_return:
	ld	t0, BH_FRAME_MEPC(a0)
	csrw	CSR_MEPC, t0
	ld	t0, BH_FRAME_MSTATUS(a0)
	csrw	CSR_MSTATUS, t0
	csrw	CSR_MSCRATCH, a0
	ld	x1, REG(1)(a0)
	ld	x2, REG(2)(a0)
	ld	x3, REG(3)(a0)
	ld	x4, REG(4)(a0)
	ld	x5, REG(5)(a0)
	ld	x6, REG(6)(a0)
	ld	x7, REG(7)(a0)
	ld	x8, REG(8)(a0)
	ld	x9, REG(9)(a0)
	ld	x11, REG(11)(a0)
	ld	x12, REG(12)(a0)
	ld	x13, REG(13)(a0)
	ld	x14, REG(14)(a0)
	ld	x15, REG(15)(a0)
	ld	x16, REG(16)(a0)
	ld	x17, REG(17)(a0)
	ld	x18, REG(18)(a0)
	ld	x19, REG(19)(a0)
	ld	x20, REG(20)(a0)
	ld	x21, REG(21)(a0)
	ld	x22, REG(22)(a0)
	ld	x23, REG(23)(a0)
	ld	x24, REG(24)(a0)
	ld	x25, REG(25)(a0)
	ld	x26, REG(26)(a0)
	ld	x27, REG(27)(a0)
	ld	x28, REG(28)(a0)
	ld	x29, REG(29)(a0)
	ld	x30, REG(30)(a0)
	ld	x31, REG(31)(a0)
	ld	x10, REG(10)(a0)
	mret

/* A trap taken in M-mode is a hypervisor bug: bh_trap_m panics. */
.Ltrap_from_m:
	csrrw	sp, CSR_MSCRATCH, sp	/* back to the hypervisor's sp, mscratch 0 */
	call	bh_trap_m
