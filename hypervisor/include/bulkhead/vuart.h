/* SPDX-License-Identifier: MIT */
/* The virtual ns16550 each capsule sees at its console UART address. */
#ifndef BULKHEAD_VUART_H
#define BULKHEAD_VUART_H

#include <stdint.h>

#include "bulkhead/lock.h"

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

struct bh_vuart {
	struct bh_lock lock;	/* the capsule's vCPUs share the UART */
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
};

void bh_vuart_reset(struct bh_vuart *u);

/* Register access at byte offset (0..7) by capsule index capsule. */
uint8_t bh_vuart_read(struct bh_vuart *u, uint32_t capsule, uint32_t offset);
void bh_vuart_write(struct bh_vuart *u, uint32_t capsule, uint32_t offset,
		    uint8_t value);

#endif
