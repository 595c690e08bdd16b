// SPDX-License-Identifier: MIT
/*
 * The console service. All output to the physical UART goes through here,
 * under one lock, and no hold of the lock writes more than
 * BH_CONSOLE_HOLD_MAX bytes: a capsule's line is printed in pieces of at
 * most BH_CONSOLE_LINE bytes, a write of many short lines lets go of the
 * lock (and other harts have their turn) before it could pass the bound,
 * a poll answers at most one console key per hold, and a redraw that would
 * not fit takes a hold of its own. So no capsule can stall the others'
 * output for long, however it writes.
 *
 * "open" remembers whose partial line is on the terminal, so that a
 * continued line gets no second prefix and anybody else's output starts on
 * a fresh line.
 *
 * On a terminal (as opposed to a log) the console also keeps the bytes of
 * each capsule's unfinished line that it has printed, and the focused
 * capsule's unfinished line stays whole and last on the screen: other
 * output first erases it ("\r" ESC[K) and, once printed, is followed by a
 * redraw of "[focus] " and those bytes, as they were (docs/design.md,
 * "Console"). A line that outgrows BH_CONSOLE_LINE is "cut": its start is
 * no longer held, so it is ended and continued as on a log.
 */
#include <stdarg.h>
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
/* Erases the terminal's last line: to its start, then ESC[K. */
#define ERASE		"\r\x1b[K"
/* Most bytes that make way for other output: ending a line takes 2. */
#define LEAVE_MAX	(sizeof(ERASE) - 1)
#define PREFIX_MAX	(1 + BH_CONSOLE_NAME_MAX + 2)	/* "[name] " */
/*
 * Most bytes one piece of a capsule's line prints: the open line left,
 * "[name] ", the piece, "\r\n".
 */
#define PIECE_MAX	(LEAVE_MAX + PREFIX_MAX + BH_CONSOLE_LINE + 2)
/* Most bytes a hypervisor message prints, on a line of its own. */
#define MESSAGE_COST	(LEAVE_MAX + BH_CONSOLE_MESSAGE_MAX + 2)
/* Most bytes a redraw prints: another's cut line ended, "[name] ", the line. */
#define REDRAW_MAX	(2 + PREFIX_MAX + BH_CONSOLE_LINE)

/* A poll may answer a key with a message and then print a piece. */
_Static_assert(MESSAGE_COST + PIECE_MAX <= BH_CONSOLE_HOLD_MAX,
	       "a console poll must fit in one hold");
/* The redraw that follows them takes a hold of its own when it must. */
_Static_assert(REDRAW_MAX <= BH_CONSOLE_HOLD_MAX,
	       "a redraw must fit in one hold");

/* Answers to console keys that take more than one line. */
enum report {
	REPORT_NONE = 0,
	REPORT_HELP,
	REPORT_LIST,
};

/*
 * line[0..len) is the capsule's unfinished line as far as it is held, and
 * line[0..shown) the part of it already printed (a log keeps none).
 */
