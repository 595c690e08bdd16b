/* SPDX-License-Identifier: MIT */
/*
 * The PLIC and the goldfish RTC as a bare-metal guest finds them in its
 * device tree and drives them: its own supervisor context (threshold and
 * claim/complete reached directly), the shared priority/enable/pending
 * registers (emulated by Bulkhead), and the RTC alarm as an interrupt
 * source.
 */
#ifndef GUEST_PLIC_H
#define GUEST_PLIC_H

#include <stdint.h>

#include "fdt.h"

#define SIE_SEIE		(1UL << 9)

struct plic {
	uint64_t base;
	uint64_t size;
	uint32_t context;	/* this vhart's S-mode context */
	uint32_t phandle;
};

/*
 * The PLIC node of the DT and the context whose interrupts-extended entry
 * is <&intc-of-cpu@hartid 9>. 0, or -1 with no PLIC or no such context.
 */
int plic_find(const struct fdt *fdt, unsigned long hartid, struct plic *p);

/* A /soc device by compatible: its first reg and its PLIC source (or 0). */
int fdt_find_device(const struct fdt *fdt, const char *compatible,
		    uint64_t *base, uint64_t *size, uint32_t *source);

static inline uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v;

	asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	asm volatile("sw %0, 0(%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline uint64_t plic_priority_reg(const struct plic *p, uint32_t s)
{
	return p->base + 4 * (uint64_t)s;
}

static inline uint64_t plic_pending_reg(const struct plic *p, uint32_t s)
{
	return p->base + 0x1000 + 4 * (uint64_t)(s / 32);
}

static inline uint64_t plic_enable_reg(const struct plic *p, uint32_t ctx,
				       uint32_t s)
{
	return p->base + 0x2000 + 0x80 * (uint64_t)ctx + 4 * (uint64_t)(s / 32);
}

static inline uint64_t plic_threshold_reg(const struct plic *p, uint32_t ctx)
{
	return p->base + 0x200000 + 0x1000 * (uint64_t)ctx;
}

static inline uint64_t plic_claim_reg(const struct plic *p, uint32_t ctx)
{
	return plic_threshold_reg(p, ctx) + 4;
}

/* Own source s: priority, enabled in own context or not. */
void plic_setup_source(const struct plic *p, uint32_t s, uint32_t priority,
		       int enable);

/* Goldfish RTC (QEMU hw/rtc/goldfish_rtc.c), times in ns. */
#define RTC_TIME_LOW		0x00
#define RTC_TIME_HIGH		0x04
#define RTC_ALARM_LOW		0x08	/* arms the alarm */
#define RTC_ALARM_HIGH		0x0c
#define RTC_IRQ_ENABLED		0x10
#define RTC_CLEAR_ALARM		0x14
#define RTC_ALARM_STATUS	0x18
#define RTC_CLEAR_INTERRUPT	0x1c

uint64_t rtc_now(uint64_t rtc);
/* Raise the RTC's interrupt after ns nanoseconds (0: at once). */
void rtc_alarm_in(uint64_t rtc, uint64_t ns);
void rtc_ack(uint64_t rtc);

#endif
