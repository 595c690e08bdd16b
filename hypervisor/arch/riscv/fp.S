/* SPDX-License-Identifier: MIT */
/*
 * The guest's floating-point registers back to their reset value (all zero,
 * fcsr 0). The hypervisor is built for rv64imac and never uses them
 * otherwise; mstatus.FS is on only inside these functions, and the guest
 * is entered with FS = Off (bh_arch_enter_guest).
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

	.option pop
