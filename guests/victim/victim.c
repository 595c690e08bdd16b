// SPDX-License-Identifier: MIT
/*
 * victim: the capsule an attacker aims at. It fills its free memory (below
 * and above its device tree) with an address-derived pattern, checksums its image and device tree, enables
 * every S-mode interrupt with nothing armed, and then prints a heartbeat
 * every 200 ms:
 *
 *	victim: heartbeat N checksum C
 *
 * C must stay the same across heartbeats. Anything that changed its memory
 * or interrupted it prints one "FAIL victim: ..." line. When its device
 * tree gives it the goldfish RTC with a PLIC interrupt, it keeps the RTC
 * alarm firing every 20 ms, claims and completes each interrupt in its own
 * PLIC context and prints after each heartbeat
 *
 *	victim: rtc interrupts N
 *
 * (N must keep growing however another capsule pokes at the PLIC); a
 * claim of any other source is a FAIL. A 'q' on its
 * console input (DBCN console_read) ends it with SBI SRST shutdown; so does
 * the heartbeat limit, so a run left alone still ends.
 */
#include "fdt.h"
#include "plic.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define HEARTBEAT_LIMIT	600
#define PAGE_SIZE	4096UL

/* The pattern areas: below and above the device tree. */
struct area {
	unsigned long start, end;
};

static struct {
	struct area fill[2];
	const void *dtb;
	uint32_t dtb_size;
	uint64_t timebase;
	uint64_t image_sum;
	uint64_t dtb_sum;
	int reported;
	/* The RTC interrupt, when the device tree gives it one. */
	struct plic plic;
	uint64_t rtc;
	uint32_t rtc_source;
	int has_rtc;
	volatile unsigned long rtc_irqs;
	volatile unsigned long foreign_claims;
} v;

#define RTC_PERIOD_NS	20000000UL

static uint64_t pattern(unsigned long addr)
{
	return (addr * 0x9e3779b97f4a7c15UL) ^ 0x5bd1e9955bd1e995UL;
}

static uint64_t checksum(const void *start, unsigned long len)
{
	const uint8_t *p = start;
	uint64_t sum = 0xcbf29ce484222325UL;	/* FNV-1a */

	while (len--) {
		sum ^= *p++;
		sum *= 0x100000001b3UL;
	}
	return sum;
}

static void fill(void)
{
	unsigned long addr;
	int i;

	for (i = 0; i < 2; i++) {
		for (addr = v.fill[i].start; addr < v.fill[i].end; addr += 8)
			*(volatile uint64_t *)addr = pattern(addr);
	}
}

/* First word of the pattern areas that no longer holds its pattern, or 0. */
static unsigned long first_changed(void)
{
	unsigned long addr;
	int i;

	for (i = 0; i < 2; i++) {
		for (addr = v.fill[i].start; addr < v.fill[i].end; addr += 8) {
			if (*(volatile uint64_t *)addr != pattern(addr))
				return addr;
		}
	}
	return 0;
}

static void fail_once(const char *what, unsigned long detail)
{
	if (v.reported)
		return;
	v.reported = 1;
	printf("FAIL victim: %s (%lx)\n", what, detail);
}

static uint64_t check_memory(void)
{
	struct hart *h = this_hart();
	uint64_t image = checksum(_start, (unsigned long)(__image_end - _start));
	uint64_t dtb = checksum(v.dtb, v.dtb_size);
	unsigned long changed = first_changed();

	if (image != v.image_sum)
		fail_once("its image changed, checksum", image);
	if (dtb != v.dtb_sum)
		fail_once("its device tree changed, checksum", dtb);
	if (changed)
		fail_once("its memory changed at", changed);
	if (h->soft_irqs || h->timer_irqs)
		fail_once("an interrupt nobody armed arrived: soft, timer count",
			  (h->soft_irqs << 32) | h->timer_irqs);
	if (v.foreign_claims)
		fail_once("claimed a source that is not its RTC, times",
			  v.foreign_claims);
	return image ^ dtb ^ (changed ? pattern(changed) : 0);
}

