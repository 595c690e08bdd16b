// SPDX-License-Identifier: MIT
/* Instruction decoding and the guest page-table walk. */
#include "arch/insn.h"
#include "arch/pagewalk.h"
#include "bulkhead/tables.h"
#include "fake.h"
#include "runner.h"

#define LOAD(funct3, rd, rs1, imm) \
	(((uint32_t)(imm) << 20) | ((rs1) << 15) | ((funct3) << 12) | \
	 ((rd) << 7) | 0x03)
#define STORE(funct3, rs2, rs1) \
	(((rs2) << 20) | ((rs1) << 15) | ((funct3) << 12) | 0x23)

static bool decodes(uint32_t insn, bool store, unsigned width, bool sign,
		    unsigned reg, unsigned length)
{
	struct bh_mem_op op;

	return bh_insn_decode(insn, &op) && op.store == store &&
	       op.width == width && op.sign_extend == sign && op.reg == reg &&
	       op.length == length;
}

TEST(decodes_every_integer_load)
{
	CHECK(decodes(LOAD(0, 10, 11, 5), false, 1, true, 10, 4));	/* lb */
	CHECK(decodes(LOAD(1, 10, 11, 5), false, 2, true, 10, 4));	/* lh */
	CHECK(decodes(LOAD(2, 5, 11, 5), false, 4, true, 5, 4));	/* lw */
	CHECK(decodes(LOAD(3, 31, 11, 5), false, 8, true, 31, 4));	/* ld */
	CHECK(decodes(LOAD(4, 10, 11, 5), false, 1, false, 10, 4));	/* lbu */
	CHECK(decodes(LOAD(5, 10, 11, 5), false, 2, false, 10, 4));	/* lhu */
	CHECK(decodes(LOAD(6, 10, 11, 5), false, 4, false, 10, 4));	/* lwu */
}

TEST(decodes_every_integer_store)
{
	CHECK(decodes(STORE(0, 12, 11), true, 1, false, 12, 4));	/* sb */
	CHECK(decodes(STORE(1, 12, 11), true, 2, false, 12, 4));	/* sh */
	CHECK(decodes(STORE(2, 0, 11), true, 4, false, 0, 4));		/* sw */
	CHECK(decodes(STORE(3, 7, 11), true, 8, false, 7, 4));		/* sd */
}

TEST(decodes_compressed_loads_and_stores)
{
	CHECK(decodes(0x4188, false, 4, true, 10, 2));	/* c.lw a0, 0(a1) */
	CHECK(decodes(0x6188, false, 8, true, 10, 2));	/* c.ld a0, 0(a1) */
	CHECK(decodes(0xc190, true, 4, false, 12, 2));	/* c.sw a2, 0(a1) */
	CHECK(decodes(0xe190, true, 8, false, 12, 2));	/* c.sd a2, 0(a1) */
	CHECK(decodes(0x4782, false, 4, true, 15, 2));	/* c.lwsp a5, 0(sp) */
	CHECK(decodes(0xc03e, true, 4, false, 15, 2));	/* c.swsp a5, 0(sp) */
}

TEST(rejects_what_is_not_an_integer_load_or_store)
{
	struct bh_mem_op op;

	CHECK(!bh_insn_decode(0x00b50533, &op));	/* add a0, a0, a1 */
	CHECK(!bh_insn_decode(LOAD(7, 10, 11, 0), &op));	/* no such load */
	CHECK(!bh_insn_decode(STORE(4, 12, 11), &op));	/* no such store */
	CHECK(!bh_insn_decode(0x0505, &op));		/* c.addi a0, 1 */
	CHECK(!bh_insn_decode(0x2188, &op));		/* c.fld */
	CHECK(!bh_insn_decode(0x4002, &op));		/* c.lwsp x0: reserved */
	CHECK(!bh_insn_decode(0x0000b587, &op));	/* flw-like opcode 0x07 */
}

