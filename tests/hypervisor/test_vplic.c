// SPDX-License-Identifier: MIT
/*
 * The PLIC as a capsule sees it (docs/design.md, "Interrupts"): trapped
 * accesses to priority, pending and enable reach only the capsule's own
 * sources in its own contexts, everything else reads as zero and ignores
 * writes; context pages and odd widths are not emulated (forwarded); a
 * stopped capsule's sources and contexts are left clean.
 *
 * Fixture: alpha owns sources 11 and 40 and contexts 1 (hart 0 S) and 3
 * (hart 1 S); beta owns source 5 and context 5 (hart 2 S).
 */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/fault.h"
#include "bulkhead/plic.h"
#include "bulkhead/vplic.h"
#include "fake.h"
#include "runner.h"

#define EPC		(ALPHA_BASE + 0x100)
#define LW_A0_A1	((11U << 15) | (2 << 12) | (10 << 7) | 0x03)
#define LWU_A0_A1	((11U << 15) | (6 << 12) | (10 << 7) | 0x03)
#define LD_A0_A1	((11U << 15) | (3 << 12) | (10 << 7) | 0x03)
#define LBU_A0_A1	((11U << 15) | (4 << 12) | (10 << 7) | 0x03)
#define SW_A2_A1	((12U << 20) | (11 << 15) | (2 << 12) | 0x23)
#define SB_A2_A1	((12U << 20) | (11 << 15) | (0 << 12) | 0x23)
#define C_LW_A0_A1	0x4188
#define LOAD		5
#define STORE		7
#define POISON		0x5a5a5a5a5a5a5a5aUL

#define ENABLE(ctx, w)	(0x2000 + 0x80 * (ctx) + 4 * (w))
#define PENDING(w)	(0x1000 + 4 * (w))

/* Alpha's vCPU 0 runs insn against PLIC offset; true when emulated. */
static bool run(uint32_t insn, uint32_t cause, uint64_t offset)
{
	struct bh_fault f = { .cause = cause, .epc = EPC,
			      .tval = PLIC_BASE + offset,
			      .access = cause == LOAD ? BH_ACCESS_LOAD :
							BH_ACCESS_STORE };

	fake.hart = 0;
	put32(EPC, insn);
	vcpu_on(0)->frame.mepc = EPC;
	return bh_fault_emulate(vcpu_on(0), &f, BH_REGS_ALL);
}

/* Alpha's lw at offset: the value loaded into a0. */
static uint64_t load(uint64_t offset)
{
	vcpu_on(0)->frame.regs[10] = POISON;
	if (!run(LW_A0_A1, LOAD, offset))
		return POISON;
	return vcpu_on(0)->frame.regs[10];
}

static bool store(uint64_t offset, uint32_t value)
{
	vcpu_on(0)->frame.regs[12] = value;
	return run(SW_A2_A1, STORE, offset);
}

TEST(plic_priority_of_an_own_source_is_the_real_register)
{
	CHECK(store(4 * ALPHA_SOURCE, 5));
	CHECK(*plic_reg(4 * ALPHA_SOURCE) == 5);
	CHECK(vcpu_on(0)->frame.mepc == EPC + 4);
	*plic_reg(4 * ALPHA_SOURCE_HIGH) = 3;
	CHECK(load(4 * ALPHA_SOURCE_HIGH) == 3);
	CHECK(load(4 * ALPHA_SOURCE) == 5);
	CHECK(!fake.plic_stray);
}

TEST(plic_priority_of_any_other_source_reads_zero_and_ignores_writes)
{
	static const uint32_t others[] = { 0, 1, BETA_SOURCE, 12, 41, 96, 97, 1023 };
	size_t i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		uint32_t s = others[i];

		*plic_reg(4 * s) = 6;
		CHECK(load(4 * s) == 0);
		CHECK(store(4 * s, 1));
		CHECK(*plic_reg(4 * s) == 6);
		CHECK(vcpu_on(0)->frame.mepc == EPC + 4);
	}
	CHECK(fake.plic_writes == 0);
}

TEST(plic_pending_shows_own_bits_only_and_ignores_writes)
{
	uint32_t w;

	for (w = 0; w < 32; w++)
		*plic_reg(PENDING(w)) = 0xffffffff;
	CHECK(load(PENDING(0)) == 1U << ALPHA_SOURCE);
	CHECK(load(PENDING(1)) == 1U << (ALPHA_SOURCE_HIGH - 32));
	CHECK(load(PENDING(2)) == 0);
	CHECK(load(PENDING(3)) == 0);
	CHECK(load(PENDING(4)) == 0);	/* past the last source */
	CHECK(load(PENDING(31)) == 0);
	CHECK(store(PENDING(0), 0));
	CHECK(*plic_reg(PENDING(0)) == 0xffffffff);
	CHECK(fake.plic_writes == 0 && !fake.plic_stray);
}

