// SPDX-License-Identifier: MIT
/*
 * The physical console when it is a sifive,uart0 (bh_board.uart_base),
 * polled: a transmit FIFO whose txdata says when it is full, a receive
 * FIFO whose rxdata says when it is empty, each read popping one byte.
 */
#include <stdbool.h>

#include "bulkhead/mmio.h"
#include "bulkhead/tables.h"
#include "drivers.h"

#define UART_TXDATA	0x00
#define UART_RXDATA	0x04
#define UART_TXCTRL	0x08
#define UART_RXCTRL	0x0c
#define UART_IE		0x10
#define UART_DIV	0x18

#define TXDATA_FULL	(1u << 31)
#define RXDATA_EMPTY	(1u << 31)
#define CTRL_ENABLE	1u

#define BAUD	115200

/* As platform/ns16550.c: a stuck UART loses output instead of hanging. */
#define FULL_SPINS	(1 << 20)

static uint32_t reg_read(uint32_t reg)
{
	return bh_mmio_read32(bh_board.uart_base + reg);
}

static void reg_write(uint32_t reg, uint32_t v)
{
	bh_mmio_write32(bh_board.uart_base + reg, v);
}

/* baud = clock / (div + 1); interrupts off, one stop bit, both ways on. */
void bh_sifive_uart_init(void)
{
	uint64_t div = bh_board.uart_clock / BAUD;

	reg_write(UART_IE, 0);
	reg_write(UART_DIV, (uint32_t)(div ? div - 1 : 0));
	reg_write(UART_TXCTRL, CTRL_ENABLE);
	reg_write(UART_RXCTRL, CTRL_ENABLE);
}

static bool wait_not_full(void)
{
	uint32_t spins;

	for (spins = 0; spins < FULL_SPINS; spins++)
		if (!(reg_read(UART_TXDATA) & TXDATA_FULL))
			return true;
	return false;
}

void bh_sifive_uart_write(const uint8_t *buf, size_t n)
{
	while (n--) {
		if (!wait_not_full())
			return;
		reg_write(UART_TXDATA, *buf++);
	}
}

int bh_sifive_uart_getc(void)
{
	uint32_t v = reg_read(UART_RXDATA);

	if (v & RXDATA_EMPTY)
		return -1;
	return v & 0xff;
}
