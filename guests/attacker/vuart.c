// SPDX-License-Identifier: MIT
/*
 * mode=vuart: attacks on the one place where the hypervisor acts on what a
 * capsule's memory says: the emulation of the virtual UART. On an access
 * fault in the UART window the hypervisor decodes the faulting instruction
 * and, when paging is on, walks the capsule's page tables to find the
 * physical address. A hostile capsule controls both.
 *
 * Expected: registers it may touch are emulated; every other access form
 * (wider, beyond the 8 registers, atomic, floating point) is forwarded as
 * an access fault; a page walk that leads outside the capsule, to its
 * tables or to its data, is never followed by the hypervisor.
 */
#include "attacker.h"
#include "runtime.h"
#include "string.h"

#define UART_THR	0
#define UART_LCR	3
#define UART_LSR	5
#define UART_LCR_DLAB	0x80
#define UART_LSR_THRE	0x20

#define SSTATUS_FS_INITIAL	(1UL << 13)
#define SATP_SV39		(8UL << 60)
#define PTE_V			0x01
#define PTE_RWX			0x0e
#define PTE_AD			0xc0
#define GIGA_SHIFT		30
#define MEGA_SHIFT		21

/* VAs of the page-walk attacks (Sv39): see map_tables(). */
#define VA_TABLE_IN_VICTIM	(1UL << GIGA_SHIFT)
#define VA_TABLE_IN_HYPERVISOR	(3UL << GIGA_SHIFT)
#define VA_LEAF_TO_VICTIM	(8UL << MEGA_SHIFT)
#define VA_LEAF_TO_UART		(9UL << MEGA_SHIFT)

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t level1[512] __attribute__((aligned(4096)));

static volatile uint8_t *uart_reg(int reg)
{
	return (volatile uint8_t *)(at.uart.base + (unsigned long)reg);
}

static int uart_puts(const char *s)
{
	for (; *s; s++) {
		int spins = 1000000;

		while (!(*uart_reg(UART_LSR) & UART_LSR_THRE)) {
			if (!--spins)
				return -1;
		}
		*uart_reg(UART_THR) = (uint8_t)*s;
	}
	return 0;
}

/* Changing the divisor and line settings must stay inside the emulation. */
static void attack_divisor(void)
{
	uint8_t lcr = *uart_reg(UART_LCR), got;

	*uart_reg(UART_LCR) = lcr | UART_LCR_DLAB;
	*uart_reg(0) = 0xff;	/* DLL */
	*uart_reg(1) = 0xff;	/* DLM */
	got = *uart_reg(0);
	*uart_reg(UART_LCR) = 0x1f;	/* 5 data bits, 2 stop, parity */
	*uart_reg(UART_LCR) = lcr;
	if (got != 0xff) {
		verdict(0, "vuart-divisor", "DLL read back %x after writing ff", got);
		return;
	}
	if (uart_puts("attacker: the uart still prints after a divisor change\n") < 0) {
		verdict(0, "vuart-divisor", "THRE stayed clear after the divisor change");
		return;
	}
	verdict(1, "vuart-divisor", "emulated: DLL read back ff, the console is unaffected");
}

/*
 * One instruction, given as an encoding so no F or A in -march is needed.
 * a0 is bound after probe_begin(): a call in between would clobber it.
 */
