// SPDX-License-Identifier: MIT
/*
 * PMP backend: S-mode reaches exactly the entries the generator computed
 * for the capsule. An S-mode access that matches no entry fails, so
 * everything else (hypervisor, other capsules, devices) is out of reach.
 */
#include "arch/csr.h"
#include "bulkhead/isolation.h"
#include "bulkhead/log.h"
#include "bulkhead/pmp.h"

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
#define CASE(n)	case n: return csr_read(CSR_PMPADDR0 + (n))

static uint64_t read_pmpaddr(unsigned int index)
{
	switch (index) {
	CASE8(0); CASE8(8); CASE8(16); CASE8(24);
	CASE8(32); CASE8(40); CASE8(48); CASE8(56);
	}
	return 0;
}

#undef CASE
#define CASE(n)	case n: return csr_read(CSR_PMPCFG0 + 2 * (n))

static uint64_t read_pmpcfg(unsigned int reg)
{
	switch (reg) {
	CASE8(0);
	}
	return 0;
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

	for (reg = 0; reg < BH_PMPCFG_REGS; reg++)
		write_pmpcfg(reg, 0);
	asm volatile("sfence.vma" ::: "memory");
}

/*
 * Entries this hart's last capsule used: past them every pmpaddr is 0
 * already, so a switch rewrites only the entries either capsule uses.
 * All of them at first: reset leaves the addresses unspecified.
 */
static uint8_t entries_used[BH_HART_COUNT] = {
	[0 ... BH_HART_COUNT - 1] = BH_PMP_ENTRIES,
};

void bh_isolation_enter(const struct bh_capsule *c, uint32_t vcpu)
{
	uint64_t cfg[BH_PMPCFG_REGS];
	int err = bh_pmp_pack(c, vcpu, cfg);
	uint8_t *used = &entries_used[csr_read(CSR_MHARTID)];
	unsigned int i, end;

	if (err == BH_PMP_TOO_MANY)
		bh_panic("capsule %s needs %u PMP entries, the board has %u",
			 c->name, c->pmp_count, BH_PMP_ENTRIES);
	if (err != BH_PMP_OK)
		bh_panic("PMP entry %d of capsule %s is locked (L bit): it would bind M-mode too",
			 err, c->name);
	/* Entries off while their addresses change, then all at once. */
	for (i = 0; i < BH_PMPCFG_REGS; i++)
		write_pmpcfg(i, 0);
	/* Unused addresses zeroed too, so the state is exactly the tables'. */
	end = c->pmp_count > *used ? c->pmp_count : *used;
	for (i = 0; i < end; i++)
		write_pmpaddr(i, i < c->pmp_count ? c->pmp[i].addr : 0);
	*used = (uint8_t)c->pmp_count;
	for (i = 0; i < BH_PMPCFG_REGS; i++)
		write_pmpcfg(i, cfg[i]);
	asm volatile("sfence.vma" ::: "memory");
}

#define FNV64_OFFSET	0xcbf29ce484222325ULL
#define FNV64_PRIME	0x100000001b3ULL

static uint64_t fnv1a_u64(uint64_t hash, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		hash ^= (value >> (8 * i)) & 0xff;
		hash *= FNV64_PRIME;
	}
	return hash;
}

/*
 * Read back from the CSRs, not from the tables, so a PMP change behind the
 * hypervisor's back (an SBI call gone wrong) shows in the log.
 */
uint64_t bh_isolation_digest(void)
{
	uint64_t hash = FNV64_OFFSET;
	unsigned int i;

	for (i = 0; i < BH_PMPCFG_REGS; i++)
		hash = fnv1a_u64(hash, read_pmpcfg(i));
	for (i = 0; i < BH_PMP_ENTRIES; i++)
		hash = fnv1a_u64(hash, read_pmpaddr(i));
	return hash;
}
