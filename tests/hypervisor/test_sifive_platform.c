// SPDX-License-Identifier: MIT
/*
 * The sifive,uart0 console and the sifive,gpio0 restart pin
 * (platform/sifive_uart.c, platform/gpio_restart.c) on fake registers.
 */
#include <string.h>

#include "drivers.h"
#include "fake.h"
#include "runner.h"

#define TXCTRL	(0x08 / 4)
#define RXCTRL	(0x0c / 4)
#define IE	(0x10 / 4)
#define DIV	(0x18 / 4)
#define OUTPUT_EN	(0x08 / 4)
#define OUTPUT_VAL	(0x0c / 4)
#define OUT_XOR		(0x40 / 4)

/* 3686400 Hz / (31 + 1) = 115200 baud; both directions on, no interrupts. */
TEST(sifive_uart_init_sets_divisor_and_enables)
{
	fake.sifive_uart[IE] = 3;
	bh_sifive_uart_init();
	CHECK(fake.sifive_uart[DIV] == 31);
	CHECK(fake.sifive_uart[TXCTRL] == 1);
	CHECK(fake.sifive_uart[RXCTRL] == 1);
	CHECK(fake.sifive_uart[IE] == 0);
	CHECK(!fake.mmio32_stray);
}

TEST(sifive_uart_write_waits_while_the_fifo_is_full)
{
	fake.tx_full_reads = 5;
	bh_sifive_uart_write((const uint8_t *)"ok\n", 3);
	CHECK(fake.tx_full_reads == 0);
	CHECK(!strcmp(take_output(), "ok\n"));
	CHECK(!fake.mmio32_stray);
}

/* A FIFO that stays full loses the output instead of hanging the hart. */
TEST(sifive_uart_write_gives_up_on_a_stuck_fifo)
{
	fake.tx_full_reads = 0xffffffff;
	bh_sifive_uart_write((const uint8_t *)"x", 1);
	CHECK(!strcmp(take_output(), ""));
}

TEST(sifive_uart_getc_pops_one_byte_and_says_when_empty)
{
	fake.in = "ab";
	CHECK(bh_sifive_uart_getc() == 'a');
	CHECK(bh_sifive_uart_getc() == 'b');
	CHECK(bh_sifive_uart_getc() == -1);
	CHECK(!fake.mmio32_stray);
}

/* Pin 10 driven low: value and inversion cleared, output enabled; others kept. */
TEST(gpio_restart_drives_only_its_pin_low)
{
	fake.gpio[OUTPUT_VAL] = 0xffff;
	fake.gpio[OUT_XOR] = 1u << 10 | 1u;
	fake.gpio[OUTPUT_EN] = 1u << 3;
	bh_gpio_restart();
	CHECK(fake.gpio[OUTPUT_VAL] == (0xffffu & ~(1u << 10)));
	CHECK(fake.gpio[OUT_XOR] == 1u);
	CHECK(fake.gpio[OUTPUT_EN] == (1u << 3 | 1u << 10));
	CHECK(!fake.mmio32_stray);
}
