/* SPDX-License-Identifier: MIT */
/*
 * The two measurements of the bench guest that C cannot make: where an
 * interrupt lands, and the first instruction of a started hart. Both read
 * instret as their very first act, so nothing of the guest's own runtime
 * (trap entry, stack set-up) falls inside the figure.
 */
#include "sbi.h"

#define SSTATUS_SIE	2

/*
 * uint64_t timer_spin(uint64_t give_up, uint64_t at_irq[2])
 *
 * With stvec pointing at the vector below and sstatus.SIE on, reads
 * instret in a two-instruction loop until the (armed, enabled) S-mode
 * timer interrupt arrives or instret passes give_up. The vector stores
 * in at_irq[0] its first instret read, less one when the loop's branch ran
 * after its last read (sepc is the read, not the branch): so at_irq[0]
 * minus the returned value is, as for two back-to-back reads, one more
 * than the instructions between the deadline and the vector. at_irq[1]
 * gets scause. The vector returns (S-mode to S-mode, no sret: the trap
 * cleared SIE) the loop's last read; timer_spin returns 0 when it gave up.
 * Leaf function: ra and sp are untouched, so the vector can return for it.
 */
	.text
	.globl	timer_spin
timer_spin:
	csrr	t2, stvec
	lla	t3, timer_vector
	csrw	stvec, t3
	csrr	t0, instret
	csrsi	sstatus, SSTATUS_SIE
.Lspin:
	csrr	t0, instret
	bltu	t0, a0, .Lspin
	csrci	sstatus, SSTATUS_SIE
	csrw	stvec, t2
	li	a0, 0
	ret

	.align	2		/* stvec: direct mode, 4-byte aligned */
timer_vector:
	csrr	t1, instret
	csrr	t3, sepc
	lla	t4, .Lspin
	bne	t3, t4, 1f
	addi	t1, t1, -1
1:	sd	t1, 0(a1)
	csrr	t1, scause
	sd	t1, 8(a1)
	csrw	stvec, t2
	mv	a0, t0
	ret

/*
 * HSM hart_start target of the hsm-start measurement: a0 = hart ID,
 * a1 = opaque = { uint64_t at; uint64_t boot_mask; }. Reads instret first
 * and stores it in at, then IPIs the harts in boot_mask awake and stops
 * again with hart_stop, so the next start finds it STOPPED. Needs no
 * stack.
 */
	.globl	hsm_first_insn
	.align	2
hsm_first_insn:
	csrr	t0, instret
	sd	t0, 0(a1)
	fence	rw, rw
	ld	a0, 8(a1)
	li	a1, 0
	li	a7, SBI_EXT_IPI
	li	a6, 0		/* send_ipi */
	ecall
	li	a7, SBI_EXT_HSM
	li	a6, 1		/* hart_stop */
	ecall
1:	wfi
	j	1b
