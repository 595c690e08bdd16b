// SPDX-License-Identifier: MIT
/*
 * Passthrough interrupt latency, for `make bench` (tests/bench/run.py).
 *
 * The guest owns the goldfish RTC and its PLIC source. Each round reads the
 * RTC and instret back to back, arms the alarm `lead` ns later (the
 * deadline) and spins with interrupts on; the S-mode external interrupt
 * handler reads instret first thing, then the RTC, claims, acknowledges
 * the RTC and completes in the hart's own PLIC context. Per round it prints
 *
 *     irqbench: sample N insn I ns T
 *
 * T: RTC time in the handler minus the deadline (ns of QEMU's virtual
 * clock with -rtc clock=vm). I: instret in the handler minus instret at the
 * deadline, taken as instret at arming + lead: exact under -icount shift=0,
 * where the virtual clock advances 1 ns per retired instruction and
 * instret counts every instruction, M-mode ones included; meaningless
 * without -icount (QEMU's instret then follows the host's cycle counter).
 *
 * The same binary runs as a Bulkhead capsule (irqbench.bin) and directly
 * on QEMU with OpenSBI (irqbench.elf at 0x80200000): it finds the RTC, the
 * PLIC and its hart's supervisor context in the device tree either way
 * (QEMU's own DT, context 2 * hart + 1, or the capsule's). Priority and
 * enable are written before the rounds (emulated by Bulkhead: setup, not
 * measured). On Bulkhead it also reports the hypervisor traps its hart
 * took during the rounds (trap counters, SBI extension).
 */
#include "plic.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define DEFAULT_ROUNDS	100
#define MAX_ROUNDS	1000
#define DEFAULT_LEAD	200000	/* ns from arming to the deadline */

static struct plic plic;
static uint64_t rtc_base;
static uint32_t rtc_source;

/* Written by the handler, read by the round. */
static volatile uint64_t irq_instret, irq_rtc;
static volatile uint32_t irq_claimed;
static volatile int fired;

/* Printed after the rounds, so no console call falls inside them. */
static int64_t sample_insn[MAX_ROUNDS], sample_ns[MAX_ROUNDS];

static inline uint64_t read_instret(void)
{
	uint64_t v;

	asm volatile("csrr %0, instret" : "=r"(v) : : "memory");
	return v;
}

static void rtc_interrupt(struct hart *h)
{
	uint64_t insn = read_instret();
	uint32_t s;

	(void)h;
	irq_instret = insn;
	irq_rtc = rtc_now(rtc_base);
	s = mmio_read32(plic_claim_reg(&plic, plic.context));
	irq_claimed = s;
	if (s == rtc_source)
		rtc_ack(rtc_base);
	if (s)
		mmio_write32(plic_claim_reg(&plic, plic.context), s);
	fired = 1;
}

static void rtc_arm_at(uint64_t when)
{
	mmio_write32(rtc_base + RTC_ALARM_HIGH, (uint32_t)(when >> 32));
	mmio_write32(rtc_base + RTC_ALARM_LOW, (uint32_t)when);	/* arms */
}

static uint64_t timebase(const struct fdt *fdt)
{
	int cpus = fdt_path(fdt, "/cpus");

	return cpus < 0 ? 0 : fdt_prop_u32(fdt, cpus, "timebase-frequency", 0);
}

static int on_bulkhead(void)
{
	return sbi_probe_extension(SBI_EXT_BULKHEAD).value != 0;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	struct fdt fdt;
	const char *bootargs;
	unsigned long rounds = DEFAULT_ROUNDS, lead = DEFAULT_LEAD;
	uint64_t size, tb, traps0 = 0, traps1 = 0;
	unsigned long n;
	int bulkhead;

	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0) {
		printf("FAIL irqbench: a1 = %p is no device tree\n", dtb);
		return;
	}
	bootargs = fdt_prop_string(&fdt, fdt_path(&fdt, "/chosen"), "bootargs");
	if (bootargs) {
		bootarg_number(bootargs, "rounds", &rounds, NULL);
		bootarg_number(bootargs, "lead", &lead, NULL);
	}
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	tb = timebase(&fdt);
	if (fdt_find_device(&fdt, "google,goldfish-rtc", &rtc_base, &size,
			    &rtc_source) < 0 || !rtc_source) {
		printf("FAIL irqbench: no goldfish RTC with an interrupt in the device tree\n");
		return;
	}
	if (plic_find(&fdt, hartid, &plic) < 0) {
		printf("FAIL irqbench: no PLIC supervisor context for hart %lu\n", hartid);
		return;
	}
	if (!tb) {
		printf("FAIL irqbench: no timebase-frequency in /cpus\n");
		return;
	}
	bulkhead = on_bulkhead();
	printf("irqbench: hart %lu, rtc %lx source %u, plic %lx context %u, rounds %lu, lead %lu ns, %s\n",
	       hartid, (unsigned long)rtc_base, rtc_source, (unsigned long)plic.base,
	       plic.context, rounds, lead, bulkhead ? "Bulkhead" : "not Bulkhead");

	/* Setup, not measured: priority and enable (emulated on Bulkhead). */
	mmio_write32(rtc_base + RTC_IRQ_ENABLED, 1);
	plic_setup_source(&plic, rtc_source, 1, 1);
	mmio_write32(plic_threshold_reg(&plic, plic.context), 0);
	this_hart()->ext_irq = rtc_interrupt;
	csr_set(sie, SIE_SEIE);

	if (bulkhead)
		traps0 = (uint64_t)sbi_bulkhead_trap_total().value;
	for (n = 0; n < rounds; n++) {
		uint64_t r0, i0, deadline, give_up;

		fired = 0;
		r0 = rtc_now(rtc_base);
		i0 = read_instret();
		deadline = r0 + lead;
		give_up = read_time() + tb;	/* 1 s */
		rtc_arm_at(deadline);
		csr_set(sstatus, SSTATUS_SIE);
		while (!fired && read_time() < give_up)
			;
		csr_clear(sstatus, SSTATUS_SIE);
		if (!fired) {
			printf("FAIL irqbench: no RTC interrupt within 1 s in round %lu\n", n);
			break;
		}
		if (irq_claimed != rtc_source) {
			printf("FAIL irqbench: claimed source %u, want %u\n",
			       irq_claimed, rtc_source);
			break;
		}
		sample_insn[n] = (int64_t)(irq_instret - (i0 + lead));
		sample_ns[n] = (int64_t)(irq_rtc - deadline);
	}
	/* The second total read is itself one trap. */
	if (bulkhead)
		traps1 = (uint64_t)sbi_bulkhead_trap_total().value;
	rounds = n;
	for (n = 0; n < rounds; n++)
		printf("irqbench: sample %lu insn %ld ns %ld\n", n,
		       (long)sample_insn[n], (long)sample_ns[n]);
	if (bulkhead)
		printf("irqbench: hypervisor traps on this hart during the rounds: %lu\n",
		       (unsigned long)(traps1 - traps0 - 1));
	csr_clear(sie, SIE_SEIE);
	this_hart()->ext_irq = 0;
	mmio_write32(rtc_base + RTC_IRQ_ENABLED, 0);
	plic_setup_source(&plic, rtc_source, 0, 0);
	printf("irqbench: done\n");
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
}
