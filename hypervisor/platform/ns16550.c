// SPDX-License-Identifier: MIT
/* The physical console: an ns16550 at bh_board.uart_base, polled. */
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"
#include "bulkhead/vuart.h"

#define BAUD	115200

static volatile uint8_t *uart(void)
{
	return (volatile uint8_t *)(uintptr_t)bh_board.uart_base;
}

void bh_uart_init(void)
{
	volatile uint8_t *u = uart();
	uint32_t divisor = (uint32_t)(bh_board.uart_clock / (16 * BAUD));

	if (!divisor)
		divisor = 1;
	u[BH_UART_IER] = 0;
	u[BH_UART_LCR] = BH_UART_LCR_DLAB;
	u[BH_UART_RBR] = divisor & 0xff;
	u[BH_UART_IER] = (divisor >> 8) & 0xff;
	u[BH_UART_LCR] = 0x03;	/* 8N1 */
	u[BH_UART_IIR] = 0x07;	/* FIFOs on and cleared */
	u[BH_UART_MCR] = 0x03;	/* DTR, RTS */
}

/*
 * Spins this long at most for the transmitter: a stuck UART then loses
 * output instead of hanging every hart behind the console lock.
 */
#define THRE_SPINS	(1 << 20)

void bh_uart_putc(uint8_t ch)
{
	volatile uint8_t *u = uart();
	uint32_t spins;

	for (spins = 0; spins < THRE_SPINS; spins++) {
		if (u[BH_UART_LSR] & BH_UART_LSR_THRE) {
			u[BH_UART_RBR] = ch;
			return;
		}
	}
}

int bh_uart_getc(void)
{
	volatile uint8_t *u = uart();

	if (!(u[BH_UART_LSR] & BH_UART_LSR_DR))
		return -1;
	return u[BH_UART_RBR];
}