/* From the trap vector: claim, acknowledge, re-arm, complete. */
static void rtc_interrupt(struct hart *h)
{
	uint32_t s = mmio_read32(plic_claim_reg(&v.plic, v.plic.context));

	(void)h;
	if (!s)
		return;
	if (s == v.rtc_source) {
		v.rtc_irqs++;
		rtc_ack(v.rtc);
		rtc_alarm_in(v.rtc, RTC_PERIOD_NS);
	} else {
		v.foreign_claims++;
	}
	mmio_write32(plic_claim_reg(&v.plic, v.plic.context), s);
}

static void setup_rtc(const struct fdt *fdt, unsigned long hartid)
{
	uint64_t size;

	if (fdt_find_device(fdt, "google,goldfish-rtc", &v.rtc, &size,
			    &v.rtc_source) < 0 || !v.rtc_source ||
	    plic_find(fdt, hartid, &v.plic) < 0)
		return;
	v.has_rtc = 1;
	plic_setup_source(&v.plic, v.rtc_source, 1, 1);
	mmio_write32(plic_threshold_reg(&v.plic, v.plic.context), 0);
	this_hart()->ext_irq = rtc_interrupt;
	csr_set(sie, SIE_SEIE);
	rtc_alarm_in(v.rtc, RTC_PERIOD_NS);
}

static int quit_requested(void)
{
	char c = 0;
	struct sbiret ret = sbi_debug_console_read(1, (unsigned long)&c);

	return !ret.error && ret.value == 1 && c == 'q';
}

static const char *setup(const void *dtb, unsigned long hartid)
{
	struct fdt fdt;
	uint64_t base, size;
	int root;

	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0)
		return "a1 is not a device tree";
	root = fdt_root(&fdt);
	if (fdt_reg(&fdt, root, fdt_child(&fdt, root, "memory"), 0, &base,
		    &size) < 0)
		return "no memory node";
	v.timebase = fdt_prop_u32(&fdt, fdt_child(&fdt, root, "cpus"),
				  "timebase-frequency", 0);
	if (!v.timebase)
		return "no timebase-frequency in /cpus";
	v.dtb = dtb;
	v.dtb_size = fdt.total_size;
	v.fill[0].start = ((unsigned long)__bss_end + PAGE_SIZE - 1) &
			  ~(PAGE_SIZE - 1);
	v.fill[0].end = (unsigned long)dtb & ~(PAGE_SIZE - 1);
	v.fill[1].start = ((unsigned long)dtb + v.dtb_size + 7) & ~7UL;
	v.fill[1].end = base + size;
	if (v.fill[0].end <= v.fill[0].start || v.fill[1].end < v.fill[1].start)
		return "the device tree is not above the image in memory";
	setup_rtc(&fdt, hartid);
	return NULL;
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	printf("FAIL victim: vhart %lu started (opaque %lx); nobody of ours starts one\n",
	       hartid, opaque);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	const char *error;
	uint64_t next, sum;
	int beat;

	/* Interrupts stay off until the pattern and checksums are in place. */
	error = setup(dtb, hartid);
	if (error) {
		printf("FAIL victim: %s\n", error);
		return;
	}
	fill();
	v.image_sum = checksum(_start, (unsigned long)(__image_end - _start));
	v.dtb_sum = checksum(v.dtb, v.dtb_size);
	printf("victim: vhart %lu, pattern over [%lx, %lx) and [%lx, %lx), image checksum %lx\n",
	       hartid, v.fill[0].start, v.fill[0].end, v.fill[1].start,
	       v.fill[1].end, (unsigned long)v.image_sum);
	/* Nothing is armed: any interrupt that arrives came from outside. */
	sbi_set_timer(UINT64_MAX);
	csr_set(sie, SIE_SSIE | SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	next = read_time();
	for (beat = 1; beat <= HEARTBEAT_LIMIT; beat++) {
		sum = check_memory();
		printf("victim: heartbeat %d checksum %016lx\n", beat,
		       (unsigned long)sum);
		if (v.has_rtc)
			printf("victim: rtc interrupts %lu\n", v.rtc_irqs);
		next += v.timebase / 5;
		/* Poll input every 10 ms: each poll is a call into the hypervisor. */
		while (read_time() < next) {
			uint64_t poll = read_time() + v.timebase / 100;

			if (quit_requested()) {
				printf("victim: done after %d heartbeats\n", beat);
				return;
			}
			while (read_time() < poll && read_time() < next)
				;
		}
	}
	printf("victim: no 'q' after %d heartbeats; shutting down\n",
	       HEARTBEAT_LIMIT);
}