/* Alpha's memory holds the tables: root +0x1000, L1 +0x2000, L0 +0x3000. */
#define ROOT	(ALPHA_BASE + 0x1000)
#define L1	(ALPHA_BASE + 0x2000)
#define L0	(ALPHA_BASE + 0x3000)
#define PTE_V	1UL
#define PTE_R	2UL
#define PTE_W	4UL
#define SV39	(8UL << 60)
#define SV48	(9UL << 60)
#define SV57	(10UL << 60)

static uint64_t pte(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << 10) | flags;
}

static void build_sv39(void)
{
	put64(ROOT + 1 * 8, pte(L1, PTE_V));
	put64(ROOT + 2 * 8, pte(0x90000000, PTE_V));	/* table outside */
	put64(L1 + 1 * 8, pte(L0, PTE_V));
	put64(L1 + 2 * 8, pte(0x10100000, PTE_V | PTE_R));	/* misaligned */
	put64(L1 + 3 * 8, pte(0x10200000, PTE_V | PTE_R | PTE_W));
	put64(L0 + 1 * 8, pte(UART_BASE, PTE_V | PTE_R | PTE_W));
	put64(L0 + 3 * 8, pte(UART_BASE, PTE_V | PTE_W));	/* W without R */
}

static const struct bh_region *alpha_memory(void)
{
	return &bh_capsules[0].memory;
}

TEST(walks_a_crafted_sv39_table)
{
	uint64_t pa = 0;

	build_sv39();
	CHECK(bh_pagewalk(alpha_memory(), SV39 | (ROOT >> 12), 0x40201005,
			  &pa) == 0);
	CHECK(pa == UART_BASE + 5);
	CHECK(bh_pagewalk(alpha_memory(), SV39 | (ROOT >> 12), 0x40601234,
			  &pa) == 0);
	CHECK(pa == 0x10201234);	/* 2 MiB megapage */
}

TEST(walk_refuses_bad_entries_and_addresses)
{
	uint64_t pa, satp = SV39 | (ROOT >> 12);

	build_sv39();
	CHECK(bh_pagewalk(alpha_memory(), satp, 0x40202000, &pa) < 0); /* V=0 */
	CHECK(bh_pagewalk(alpha_memory(), satp, 0x40203000, &pa) < 0); /* W, !R */
	CHECK(bh_pagewalk(alpha_memory(), satp, 0x40400000, &pa) < 0); /* misaligned */
	CHECK(bh_pagewalk(alpha_memory(), satp, 0x8000000000UL, &pa) < 0);
	CHECK(bh_pagewalk(alpha_memory(), 1UL << 60, 0x1000, &pa) < 0); /* mode 1 */
}

TEST(walk_reads_no_table_outside_the_capsule)
{
	uint64_t pa;

	build_sv39();
	/* A root in the hypervisor, a next level outside: never read. */
	CHECK(bh_pagewalk(alpha_memory(), SV39 | (0x80000000 >> 12), 0x1000,
			  &pa) < 0);
	CHECK(bh_pagewalk(alpha_memory(), SV39 | (ROOT >> 12), 0x80000000,
			  &pa) < 0);
	CHECK(bh_pagewalk(alpha_memory(), SV39 | (BETA_BASE >> 12), 0x1000,
			  &pa) < 0);
	CHECK(!fake.stray);
}

TEST(walks_sv48_and_sv57_and_bare)
{
	uint64_t pa = 0;

	build_sv39();
	put64(ALPHA_BASE + 0x4000, pte(ROOT, PTE_V));	/* Sv48 level 3 */
	put64(ALPHA_BASE + 0x5000, pte(ALPHA_BASE + 0x4000, PTE_V));
	CHECK(bh_pagewalk(alpha_memory(), SV48 | ((ALPHA_BASE + 0x4000) >> 12),
			  0x40201007, &pa) == 0);
	CHECK(pa == UART_BASE + 7);
	CHECK(bh_pagewalk(alpha_memory(), SV57 | ((ALPHA_BASE + 0x5000) >> 12),
			  0x40201003, &pa) == 0);
	CHECK(pa == UART_BASE + 3);
	CHECK(bh_pagewalk(alpha_memory(), 0, 0x10000004, &pa) == 0);
	CHECK(pa == 0x10000004);
}

