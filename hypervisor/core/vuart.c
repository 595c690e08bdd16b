// SPDX-License-Identifier: MIT
/*
 * The virtual ns16550: a register model good enough for Linux's 8250 driver
 * in polled mode and for bare-metal guests. Transmit is instantaneous (THR
 * always empty); receive comes from the console service.
 */
#include <stdbool.h>

#include "bulkhead/console.h"
#include "bulkhead/vuart.h"

void bh_vuart_reset(struct bh_vuart *u)
{
	u->ier = 0;
	u->lcr = 0x03;	/* 8N1, as firmware leaves it */
	u->mcr = 0;
	u->scr = 0;
	/* Divisor 1: the speed the capsule's device tree gives (its virtual
	 * clock is 16 times that), which a driver that reads the divisor finds. */
	u->dll = 1;
	u->dlm = 0;
	u->fcr = 0;
}

/*
 * IIR: polled 8250 drivers read it to learn whether to service the port,
 * so it must report received data and an empty transmitter as the enabled
 * interrupts say.
 */
static uint8_t read_iir(struct bh_vuart *u, uint32_t capsule)
{
	uint8_t fifo = (u->fcr & BH_UART_FCR_FIFO) ? BH_UART_IIR_FIFO : 0;

	if ((u->ier & BH_UART_IER_RDI) && bh_console_rx_ready(capsule))
		return fifo | BH_UART_IIR_RDI;
	if (u->ier & BH_UART_IER_THRI)
		return fifo | BH_UART_IIR_THRI;
	return fifo | BH_UART_IIR_NO_INT;
}

uint8_t bh_vuart_read(struct bh_vuart *u, uint32_t capsule, uint32_t offset)
{
	uint8_t value;
	int ch;

	if (bh_vuart_read_quiet(u, offset, &value))
		return value;
	switch (offset) {
	case BH_UART_RBR:
		ch = bh_console_getc(capsule);
		return ch < 0 ? 0 : (uint8_t)ch;
	case BH_UART_IIR:
		return read_iir(u, capsule);
	case BH_UART_LSR:
		return BH_UART_LSR_THRE | BH_UART_LSR_TEMT |
		       (bh_console_rx_ready(capsule) ? BH_UART_LSR_DR : 0);
	default:
		return 0;
	}
}

void bh_vuart_write(struct bh_vuart *u, uint32_t capsule, uint32_t offset,
		    uint8_t value)
{
	if (!bh_vuart_write_quiet(u, offset, value))
		bh_console_putc(capsule, value);	/* THR */
}
