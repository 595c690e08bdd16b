/* SPDX-License-Identifier: MIT */
/*
 * Entry points of a bare-metal guest. Position independent: every address
 * is formed PC-relative (lla), so the image runs wherever it is loaded.
 *
 * _start:            boot vCPU, a0 = hart ID, a1 = DTB physical address
 * _secondary_start:  a vCPU started by SBI HSM, a0 = hart ID, a1 = opaque
 */
#include "runtime.h"
#include "sbi.h"
#include "state.h"

	.section .text.start, "ax"
	.globl _start
_start:
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	jal	save_entry_state
	csrw	sie, zero
	csrci	sstatus, 2
	jal	enter_common
	call	runtime_boot
	j	park

	.globl _secondary_start
	.text
	.align	2
_secondary_start:
	jal	save_entry_state
	csrw	sie, zero
	csrci	sstatus, 2
	jal	enter_common
	call	runtime_secondary
	j	park

/*
 * entry_state[a0] = the state as the hypervisor handed the hart over,
 * before anything here writes a CSR; keeps a0/a1 (s1 holds the return).
 */
save_entry_state:
	li	t0, GUEST_MAX_HARTS
	bgeu	a0, t0, stop_hart
	mv	s1, ra
	mv	s0, a0
	li	t0, STATE_SIZE
	mul	t0, t0, a0
	lla	a0, entry_state
	add	a0, a0, t0
	call	arch_state_save
	mv	a0, s0
	jr	s1

/* Install the trap vector and this hart's stack; keeps a0/a1. */
enter_common:
	li	t0, GUEST_MAX_HARTS
	bgeu	a0, t0, stop_hart
	lla	t0, trap_entry
	csrw	stvec, t0
	lla	sp, guest_stacks
	addi	t0, a0, 1
	li	t1, GUEST_STACK_SIZE
	mul	t0, t0, t1
	add	sp, sp, t0
	ret

/* A hart ID this runtime has no stack for: give the hart back. */
stop_hart:
	li	a7, SBI_EXT_HSM
	li	a6, 1
	ecall
park:
	wfi
	j	park
