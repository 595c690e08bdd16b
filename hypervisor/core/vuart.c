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

static uint8_t read_locked(struct bh_vuart *u, uint32_t capsule,
			   uint32_t offset)
{
	bool dlab = u->lcr & BH_UART_LCR_DLAB;
	int ch;

	switch (offset) {
	case BH_UART_RBR:
		if (dlab)
			return u->dll;
		ch = bh_console_getc(capsule);
		return ch < 0 ? 0 : (uint8_t)ch;
	case BH_UART_IER:
		return dlab ? u->dlm : u->ier;
	case BH_UART_IIR:
		return read_iir(u, capsule);
	case BH_UART_LCR:
		return u->lcr;
	case BH_UART_MCR:
		return u->mcr;
	case BH_UART_LSR:
		return BH_UART_LSR_THRE | BH_UART_LSR_TEMT |
		       (bh_console_rx_ready(capsule) ? BH_UART_LSR_DR : 0);
	case BH_UART_MSR:
		return BH_UART_MSR_IDLE;
	case BH_UART_SCR:
		return u->scr;
	default:
		return 0;
	}
}

uint8_t bh_vuart_read(struct bh_vuart *u, uint32_t capsule, uint32_t offset)
{
	uint8_t value;

	bh_lock(&u->lock);
	value = read_locked(u, capsule, offset);
	bh_unlock(&u->lock);
	return value;
}

static void write_locked(struct bh_vuart *u, uint32_t capsule,
			 uint32_t offset, uint8_t value)
{
	bool dlab = u->lcr & BH_UART_LCR_DLAB;

	switch (offset) {
	case BH_UART_RBR:
		if (dlab)
			u->dll = value;
		else
			bh_console_putc(capsule, value);
		break;
	case BH_UART_IER:
		if (dlab)
			u->dlm = value;
		else
			u->ier = value & 0x0f;
		break;
	case BH_UART_IIR:	/* FCR; the clear bits have nothing to clear */
		u->fcr = value & BH_UART_FCR_FIFO;
		break;
	case BH_UART_LCR:
		u->lcr = value;
		break;
	case BH_UART_MCR:
		u->mcr = value & 0x1f;
		break;
	case BH_UART_SCR:
		u->scr = value;
		break;
	default:	/* LSR, MSR: read-only */
		break;
	}
}

void bh_vuart_write(struct bh_vuart *u, uint32_t capsule, uint32_t offset,
		    uint8_t value)
{
	bh_lock(&u->lock);
	write_locked(u, capsule, offset, value);
	bh_unlock(&u->lock);
}
