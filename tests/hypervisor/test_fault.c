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
#define LBU_S0_A1	((0U << 20) | (11 << 15) | (4 << 12) | (8 << 7) | 0x03)
#define LBU_T3_A1	((0U << 20) | (11 << 15) | (4 << 12) | (28 << 7) | 0x03)
#define LW_A0_A1	((0U << 20) | (11 << 15) | (2 << 12) | (10 << 7) | 0x03)
#define SB_S1_A1	((9U << 20) | (11 << 15) | (0 << 12) | 0x23)

/* What the trap entry's access path has in the frame (arch/riscv/trap.c). */
#define CALLER_SAVED	((1U << 0) | (1U << 1) | (1U << 2) | (7U << 5) | \
			 (0xffU << 10) | (0xfU << 28))

/* RISC-V mcause codes of the access faults. */
#define FETCH	1
#define LOAD	5
#define STORE	7

static enum bh_access access_of(uint64_t cause)
{
	return cause == FETCH ? BH_ACCESS_FETCH :
	       cause == LOAD ? BH_ACCESS_LOAD :
	       cause == STORE ? BH_ACCESS_STORE : BH_ACCESS_OTHER;
}

static struct bh_fault fault(uint64_t cause, uint64_t epc, uint64_t tval)
{
	return (struct bh_fault){ .cause = cause, .access = access_of(cause),
				  .epc = epc, .tval = tval };
}

static bool emulate(uint32_t cause, uint64_t tval, uint64_t satp)
{
	struct bh_fault f = fault(cause, EPC, tval);

	f.satp = satp;

	vcpu_on(0)->frame.mepc = EPC;
	return bh_fault_emulate(vcpu_on(0), &f, BH_REGS_ALL);
}

TEST(emulates_a_byte_load_from_the_uart_and_skips_it)
{
	put32(EPC, LBU_A0_A1);
	CHECK(emulate(LOAD, UART_BASE + 5, 0));
	CHECK(vcpu_on(0)->frame.regs[10] == 0x60);	/* LSR: THRE | TEMT */
	CHECK(vcpu_on(0)->frame.mepc == EPC + 4);
}

TEST(emulates_stores_to_thr)
{
	put32(EPC, SB_A2_A1);
	vcpu_on(0)->frame.regs[12] = 'Z';
	CHECK(emulate(STORE, UART_BASE, 0));
	vcpu_on(0)->frame.regs[12] = '\n';
	CHECK(emulate(STORE, UART_BASE, 0));
	CHECK(!strcmp(take_output(), "[alpha] Z\r\n"));
}

TEST(emulates_compressed_word_access_as_byte_register)
{
	put16(EPC, C_LW_A0_A1);
	CHECK(emulate(LOAD, UART_BASE + 5, 0));
	CHECK(vcpu_on(0)->frame.regs[10] == 0x60);
	CHECK(vcpu_on(0)->frame.mepc == EPC + 2);
}

TEST(signed_byte_loads_sign_extend)
{
	bh_vuart_write(&bh_capsule_states[0].vuart, 0, 7, 0xa5);
	put32(EPC, LB_A0_A1);
	CHECK(emulate(LOAD, UART_BASE + 7, 0));
	CHECK(vcpu_on(0)->frame.regs[10] == 0xffffffffffffffa5UL);
	put32(EPC, LBU_A0_A1);
	CHECK(emulate(LOAD, UART_BASE + 7, 0));
	CHECK(vcpu_on(0)->frame.regs[10] == 0xa5);
}

TEST(does_not_emulate_what_the_uart_cannot_be)
{
	put32(EPC, LH_A0_A1);	/* 2-byte access */
	CHECK(!emulate(LOAD, UART_BASE + 5, 0));
	put32(EPC, LBU_A0_A1);
	CHECK(!emulate(LOAD, UART_BASE + 8, 0));
	CHECK(!emulate(LOAD, UART_BASE + 0x100, 0));
	CHECK(!emulate(LOAD, BETA_BASE, 0));
	CHECK(!emulate(STORE, UART_BASE, 0)); /* a load */
	CHECK(!emulate(FETCH, UART_BASE, 0));
	CHECK(vcpu_on(0)->frame.mepc == EPC);
	CHECK(vcpu_on(0)->frame.regs[10] == 0);
}

