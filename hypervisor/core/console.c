// SPDX-License-Identifier: MIT
/*
 * The console service. All output to the physical UART goes through here,
 * under one lock, and no hold of the lock writes more than
 * BH_CONSOLE_HOLD_MAX bytes: a capsule's line is printed in pieces of at
 * most BH_CONSOLE_LINE bytes, a write of many short lines lets go of the
 * lock (and other harts have their turn) before it could pass the bound,
 * and a poll answers at most one console key per hold. So no capsule can
 * stall the others' output for long, however it writes.
 *
 * "open" remembers whose partial line is on the terminal, so that a
 * continued line gets no second prefix and anybody else's output starts on
 * a fresh line.
 */
#include <stdbool.h>

#include "bulkhead/capsule.h"
#include "bulkhead/console.h"
#include "bulkhead/lock.h"
#include "bulkhead/log.h"
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"

/* UART register polls without output before a focused partial line shows. */
#define IDLE_POLLS	3
/* Most bytes taken from the physical UART per poll. */
#define DRAIN_LIMIT	32
#define NOBODY		-1
/* Polls of a console lock that does not move before a panic gives up. */
#define PANIC_LOCK_POLLS	(1U << 24)
/*
 * Most bytes one piece of a capsule's line prints: the end of another's
 * line, "[name] ", the piece, "\r\n".
 */
#define PIECE_MAX	(2 + 1 + BH_CONSOLE_NAME_MAX + 2 + BH_CONSOLE_LINE + 2)
/* Most bytes a hypervisor message prints, on a line of its own. */
#define MESSAGE_COST	(2 + BH_CONSOLE_MESSAGE_MAX + 2)

/* A poll may answer a key with a message and then print a piece. */
_Static_assert(MESSAGE_COST + PIECE_MAX <= BH_CONSOLE_HOLD_MAX,
	       "a console poll must fit in one hold");

struct capsule_console {
	char line[BH_CONSOLE_LINE];
	uint32_t len;
	uint32_t idle_polls;
	uint8_t rx[BH_CONSOLE_RX];
	uint32_t rx_head;
	uint32_t rx_count;
};

struct bh_lock bh_console_lock;

static struct {
	size_t held;	/* bytes written in this hold of the lock */
	int32_t open;
	uint32_t focus;
	bool escape;
	struct capsule_console capsules[BH_CAPSULE_COUNT];
} con;

static void lock_console(void)
{
	bh_lock(&bh_console_lock);
	con.held = 0;
}

static void unlock_console(void)
{
	bh_unlock(&bh_console_lock);
}

static bool room_for(size_t bytes)
{
	return con.held + bytes <= BH_CONSOLE_HOLD_MAX;
}

static void put_raw(const char *s, size_t n)
{
	con.held += n;
	while (n--)
		bh_uart_putc((uint8_t)*s++);
}

/* The generator keeps names short; the bound holds even if one were not. */
static size_t name_len(uint32_t capsule)
{
	const char *name = bh_capsules[capsule].name;
	size_t n = 0;

	while (n < BH_CONSOLE_NAME_MAX && name[n])
		n++;
	return n;
}

static void end_open_line(void)
{
	if (con.open != NOBODY)
		put_raw("\r\n", 2);
	con.open = NOBODY;
}

/* Print the capsule's buffered bytes; complete: they end a line. */
static void flush(uint32_t capsule, bool complete)
{
	struct capsule_console *cc = &con.capsules[capsule];
	uint32_t len = cc->len;

	if (!len && !complete)
		return;
	if (con.open != (int32_t)capsule) {
		end_open_line();
		put_raw("[", 1);
		put_raw(bh_capsules[capsule].name, name_len(capsule));
		put_raw("] ", 2);
	}
	while (complete && len && cc->line[len - 1] == '\r')
		len--;
	put_raw(cc->line, len);
	cc->len = 0;
	if (complete) {
		put_raw("\r\n", 2);
		con.open = NOBODY;
	} else {
		con.open = (int32_t)capsule;
	}
}

void bh_console_init(uint32_t focus)
{
	con.open = NOBODY;
	con.focus = focus < BH_CAPSULE_COUNT ? focus : 0;
}

static void putc_locked(uint32_t capsule, uint8_t ch)
{
	struct capsule_console *cc = &con.capsules[capsule];

	cc->idle_polls = 0;
	/* A '\r' at the start of a line would move back over the prefix. */
	if (ch == '\r' && !cc->len)
		return;
	if (ch == '\n') {
		flush(capsule, true);
		return;
	}
	cc->line[cc->len++] = (char)ch;
	if (cc->len == BH_CONSOLE_LINE)
		flush(capsule, false);
}

