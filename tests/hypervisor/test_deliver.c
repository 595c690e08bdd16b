// SPDX-License-Identifier: MIT
/* Delegation and the sstatus of a trap the hypervisor hands to a guest. */
#include "arch/deliver.h"
#include "runner.h"

#define BIT(n)	(1UL << (n))

TEST(the_guests_own_exceptions_are_delegated)
{
	static const unsigned int own[] = {
		CAUSE_MISALIGNED_FETCH, CAUSE_ILLEGAL_INSTRUCTION,
		CAUSE_BREAKPOINT, CAUSE_MISALIGNED_LOAD, CAUSE_MISALIGNED_STORE,
		CAUSE_USER_ECALL, CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT,
		CAUSE_STORE_PAGE_FAULT,
	};
	unsigned int i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		CHECK(MEDELEG_GUEST & BIT(own[i]));
}

TEST(access_faults_and_sbi_calls_stay_with_the_hypervisor)
{
	CHECK(!(MEDELEG_GUEST & BIT(CAUSE_FETCH_ACCESS)));
	CHECK(!(MEDELEG_GUEST & BIT(CAUSE_LOAD_ACCESS)));
	CHECK(!(MEDELEG_GUEST & BIT(CAUSE_STORE_ACCESS)));
	CHECK(!(MEDELEG_GUEST & BIT(CAUSE_SUPERVISOR_ECALL)));
	/* ecall from M (11), reserved 10 and 14, nothing above 15. */
	CHECK(!(MEDELEG_GUEST & (BIT(10) | BIT(11) | BIT(14) | ~0xffffUL)));
}

TEST(every_s_interrupt_and_nothing_else_is_delegated)
{
	CHECK(MIDELEG_GUEST == (BIT(1) | BIT(5) | BIT(9)));
}

TEST(a_trap_from_s_mode_with_interrupts_on)
{
	uint64_t in = MSTATUS_MPP_S | MSTATUS_SIE | MSTATUS_MPIE;
	uint64_t out = bh_riscv_deliver_mstatus(in);

	CHECK(out & MSTATUS_SPP);
	CHECK(out & MSTATUS_SPIE);
	CHECK(!(out & MSTATUS_SIE));
	CHECK((out & MSTATUS_MPP) == MSTATUS_MPP_S);
	CHECK(out & MSTATUS_MPIE);
}

TEST(a_trap_from_u_mode_with_interrupts_off)
{
	/* SPP and SPIE still hold an older trap's values: both are replaced. */
	uint64_t in = MSTATUS_SPP | MSTATUS_SPIE;	/* MPP = U */
	uint64_t out = bh_riscv_deliver_mstatus(in);

	CHECK(!(out & MSTATUS_SPP));
	CHECK(!(out & MSTATUS_SPIE));
	CHECK(!(out & MSTATUS_SIE));
	CHECK((out & MSTATUS_MPP) == MSTATUS_MPP_S);
}

TEST(delivery_keeps_every_other_status_bit)
{
	uint64_t others = MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS | MSTATUS_VS |
			  MSTATUS_TVM | MSTATUS_MPIE;
	uint64_t out = bh_riscv_deliver_mstatus(others | MSTATUS_MPP_S);

	CHECK((out & others) == others);
	CHECK((out & ~(others | MSTATUS_MPP | MSTATUS_SPP)) == 0);
}
