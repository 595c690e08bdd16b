/* SPDX-License-Identifier: MIT */
/*
 * What reaches a guest's S-mode directly (delegation) and what the
 * hypervisor does when it hands a trap on itself, as the hardware would.
 */
#ifndef ARCH_DELIVER_H
#define ARCH_DELIVER_H

#include <stdint.h>

#include "arch/csr.h"
#include "bulkhead_config.h"

/*
 * The guest's own exceptions go straight to its stvec. Access faults stay
 * with the hypervisor (virtual UART, isolation), as do S-mode ecalls (SBI),
 * and illegal instructions on a board whose time CSR traps: the hypervisor
 * answers reads of time (arch/riscv/trap.c) and hands the others on.
 */
#define MEDELEG_GUEST ((1UL << CAUSE_MISALIGNED_FETCH) |		\
		       ((BH_HAS_TIME_CSR ? 1UL : 0UL) <<		\
			CAUSE_ILLEGAL_INSTRUCTION) |			\
		       (1UL << CAUSE_BREAKPOINT) |			\
		       (1UL << CAUSE_MISALIGNED_LOAD) |			\
		       (1UL << CAUSE_MISALIGNED_STORE) |		\
		       (1UL << CAUSE_USER_ECALL) |			\
		       (1UL << CAUSE_FETCH_PAGE_FAULT) |		\
		       (1UL << CAUSE_LOAD_PAGE_FAULT) |			\
		       (1UL << CAUSE_STORE_PAGE_FAULT))

/* Every S-level interrupt: software, timer, external. */
#define MIDELEG_GUEST	MIP_S_ALL

/*
 * mstatus for entering the guest's trap handler, from the mstatus the
 * guest trapped with: SPP = the privilege it trapped from, SPIE = its SIE,
 * SIE = 0, and the return to M-mode lands in S-mode. Nothing else changes.
 */
uint64_t bh_riscv_deliver_mstatus(uint64_t mstatus);

#endif
