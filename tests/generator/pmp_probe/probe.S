/* SPDX-License-Identifier: MIT */
/*
 * What a machine's PMP is, as its harts implement it: hart 0 counts the
 * PMP entries whose address register holds a value (a missing CSR traps,
 * an absent entry reads 0) and derives the grain from the low zero bits
 * of an all-ones address in an entry that is off (the privileged spec:
 * with A = OFF, bits G-1..0 read as 0, the grain is 4 << G bytes). It
 * stores RESULT_MAGIC, the count and the read-back address at RESULT,
 * for tests/generator/test_board_matches_qemu.py to read through QEMU's
 * monitor, and parks. Every hart starts here with a0 = its hart ID.
 */
#define RESULT		0x80100000
#define RESULT_MAGIC	0x504d5050524f4245	/* "PMPPROBE" */

	.section .text
	.globl _start
_start:
	bnez	a0, park
	la	t0, skip
	csrw	mtvec, t0

	/* Every entry off first: an entry's address reads fully only then. */
	.irp n, 0, 2, 4, 6, 8, 10, 12, 14
	csrw	pmpcfg\n, zero
	.endr

	li	s0, 0			/* entries */
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
	li	t1, -1
	li	t2, 0
	csrw	pmpaddr\n, t1		/* skipped, with t2 left 0, if it traps */
	csrr	t2, pmpaddr\n
	beqz	t2, 1f
	addi	s0, s0, 1
	.endr
1:
	li	t1, -1
	csrw	pmpaddr0, t1
	csrr	s1, pmpaddr0

	li	t0, RESULT
	sd	s0, 8(t0)
	sd	s1, 16(t0)
	fence	rw, rw
	li	t1, RESULT_MAGIC
	sd	t1, 0(t0)
park:
	wfi
	j	park

	/* An access to a CSR the hart lacks: step over it. */
	.balign	4
skip:
	csrr	t0, mepc
	addi	t0, t0, 4
	csrw	mepc, t0
	mret