/* The most one more byte of the capsule can print (it may end the line). */
static size_t putc_cost(uint32_t capsule)
{
	size_t cost = con.capsules[capsule].len + 1 + 2;

	if (con.open != (int32_t)capsule)
		cost += 2 + 1 + name_len(capsule) + 2;
	return cost;
}

void bh_console_putc(uint32_t capsule, uint8_t ch)
{
	lock_console();
	putc_locked(capsule, ch);
	unlock_console();
}

void bh_console_write(uint32_t capsule, const uint8_t *buf, size_t n)
{
	lock_console();
	while (n--) {
		if (!room_for(putc_cost(capsule))) {
			unlock_console();	/* waiting harts go first */
			lock_console();
		}
		putc_locked(capsule, *buf++);
	}
	unlock_console();
}

static void rx_push(uint32_t capsule, uint8_t ch)
{
	struct capsule_console *cc = &con.capsules[capsule];

	cc->rx[(cc->rx_head + cc->rx_count) % BH_CONSOLE_RX] = ch;
	cc->rx_count++;
}

static void message_locked(const char *text, size_t len)
{
	if (len > BH_CONSOLE_MESSAGE_MAX)
		len = BH_CONSOLE_MESSAGE_MAX;
	end_open_line();
	put_raw(text, len);
	put_raw("\r\n", 2);
}

static void switch_focus(uint8_t digit)
{
	char text[96];
	uint32_t index = digit - '0';
	size_t len;

	if (index >= BH_CAPSULE_COUNT) {
		len = bh_snprintf(text, sizeof(text),
				  "[bulkhead] console focus: no capsule %u (0..%u)",
				  index, BH_CAPSULE_COUNT - 1);
	} else {
		con.focus = index;
		len = bh_snprintf(text, sizeof(text),
				  "[bulkhead] console focus: %s%s",
				  bh_capsules[index].name,
				  READ_ONCE(bh_capsule_states[index].run) ==
				  BH_CAPSULE_OFF ? " (off)" : "");
	}
	message_locked(text, len < sizeof(text) ? len : sizeof(text) - 1);
}

/* One byte from the terminal: the focus keys, or input for the focus. */
static void receive(uint8_t ch)
{
	if (!con.escape) {
		if (ch == BH_CONSOLE_ESCAPE)
			con.escape = true;
		else
			rx_push(con.focus, ch);
		return;
	}
	con.escape = false;
	if (ch >= '0' && ch <= '9')
		switch_focus(ch);
	else
		rx_push(con.focus, ch);	/* Ctrl-] Ctrl-] sends one Ctrl-] */
}

static void drain(void)
{
	int n, ch;

	for (n = 0; n < DRAIN_LIMIT; n++) {
		/* Leave the rest in the UART's FIFO for the next poll. */
		if (con.capsules[con.focus].rx_count == BH_CONSOLE_RX)
			return;
		if (!room_for(MESSAGE_COST + PIECE_MAX))
			return;	/* a key's answer and the prompt must fit */
		ch = bh_uart_getc();
		if (ch < 0)
			return;
		receive((uint8_t)ch);
	}
}

static bool poll_locked(uint32_t capsule, bool input_only)
{
	struct capsule_console *cc = &con.capsules[capsule];

	drain();
	if (capsule == con.focus &&
	    (input_only || ++cc->idle_polls >= IDLE_POLLS))
		flush(capsule, false);
	return cc->rx_count != 0;
}

int bh_console_getc(uint32_t capsule)
{
	struct capsule_console *cc = &con.capsules[capsule];
	int ch = -1;

	lock_console();
	if (poll_locked(capsule, true)) {
		ch = cc->rx[cc->rx_head];
		cc->rx_head = (cc->rx_head + 1) % BH_CONSOLE_RX;
		cc->rx_count--;
	}
	unlock_console();
	return ch;
}

int bh_console_rx_ready(uint32_t capsule)
{
	bool ready;

	lock_console();
	ready = poll_locked(capsule, false);
	unlock_console();
	return ready;
}

void bh_console_reset(uint32_t capsule)
{
	struct capsule_console *cc = &con.capsules[capsule];

	lock_console();
	if (con.open == (int32_t)capsule)
		end_open_line();
	cc->len = 0;
	cc->idle_polls = 0;
	cc->rx_head = 0;
	cc->rx_count = 0;
	unlock_console();
}

void bh_console_message(const char *text, size_t len)
{
	lock_console();
	message_locked(text, len);
	unlock_console();
}

/*
 * A live holder prints at most one line and lets go; one that faulted with
 * the lock held (the panicking hart itself) never will, and may have left
 * a line half printed.
 */
void bh_console_panic_message(const char *text, size_t len)
{
	if (!bh_lock_unless_stuck(&bh_console_lock, PANIC_LOCK_POLLS))
		put_raw("\r\n", 2);
	message_locked(text, len);
}
