// SPDX-License-Identifier: MIT
/* Finding and driving the PLIC and the goldfish RTC (plic.h). */
#include "plic.h"
#include "string.h"

#define IRQ_S_EXT_CELL	9

static uint32_t intc_phandle(const struct fdt *fdt, unsigned long hartid)
{
	int cpus = fdt_path(fdt, "/cpus");
	int cpu = -1;

	while ((cpu = fdt_next_child(fdt, cpus, cpu)) >= 0) {
		uint64_t id, unused;
		int intc;

		if (strncmp(fdt_name(fdt, cpu), "cpu@", 4) != 0 ||
		    fdt_reg(fdt, cpus, cpu, 0, &id, &unused) < 0 || id != hartid)
			continue;
		intc = fdt_child(fdt, cpu, "interrupt-controller");
		return intc < 0 ? 0 : fdt_prop_u32(fdt, intc, "phandle", 0);
	}
	return 0;
}

static int is_plic(const struct fdt *fdt, int node)
{
	return fdt_prop_has_string(fdt, node, "compatible", "riscv,plic0") ||
	       fdt_prop_has_string(fdt, node, "compatible", "sifive,plic-1.0.0");
}

int plic_find(const struct fdt *fdt, unsigned long hartid, struct plic *p)
{
	int soc = fdt_path(fdt, "/soc");
	uint32_t intc = intc_phandle(fdt, hartid);
	int node = -1, len, i;
	const uint8_t *ext;

	if (soc < 0 || !intc)
		return -1;
	while ((node = fdt_next_child(fdt, soc, node)) >= 0) {
		if (is_plic(fdt, node))
			break;
	}
	if (node < 0 || fdt_reg(fdt, soc, node, 0, &p->base, &p->size) < 0)
		return -1;
	p->phandle = fdt_prop_u32(fdt, node, "phandle", 0);
	ext = fdt_prop(fdt, node, "interrupts-extended", &len);
	for (i = 0; ext && (i + 1) * 8 <= len; i++) {
		if (fdt_be32(ext + 8 * i) == intc &&
		    fdt_be32(ext + 8 * i + 4) == IRQ_S_EXT_CELL) {
			p->context = (uint32_t)i;
			return 0;
		}
	}
	return -1;
}

int fdt_find_device(const struct fdt *fdt, const char *compatible,
		    uint64_t *base, uint64_t *size, uint32_t *source)
{
	int soc = fdt_path(fdt, "/soc");
	int node = -1, len;
	const uint8_t *irq;

	while ((node = fdt_next_child(fdt, soc, node)) >= 0) {
		if (!fdt_prop_has_string(fdt, node, "compatible", compatible))
			continue;
		if (fdt_reg(fdt, soc, node, 0, base, size) < 0)
			return -1;
		*source = 0;
		irq = fdt_prop(fdt, node, "interrupts-extended", &len);
		if (irq && len >= 8) {
			*source = fdt_be32(irq + 4);
			return 0;
		}
		irq = fdt_prop(fdt, node, "interrupts", &len);
		if (irq && len >= 4)
			*source = fdt_be32(irq);
		return 0;
	}
	return -1;
}

void plic_setup_source(const struct plic *p, uint32_t s, uint32_t priority,
		       int enable)
{
	uint64_t en = plic_enable_reg(p, p->context, s);
	uint32_t bits = mmio_read32(en);

	mmio_write32(plic_priority_reg(p, s), priority);
	if (enable)
		bits |= 1U << (s % 32);
	else
		bits &= ~(1U << (s % 32));
	mmio_write32(en, bits);
}

uint64_t rtc_now(uint64_t rtc)
{
	uint32_t low = mmio_read32(rtc + RTC_TIME_LOW);	/* latches HIGH */

	return (uint64_t)mmio_read32(rtc + RTC_TIME_HIGH) << 32 | low;
}

void rtc_alarm_in(uint64_t rtc, uint64_t ns)
{
	uint64_t when = rtc_now(rtc) + ns;

	mmio_write32(rtc + RTC_IRQ_ENABLED, 1);
	mmio_write32(rtc + RTC_ALARM_HIGH, (uint32_t)(when >> 32));
	mmio_write32(rtc + RTC_ALARM_LOW, (uint32_t)when);
}

void rtc_ack(uint64_t rtc)
{
	mmio_write32(rtc + RTC_CLEAR_INTERRUPT, 1);
}
