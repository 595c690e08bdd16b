// SPDX-License-Identifier: MIT
/*
 * The PLIC attacks (docs/security.md, "Attacks on the PLIC"): the
 * attacker owns no interrupt source; the victim owns the RTC's. Every
 * access to the shared priority, pending and enable registers is emulated
 * and reaches nothing that is not the attacker's (reads 0, writes ignored);
 * every other context's threshold/claim page faults. The victim's "rtc
 * interrupts" line must keep growing meanwhile (tests/boot/test_attack.py).
 *
 * The layout is qemu-attack's (configs/qemu-attack.yaml, boards/qemu-virt.yaml):
 * the attacker runs on hart 0, the victim on hart 1; context 2h is hart h
 * in M-mode, 2h + 1 in S-mode; the RTC is source 11. Physical hart IDs do
 * not leak to a guest, so they are written down here, not discovered.
 */
#include "attacker.h"
#include "plic.h"
#include "runtime.h"

#define OWN_CONTEXT	1
#define OWN_M_CONTEXT	0
#define VICTIM_CONTEXT	3
#define VICTIM_M_CONTEXT 2
#define VICTIM_SOURCE	11
#define NO_CONTEXT	8	/* qemu-virt with 4 harts has contexts 0..7 */

static struct plic p;

/* A 32-bit access that must be emulated: no fault; a load must read 0. */
static void masked(const char *id, int store, unsigned long addr,
		   uint32_t value)
{
	unsigned long insn;
	struct fault f;
	uint32_t got = 0;

	if (store)
		probe_store32(addr, value, &f, &insn);
	else
		got = probe_load32(addr, &f, &insn);
	if (f.faulted) {
		verdict(0, id, "%lx faulted (scause %lx), want emulated", addr,
			f.cause);
		return;
	}
	if (got) {
		verdict(0, id, "%lx read %x, want 0", addr, got);
		return;
	}
	verdict(1, id, store ? "%lx: write ignored (emulated)" :
			       "%lx: reads 0 (emulated)", addr);
}

/* Store value at addr, then read it back: must read 0 (its bits only). */
static void masked_store_load(const char *id, unsigned long addr,
			      uint32_t value)
{
	unsigned long insn;
	struct fault f, g;
	uint32_t got;

	probe_store32(addr, value, &f, &insn);
	got = probe_load32(addr, &g, &insn);
	if (f.faulted || g.faulted) {
		verdict(0, id, "%lx faulted (scause %lx/%lx), want emulated",
			addr, f.cause, g.cause);
		return;
	}
	if (got) {
		verdict(0, id, "%lx read %x after writing %x, want 0", addr,
			got, value);
		return;
	}
	verdict(1, id, "%lx: wrote %x, reads 0 (emulated, none of its bits)",
		addr, value);
}

static void faults(const char *id, enum access a, unsigned long addr)
{
	attempt(a, id, addr);
}

void attack_plic(void)
{
	p.base = at.plic.base;
	p.size = at.plic.size;
	p.context = OWN_CONTEXT;

	/* Shared registers: emulated, nothing of the victim's reachable. */
	masked_store_load("plic-priority victim-source",
			  plic_priority_reg(&p, VICTIM_SOURCE), 7);
	masked("plic-priority victim-source-zero", 1,
	       plic_priority_reg(&p, VICTIM_SOURCE), 0);
	masked("plic-pending victim-source", 0,
	       plic_pending_reg(&p, VICTIM_SOURCE), 0);
	masked_store_load("plic-enable victim-source-own-context",
			  plic_enable_reg(&p, OWN_CONTEXT, VICTIM_SOURCE),
			  0xffffffff);
	masked("plic-enable victim-context-clear", 1,
	       plic_enable_reg(&p, VICTIM_CONTEXT, VICTIM_SOURCE), 0);
	masked_store_load("plic-enable victim-context",
			  plic_enable_reg(&p, VICTIM_CONTEXT, VICTIM_SOURCE),
			  0xffffffff);
	masked_store_load("plic-enable own-m-context",
			  plic_enable_reg(&p, OWN_M_CONTEXT, VICTIM_SOURCE),
			  0xffffffff);
	masked_store_load("plic-enable victim-m-context",
			  plic_enable_reg(&p, VICTIM_M_CONTEXT, VICTIM_SOURCE),
			  0xffffffff);
	masked_store_load("plic-enable no-context",
			  plic_enable_reg(&p, NO_CONTEXT, VICTIM_SOURCE),
			  0xffffffff);
	/* Wider than a word: not emulated, the access fault is forwarded. */
	faults("plic-priority-64bit", LOAD64, plic_priority_reg(&p, 2));
	/* Other contexts' pages: never granted. */
	faults("plic-threshold victim-context", STORE32,
	       plic_threshold_reg(&p, VICTIM_CONTEXT));
	faults("plic-claim victim-context", LOAD32,
	       plic_claim_reg(&p, VICTIM_CONTEXT));
	faults("plic-complete victim-context", STORE32,
	       plic_claim_reg(&p, VICTIM_CONTEXT));
	faults("plic-threshold own-m-context", STORE32,
	       plic_threshold_reg(&p, OWN_M_CONTEXT));
	faults("plic-claim victim-m-context", LOAD32,
	       plic_claim_reg(&p, VICTIM_M_CONTEXT));
	faults("plic-threshold no-context", STORE32,
	       plic_threshold_reg(&p, NO_CONTEXT));
}
