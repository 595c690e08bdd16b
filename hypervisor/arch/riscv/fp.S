/* SPDX-License-Identifier: MIT */
/*
 * The guest's floating-point registers: back to their reset value (all
 * zero, fcsr 0), and saved and restored whole at a switch between vCPUs on
 * a shared hart. The hypervisor is built for rv64imac and never uses them
 * otherwise; mstatus.FS is on only inside these functions (they leave the
 * guest's FS in its frame's mstatus as it was), and the guest is entered
 * with FS = Off (bh_arch_enter_guest).
 */
#include "arch/csr.h"

.macro zero_fregs mv
	\mv	f0, zero
	\mv	f1, zero
	\mv	f2, zero
	\mv	f3, zero
	\mv	f4, zero
	\mv	f5, zero
	\mv	f6, zero
	\mv	f7, zero
	\mv	f8, zero
	\mv	f9, zero
	\mv	f10, zero
	\mv	f11, zero
	\mv	f12, zero
	\mv	f13, zero
	\mv	f14, zero
	\mv	f15, zero
	\mv	f16, zero
	\mv	f17, zero
	\mv	f18, zero
	\mv	f19, zero
	\mv	f20, zero
	\mv	f21, zero
	\mv	f22, zero
	\mv	f23, zero
	\mv	f24, zero
	\mv	f25, zero
	\mv	f26, zero
	\mv	f27, zero
	\mv	f28, zero
	\mv	f29, zero
	\mv	f30, zero
	\mv	f31, zero
.endm

	.text
	.option push
	.option arch, +d

/* void bh_fp_reset_d(void): FLEN 64 (D); fmv.w.x would NaN-box. */
	.globl bh_fp_reset_d
bh_fp_reset_d:
	li	t0, MSTATUS_FS
	csrs	CSR_MSTATUS, t0
	zero_fregs fmv.d.x
	fscsr	zero
	csrc	CSR_MSTATUS, t0
	ret

/* void bh_fp_reset_f(void): FLEN 32 (F without D). */
	.globl bh_fp_reset_f
bh_fp_reset_f:
	li	t0, MSTATUS_FS
	csrs	CSR_MSTATUS, t0
	zero_fregs fmv.w.x
	fscsr	zero
	csrc	CSR_MSTATUS, t0
	ret

/* Each register in an 8-byte slot of a0's array, fcsr in slot 32. */
.macro each_freg op, size
	\op	f0, 0(a0)
	\op	f1, 8(a0)
	\op	f2, 16(a0)
	\op	f3, 24(a0)
	\op	f4, 32(a0)
	\op	f5, 40(a0)
	\op	f6, 48(a0)
	\op	f7, 56(a0)
	\op	f8, 64(a0)
	\op	f9, 72(a0)
	\op	f10, 80(a0)
	\op	f11, 88(a0)
	\op	f12, 96(a0)
	\op	f13, 104(a0)
	\op	f14, 112(a0)
	\op	f15, 120(a0)
	\op	f16, 128(a0)
	\op	f17, 136(a0)
	\op	f18, 144(a0)
	\op	f19, 152(a0)
	\op	f20, 160(a0)
	\op	f21, 168(a0)
	\op	f22, 176(a0)
	\op	f23, 184(a0)
	\op	f24, 192(a0)
	\op	f25, 200(a0)
	\op	f26, 208(a0)
	\op	f27, 216(a0)
	\op	f28, 224(a0)
	\op	f29, 232(a0)
	\op	f30, 240(a0)
	\op	f31, 248(a0)
.endm

.macro fp_save store
	li	t0, MSTATUS_FS
	csrs	CSR_MSTATUS, t0
	each_freg \store
	frcsr	t1
	sd	t1, 256(a0)
	csrc	CSR_MSTATUS, t0
	ret
.endm

.macro fp_restore load
	li	t0, MSTATUS_FS
	csrs	CSR_MSTATUS, t0
	each_freg \load
	ld	t1, 256(a0)
	fscsr	t1
	csrc	CSR_MSTATUS, t0
	ret
.endm

/* void bh_fp_save_d(uint64_t regs[33]) and the rest: D, or F alone. */
	.globl bh_fp_save_d
bh_fp_save_d:
	fp_save fsd
	.globl bh_fp_restore_d
bh_fp_restore_d:
	fp_restore fld
	.globl bh_fp_save_f
bh_fp_save_f:
	fp_save fsw
	.globl bh_fp_restore_f
bh_fp_restore_f:
	fp_restore flw

	.option pop
