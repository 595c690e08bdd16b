/* SPDX-License-Identifier: MIT */
/*
 * The console service: capsules' output line-buffered and prefixed with
 * their names, input from the physical UART to the focused capsule. On a
 * terminal, the focused capsule's unfinished line is redrawn after other
 * output (docs/design.md, "Console").
 */
#ifndef BULKHEAD_CONSOLE_H
#define BULKHEAD_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulkhead/lock.h"

/* A longer line is printed in parts, and not redrawn on a terminal. */
#define BH_CONSOLE_LINE		256
#define BH_CONSOLE_RX		64	/* input bytes queued per capsule */
#define BH_CONSOLE_ESCAPE	0x1d	/* Ctrl-] */
#define BH_CONSOLE_NAME_MAX	31	/* longest capsule name (docs/config.md) */
#define BH_CONSOLE_MESSAGE_MAX	200	/* longest hypervisor message line */
/* Most bytes written to the UART while the console lock is held once. */
#define BH_CONSOLE_HOLD_MAX	512

/*
 * Held while the physical UART is written, for at most BH_CONSOLE_HOLD_MAX
 * bytes. Only console.c takes it; the unit tests read its owner ticket to
 * count the bytes of each hold.
 */
extern struct bh_lock bh_console_lock;

/*
 * terminal: the UART is a terminal, where the focused capsule's unfinished
 * line is redrawn after other output; false: a log (a pipe, a file), where
 * every line is printed once and nothing else.
 */
void bh_console_init(uint32_t focus, bool terminal);

/* Output one byte of a capsule. */
void bh_console_putc(uint32_t capsule, uint8_t ch);

/*
 * Output n bytes of a capsule; the lock is let go and taken again whenever
 * the next byte might take a hold past BH_CONSOLE_HOLD_MAX.
 */
void bh_console_write(uint32_t capsule, const uint8_t *buf, size_t n);

/*
 * A capsule polls for input: drain the physical UART into the focused
 * capsule's queue (handling the console keys: Ctrl-] then a digit, l, ?
 * or Ctrl-]), flush the capsule's partial line if it is focused (so
 * prompts appear), print any key's multi-line answer (one line per hold of
 * the lock), and return its next byte or -1.
 */
int bh_console_getc(uint32_t capsule);

/* As bh_console_getc, but leaves the byte queued: 1 when one is there. */
int bh_console_rx_ready(uint32_t capsule);

/*
 * The capsule is off (halted or powered off): print its partial line, drop
 * its input, and if it had the focus, focus the next running capsule and
 * say so.
 */
void bh_console_capsule_ended(uint32_t capsule);

/* Drop the capsule's queued input and partial line (capsule restart). */
void bh_console_reset(uint32_t capsule);

/*
 * Print one hypervisor message line (text without the newline), cut to
 * BH_CONSOLE_MESSAGE_MAX bytes.
 */
void bh_console_message(const char *text, size_t len);

/*
 * A panic's message: on a line of its own, after the harts already printing
 * have finished their lines; without the lock if its holder is dead.
 */
void bh_console_panic_message(const char *text, size_t len);

#endif