#define INSN_PROBE(name, encoding)					\
static void name(unsigned long addr, struct fault *f)		\
{									\
	probe_begin();							\
	{								\
		register unsigned long a0 asm("a0") = addr;		\
									\
		asm volatile(".word " #encoding : : "r"(a0) : "memory");\
	}								\
	probe_end(f);							\
}

INSN_PROBE(amoswap_w_a0, 0x08a5202f)	/* amoswap.w zero, a0, (a0) */
INSN_PROBE(lr_w_a0, 0x1005202f)		/* lr.w zero, (a0) */
INSN_PROBE(flw_f0_a0, 0x00052007)	/* flw f0, 0(a0) */
INSN_PROBE(fsw_f0_a0, 0x00052027)	/* fsw f0, 0(a0) */

static void expect_forwarded(const char *id, void (*probe)(unsigned long, struct fault *),
			     unsigned long addr, unsigned long cause)
{
	struct fault f;

	probe(addr, &f);
	if (!f.faulted)
		verdict(0, id, "%lx: emulated or went through", addr);
	else if (f.cause != cause || f.tval != addr)
		verdict(0, id, "%lx: scause %lx stval %lx, want %lx %lx", addr,
			f.cause, f.tval, cause, addr);
	else
		verdict(1, id, "access fault (scause %lu) at %lx, forwarded", f.cause,
			addr);
}

static void attack_access_forms(void)
{
	unsigned long base = at.uart.base;

	attempt(LOAD32, "vuart-beyond-registers", base + 8);
	attempt(STORE32, "vuart-beyond-registers", base + 0xfc);
	attempt(LOAD64, "vuart-64bit", base);
	attempt(STORE64, "vuart-64bit", base);
	expect_forwarded("amo vuart", amoswap_w_a0, base, EXC_STORE_ACCESS);
	expect_forwarded("lr vuart", lr_w_a0, base, EXC_LOAD_ACCESS);
	/* FP must be on, or the FP forms are illegal before they access. */
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	expect_forwarded("fp-load vuart", flw_f0_a0, base, EXC_LOAD_ACCESS);
	expect_forwarded("fp-store vuart", fsw_f0_a0, base, EXC_STORE_ACCESS);
}

static uint64_t pte(unsigned long pa, uint64_t flags)
{
	return ((uint64_t)(pa >> 12) << 10) | flags;
}

/*
 * root[own gigapage] maps this capsule's gigapage onto itself, so code,
 * data and stack keep working; root[1] and root[3] point at "tables" in the
 * victim and in the hypervisor; level1 (in our memory) maps 2 MiB pages
 * straight onto the victim and onto the UART.
 */
static const char *map_tables(void)
{
	unsigned long own = at.own.base >> GIGA_SHIFT;

	if (own != (at.own.base + at.own.size - 1) >> GIGA_SHIFT ||
	    own == 0 || own == 1 || own == 3)
		return "its memory must lie in one gigapage other than 0, 1 and 3";
	if (at.victim.base & ((1UL << MEGA_SHIFT) - 1) ||
	    at.uart.base & ((1UL << MEGA_SHIFT) - 1))
		return "the victim and the UART must be 2 MiB aligned";
	memset(root, 0, sizeof(root));
	memset(level1, 0, sizeof(level1));
	root[own] = pte(own << GIGA_SHIFT, PTE_V | PTE_RWX | PTE_AD);
	root[VA_TABLE_IN_VICTIM >> GIGA_SHIFT] = pte(at.victim.base, PTE_V);
	root[VA_TABLE_IN_HYPERVISOR >> GIGA_SHIFT] = pte(at.hypervisor.base, PTE_V);
	root[0] = pte((unsigned long)level1, PTE_V);
	level1[VA_LEAF_TO_VICTIM >> MEGA_SHIFT] =
		pte(at.victim.base, PTE_V | PTE_RWX | PTE_AD);
	level1[VA_LEAF_TO_UART >> MEGA_SHIFT] =
		pte(at.uart.base, PTE_V | PTE_RWX | PTE_AD);
	return NULL;
}

static void paging(int on)
{
	csr_write(satp, on ? SATP_SV39 | ((unsigned long)root >> 12) : 0);
	asm volatile("sfence.vma" : : : "memory");
}

static void uart_through_page_table(void)
{
	volatile uint8_t *lsr = (volatile uint8_t *)(VA_LEAF_TO_UART + UART_LSR);
	struct fault f;
	uint8_t value = 0;

	probe_begin();
	value = *lsr;
	probe_end(&f);
	if (f.faulted)
		verdict(0, "vuart-through-page-table", "LSR at VA %lx: scause %lx",
			(unsigned long)lsr, f.cause);
	else if (!(value & UART_LSR_THRE))
		verdict(0, "vuart-through-page-table", "LSR read %x, THRE clear", value);
	else
		verdict(1, "vuart-through-page-table",
			"emulated at VA %lx, LSR %x", (unsigned long)lsr, value);
}

static void attack_page_walk(void)
{
	const char *error = map_tables();

	if (error) {
		printf("FAIL attacker: page-walk set-up: %s\n", error);
		return;
	}
	paging(1);
	attempt(LOAD64, "pagewalk-table-in-victim", VA_TABLE_IN_VICTIM);
	attempt(STORE64, "pagewalk-table-in-victim", VA_TABLE_IN_VICTIM);
	attempt(LOAD64, "pagewalk-table-in-hypervisor", VA_TABLE_IN_HYPERVISOR);
	attempt(STORE64, "pagewalk-table-in-hypervisor", VA_TABLE_IN_HYPERVISOR);
	attempt(LOAD64, "pagewalk-leaf-to-victim", VA_LEAF_TO_VICTIM);
	attempt(STORE64, "pagewalk-leaf-to-victim", VA_LEAF_TO_VICTIM);
	attempt(FETCH, "pagewalk-leaf-to-victim", VA_LEAF_TO_VICTIM);
	uart_through_page_table();
	paging(0);
}

void attack_vuart(void)
{
	attack_divisor();
	attack_access_forms();
	attack_page_walk();
}