TEST(does_not_emulate_when_the_instruction_cannot_be_read)
{
	struct bh_fault f = fault(LOAD, BETA_BASE + 0x10, UART_BASE + 5);

	vcpu_on(0)->frame.mepc = f.epc;
	CHECK(!bh_fault_emulate(vcpu_on(0), &f, BH_REGS_ALL));
}

TEST(translates_the_faulting_virtual_address_with_guest_paging)
{
	uint64_t root = ALPHA_BASE + 0x1000, l1 = ALPHA_BASE + 0x2000,
		 l0 = ALPHA_BASE + 0x3000;

	put64(root + 8, ((l1 >> 12) << 10) | 1);
	put64(l1 + 8, ((l0 >> 12) << 10) | 1);
	put64(l0 + 8, ((UART_BASE >> 12) << 10) | 7);
	put32(EPC, LBU_A0_A1);
	CHECK(emulate(LOAD, 0x40201005,
		      (8UL << 60) | (root >> 12)));
	CHECK(vcpu_on(0)->frame.regs[10] == 0x60);
	/* Unmapped virtual address: forwarded, not emulated. */
	CHECK(!emulate(LOAD, 0x40202005,
		       (8UL << 60) | (root >> 12)));
}

/* The access path's try at EPC: true when it emulated the access. */
static bool quick(uint32_t cause, uint64_t tval, uint64_t satp)
{
	vcpu_on(0)->frame.mepc = EPC;
	return bh_fault_emulate_quick(vcpu_on(0), cause == STORE, tval, satp,
				      CALLER_SAVED);
}

TEST(the_access_path_emulates_the_quiet_registers_it_holds)
{
	struct bh_vcpu *vc = vcpu_on(0);

	put32(EPC, SB_A2_A1);
	vc->frame.regs[12] = 0x5a;
	CHECK(quick(STORE, UART_BASE + 7, 0));
	CHECK(vc->frame.mepc == EPC + 4);
	put32(EPC, LBU_T3_A1);
	CHECK(quick(LOAD, UART_BASE + 7, 0));
	CHECK(vc->frame.regs[28] == 0x5a);
	CHECK(vc->frame.mepc == EPC + 4);
	put16(EPC, C_LW_A0_A1);
	CHECK(quick(LOAD, UART_BASE + 3, 0));	/* LCR, as reset */
	CHECK(vc->frame.regs[10] == 0x03);
	CHECK(vc->frame.mepc == EPC + 2);
}

TEST(the_access_path_leaves_what_it_does_not_hold_to_the_full_path)
{
	struct bh_vcpu *vc = vcpu_on(0);

	bh_vuart_write(&bh_capsule_states[0].vuart, 0, 7, 0x66);
	put32(EPC, LBU_S0_A1);		/* s0: not in its frame */
	vc->frame.regs[8] = 0x1234;
	CHECK(!quick(LOAD, UART_BASE + 7, 0));
	CHECK(vc->frame.regs[8] == 0x1234 && vc->frame.mepc == EPC);
	CHECK(emulate(LOAD, UART_BASE + 7, 0));
	CHECK(vc->frame.regs[8] == 0x66);
	put32(EPC, SB_S1_A1);
	vc->frame.regs[9] = 0x77;
	CHECK(!quick(STORE, UART_BASE + 7, 0));
	CHECK(bh_capsule_states[0].vuart.scr == 0x66);
	CHECK(emulate(STORE, UART_BASE + 7, 0));
	CHECK(bh_capsule_states[0].vuart.scr == 0x77);
	put32(EPC, LW_A0_A1);		/* the PLIC: the full path's */
	CHECK(!quick(LOAD, PLIC_BASE + 4 * ALPHA_SOURCE, 0));
	CHECK(!quick(LOAD, BETA_BASE, 0));
	CHECK(vc->frame.mepc == EPC && vc->frame.regs[10] == 0);
}

