// SPDX-License-Identifier: MIT
/* Access-fault emulation of the virtual UART and the forwarding rules. */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/fault.h"
#include "fake.h"
#include "runner.h"

#define EPC	(ALPHA_BASE + 0x100)
#define LBU_A0_A1	((5U << 20) | (11 << 15) | (4 << 12) | (10 << 7) | 0x03)
#define LB_A0_A1	((0U << 20) | (11 << 15) | (0 << 12) | (10 << 7) | 0x03)
#define LH_A0_A1	((0U << 20) | (11 << 15) | (1 << 12) | (10 << 7) | 0x03)
#define SB_A2_A1	((12U << 20) | (11 << 15) | (0 << 12) | 0x23)
#define C_LW_A0_A1	0x4188

static bool emulate(uint32_t cause, uint64_t tval, uint64_t satp)
{
	struct bh_fault f = { cause, EPC, tval, satp };

	hart(0)->frame.mepc = EPC;
	return bh_fault_emulate(hart(0), &f);
}

TEST(emulates_a_byte_load_from_the_uart_and_skips_it)
{
	put32(EPC, LBU_A0_A1);
	CHECK(emulate(BH_CAUSE_LOAD_ACCESS, UART_BASE + 5, 0));
	CHECK(hart(0)->frame.regs[10] == 0x60);	/* LSR: THRE | TEMT */
	CHECK(hart(0)->frame.mepc == EPC + 4);
}

TEST(emulates_stores_to_thr)
{
	put32(EPC, SB_A2_A1);
	hart(0)->frame.regs[12] = 'Z';
	CHECK(emulate(BH_CAUSE_STORE_ACCESS, UART_BASE, 0));
	hart(0)->frame.regs[12] = '\n';
	CHECK(emulate(BH_CAUSE_STORE_ACCESS, UART_BASE, 0));
	CHECK(!strcmp(take_output(), "[alpha] Z\r\n"));
}

TEST(emulates_compressed_word_access_as_byte_register)
{
	put16(EPC, C_LW_A0_A1);
	CHECK(emulate(BH_CAUSE_LOAD_ACCESS, UART_BASE + 5, 0));
	CHECK(hart(0)->frame.regs[10] == 0x60);
	CHECK(hart(0)->frame.mepc == EPC + 2);
}

TEST(signed_byte_loads_sign_extend)
{
	bh_vuart_write(&bh_capsule_states[0].vuart, 0, 7, 0xa5);
	put32(EPC, LB_A0_A1);
	CHECK(emulate(BH_CAUSE_LOAD_ACCESS, UART_BASE + 7, 0));
	CHECK(hart(0)->frame.regs[10] == 0xffffffffffffffa5UL);
	put32(EPC, LBU_A0_A1);
	CHECK(emulate(BH_CAUSE_LOAD_ACCESS, UART_BASE + 7, 0));
	CHECK(hart(0)->frame.regs[10] == 0xa5);
}

TEST(does_not_emulate_what_the_uart_cannot_be)
{
	put32(EPC, LH_A0_A1);	/* 2-byte access */
	CHECK(!emulate(BH_CAUSE_LOAD_ACCESS, UART_BASE + 5, 0));
	put32(EPC, LBU_A0_A1);
	CHECK(!emulate(BH_CAUSE_LOAD_ACCESS, UART_BASE + 8, 0));
	CHECK(!emulate(BH_CAUSE_LOAD_ACCESS, UART_BASE + 0x100, 0));
	CHECK(!emulate(BH_CAUSE_LOAD_ACCESS, BETA_BASE, 0));
	CHECK(!emulate(BH_CAUSE_STORE_ACCESS, UART_BASE, 0)); /* a load */
	CHECK(!emulate(BH_CAUSE_FETCH_ACCESS, UART_BASE, 0));
	CHECK(hart(0)->frame.mepc == EPC);
	CHECK(hart(0)->frame.regs[10] == 0);
}

