// SPDX-License-Identifier: MIT
/*
 * A sifive,gpio0 pin wired to the machine's reset (a gpio-restart, active
 * low): driving it low resets the board.
 */
#include "bulkhead/mmio.h"
#include "bulkhead/tables.h"
#include "drivers.h"

#define GPIO_OUTPUT_EN	0x08
#define GPIO_OUTPUT_VAL	0x0c
#define GPIO_OUT_XOR	0x40

static void clear_bit(uint32_t reg, uint32_t bit)
{
	uint64_t pa = bh_board.poweroff_base + reg;

	bh_mmio_write32(pa, bh_mmio_read32(pa) & ~bit);
}

/* The value low (and not inverted) before the output drives it. */
void bh_gpio_restart(void)
{
	uint32_t bit = 1u << bh_board.poweroff_pin;
	uint64_t enable = bh_board.poweroff_base + GPIO_OUTPUT_EN;

	clear_bit(GPIO_OUTPUT_VAL, bit);
	clear_bit(GPIO_OUT_XOR, bit);
	bh_mmio_write32(enable, bh_mmio_read32(enable) | bit);
}
