/* SPDX-License-Identifier: MIT */
/* The board devices the hypervisor drives itself (from bh_board). */
#ifndef BULKHEAD_PLATFORM_H
#define BULKHEAD_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulkhead/compiler.h"

/* Physical console UART (ns16550 or sifive,uart0: bh_board.uart_kind). */
void bh_uart_init(void);
void bh_uart_write(const uint8_t *buf, size_t n);
int bh_uart_getc(void);		/* -1 when nothing was received */

/*
 * CLINT. Device registers are reached only through bulkhead/mmio.h.
 * send_ipi: memory written before it is visible before the target's msip
 * is raised. clear_ipi: the clear is ordered before every memory read
 * after it (the mailbox).
 */
void bh_clint_send_ipi(uint32_t hart);
void bh_clint_clear_ipi(uint32_t hart);
void bh_clint_set_timer(uint32_t hart, uint64_t when);
/* mtime: the clock on a board whose time CSR traps (BH_HAS_TIME_CSR 0). */
uint64_t bh_clint_read_time(void);

/*
 * The host's settings, from the board's host-settings device (QEMU's
 * fw_cfg at bh_board.host_settings_base): true when the host that started
 * the machine said its console is a terminal, by asking for an interactive
 * boot (`-boot menu=on`, which `make run` adds when its output is a
 * terminal). False when the board has no such device or the host did not
 * ask. Read at boot, on the boot hart.
 */
bool bh_host_console_is_terminal(void);

/*
 * The board's clock (goldfish RTC): nanoseconds since 1970-01-01 UTC, or 0
 * when the board names no clock.
 */
uint64_t bh_clock_read_ns(void);

/*
 * The board's poweroff device (bh_board.poweroff_kind): power the machine
 * off (QEMU exits with code 0) ...
 */
void bh_poweroff(void) __noreturn;
/*
 * ... or exit with failure code, or reset the machine. A GPIO restart pin
 * can only reset: all three reset (QEMU with -no-reboot exits, code 0).
 */
void bh_poweroff_fail(uint32_t code) __noreturn;
void bh_system_reset(void) __noreturn;

#endif