TEST(does_not_emulate_when_the_instruction_cannot_be_read)
{
	struct bh_fault f = { BH_CAUSE_LOAD_ACCESS, BETA_BASE + 0x10,
			      UART_BASE + 5, 0 };

	hart(0)->frame.mepc = f.epc;
	CHECK(!bh_fault_emulate(hart(0), &f));
}

TEST(translates_the_faulting_virtual_address_with_guest_paging)
{
	uint64_t root = ALPHA_BASE + 0x1000, l1 = ALPHA_BASE + 0x2000,
		 l0 = ALPHA_BASE + 0x3000;

	put64(root + 8, ((l1 >> 12) << 10) | 1);
	put64(l1 + 8, ((l0 >> 12) << 10) | 1);
	put64(l0 + 8, ((UART_BASE >> 12) << 10) | 7);
	put32(EPC, LBU_A0_A1);
	CHECK(emulate(BH_CAUSE_LOAD_ACCESS, 0x40201005,
		      (8UL << 60) | (root >> 12)));
	CHECK(hart(0)->frame.regs[10] == 0x60);
	/* Unmapped virtual address: forwarded, not emulated. */
	CHECK(!emulate(BH_CAUSE_LOAD_ACCESS, 0x40202005,
		       (8UL << 60) | (root >> 12)));
}

static const char *check_forward(uint64_t cause, uint64_t epc, uint64_t stvec,
				 bool from_s)
{
	struct bh_fault f = { cause, epc, 0x1234, 0 };
	struct bh_guest_trap_state g = { .stvec = stvec, .from_s = from_s };

	return bh_fault_check_forward(hart(0), &f, &g);
}

TEST(forwarding_needs_a_trap_vector_inside_the_capsule)
{
	CHECK(check_forward(5, EPC, 0, true));
	CHECK(check_forward(5, EPC, BETA_BASE, true));
	CHECK(check_forward(5, EPC, 0x80000000, true));
	CHECK(!check_forward(5, EPC, ALPHA_BASE + 0x200, true));
	CHECK(!check_forward(5, EPC, ALPHA_BASE + 0x201, true)); /* vectored */
}

TEST(fetch_fault_at_the_trap_vector_is_a_capsule_fault)
{
	CHECK(check_forward(BH_CAUSE_FETCH_ACCESS, ALPHA_BASE + 0x200,
			    ALPHA_BASE + 0x200, true));
	CHECK(!check_forward(BH_CAUSE_FETCH_ACCESS, ALPHA_BASE + 0x204,
			     ALPHA_BASE + 0x200, true));
}

TEST(second_fault_inside_the_handler_is_a_capsule_fault)
{
	struct bh_fault first = { 5, EPC, 0x1234, 0 };
	struct bh_fault again = { 7, ALPHA_BASE + 0x208, 0x99, 0 };
	struct bh_guest_trap_state g = { .stvec = ALPHA_BASE + 0x200,
					 .from_s = true };

	CHECK(!bh_fault_check_forward(hart(0), &first, &g));
	/* Still in the handler: sepc/scause/stval as the forward left them. */
	g.sepc = EPC;
	g.scause = 5;
	g.stval = 0x1234;
	CHECK(bh_fault_check_forward(hart(0), &again, &g));
	/* After the handler took another trap (sepc moved on), it is fine. */
	g.sepc = EPC + 4;
	CHECK(!bh_fault_check_forward(hart(0), &again, &g));
}

TEST(user_fault_after_the_handler_returned_is_forwarded)
{
	struct bh_fault first = { 5, EPC, 0x1234, 0 };
	struct bh_guest_trap_state g = { .stvec = ALPHA_BASE + 0x200,
					 .sepc = EPC, .scause = 5,
					 .stval = 0x1234, .from_s = false };

	CHECK(!bh_fault_check_forward(hart(0), &first, &g));
	CHECK(!bh_fault_check_forward(hart(0), &first, &g));
}