TEST(the_access_path_takes_the_console_registers_too)
{
	put32(EPC, LBU_A0_A1);
	CHECK(quick(LOAD, UART_BASE + 5, 0));
	CHECK(vcpu_on(0)->frame.regs[10] == 0x60);	/* LSR: THRE | TEMT */
	put32(EPC, SB_A2_A1);
	vcpu_on(0)->frame.regs[12] = 'Q';
	CHECK(quick(STORE, UART_BASE, 0));
	vcpu_on(0)->frame.regs[12] = '\n';
	CHECK(quick(STORE, UART_BASE, 0));
	CHECK(!strcmp(take_output(), "[alpha] Q\r\n"));
}

TEST(a_kept_decoding_is_used_only_for_the_same_instruction)
{
	struct bh_vcpu *vc = vcpu_on(0);

	bh_vuart_write(&bh_capsule_states[0].vuart, 0, 7, 0x42);
	put32(EPC, LBU_A0_A1);
	CHECK(quick(LOAD, UART_BASE + 7, 0));
	CHECK(vc->frame.regs[10] == 0x42);
	put32(EPC, LBU_T3_A1);		/* the guest rewrote it */
	CHECK(quick(LOAD, UART_BASE + 7, 0));
	CHECK(vc->frame.regs[28] == 0x42);
	put32(EPC, SB_A2_A1);		/* now a store: a load fault is not it */
	CHECK(!quick(LOAD, UART_BASE + 7, 0));
}

TEST(the_access_path_walks_nothing_and_sees_a_changed_mapping)
{
	uint64_t root = ALPHA_BASE + 0x1000, l1 = ALPHA_BASE + 0x2000,
		 l0 = ALPHA_BASE + 0x3000;
	uint64_t satp = (8UL << 60) | (root >> 12);
	struct bh_vcpu *vc = vcpu_on(0);

	put64(root + 8, ((l1 >> 12) << 10) | 1);
	put64(l1 + 8, ((l0 >> 12) << 10) | 1);
	put64(l0 + 8, ((UART_BASE >> 12) << 10) | 7);
	put32(EPC, LBU_A0_A1);
	vc->xlate_data.leaf_addr = 0;
	CHECK(!quick(LOAD, 0x40201005, satp));	/* no entry yet: a walk */
	CHECK(emulate(LOAD, 0x40201005, satp));	/* the full path fills it */
	vc->frame.regs[10] = 0;
	CHECK(quick(LOAD, 0x40201005, satp));
	CHECK(vc->frame.regs[10] == 0x60);
	/* Another satp, or the leaf entry changed: the entry is not used. */
	CHECK(!quick(LOAD, 0x40201005, satp + 1));
	put64(l0 + 8, ((BETA_BASE >> 12) << 10) | 7);
	CHECK(!quick(LOAD, 0x40201005, satp));
	CHECK(!emulate(LOAD, 0x40201005, satp));	/* beta's: forwarded */
}

static const char *check_forward(uint64_t cause, uint64_t epc, uint64_t stvec,
				 bool from_s)
{
	struct bh_fault f = fault(cause, epc, 0x1234);
	struct bh_guest_trap_state g = { .vector = stvec, .from_s = from_s };

	return bh_fault_check_forward(vcpu_on(0), &f, &g);
}

TEST(forwarding_needs_a_trap_vector_inside_the_capsule)
{
	CHECK(check_forward(LOAD, EPC, 0, true));
	CHECK(check_forward(LOAD, EPC, BETA_BASE, true));
	CHECK(check_forward(LOAD, EPC, 0x80000000, true));
	CHECK(!check_forward(LOAD, EPC, ALPHA_BASE + 0x200, true));
}

TEST(fetch_fault_at_the_trap_vector_is_a_capsule_fault)
{
	CHECK(check_forward(FETCH, ALPHA_BASE + 0x200, ALPHA_BASE + 0x200, true));
	CHECK(!check_forward(FETCH, ALPHA_BASE + 0x204, ALPHA_BASE + 0x200, true));
}

