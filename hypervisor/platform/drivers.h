/* SPDX-License-Identifier: MIT */
/*
 * The device drivers behind bulkhead/platform.h: platform/uart.c and
 * platform/power.c pick one by the kind the tables give (bh_board).
 */
#ifndef BULKHEAD_PLATFORM_DRIVERS_H
#define BULKHEAD_PLATFORM_DRIVERS_H

#include <stddef.h>
#include <stdint.h>

/* ns16550 (platform/ns16550.c) */
void bh_ns16550_init(void);
void bh_ns16550_write(const uint8_t *buf, size_t n);
int bh_ns16550_getc(void);

/* sifive,uart0 (platform/sifive_uart.c) */
void bh_sifive_uart_init(void);
void bh_sifive_uart_write(const uint8_t *buf, size_t n);
int bh_sifive_uart_getc(void);

/* sifive,test (platform/sifive_test.c): write value to the finisher. */
#define BH_FINISHER_FAIL	0x3333
#define BH_FINISHER_PASS	0x5555
#define BH_FINISHER_RESET	0x7777
void bh_sifive_test_finish(uint32_t value);

/* sifive,gpio0 (platform/gpio_restart.c): drive the restart pin low. */
void bh_gpio_restart(void);

#endif