TEST(plic_enable_of_an_own_context_takes_own_bits_only)
{
	CHECK(store(ENABLE(1, 0), 0xffffffff));
	CHECK(*plic_reg(ENABLE(1, 0)) == 1U << ALPHA_SOURCE);
	CHECK(store(ENABLE(3, 1), 0xffffffff));	/* vCPU 1's context */
	CHECK(*plic_reg(ENABLE(3, 1)) == 1U << (ALPHA_SOURCE_HIGH - 32));
	CHECK(store(ENABLE(1, 2), 0xffffffff));
	CHECK(*plic_reg(ENABLE(1, 2)) == 0);
	CHECK(load(ENABLE(1, 0)) == 1U << ALPHA_SOURCE);
	CHECK(store(ENABLE(1, 0), 0));
	CHECK(*plic_reg(ENABLE(1, 0)) == 0);
	CHECK(load(ENABLE(1, 0)) == 0);
	/* Whatever else the register held, the capsule sees its bits. */
	*plic_reg(ENABLE(3, 0)) = 0xffffffff;
	CHECK(load(ENABLE(3, 0)) == 1U << ALPHA_SOURCE);
}

TEST(plic_enable_of_every_other_context_reads_zero_and_ignores_writes)
{
	/* M-mode of its own harts, beta's, an idle hart's, none at all. */
	static const uint32_t others[] = { 0, 2, 4, 5, 6, 7, 8, 15871 };
	size_t i;
	uint32_t w;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		uint32_t n = others[i];

		for (w = 0; w < 32; w++) {
			uint64_t off = ENABLE(n, w);

			if (off < FAKE_PLIC_LOW)
				*plic_reg(off) = 0xffffffff;
			CHECK(load(off) == 0);
			CHECK(store(off, 0));
			if (off < FAKE_PLIC_LOW)
				CHECK(*plic_reg(off) == 0xffffffff);
		}
	}
	CHECK(fake.plic_writes == 0 && !fake.plic_stray);
}

TEST(plic_context_pages_are_never_emulated)
{
	static const uint32_t contexts[] = { 0, 1, 2, 3, 5, 8 };
	size_t i;

	for (i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
		uint64_t page = 0x200000 + 0x1000 * contexts[i];

		CHECK(load(page) == POISON);			/* threshold */
		CHECK(!run(LW_A0_A1, LOAD, page + 4));		/* claim */
		CHECK(!store(page + 4, ALPHA_SOURCE));		/* complete */
		CHECK(!store(page, 0));
	}
	CHECK(vcpu_on(0)->frame.mepc == EPC);
	CHECK(fake.plic_writes == 0 && fake.completion_count == 0);
}

TEST(plic_accesses_other_than_aligned_words_are_forwarded)
{
	*plic_reg(4 * ALPHA_SOURCE) = 2;
	CHECK(!run(LD_A0_A1, LOAD, 4 * ALPHA_SOURCE));
	CHECK(!run(LBU_A0_A1, LOAD, 4 * ALPHA_SOURCE));
	vcpu_on(0)->frame.regs[12] = 7;
	CHECK(!run(SB_A2_A1, STORE, 4 * ALPHA_SOURCE));
	CHECK(!run(LW_A0_A1, LOAD, 4 * ALPHA_SOURCE + 2));	/* misaligned */
	CHECK(!run(LW_A0_A1, STORE, 4 * ALPHA_SOURCE));	/* not a store */
	CHECK(vcpu_on(0)->frame.mepc == EPC);
	CHECK(*plic_reg(4 * ALPHA_SOURCE) == 2);
	/* lwu and compressed lw are words too. */
	CHECK(run(LWU_A0_A1, LOAD, 4 * ALPHA_SOURCE));
	CHECK(vcpu_on(0)->frame.regs[10] == 2);
	put16(EPC, C_LW_A0_A1);
	vcpu_on(0)->frame.mepc = EPC;
	{
		struct bh_fault f = { .cause = LOAD, .access = BH_ACCESS_LOAD,
				      .epc = EPC, .tval = PLIC_BASE + 4 * ALPHA_SOURCE };

		vcpu_on(0)->frame.regs[10] = 0;
		CHECK(bh_fault_emulate(vcpu_on(0), &f, BH_REGS_ALL));
	}
	CHECK(vcpu_on(0)->frame.regs[10] == 2);
	CHECK(vcpu_on(0)->frame.mepc == EPC + 2);
}

TEST(plic_offsets_past_the_registers_or_the_window)
{
	/* Inside the window, between enables and contexts: zero, ignored. */
	CHECK(load(0x1ffffc) == 0);
	CHECK(store(0x1ffffc, 1));
	/* Past the window: not the PLIC at all. */
	CHECK(load(PLIC_SIZE) == POISON);
	CHECK(!store(PLIC_SIZE, 1));
	CHECK(fake.plic_writes == 0);
	/* The policy refuses an offset past the window itself too. */
	{
		uint32_t v = 0;

		CHECK(!bh_vplic_access(&bh_capsules[0], PLIC_SIZE, false, &v));
		CHECK(!bh_vplic_access(&bh_capsules[0], ~0UL - 3, false, &v));
	}
}