/* The guest's CSRs as a forward of fault f left them. */
static struct bh_guest_trap_state after(const struct bh_fault *f)
{
	return (struct bh_guest_trap_state){ .vector = ALPHA_BASE + 0x200,
					     .epc = f->epc, .cause = f->cause,
					     .tval = f->tval, .from_s = true };
}

TEST(the_same_fault_again_before_any_other_trap_is_a_capsule_fault)
{
	struct bh_fault first = fault(LOAD, EPC, 0x1234);
	struct bh_guest_trap_state g = after(&first);

	CHECK(!bh_fault_check_forward(vcpu_on(0), &first, &g));
	CHECK(bh_fault_check_forward(vcpu_on(0), &first, &g));
}

TEST(a_different_fault_inside_the_handler_is_delivered)
{
	struct bh_fault first = fault(LOAD, EPC, 0x1234);
	struct bh_fault in_handler = fault(STORE, ALPHA_BASE + 0x208, 0x99);
	struct bh_guest_trap_state g = after(&first);

	CHECK(!bh_fault_check_forward(vcpu_on(0), &first, &g));
	/* sepc/scause/stval untouched, but the handler faults elsewhere. */
	CHECK(!bh_fault_check_forward(vcpu_on(0), &in_handler, &g));
}

TEST(the_same_fault_after_another_trap_is_delivered)
{
	struct bh_fault first = fault(LOAD, EPC, 0x1234);
	struct bh_guest_trap_state g = after(&first);

	CHECK(!bh_fault_check_forward(vcpu_on(0), &first, &g));
	g.epc = EPC + 4;	/* the guest took another trap meanwhile */
	CHECK(!bh_fault_check_forward(vcpu_on(0), &first, &g));
}

TEST(user_fault_after_the_handler_returned_is_forwarded)
{
	struct bh_fault first = fault(LOAD, EPC, 0x1234);
	struct bh_guest_trap_state g = after(&first);

	g.from_s = false;
	CHECK(!bh_fault_check_forward(vcpu_on(0), &first, &g));
	CHECK(!bh_fault_check_forward(vcpu_on(0), &first, &g));
}

/*
 * The review's case: a handler that installs a new stvec and faults again
 * (sepc/scause/stval still from the first forward) gets the second fault
 * delivered to the new vector, as hardware would do.
 */
TEST(a_handler_that_moves_its_vector_and_faults_again_gets_the_fault)
{
	struct bh_fault first = fault(LOAD, EPC, ALPHA_BASE + 0x8000);
	struct bh_fault second = fault(LOAD, ALPHA_BASE + 0x20c, ALPHA_BASE + 0x9000);

	fake.guest = (struct bh_guest_trap_state){ .vector = ALPHA_BASE + 0x200,
						   .from_s = true };
	vcpu_on(0)->frame.mepc = EPC;
	bh_fault_handle(vcpu_on(0), &first);
	CHECK(fake.delivered == 1 && vcpu_on(0)->frame.mepc == ALPHA_BASE + 0x200);
	fake.guest.vector = ALPHA_BASE + 0x400;
	vcpu_on(0)->frame.mepc = second.epc;
	bh_fault_handle(vcpu_on(0), &second);
	CHECK(fake.delivered == 2 && vcpu_on(0)->frame.mepc == ALPHA_BASE + 0x400);
	CHECK(fake.guest.epc == second.epc && fake.guest.tval == second.tval);
}

TEST(a_fault_the_guest_cannot_take_applies_the_capsule_policy)
{
	struct bh_fault f = fault(LOAD, EPC, ALPHA_BASE + 0x8000);

	fake.guest = (struct bh_guest_trap_state){ .vector = 0, .from_s = true };
	vcpu_on(0)->frame.mepc = EPC;
	vcpu_on(1)->parked = 1;	/* the other vCPU has stopped already */
	if (setjmp(fake.leave) == 0) {
		bh_fault_handle(vcpu_on(0), &f);
		CHECK(!"a fault with no trap vector returned");
	}
	CHECK(fake.delivered == 0);
	CHECK(READ_ONCE(bh_capsule_states[0].run) == BH_CAPSULE_OFF);
	CHECK(strstr(take_output(), "capsule alpha faulted: cause 0x5") != NULL);
}
