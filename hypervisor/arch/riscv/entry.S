/* SPDX-License-Identifier: MIT */
/*
 * Reset entry and trap entry/exit, and the SBI fast path.
 *
 * mscratch holds this hart's struct bh_frame while a guest runs and 0 while
 * the hypervisor runs, so the trap entry tells the two apart without
 * touching any other register: a trap from M-mode is a panic.
 */
#include "arch/csr.h"
#include "bulkhead/vcpu.h"
#include "bulkhead/sbi.h"
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

/*
 * The registers a C function may change (ra, t0-t6, a0-a7; t0 and t1 are
 * in the frame already) and the guest's sp into the frame, and mscratch 0:
 * the hypervisor runs. sp is the frame.
 */
.macro	save_caller_saved
	sd	x1, REG(1)(sp)
	sd	x7, REG(7)(sp)
	sd	x10, REG(10)(sp)
	sd	x11, REG(11)(sp)
	sd	x12, REG(12)(sp)
	sd	x13, REG(13)(sp)
	sd	x14, REG(14)(sp)
	sd	x15, REG(15)(sp)
	sd	x16, REG(16)(sp)
	sd	x17, REG(17)(sp)
	sd	x28, REG(28)(sp)
	sd	x29, REG(29)(sp)
	sd	x30, REG(30)(sp)
	sd	x31, REG(31)(sp)
	csrrw	t0, CSR_MSCRATCH, zero	/* the guest's sp; now in the hypervisor */
	sd	t0, REG(2)(sp)
.endm

/* save_caller_saved undone from the frame in a0 (a0 last), and mret. */
.macro	restore_caller_saved_and_return
	ld	x1, REG(1)(a0)
	ld	x2, REG(2)(a0)
	ld	x5, REG(5)(a0)
	ld	x6, REG(6)(a0)
	ld	x7, REG(7)(a0)
	ld	x11, REG(11)(a0)
	ld	x12, REG(12)(a0)
	ld	x13, REG(13)(a0)
	ld	x14, REG(14)(a0)
	ld	x15, REG(15)(a0)
	ld	x16, REG(16)(a0)
	ld	x17, REG(17)(a0)
	ld	x28, REG(28)(a0)
	ld	x29, REG(29)(a0)
	ld	x30, REG(30)(a0)
	ld	x31, REG(31)(a0)
	ld	x10, REG(10)(a0)
	mret
.endm

	.text
	.align	4
	.globl bh_trap_entry
bh_trap_entry:
	csrrw	sp, CSR_MSCRATCH, sp
	beqz	sp, .Ltrap_from_m
	sd	x5, REG(5)(sp)
	sd	x6, REG(6)(sp)
	csrr	t0, CSR_MCAUSE
	li	t1, CAUSE_SUPERVISOR_ECALL
	beq	t0, t1, .Lsbi_fast

	/* Load and store access faults (5, 7; no other cause has cause | 2 == 7). */
	ori	t1, t0, 2
	addi	t1, t1, -CAUSE_STORE_ACCESS
	beqz	t1, .Laccess

	/* The full path: every register into the frame, then bh_trap. */
.Lsave:
	save_caller_saved
.Lsave_callee_saved:
	sd	x3, REG(3)(sp)
	sd	x4, REG(4)(sp)
	sd	x8, REG(8)(sp)
	sd	x9, REG(9)(sp)
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
	ld	x3, REG(3)(a0)
	ld	x4, REG(4)(a0)
	ld	x8, REG(8)(a0)
	ld	x9, REG(9)(a0)
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
	restore_caller_saved_and_return

/*
 * The SBI fast path answers the calls a kernel makes most and that need
 * no C: BASE get_spec_version, get_impl_id, get_impl_version and
 * probe_extension, and TIME set_timer on a board with Sstc. It saves t0
 * and t1 (at the entry, above) and writes no other register but a0 and
 * a1, the results. What it leaves out of the full path, and why that is
 * safe:
 *
 * - the other 29 registers and mstatus, saved and restored: nothing here
 *   writes them, and mret changes mstatus back just as it does after the
 *   full path restored the value saved at entry;
 * - bh_trap: it counts the trap here, in the slot bh_traps_count uses;
 * - bh_vcpu_before_return: whenever stop_pending or leave is set, the
 *   full path is taken, and none of these calls sets either;
 * - bh_sbi_dispatch: the answers come from what the C path reads,
 *   bh_sbi_base_values and bh_sbi_extensions (core/sbi), and set_timer
 *   writes stimecmp as bh_arch_set_guest_timer does with Sstc.
 *
 * Any other call or FID, and a trap that is no S-mode ecall, goes to
 * .Lsave with the guest's registers untouched but for t0 and t1, which
 * are in the frame already.
 */

