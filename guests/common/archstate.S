/* SPDX-License-Identifier: MIT */
/*
 * Saving and dirtying the S-mode architectural state (state.h), and the
 * resume half of a non-retentive suspend (struct layouts in state.h). No stack: these run before a
 * hart has one (start.S) and where its registers are undefined (resume).
 */
#include "sbi.h"
#include "state.h"

#define SSTATUS_SPIE		(1 << 5)
#define SSTATUS_UBE		(1 << 6)
#define SSTATUS_SPP		(1 << 8)
#define SSTATUS_FS		(3 << 13)
#define SSTATUS_FS_INITIAL	(1 << 13)
#define SSTATUS_SUM		(1 << 18)
#define SSTATUS_MXR		(1 << 19)

/*
 * \insn, an access to senvcfg, which exists from privileged architecture
 * 1.12 on: on a hart of an older one (QEMU sifive_u's U54s implement 1.10)
 * it is an illegal instruction, and a trap vector just past it makes it a
 * no-op. No stack: \tmp is clobbered, and when it traps so are sepc,
 * scause, stval and sstatus's SIE, SPIE and SPP (callers save them first
 * and restore sstatus).
 */
.macro IF_SENVCFG tmp, insn:vararg
	lla	\tmp, 8f
	csrrw	\tmp, stvec, \tmp
	\insn
	.balign	4
8:	csrw	stvec, \tmp
.endm

	.text
	.option push
	.option arch, +d

/* void arch_state_save(struct arch_state *a0); uses t0-t2 only. */
	.globl arch_state_save
arch_state_save:
	csrr	t0, sstatus
	sd	t0, STATE_SSTATUS(a0)
	csrr	t1, sie
	sd	t1, STATE_SIE(a0)
	csrr	t1, sip
	sd	t1, STATE_SIP(a0)
	csrr	t1, stvec
	sd	t1, STATE_STVEC(a0)
	csrr	t1, sscratch
	sd	t1, STATE_SSCRATCH(a0)
	csrr	t1, sepc
	sd	t1, STATE_SEPC(a0)
	csrr	t1, scause
	sd	t1, STATE_SCAUSE(a0)
	csrr	t1, stval
	sd	t1, STATE_STVAL(a0)
	csrr	t1, satp
	sd	t1, STATE_SATP(a0)
	csrr	t1, scounteren
	sd	t1, STATE_SCOUNTEREN(a0)
	li	t1, 0
	IF_SENVCFG t2, csrr t1, senvcfg
	sd	t1, STATE_SENVCFG(a0)
	/* The FP registers can only be read with FS on. */
	li	t1, SSTATUS_FS_INITIAL
	csrs	sstatus, t1
	csrr	t1, sstatus
	li	t2, SSTATUS_FS
	and	t1, t1, t2
	snez	t1, t1
	sd	t1, STATE_HAS_FP(a0)
	beqz	t1, 1f
	frcsr	t1
	sd	t1, STATE_FCSR(a0)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (STATE_F + 8 * \n)(a0)
	.endr
1:	csrw	sstatus, t0
	ret

/* void arch_state_dirty(void) */
	.globl arch_state_dirty
arch_state_dirty:
	li	t1, SSTATUS_FS_INITIAL
	csrs	sstatus, t1
	csrr	t0, sstatus
	li	t1, SSTATUS_FS
	and	t0, t0, t1
	beqz	t0, 1f
	li	t0, 0x0123456789abcdef
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmv.d.x	f\n, t0
	addi	t0, t0, 1
	.endr
	li	t0, 0x21		/* frm = RTZ, fflags = NX */
	fscsr	t0
1:	li	t0, 0x5c5c5c5c5c5c5c5c
	csrw	sscratch, t0
	csrw	sepc, t0
	csrw	scause, t0
	csrw	stval, t0
	li	t0, -1
	csrw	scounteren, t0
	IF_SENVCFG t1, csrw senvcfg, t0
	/* Bare mode with an ASID and a PPN: translation stays off. */
	li	t0, (0x5a << 44) | 0x12345
	csrw	satp, t0
	li	t0, SSTATUS_SPIE | SSTATUS_UBE | SSTATUS_SPP | SSTATUS_SUM | SSTATUS_MXR
	csrs	sstatus, t0
	li	t0, 0x222		/* SSIE, STIE, SEIE */
	csrs	sie, t0
	li	t0, 2			/* SSIP */
	csrs	sip, t0
	li	t0, 0x5c5c5c5c5c5c5c00
	csrw	stvec, t0
	ret

	.option pop

/* long suspend_non_retentive(struct resume_ctx *a0) */
	.globl suspend_non_retentive
suspend_non_retentive:
	sd	ra, RESUME_RA(a0)
	sd	sp, RESUME_SP(a0)
	sd	gp, RESUME_GP(a0)
	sd	tp, RESUME_TP(a0)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (RESUME_S + 8 * \n)(a0)
	.endr
	mv	a2, a0
	lla	a1, resume_entry
	li	a0, 0x80000000		/* non-retentive */
	li	a6, 3			/* hart_suspend */
	li	a7, SBI_EXT_HSM
	ecall
	ret				/* only when the call failed */

/* Resumed: a0 = hart ID, a1 = the context; nothing else is defined. */
resume_entry:
	addi	a0, a1, RESUME_STATE
	call	arch_state_save		/* keeps a1 */
	lla	t0, trap_entry		/* the caller may have dirtied stvec */
	csrw	stvec, t0
	ld	ra, RESUME_RA(a1)
	ld	sp, RESUME_SP(a1)
	ld	gp, RESUME_GP(a1)
	ld	tp, RESUME_TP(a1)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (RESUME_S + 8 * \n)(a1)
	.endr
	li	a0, 0
	ret
