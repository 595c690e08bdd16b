// SPDX-License-Identifier: MIT
/*
 * The physical console when it is an ns16550 (bh_board.uart_base), polled.
 * Register n is at base + (n << BH_UART_REG_SHIFT), accessed
 * BH_UART_REG_IO_WIDTH bytes wide (a DesignWare APB UART, as on the JH7110:
 * 4-byte registers, 32-bit accesses only), as the board's device tree says.
 */
#include <stdbool.h>

#include "bulkhead_config.h"
#include "bulkhead/mmio.h"
#include "drivers.h"
#include "bulkhead/tables.h"
#include "bulkhead/vuart.h"

#define BAUD	115200

#if BH_UART_REG_IO_WIDTH != 1 && BH_UART_REG_IO_WIDTH != 4
#error "the ns16550 driver accesses registers 1 or 4 bytes wide"
#endif

static uint8_t reg_read(uint32_t reg)
{
	uint64_t pa = bh_board.uart_base + ((uint64_t)reg << BH_UART_REG_SHIFT);

	if (BH_UART_REG_IO_WIDTH == 4)
		return (uint8_t)bh_mmio_read32(pa);
	return bh_mmio_read8(pa);
}

static void reg_write(uint32_t reg, uint8_t v)
{
	uint64_t pa = bh_board.uart_base + ((uint64_t)reg << BH_UART_REG_SHIFT);

	if (BH_UART_REG_IO_WIDTH == 4)
		bh_mmio_write32(pa, v);
	else
		bh_mmio_write8(pa, v);
}

void bh_ns16550_init(void)
{
	uint32_t divisor = (uint32_t)(bh_board.uart_clock / (16 * BAUD));

	if (!divisor)
		divisor = 1;
	reg_write(BH_UART_IER, 0);
	reg_write(BH_UART_LCR, BH_UART_LCR_DLAB);
	reg_write(BH_UART_RBR, divisor & 0xff);
	reg_write(BH_UART_IER, (divisor >> 8) & 0xff);
	reg_write(BH_UART_LCR, 0x03);	/* 8N1 */
	reg_write(BH_UART_IIR, 0x07);	/* FIFOs on and cleared */
	reg_write(BH_UART_MCR, 0x03);	/* DTR, RTS */
}

/*
 * Spins this long at most for the transmitter: a stuck UART then loses
 * output instead of hanging every hart behind the console lock.
 */
#define THRE_SPINS	(1 << 20)
/*
 * The ns16550a's transmit FIFO (enabled by bh_uart_init): THRE set means it
 * is empty, so this many bytes go in after one look at LSR. Each register
 * access is an exit on a virtual machine, so this halves the console's cost.
 */
#define TX_FIFO		16

static bool wait_thre(void)
{
	uint32_t spins;

	for (spins = 0; spins < THRE_SPINS; spins++)
		if (reg_read(BH_UART_LSR) & BH_UART_LSR_THRE)
			return true;
	return false;
}

void bh_ns16550_write(const uint8_t *buf, size_t n)
{
	while (n) {
		size_t chunk = n < TX_FIFO ? n : TX_FIFO;

		if (!wait_thre())
			return;
		n -= chunk;
		while (chunk--)
			reg_write(BH_UART_RBR, *buf++);
	}
}

int bh_ns16550_getc(void)
{
	if (!(reg_read(BH_UART_LSR) & BH_UART_LSR_DR))
		return -1;
	return reg_read(BH_UART_RBR);
}
