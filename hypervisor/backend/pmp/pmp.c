// SPDX-License-Identifier: MIT
/*
 * PMP backend: S-mode reaches exactly the entries the generator computed
 * for the capsule. An S-mode access that matches no entry fails, so
 * everything else (hypervisor, other capsules, devices) is out of reach.
 */
#include "arch/csr.h"
#include "bulkhead/isolation.h"
#include "bulkhead/log.h"

#if BH_PMP_ENTRIES > 64
#error "RISC-V has at most 64 PMP entries"
#endif

#define PMP_LOCK	0x80
#define PMPCFG_REGS	((BH_PMP_ENTRIES + 7) / 8)

#define CASE(n)	case n: csr_write(CSR_PMPADDR0 + (n), value); break
#define CASE8(n) CASE(n); CASE(n + 1); CASE(n + 2); CASE(n + 3); \
		 CASE(n + 4); CASE(n + 5); CASE(n + 6); CASE(n + 7)

static void write_pmpaddr(unsigned int index, uint64_t value)
{
	switch (index) {
	CASE8(0); CASE8(8); CASE8(16); CASE8(24);
	CASE8(32); CASE8(40); CASE8(48); CASE8(56);
	}
}

#undef CASE
#define CASE(n)	case n: csr_write(CSR_PMPCFG0 + 2 * (n), value); break

/* pmpcfg register 2 * reg holds entries 8 * reg .. 8 * reg + 7 on RV64. */
static void write_pmpcfg(unsigned int reg, uint64_t value)
{
	switch (reg) {
	CASE8(0);
	}
}

void bh_isolation_hart_init(void)
{
	unsigned int reg;

	for (reg = 0; reg < PMPCFG_REGS; reg++)
		write_pmpcfg(reg, 0);
	asm volatile("sfence.vma" ::: "memory");
}

void bh_isolation_enter(const struct bh_capsule *c)
{
	uint64_t cfg[PMPCFG_REGS] = { 0 };
	unsigned int i;

	if (c->pmp_count > BH_PMP_ENTRIES)
		bh_panic("capsule %s needs %u PMP entries, the board has %u",
			 c->name, c->pmp_count, BH_PMP_ENTRIES);
	for (i = 0; i < c->pmp_count; i++) {
		if (c->pmp[i].cfg & PMP_LOCK)
			bh_panic("PMP entry %u of capsule %s is locked (L bit): it would bind M-mode too",
				 i, c->name);
		cfg[i / 8] |= (uint64_t)c->pmp[i].cfg << (8 * (i % 8));
	}
	/* Entries off while their addresses change, then all at once. */
	for (i = 0; i < PMPCFG_REGS; i++)
		write_pmpcfg(i, 0);
	for (i = 0; i < c->pmp_count; i++)
		write_pmpaddr(i, c->pmp[i].addr);
	for (i = 0; i < PMPCFG_REGS; i++)
		write_pmpcfg(i, cfg[i]);
	asm volatile("sfence.vma" ::: "memory");
}