/* To the full path if bh_vcpu_before_return has work (above). */
.macro	sbi_fast_or_full
	lw	t0, BH_VCPU_STOP_PENDING(sp)
	lw	t1, BH_VCPU_LEAVE(sp)
	or	t0, t0, t1
	bnez	t0, .Lsave
.endm

.Lsbi_fast:
	li	t0, SBI_EXT_BASE
	beq	a7, t0, .Lsbi_base
#if BH_HAS_SSTC
	li	t0, SBI_EXT_TIME
	bne	a7, t0, .Lsave
	li	t0, SBI_TIME_SET_TIMER
	bne	a6, t0, .Lsave
	sbi_fast_or_full
	csrw	CSR_STIMECMP, a0
	li	a1, 0
	j	.Lsbi_return
#else
	j	.Lsave
#endif

.Lsbi_base:
	li	t0, SBI_BASE_PROBE_EXTENSION
	bgtu	a6, t0, .Lsave		/* the machine IDs (CSRs), unknown FIDs */
	sbi_fast_or_full
	li	t0, SBI_BASE_PROBE_EXTENSION
	beq	a6, t0, .Lsbi_probe
	/* a1 = bh_sbi_base_values[a6] */
	slli	t0, a6, 3
	lla	t1, bh_sbi_base_values
	add	t0, t0, t1
	ld	a1, 0(t0)
	j	.Lsbi_return

	/* bh_sbi_find(a0): the EID in a0's slot is a0's, with a handler. */
.Lsbi_probe:
	andi	t0, a0, BH_SBI_SLOTS - 1
	slli	t0, t0, BH_SBI_EXT_SHIFT
	lla	t1, bh_sbi_extensions
	add	t0, t0, t1
	ld	t1, BH_SBI_EXT_EID(t0)
	li	a1, 0
	bne	t1, a0, .Lsbi_return
	ld	a1, BH_SBI_EXT_HANDLER(t0)
	snez	a1, a1

.Lsbi_return:
	li	a0, SBI_SUCCESS
	ld	t0, (BH_VCPU_TRAPS_EXCEPTION + 8 * CAUSE_SUPERVISOR_ECALL)(sp)
	addi	t0, t0, 1
	sd	t0, (BH_VCPU_TRAPS_EXCEPTION + 8 * CAUSE_SUPERVISOR_ECALL)(sp)
	csrr	t0, CSR_MEPC
	addi	t0, t0, 4		/* after the ecall */
	csrw	CSR_MEPC, t0
	ld	t0, REG(5)(sp)
	ld	t1, REG(6)(sp)
	csrrw	sp, CSR_MSCRATCH, sp	/* the guest's sp; mscratch the frame */
	mret

/*
 * The path of a load or store access fault, which is how a guest reaches
 * its virtual UART and the PLIC's shared registers: bh_trap_access
 * (arch/riscv/trap.c) emulates the access with only the caller-saved
 * registers in the frame, because C keeps the others as they are. What it
 * leaves out of the full path, and why that is safe:
 *
 * - saving and restoring s0-s11, gp, tp and mstatus: no C function
 *   changes them, and bh_trap_access declines an access whose register is
 *   one of them (the full path emulates it);
 * - bh_vcpu_before_return: bh_trap_access declines when stop_pending or
 *   leave is set, and emulation sets neither;
 * - bh_trap: the trap is counted here, in the slot bh_traps_count uses.
 *
 * When it declines, it has changed nothing, and the full save goes on
 * from where this one stopped.
 */
.Laccess:
	save_caller_saved
	mv	a0, sp
	ld	sp, BH_FRAME_STACK_TOP(a0)
	addi	sp, sp, -16
	sd	a0, 0(sp)
	call	bh_trap_access
	mv	t0, a0
	ld	a0, 0(sp)
	addi	sp, sp, 16
	bnez	t0, 1f
	mv	sp, a0
	j	.Lsave_callee_saved
1:	csrw	CSR_MSCRATCH, a0
	ld	t0, BH_FRAME_MEPC(a0)
	csrw	CSR_MEPC, t0
	/* bh_traps_count: a load or store access fault's code is below 64. */
	csrr	t0, CSR_MCAUSE
	slli	t0, t0, 3
	add	t0, t0, a0
	ld	t1, BH_VCPU_TRAPS_EXCEPTION(t0)
	addi	t1, t1, 1
	sd	t1, BH_VCPU_TRAPS_EXCEPTION(t0)
	restore_caller_saved_and_return

/* A trap taken in M-mode is a hypervisor bug: bh_trap_m panics. */
.Ltrap_from_m:
	csrrw	sp, CSR_MSCRATCH, sp	/* back to the hypervisor's sp, mscratch 0 */
	call	bh_trap_m