TEST(plic_one_context_seen_by_its_owner_and_by_another_capsule)
{
	uint32_t v = 0;

	*plic_reg(ENABLE(5, 0)) = 0xffffffff;
	CHECK(bh_vplic_access(&bh_capsules[1], ENABLE(5, 0), false, &v));
	CHECK(v == 1U << BETA_SOURCE);
	CHECK(bh_vplic_access(&bh_capsules[0], ENABLE(5, 0), false, &v));
	CHECK(v == 0);
}

TEST(plic_reset_of_a_capsule_leaves_its_sources_and_contexts_clean)
{
	uint32_t i;

	*plic_reg(4 * ALPHA_SOURCE) = 7;
	*plic_reg(4 * ALPHA_SOURCE_HIGH) = 7;
	*plic_reg(4 * BETA_SOURCE) = 3;
	*plic_reg(ENABLE(1, 0)) = 1U << ALPHA_SOURCE;
	*plic_reg(ENABLE(5, 0)) = 1U << BETA_SOURCE;
	fake.plic_threshold[1] = 4;
	fake.plic_threshold[3] = 4;
	fake.plic_threshold[5] = 2;
	bh_vplic_reset_capsule(&bh_capsules[0]);
	CHECK(*plic_reg(4 * ALPHA_SOURCE) == 0);
	CHECK(*plic_reg(4 * ALPHA_SOURCE_HIGH) == 0);
	CHECK(*plic_reg(ENABLE(1, 0)) == 0 && *plic_reg(ENABLE(1, 1)) == 0);
	CHECK(*plic_reg(ENABLE(3, 0)) == 0 && *plic_reg(ENABLE(3, 1)) == 0);
	CHECK(fake.plic_threshold[1] == 0 && fake.plic_threshold[3] == 0);
	/* Each source completed in each of its contexts, and it counted. */
	CHECK(fake.completion_count == 4);
	for (i = 0; i < fake.completion_count; i++) {
		CHECK(fake.completions[i].enabled);
		CHECK(fake.completions[i].context == 1 ||
		      fake.completions[i].context == 3);
		CHECK(fake.completions[i].source == ALPHA_SOURCE ||
		      fake.completions[i].source == ALPHA_SOURCE_HIGH);
	}
	/* Beta's untouched. */
	CHECK(*plic_reg(4 * BETA_SOURCE) == 3);
	CHECK(*plic_reg(ENABLE(5, 0)) == 1U << BETA_SOURCE);
	CHECK(fake.plic_threshold[5] == 2);
	CHECK(!fake.plic_stray);
}

TEST(plic_boot_silences_every_source_and_context)
{
	uint32_t off, n;

	for (off = 0; off < FAKE_PLIC_LOW; off += 4) {
		if (off < 0x1000 || off >= 0x2000)
			*plic_reg(off) = 0xffffffff;
	}
	for (n = 0; n < BH_PLIC_CONTEXTS; n++)
		fake.plic_threshold[n] = 6;
	bh_vplic_init();
	for (off = 4; off <= 4 * BH_PLIC_SOURCES; off += 4)
		CHECK(*plic_reg(off) == 0);
	for (n = 0; n < BH_PLIC_CONTEXTS; n++) {
		for (off = 0; off < 4 * BH_PLIC_WORDS; off += 4)
			CHECK(*plic_reg(ENABLE(n, 0) + off) == 0);
		/* Supervisor contexts clean; M contexts: nothing enabled. */
		CHECK(fake.plic_threshold[n] == (n & 1 ? 0U : 6U));
	}
	CHECK(!fake.plic_stray && fake.completion_count == 0);
}

/* A stopped capsule (halt or restart) leaves its PLIC state clean. */
static int stop_alpha(enum bh_policy then)
{
	int how;

	fake.hart = 0;
	vcpu_on(1)->parked = 1;
	how = setjmp(fake.leave);
	if (!how)
		bh_capsule_stop(vcpu_on(0), then, "rebooted");
	return how;
}

TEST(plic_stopping_a_capsule_resets_its_sources_for_halt_and_restart)
{
	enum bh_policy policies[] = { BH_POLICY_RESTART, BH_POLICY_HALT };
	int i;

	for (i = 0; i < 2; i++) {
		fake_reset();
		*plic_reg(4 * ALPHA_SOURCE) = 7;
		*plic_reg(ENABLE(3, 0)) = 1U << ALPHA_SOURCE;
		fake.plic_threshold[1] = 1;
		*plic_reg(4 * BETA_SOURCE) = 3;
		CHECK(stop_alpha(policies[i]) == FAKE_PARKED);
		CHECK(*plic_reg(4 * ALPHA_SOURCE) == 0);
		CHECK(*plic_reg(ENABLE(3, 0)) == 0);
		CHECK(fake.plic_threshold[1] == 0);
		CHECK(fake.completion_count == 4);
		CHECK(*plic_reg(4 * BETA_SOURCE) == 3);
	}
}