TEST(cached_walk_reuses_the_last_page_while_its_leaf_is_unchanged)
{
	struct bh_guest_xlate cache = { 0 };
	uint64_t pa = 0, satp = SV39 | (ROOT >> 12);

	build_sv39();
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(), satp, 0x40201005,
				 &pa) == 0);
	CHECK(pa == UART_BASE + 5);
	CHECK(cache.leaf_addr == L0 + 1 * 8);
	/* A hit: another offset in the page, without walking. The root is
	 * pulled away: only the leaf is read. */
	put64(ROOT + 1 * 8, 0);
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(), satp, 0x40201ff0,
				 &pa) == 0);
	CHECK(pa == UART_BASE + 0xff0);
	CHECK(!fake.stray);
}

TEST(cached_walk_misses_when_the_leaf_or_satp_changes)
{
	struct bh_guest_xlate cache = { 0 };
	uint64_t pa = 0, satp = SV39 | (ROOT >> 12);

	build_sv39();
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(), satp, 0x40201005,
				 &pa) == 0);
	/* The guest remaps the page: the entry is refilled from a walk. */
	put64(L0 + 1 * 8, pte(UART_BASE + 0x1000, PTE_V | PTE_R | PTE_W));
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(), satp, 0x40201005,
				 &pa) == 0);
	CHECK(pa == UART_BASE + 0x1005);
	/* The guest unmaps it: no translation, and the entry is empty. */
	put64(L0 + 1 * 8, 0);
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(), satp, 0x40201005,
				 &pa) < 0);
	CHECK(cache.leaf_addr == 0);
	/* Another satp (another address space) walks its own tables. */
	put64(L0 + 1 * 8, pte(UART_BASE, PTE_V | PTE_R | PTE_W));
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(), satp, 0x40201005,
				 &pa) == 0);
	put64(ALPHA_BASE + 0x4000, pte(ROOT, PTE_V));	/* Sv48 root over it */
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(),
				 SV48 | ((ALPHA_BASE + 0x4000) >> 12),
				 0x40201005, &pa) == 0);
	CHECK(cache.satp == (SV48 | ((ALPHA_BASE + 0x4000) >> 12)));
	CHECK(bh_pagewalk_cached(&cache, alpha_memory(), 0, 0x10000004,
				 &pa) == 0);
	CHECK(pa == 0x10000004);	/* bare: no translation at all */
}

#define CSR_OP(funct3, rd, rs1, csr) \
	(((uint32_t)(csr) << 20) | ((rs1) << 15) | ((funct3) << 12) | ((rd) << 7) | 0x73)

/* The reads of time a board without the CSR must answer (time-csr: false). */
TEST(decodes_reads_of_the_time_csr)
{
	unsigned int rd = 99;

	CHECK(bh_insn_time_read(0xc0102573, &rd) && rd == 10);	/* rdtime a0 */
	CHECK(bh_insn_time_read(CSR_OP(3, 5, 0, 0xc01), &rd) && rd == 5);	/* csrrc t0, time, x0 */
	CHECK(bh_insn_time_read(CSR_OP(6, 7, 0, 0xc01), &rd) && rd == 7);	/* csrrsi t2, time, 0 */
	CHECK(bh_insn_time_read(CSR_OP(2, 0, 0, 0xc01), &rd) && rd == 0);	/* to x0 */
}

TEST(rejects_what_is_not_a_plain_read_of_time)
{
	unsigned int rd = 99;

	CHECK(!bh_insn_time_read(CSR_OP(2, 10, 0, 0xc00), &rd));	/* rdcycle */
	CHECK(!bh_insn_time_read(CSR_OP(2, 10, 11, 0xc01), &rd));	/* csrrs with a mask */
	CHECK(!bh_insn_time_read(CSR_OP(1, 10, 0, 0xc01), &rd));	/* csrrw: a write */
	CHECK(!bh_insn_time_read(CSR_OP(7, 10, 3, 0xc01), &rd));	/* csrrci with 3 */
	CHECK(!bh_insn_time_read(0x00b50533, &rd));			/* add */
	CHECK(rd == 99);
}