struct capsule_console {
	char line[BH_CONSOLE_LINE];
	uint32_t len;
	uint32_t shown;
	bool cut;		/* the line outgrew line[]: its start is gone */
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
	bool terminal;		/* redraw the focus's line; else a log */
	bool escape;
	bool told_off;		/* typing into the focused capsule that is off */
	uint32_t report;	/* enum report: the one being printed */
	uint32_t report_next;	/* its next line */
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
	bh_uart_write((const uint8_t *)s, n);
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

static void put_prefix(uint32_t capsule)
{
	put_raw("[", 1);
	put_raw(bh_capsules[capsule].name, name_len(capsule));
	put_raw("] ", 2);
}

/* The open line stays on the screen as it is; output goes on below it. */
static void end_open_line(void)
{
	if (con.open != NOBODY)
		put_raw("\r\n", 2);
	con.open = NOBODY;
}

/* On a terminal: the focus's printed line, held whole, can be redrawn. */
static bool redrawable(uint32_t capsule)
{
	const struct capsule_console *cc = &con.capsules[capsule];

	return con.terminal && capsule == con.focus && !cc->cut && cc->shown;
}

/*
 * Make way for output that does not continue the open line: the focus's
 * line is erased (redraw() brings it back below that output), any other
 * is ended.
 */
static void leave_open_line(void)
{
	if (con.open == NOBODY || !redrawable((uint32_t)con.open)) {
		end_open_line();
		return;
	}
	put_raw(ERASE, LEAVE_MAX);
	con.open = NOBODY;
}

/*
 * Where the terminal query at line[i] ends: ESC [ parameters n, a device
 * status report request (busybox asks for the cursor position after its
 * prompt). i when none starts there.
 */
static uint32_t query_end(const char *line, uint32_t i, uint32_t len)
{
	uint32_t j = i + 2;

	if (j > len || line[i] != '\x1b' || line[i + 1] != '[')
		return i;
	while (j < len && ((line[j] >= '0' && line[j] <= '9') ||
			   line[j] == ';' || line[j] == '?'))
		j++;
	return j < len && line[j] == 'n' ? j + 1 : i;
}

/*
 * Print again the bytes printed of the capsule's line, as they were, but
 * for terminal queries: the terminal would answer each one again, into
 * the focused capsule's input.
 */
static void replay(const struct capsule_console *cc)
{
	uint32_t i = 0, from = 0, end;

	while (i < cc->shown) {
		end = query_end(cc->line, i, cc->shown);
		if (end == i) {
			i++;
			continue;
		}
		put_raw(cc->line + from, i - from);
		from = i = end;
	}
	put_raw(cc->line + from, cc->shown - from);
}

/* The line outgrew line[]: what is printed of it is let go. */
static void cut_line(struct capsule_console *cc)
{
	cc->len = 0;
	cc->shown = 0;
	cc->cut = true;
}

static void end_line(struct capsule_console *cc)
{
	cc->len = 0;
	cc->shown = 0;
	cc->cut = false;
}

/* Print the capsule's bytes not printed yet; complete: they end a line. */
static void flush(uint32_t capsule, bool complete)
{
	struct capsule_console *cc = &con.capsules[capsule];
	uint32_t len = cc->len;

	if (len == cc->shown && !complete)
		return;
	if (con.open != (int32_t)capsule) {
		leave_open_line();
		put_prefix(capsule);
		/* After other output, on a terminal, the line shows whole. */
		if (con.terminal && !cc->cut)
			replay(cc);
	}
	while (complete && len > cc->shown && cc->line[len - 1] == '\r')
		len--;
	put_raw(cc->line + cc->shown, len - cc->shown);
	if (complete) {
		put_raw("\r\n", 2);
		con.open = NOBODY;
		end_line(cc);
		return;
	}
	con.open = (int32_t)capsule;
	cc->shown = len;
	if (cc->len == BH_CONSOLE_LINE)
		cut_line(cc);
	else if (!con.terminal)
		cc->len = cc->shown = 0;	/* a log redraws nothing */
}

/* Other output took the place of the focus's line on the terminal. */
static bool redraw_owed(void)
{
	return redrawable(con.focus) && con.open != (int32_t)con.focus;
}

/*
 * On a terminal, the focus's unfinished line comes back after other
 * output: "[focus] " and the bytes printed of it, as they were (echoed
 * backspaces and all), so what the user is typing is whole and last on
 * the screen.
 */
static void redraw(void)
{
	if (!redraw_owed())
		return;
	end_open_line();	/* another's cut line */
	put_prefix(con.focus);
	replay(&con.capsules[con.focus]);
	con.open = (int32_t)con.focus;
}

static size_t redraw_cost(void)
{
	return (con.open != NOBODY ? 2 : 0) + PREFIX_MAX +
	       con.capsules[con.focus].shown;
}

/*
 * The end of every console operation: the focus's line is redrawn if other
 * output took its place, in a hold of its own when this one is too full.
 */
static void release_console(void)
{
	if (redraw_owed() && !room_for(redraw_cost())) {
		unlock_console();
		lock_console();
	}
	redraw();
	unlock_console();
}

void bh_console_init(uint32_t focus, bool terminal)
{
	con.open = NOBODY;
	con.focus = focus < BH_CAPSULE_COUNT ? focus : 0;
	con.terminal = terminal;
}

static void putc_locked(uint32_t capsule, uint8_t ch)
{
	struct capsule_console *cc = &con.capsules[capsule];

	cc->idle_polls = 0;
	/*
	 * A '\r' at the start of a line, or right after the part printed,
	 * would move back over the prefix.
	 */
	if (ch == '\r' && cc->len == cc->shown)
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
		cost += LEAVE_MAX + 1 + name_len(capsule) + 2;
	return cost;
}

void bh_console_putc(uint32_t capsule, uint8_t ch)
{
	lock_console();
	putc_locked(capsule, ch);
	release_console();
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
	release_console();
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
	leave_open_line();
	put_raw(text, len);
	put_raw("\r\n", 2);
}

/* A "[bulkhead] ..." line answering a key, bounded like every message. */
static void __printf(1, 2) reply(const char *fmt, ...)
{
	char text[BH_CONSOLE_MESSAGE_MAX];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	len = bh_log_format(text, sizeof(text), fmt, ap);
	va_end(ap);
	message_locked(text, len);
}

static bool is_off(uint32_t capsule)
{
	return READ_ONCE(bh_capsule_states[capsule].run) == BH_CAPSULE_OFF;
}

/* "halted": stopped by a fault (on-fault: halt); "off": powered off. */
static const char *state_name(uint32_t capsule)
{
	if (!is_off(capsule))
		return "running";
	return READ_ONCE(bh_capsule_states[capsule].end) == BH_END_HALTED ?
	       "halted" : "off";
}

static void focus_on(uint32_t capsule)
{
	con.focus = capsule;
	con.told_off = false;
}

static void switch_focus(uint8_t digit)
{
	uint32_t index = digit - '0';

	if (index >= BH_CAPSULE_COUNT) {
		reply("console focus: no capsule %u (0..%u)", index,
		      BH_CAPSULE_COUNT - 1);
		return;
	}
	focus_on(index);
	if (is_off(index))
		reply("console focus: %s (%s)", bh_capsules[index].name,
		      state_name(index));
	else
		reply("console focus: %s", bh_capsules[index].name);
}

static const char *const help_lines[] = {
	"console keys: Ctrl-] then",
	"  0..9    focus that capsule (input goes to the focused one)",
	"  l       list the capsules, their states and the focus",
	"  ?       this help",
	"  Ctrl-]  send one Ctrl-] to the focused capsule",
	"  other   send that key to the focused capsule",
};

/* Line `line` of a report into text; 0 when the report has no such line. */
static size_t report_line(uint32_t report, uint32_t line, char *text,
			  size_t size)
{
	size_t len;

	if (report == REPORT_HELP) {
		if (line >= BH_ARRAY_SIZE(help_lines))
			return 0;
		len = bh_snprintf(text, size, "[bulkhead] %s", help_lines[line]);
	} else if (line == 0) {
		len = bh_snprintf(text, size,
				  "[bulkhead] capsules (* has the console):");
	} else if (line <= BH_CAPSULE_COUNT) {
		len = bh_snprintf(text, size, "[bulkhead] %c %u %s: %s",
				  line - 1 == con.focus ? '*' : ' ', line - 1,
				  bh_capsules[line - 1].name, state_name(line - 1));
	} else {
		return 0;
	}
	return len < size ? len : size - 1;
}

/* Print the next line of the pending report; false when there is none. */
static bool report_step_locked(void)
{
	char text[BH_CONSOLE_MESSAGE_MAX];
	size_t len;

	if (con.report == REPORT_NONE)
		return false;
	len = report_line(con.report, con.report_next++, text, sizeof(text));
	if (!len) {
		WRITE_ONCE(con.report, REPORT_NONE);
		return false;
	}
	message_locked(text, len);
	return true;
}

/*
 * A report has several lines: one per hold of the lock, so that it stays
 * within the bound and other harts' output goes in between.
 */
static void print_report(void)
{
	bool more = true;

	/* Unlocked peek: a report asked for meanwhile waits for the next poll. */
	if (READ_ONCE(con.report) == REPORT_NONE)
		return;
	while (more) {
		lock_console();
		more = report_step_locked();
		if (more)
			unlock_console();
	}
	release_console();	/* after its last line */
}

static void start_report(uint32_t report)
{
	con.report_next = 0;
	WRITE_ONCE(con.report, report);
}

/* Input for the focused capsule; one that is off is told about once. */
static void deliver(uint8_t ch)
{
	if (!is_off(con.focus)) {
		rx_push(con.focus, ch);
		return;
	}
	if (con.told_off)
		return;
	con.told_off = true;
	reply("console: %s is %s, input dropped (Ctrl-] ? for help)",
	      bh_capsules[con.focus].name, state_name(con.focus));
}

/* The key after Ctrl-]. */
static void console_key(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		switch_focus(ch);
	else if (ch == '?')
		start_report(REPORT_HELP);
	else if (ch == 'l')
		start_report(REPORT_LIST);
	else
		deliver(ch);	/* Ctrl-] Ctrl-] sends one Ctrl-] */
}

/* One byte from the terminal: the console keys, or input for the focus. */
static void receive(uint8_t ch)
{
	if (con.escape) {
		con.escape = false;
		console_key(ch);
	} else if (ch == BH_CONSOLE_ESCAPE) {
		con.escape = true;
	} else {
		deliver(ch);
	}
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
	release_console();
	print_report();
	return ch;
}

int bh_console_rx_ready(uint32_t capsule)
{
	bool ready;

	lock_console();
	ready = poll_locked(capsule, false);
	release_console();
	print_report();
	return ready;
}

void bh_console_reset(uint32_t capsule)
{
	struct capsule_console *cc = &con.capsules[capsule];

	lock_console();
	if (con.open == (int32_t)capsule)
		end_open_line();	/* what was typed stays on the screen */
	end_line(cc);
	cc->idle_polls = 0;
	cc->rx_head = 0;
	cc->rx_count = 0;
	release_console();
}

/* Focus the next running capsule after `from`, if there is one. */
static void move_focus_from(uint32_t from)
{
	uint32_t i, next;

	for (i = 1; i < BH_CAPSULE_COUNT; i++) {
		next = (from + i) % BH_CAPSULE_COUNT;
		if (READ_ONCE(bh_capsule_states[next].run) != BH_CAPSULE_RUNNING)
			continue;
		focus_on(next);
		reply("console focus: %s (%s is %s)", bh_capsules[next].name,
		      bh_capsules[from].name, state_name(from));
		return;
	}
}

void bh_console_capsule_ended(uint32_t capsule)
{
	struct capsule_console *cc = &con.capsules[capsule];

	lock_console();
	cc->rx_head = 0;
	cc->rx_count = 0;
	if (cc->len > cc->shown || con.open == (int32_t)capsule)
		flush(capsule, true);	/* its last words */
	if (con.focus == capsule)
		move_focus_from(capsule);
	release_console();
}

void bh_console_message(const char *text, size_t len)
{
	lock_console();
	message_locked(text, len);
	release_console();
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
	end_open_line();	/* nothing will redraw it */
	message_locked(text, len);
}
