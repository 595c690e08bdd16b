/* SPDX-License-Identifier: MIT */
/* The virtual ns16550 each capsule sees at its console UART address. */
#ifndef BULKHEAD_VUART_H
#define BULKHEAD_VUART_H

#include <stdbool.h>
#include <stdint.h>

#define BH_UART_RBR	0	/* read, DLAB=0; THR on write; DLL when DLAB=1 */
#define BH_UART_IER	1	/* DLM when DLAB=1 */
#define BH_UART_IIR	2	/* FCR on write */
#define BH_UART_LCR	3
#define BH_UART_MCR	4
#define BH_UART_LSR	5
#define BH_UART_MSR	6
#define BH_UART_SCR	7

#define BH_UART_LCR_DLAB	0x80
#define BH_UART_LSR_DR		0x01
#define BH_UART_LSR_THRE	0x20
#define BH_UART_LSR_TEMT	0x40
#define BH_UART_IER_RDI		0x01
#define BH_UART_IER_THRI	0x02
#define BH_UART_IIR_NO_INT	0x01
#define BH_UART_IIR_THRI	0x02
#define BH_UART_IIR_RDI		0x04
#define BH_UART_IIR_FIFO	0xc0
#define BH_UART_FCR_FIFO	0x01
#define BH_UART_MSR_IDLE	0xb0	/* DCD, DSR, CTS: a line always there */

/*
 * The registers the guest writes. No lock: each is one byte, written by one
 * store and read by one load, so the capsule's vCPUs, which share the
 * UART, see each of their accesses whole, in some order (a driver that
 * needs more takes its own lock, as Linux's port lock does).
 */
struct bh_vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
};

void bh_vuart_reset(struct bh_vuart *u);

/*
 * A read of a register the console has no part in (all but RBR, IIR and
 * LSR): true and its value. False: bh_vuart_read answers it. Inline, for
 * the trap path that emulates the access.
 */
static inline bool bh_vuart_read_quiet(const struct bh_vuart *u,
				       uint32_t offset, uint8_t *value)
{
	bool dlab = u->lcr & BH_UART_LCR_DLAB;

	switch (offset) {
	case BH_UART_RBR:
		if (!dlab)
			return false;
		*value = u->dll;
		return true;
	case BH_UART_IER:
		*value = dlab ? u->dlm : u->ier;
		return true;
	case BH_UART_LCR:
		*value = u->lcr;
		return true;
	case BH_UART_MCR:
		*value = u->mcr;
		return true;
	case BH_UART_MSR:
		*value = BH_UART_MSR_IDLE;
		return true;
	case BH_UART_SCR:
		*value = u->scr;
		return true;
	default:	/* IIR, LSR; beyond 7: not reached */
		return false;
	}
}

/*
 * A write the console has no part in (all but THR): true. False:
 * bh_vuart_write takes it.
 */
static inline bool bh_vuart_write_quiet(struct bh_vuart *u, uint32_t offset,
					uint8_t value)
{
	bool dlab = u->lcr & BH_UART_LCR_DLAB;

	switch (offset) {
	case BH_UART_RBR:
		if (!dlab)
			return false;
		u->dll = value;
		return true;
	case BH_UART_IER:
		if (dlab)
			u->dlm = value;
		else
			u->ier = value & 0x0f;
		return true;
	case BH_UART_IIR:	/* FCR; the clear bits have nothing to clear */
		u->fcr = value & BH_UART_FCR_FIFO;
		return true;
	case BH_UART_LCR:
		u->lcr = value;
		return true;
	case BH_UART_MCR:
		u->mcr = value & 0x1f;
		return true;
	case BH_UART_SCR:
		u->scr = value;
		return true;
	default:	/* LSR, MSR: read-only */
		return true;
	}
}

/* Register access at byte offset (0..7) by capsule index capsule. */
uint8_t bh_vuart_read(struct bh_vuart *u, uint32_t capsule, uint32_t offset);
void bh_vuart_write(struct bh_vuart *u, uint32_t capsule, uint32_t offset,
		    uint8_t value);

#endif
