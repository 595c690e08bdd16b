// SPDX-License-Identifier: MIT
/* The physical console: the driver of the kind the tables name. */
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"
#include "drivers.h"

void bh_uart_init(void)
{
	if (bh_board.uart_kind == BH_UART_SIFIVE)
		bh_sifive_uart_init();
	else
		bh_ns16550_init();
}

void bh_uart_write(const uint8_t *buf, size_t n)
{
	if (bh_board.uart_kind == BH_UART_SIFIVE)
		bh_sifive_uart_write(buf, n);
	else
		bh_ns16550_write(buf, n);
}

int bh_uart_getc(void)
{
	if (bh_board.uart_kind == BH_UART_SIFIVE)
		return bh_sifive_uart_getc();
	return bh_ns16550_getc();
}
