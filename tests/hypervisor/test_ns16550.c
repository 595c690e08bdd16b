// SPDX-License-Identifier: MIT
/*
 * platform/ns16550.c with a register stride (BH_UART_REG_SHIFT 2,
 * BH_UART_REG_IO_WIDTH 4 in the fixture's bulkhead_config.h: a DesignWare
 * APB UART, the VisionFive 2's console): register n must be the 32-bit word
 * at UART_BASE + 4n, every access 32 bits wide. The fake's 32-bit window at
 * UART_BASE records word n in fake.sifive_uart[n]; a write of word 0 (THR)
 * is output; any other access is a stray.
 */
#include <string.h>

#include "bulkhead/vuart.h"
#include "drivers.h"
#include "fake.h"
#include "runner.h"

/*
 * 3686400 Hz / (16 * 115200) = divisor 2: its low byte goes out through
 * word 0 while DLAB is set, its high byte to word 1; then 8N1 (word 3),
 * FIFOs on (word 2, FCR) and DTR/RTS (word 4).
 */
TEST(ns16550_init_writes_32_bit_registers_4_bytes_apart)
{
	bh_ns16550_init();
	CHECK(fake.out_len == 1 && fake.out[0] == 2);
	CHECK(fake.sifive_uart[BH_UART_IER] == 0);
	CHECK(fake.sifive_uart[BH_UART_LCR] == 0x03);
	CHECK(fake.sifive_uart[BH_UART_IIR] == 0x07);
	CHECK(fake.sifive_uart[BH_UART_MCR] == 0x03);
	CHECK(!fake.mmio32_stray);
	take_output();
}

/* LSR is word 5: THRE there lets the bytes out through word 0. */
TEST(ns16550_write_reads_lsr_at_its_stride)
{
	fake.sifive_uart[BH_UART_LSR] = BH_UART_LSR_THRE;
	bh_ns16550_write((const uint8_t *)"ok\n", 3);
	CHECK(!strcmp(take_output(), "ok\n"));
	CHECK(!fake.mmio32_stray);
}

/* Without THRE in word 5 nothing is written (and the wait gives up). */
TEST(ns16550_write_waits_for_thre_in_word_5)
{
	fake.sifive_uart[BH_UART_LSR] = 0;
	fake.sifive_uart[1] = BH_UART_LSR_THRE;	/* the unstrided LSR would be byte 5 */
	bh_ns16550_write((const uint8_t *)"x", 1);
	CHECK(!strcmp(take_output(), ""));
	CHECK(!fake.mmio32_stray);
}

/* DR in word 5 says a byte waits in word 0. */
TEST(ns16550_getc_reads_dr_and_rbr_at_their_stride)
{
	fake.sifive_uart[BH_UART_LSR] = 0;
	CHECK(bh_ns16550_getc() == -1);
	fake.sifive_uart[BH_UART_LSR] = BH_UART_LSR_DR;
	CHECK(bh_ns16550_getc() == 0);	/* the fake's word 0 reads 0 */
	CHECK(!fake.mmio32_stray);
}
