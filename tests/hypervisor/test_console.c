// SPDX-License-Identifier: MIT
/* The console service and the virtual ns16550 register model. */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/console.h"
#include "bulkhead/sbi.h"
#include "bulkhead/vuart.h"
#include "fake.h"
#include "runner.h"

static void puts_to(uint32_t capsule, const char *s)
{
	while (*s)
		bh_console_putc(capsule, (uint8_t)*s++);
}

TEST(lines_are_prefixed_and_carriage_returns_normalised)
{
	puts_to(0, "one\r\n");
	puts_to(1, "two\n");
	CHECK(!strcmp(take_output(), "[alpha] one\r\n[beta] two\r\n"));
}

TEST(carriage_returns_never_move_back_over_the_prefix)
{
	puts_to(0, "\r\r\n\rlogin: ");
	CHECK(bh_console_getc(0) == -1);
	CHECK(!strcmp(take_output(), "[alpha] \r\n[alpha] login: "));
}

TEST(partial_lines_wait_for_the_newline)
{
	puts_to(0, "abc");
	puts_to(1, "xyz\n");
	CHECK(!strcmp(take_output(), "[beta] xyz\r\n"));
	puts_to(0, "def\n");
	CHECK(!strcmp(take_output(), "[alpha] abcdef\r\n"));
}

TEST(focused_capsule_polling_shows_its_prompt_once_prefixed)
{
	puts_to(0, "login: ");
	CHECK(bh_console_getc(0) == -1);
	CHECK(!strcmp(take_output(), "[alpha] login: "));
	puts_to(0, "root\n");
	CHECK(!strcmp(take_output(), "root\r\n"));
}

TEST(other_output_starts_on_a_fresh_line)
{
	puts_to(0, "login: ");
	bh_console_getc(0);
	puts_to(1, "boot\n");
	puts_to(0, "x\n");
	CHECK(!strcmp(take_output(),
		      "[alpha] login: \r\n[beta] boot\r\n[alpha] x\r\n"));
}

TEST(unfocused_capsule_polling_does_not_flush)
{
	puts_to(1, "prompt> ");
	CHECK(bh_console_getc(1) == -1);
	CHECK(!strcmp(take_output(), ""));
}

TEST(register_polls_flush_only_when_output_went_idle)
{
	int i;

	puts_to(0, "a");
	CHECK(!bh_console_rx_ready(0));	/* a transmitter's LSR poll */
	CHECK(!strcmp(take_output(), ""));
	for (i = 0; i < 3; i++)
		bh_console_rx_ready(0);
	CHECK(!strcmp(take_output(), "[alpha] a"));
}

TEST(long_lines_are_printed_in_bounded_pieces)
{
	char expect[BH_CONSOLE_LINE + 16];
	int i;

	for (i = 0; i < BH_CONSOLE_LINE; i++)
		bh_console_putc(0, 'x');
	strcpy(expect, "[alpha] ");
	memset(expect + 8, 'x', BH_CONSOLE_LINE);
	expect[8 + BH_CONSOLE_LINE] = '\0';
	CHECK(!strcmp(take_output(), expect));
	puts_to(0, "y\n");
	CHECK(!strcmp(take_output(), "y\r\n"));
}

/* A DBCN write of 256 newlines: 256 "[alpha] \r\n" lines, 2560 bytes. */
TEST(a_write_of_many_lines_lets_go_of_the_lock_within_the_bound)
{
	uint8_t newlines[BH_DBCN_CHUNK];
	const char *out;
	size_t i;

	memset(newlines, '\n', sizeof(newlines));
	bh_console_write(0, newlines, sizeof(newlines));
	out = take_output();
	CHECK(strlen(out) == sizeof(newlines) * strlen("[alpha] \r\n"));
	for (i = 0; i < sizeof(newlines); i++)
		CHECK(!strncmp(out + i * 10, "[alpha] \r\n", 10));
	CHECK(fake.hold_max <= BH_CONSOLE_HOLD_MAX);
	CHECK(fake.holds > 1);
}

TEST(a_write_of_long_lines_after_another_partial_line_stays_within_the_bound)
{
	uint8_t buf[BH_DBCN_CHUNK];
	int round;

	memset(buf, 'x', sizeof(buf));
	for (round = 0; round < 3; round++) {
		puts_to(1, "prompt> ");
		bh_console_getc(1);	/* not focused: stays buffered */
		bh_console_write(1, (const uint8_t *)"\n", 1);
		bh_console_write(0, buf, sizeof(buf));
		bh_console_write(0, buf, 7);
		bh_console_getc(0);	/* shows alpha's partial line */
	}
	take_output();
	CHECK(fake.hold_max <= BH_CONSOLE_HOLD_MAX);
}

TEST(a_burst_of_console_keys_is_answered_within_the_bound)
{
	static char keys[2 * 40 + 1];
	int i;

	for (i = 0; i < 40; i++) {
		keys[2 * i] = 0x1d;
		keys[2 * i + 1] = '7';	/* no such capsule: one message each */
	}
	fake.in = keys;
	puts_to(0, "login: ");
	for (i = 0; i < 40; i++)
		bh_console_getc(0);
	CHECK(strstr(take_output(), "[alpha] login: ") != NULL);
	CHECK(fake.hold_max <= BH_CONSOLE_HOLD_MAX);
}

TEST(input_goes_to_the_focused_capsule_only)
{
	fake.in = "ab";
	CHECK(bh_console_getc(1) == -1);
	CHECK(bh_console_getc(0) == 'a');
	CHECK(bh_console_getc(0) == 'b');
	CHECK(bh_console_getc(0) == -1);
}

TEST(escape_then_digit_switches_focus)
{
	fake.in = "\x1d" "1q";
	CHECK(bh_console_getc(0) == -1);
	CHECK(!strcmp(take_output(), "[bulkhead] console focus: beta\r\n"));
	CHECK(bh_console_getc(1) == 'q');
	fake.in = "\x1d" "7";
	bh_console_getc(1);
	CHECK(!strcmp(take_output(),
		      "[bulkhead] console focus: no capsule 7 (0..1)\r\n"));
}

TEST(focusing_a_capsule_that_is_off_says_so)
{
	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	fake.in = "\x1d" "1";
	bh_console_getc(0);
	CHECK(!strcmp(take_output(), "[bulkhead] console focus: beta (off)\r\n"));
}

static void end_capsule(uint32_t capsule, enum bh_capsule_end end)
{
	bh_capsule_states[capsule].end = end;
	bh_capsule_states[capsule].run = BH_CAPSULE_OFF;
	bh_console_capsule_ended(capsule);
}

TEST(escape_question_mark_shows_the_keys)
{
	fake.in = "\x1d?";
	CHECK(bh_console_getc(0) == -1);
	CHECK(!strcmp(take_output(),
		      "[bulkhead] console keys: Ctrl-] then\r\n"
		      "[bulkhead]   0..9    focus that capsule (input goes to the focused one)\r\n"
		      "[bulkhead]   l       list the capsules, their states and the focus\r\n"
		      "[bulkhead]   ?       this help\r\n"
		      "[bulkhead]   Ctrl-]  send one Ctrl-] to the focused capsule\r\n"
		      "[bulkhead]   other   send that key to the focused capsule\r\n"));
	CHECK(fake.holds >= 6);	/* a line per hold */
}

TEST(escape_l_lists_capsules_with_state_and_focus)
{
	fake.in = "\x1dl";
	bh_console_getc(0);
	CHECK(!strcmp(take_output(),
		      "[bulkhead] capsules (* has the console):\r\n"
		      "[bulkhead] * 0 alpha: running\r\n"
		      "[bulkhead]   1 beta: running\r\n"));
	end_capsule(0, BH_END_HALTED);
	take_output();
	fake.in = "\x1dl";
	bh_console_getc(1);
	CHECK(!strcmp(take_output(),
		      "[bulkhead] capsules (* has the console):\r\n"
		      "[bulkhead]   0 alpha: halted\r\n"
		      "[bulkhead] * 1 beta: running\r\n"));
}

TEST(a_powered_off_capsule_is_listed_as_off)
{
	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	bh_capsule_states[1].end = BH_END_FAILED;
	fake.in = "\x1dl";
	bh_console_getc(0);
	CHECK(strstr(take_output(), "[bulkhead]   1 beta: off\r\n"));
}

TEST(typing_into_a_capsule_that_is_off_says_so_once)
{
	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	fake.in = "\x1d" "1abc";
	bh_console_getc(0);
	bh_console_getc(0);	/* one key's answer per poll */
	CHECK(!strcmp(take_output(),
		      "[bulkhead] console focus: beta (off)\r\n"
		      "[bulkhead] console: beta is off, input dropped "
		      "(Ctrl-] ? for help)\r\n"));
	fake.in = "de";
	bh_console_getc(0);
	CHECK(!strcmp(take_output(), ""));
	fake.in = "\x1d" "0" "\x1d" "1x";
	bh_console_getc(0);
	bh_console_getc(0);
	bh_console_getc(0);
	CHECK(strstr(take_output(), "console: beta is off, input dropped"));
}

TEST(typed_input_never_queues_for_a_capsule_that_is_off)
{
	static char typed[2 + 2 * BH_CONSOLE_RX + 4];
	int polls, ch = -1;

	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	memset(typed, 'k', sizeof(typed) - 1);
	memcpy(typed, "\x1d" "1", 2);
	memcpy(typed + sizeof(typed) - 4, "\x1d" "0q", 3);
	fake.in = typed;
	/* The UART keeps draining, so the focus keys still get through. */
	for (polls = 0; polls < 16 && ch < 0; polls++)
		ch = bh_console_getc(0);
	CHECK(ch == 'q');
}

TEST(focus_moves_to_a_running_capsule_when_the_focused_one_ends)
{
	puts_to(0, "bye");
	end_capsule(0, BH_END_CLEAN);
	CHECK(!strcmp(take_output(),
		      "[alpha] bye\r\n"
		      "[bulkhead] console focus: beta (alpha is off)\r\n"));
	fake.in = "z";
	CHECK(bh_console_getc(1) == 'z');
}

TEST(focus_stays_when_another_capsule_ends_or_none_runs)
{
	end_capsule(1, BH_END_HALTED);
	CHECK(!strcmp(take_output(), ""));
	fake.in = "y";
	CHECK(bh_console_getc(0) == 'y');
	end_capsule(0, BH_END_CLEAN);
	CHECK(!strcmp(take_output(), ""));
}

TEST(escape_then_another_key_sends_that_key)
{
	fake.in = "\x1dx";
	CHECK(bh_console_getc(0) == 'x');
}

TEST(escape_twice_sends_one_escape)
{
	fake.in = "\x1d\x1dz";
	CHECK(bh_console_getc(0) == 0x1d);
	CHECK(bh_console_getc(0) == 'z');
	CHECK(bh_console_getc(0) == -1);
}

TEST(input_queue_is_bounded_and_keeps_order)
{
	static char many[BH_CONSOLE_RX + 11];
	int i;

	for (i = 0; i < BH_CONSOLE_RX + 10; i++)
		many[i] = (char)('A' + i % 26);
	fake.in = many;
	for (i = 0; i < BH_CONSOLE_RX + 10; i++)
		CHECK(bh_console_getc(0) == 'A' + i % 26);
}

/* ---- terminal mode: the focused capsule's unfinished line is redrawn ---- */

#define ERASE "\r\x1b[K"

/* Focus alpha on a terminal and show its prompt and what was typed. */
static void type_on_terminal(const char *shown)
{
	bh_console_init(0, true);
	puts_to(0, shown);
	bh_console_getc(0);
	take_output();
}

TEST(terminal_redraws_the_focused_line_after_another_capsules_line)
{
	type_on_terminal("$ ls");
	puts_to(1, "tick\n");
	CHECK(!strcmp(take_output(), ERASE "[beta] tick\r\n[alpha] $ ls"));
	puts_to(0, " -l\n");
	CHECK(!strcmp(take_output(), " -l\r\n"));
	puts_to(1, "tock\n");
	CHECK(!strcmp(take_output(), "[beta] tock\r\n"));	/* nothing open */
}

/* The same as above on a log: every line once, as it came, nothing else. */
TEST(log_never_redraws)
{
	puts_to(0, "$ ls");
	bh_console_getc(0);
	puts_to(1, "tick\n");
	puts_to(0, " -l\n");
	CHECK(!strcmp(take_output(),
		      "[alpha] $ ls\r\n[beta] tick\r\n[alpha]  -l\r\n"));
}

TEST(terminal_redraw_replays_the_printed_bytes_exactly)
{
	type_on_terminal("$ lx\b \bs");
	puts_to(1, "tick\n");
	CHECK(!strcmp(take_output(),
		      ERASE "[beta] tick\r\n[alpha] $ lx\b \bs"));
}

/* A query would be answered again, into the capsule's input. */
TEST(terminal_redraw_leaves_out_terminal_queries)
{
	bh_console_init(0, true);
	puts_to(0, "\x1b[1m$\x1b[0m \x1b[6n\x1b[12;?n");
	bh_console_getc(0);
	CHECK(!strcmp(take_output(),
		      "[alpha] \x1b[1m$\x1b[0m \x1b[6n\x1b[12;?n"));
	puts_to(0, "ls\x1b[");
	bh_console_getc(0);
	puts_to(1, "tick\n");
	CHECK(!strcmp(take_output(), "ls\x1b[" ERASE "[beta] tick\r\n"
		      "[alpha] \x1b[1m$\x1b[0m ls\x1b["));
}

TEST(terminal_redraw_shows_only_what_was_printed)
{
	type_on_terminal("$ ");
	puts_to(0, "l");	/* not shown until alpha polls */
	puts_to(1, "tick\n");
	CHECK(!strcmp(take_output(), ERASE "[beta] tick\r\n[alpha] $ "));
	bh_console_getc(0);
	CHECK(!strcmp(take_output(), "l"));
}

TEST(terminal_redraws_after_hypervisor_messages)
{
	type_on_terminal("$ ls");
	bh_console_message("[bulkhead] note", 15);
	CHECK(!strcmp(take_output(),
		      ERASE "[bulkhead] note\r\n[alpha] $ ls"));
}

TEST(terminal_redraws_once_after_a_multi_line_answer)
{
	type_on_terminal("$ ");
	fake.in = "\x1dl";
	bh_console_getc(0);
	CHECK(!strcmp(take_output(),
		      ERASE "[bulkhead] capsules (* has the console):\r\n"
		      "[bulkhead] * 0 alpha: running\r\n"
		      "[bulkhead]   1 beta: running\r\n"
		      "[alpha] $ "));
}

TEST(terminal_redraws_once_after_a_write_of_many_lines)
{
	type_on_terminal("$ ");
	bh_console_write(1, (const uint8_t *)"a\nb\n", 4);
	CHECK(!strcmp(take_output(),
		      ERASE "[beta] a\r\n[beta] b\r\n[alpha] $ "));
}

TEST(terminal_ends_another_capsules_cut_line_before_the_redraw)
{
	char beta[BH_CONSOLE_LINE + 1];
	char expect[2 * BH_CONSOLE_LINE];

	type_on_terminal("$ ");
	memset(beta, 'y', BH_CONSOLE_LINE);
	beta[BH_CONSOLE_LINE] = '\0';
	puts_to(1, beta);
	strcpy(expect, ERASE "[beta] ");
	strcat(expect, beta);
	strcat(expect, "\r\n[alpha] $ ");
	CHECK(!strcmp(take_output(), expect));
	puts_to(1, "z\n");
	CHECK(!strcmp(take_output(), ERASE "[beta] z\r\n[alpha] $ "));
}

/* The most BH_CONSOLE_LINE holds: one byte more and the line is cut. */
TEST(terminal_redraws_a_line_up_to_the_bound_and_a_cut_line_never)
{
	char line[BH_CONSOLE_LINE + 1];
	char expect[2 * BH_CONSOLE_LINE];

	memset(line, 'x', BH_CONSOLE_LINE - 1);
	line[BH_CONSOLE_LINE - 1] = '\0';
	type_on_terminal(line);
	puts_to(1, "tick\n");
	strcpy(expect, ERASE "[beta] tick\r\n[alpha] ");
	strcat(expect, line);
	CHECK(!strcmp(take_output(), expect));
	puts_to(0, "x");	/* printed at once: the line is cut */
	CHECK(!strcmp(take_output(), "x"));
	puts_to(1, "tock\n");
	CHECK(!strcmp(take_output(), "\r\n[beta] tock\r\n"));
	puts_to(0, "$ ");
	bh_console_getc(0);
	CHECK(!strcmp(take_output(), "[alpha] $ "));	/* as on a log */
	puts_to(0, "\n$ ");	/* a new line is held again */
	bh_console_getc(0);
	puts_to(1, "tick\n");
	CHECK(!strcmp(take_output(),
		      "\r\n[alpha] $ " ERASE "[beta] tick\r\n[alpha] $ "));
}

/*
 * The longest line a redraw brings back after another capsule's longest
 * piece: more than one hold's worth, so the redraw takes a hold of its own.
 */
TEST(terminal_redraw_stays_within_the_hold_bound)
{
	uint8_t beta[BH_CONSOLE_LINE + 1];
	char line[BH_CONSOLE_LINE];
	const char *out;

	memset(line, 'x', BH_CONSOLE_LINE - 1);
	line[BH_CONSOLE_LINE - 1] = '\0';
	type_on_terminal(line);
	fake.holds = 0;
	fake.hold_max = 0;
	memset(beta, 'y', BH_CONSOLE_LINE);
	beta[BH_CONSOLE_LINE] = '\n';
	bh_console_write(1, beta, sizeof(beta));
	out = take_output();
	CHECK(fake.hold_max <= BH_CONSOLE_HOLD_MAX);
	CHECK(fake.holds == 2);
	CHECK(strlen(out) == 4 + 7 + BH_CONSOLE_LINE + 2 + 8 + BH_CONSOLE_LINE - 1);
	CHECK(!strncmp(out + 4 + 7 + BH_CONSOLE_LINE, "\r\n[alpha] xxx", 13));
}

TEST(terminal_answers_to_a_burst_of_keys_stay_within_the_hold_bound)
{
	static char keys[2 * 40 + 1];
	char line[BH_CONSOLE_LINE];
	int i;

	memset(line, 'x', BH_CONSOLE_LINE - 1);
	line[BH_CONSOLE_LINE - 1] = '\0';
	type_on_terminal(line);
	for (i = 0; i < 40; i++) {
		keys[2 * i] = 0x1d;
		keys[2 * i + 1] = '7';	/* no such capsule: one message each */
	}
	fake.in = keys;
	for (i = 0; i < 40; i++)
		bh_console_getc(0);
	CHECK(strstr(take_output(), "(0..1)\r\n[alpha] xxx") != NULL);
	CHECK(fake.hold_max <= BH_CONSOLE_HOLD_MAX);
}

TEST(terminal_shows_the_newly_focused_capsules_line_at_once)
{
	type_on_terminal("$ ");
	fake.in = "\x1d" "1";
	puts_to(1, "> ");
	bh_console_getc(0);
	bh_console_getc(1);
	fake.in = "\x1d" "0";
	bh_console_getc(1);
	CHECK(!strcmp(take_output(),
		      "\r\n[bulkhead] console focus: beta\r\n[beta] > "
		      "\r\n[bulkhead] console focus: alpha\r\n[alpha] $ "));
}

TEST(log_shows_a_refocused_capsules_line_once)
{
	puts_to(0, "$ ");
	bh_console_getc(0);
	fake.in = "\x1d" "1" "\x1d" "0";
	bh_console_getc(0);
	bh_console_getc(0);
	CHECK(!strcmp(take_output(),
		      "[alpha] $ \r\n[bulkhead] console focus: beta\r\n"
		      "[bulkhead] console focus: alpha\r\n"));
}

/* It was ended for another's focus: it comes back whole on a terminal. */
TEST(terminal_prints_a_resumed_line_from_its_start)
{
	type_on_terminal("$ ab");
	fake.in = "\x1d" "1";
	bh_console_getc(0);
	take_output();
	puts_to(0, "c\n");
	CHECK(!strcmp(take_output(), "[alpha] $ abc\r\n"));
}

TEST(terminal_leaves_a_restarted_capsules_line_on_the_screen)
{
	type_on_terminal("$ ab");
	bh_console_reset(0);
	puts_to(1, "tick\n");
	CHECK(!strcmp(take_output(), "\r\n[beta] tick\r\n"));
}

static struct bh_vuart *vuart(void)
{
	return &bh_capsule_states[0].vuart;
}

TEST(vuart_transmits_through_the_console)
{
	const char *s = "hi\n";

	while (*s)
		bh_vuart_write(vuart(), 0, BH_UART_RBR, (uint8_t)*s++);
	CHECK(!strcmp(take_output(), "[alpha] hi\r\n"));
}

TEST(vuart_lsr_and_rbr_follow_the_input_queue)
{
	uint8_t lsr = bh_vuart_read(vuart(), 0, BH_UART_LSR);

	CHECK(lsr == (BH_UART_LSR_THRE | BH_UART_LSR_TEMT));
	fake.in = "k";
	lsr = bh_vuart_read(vuart(), 0, BH_UART_LSR);
	CHECK(lsr & BH_UART_LSR_DR);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_RBR) == 'k');
	CHECK(!(bh_vuart_read(vuart(), 0, BH_UART_LSR) & BH_UART_LSR_DR));
}

TEST(vuart_divisor_latch_hides_rbr_and_ier)
{
	bh_vuart_write(vuart(), 0, BH_UART_IER, 0x05);
	bh_vuart_write(vuart(), 0, BH_UART_LCR, 0x83);
	bh_vuart_write(vuart(), 0, BH_UART_RBR, 0x12);
	bh_vuart_write(vuart(), 0, BH_UART_IER, 0x34);
	CHECK(!strcmp(take_output(), ""));	/* DLL, not THR */
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_RBR) == 0x12);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_IER) == 0x34);
	bh_vuart_write(vuart(), 0, BH_UART_LCR, 0x03);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_IER) == 0x05);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_LCR) == 0x03);
}

TEST(vuart_iir_reports_what_the_enabled_interrupts_say)
{
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_IIR) == BH_UART_IIR_NO_INT);
	bh_vuart_write(vuart(), 0, BH_UART_IIR, 0x07);	/* FCR: FIFOs on */
	bh_vuart_write(vuart(), 0, BH_UART_IER, BH_UART_IER_THRI);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_IIR) ==
	      (BH_UART_IIR_FIFO | BH_UART_IIR_THRI));
	bh_vuart_write(vuart(), 0, BH_UART_IER,
		       BH_UART_IER_THRI | BH_UART_IER_RDI);
	fake.in = "z";
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_IIR) ==
	      (BH_UART_IIR_FIFO | BH_UART_IIR_RDI));
}

TEST(vuart_scratch_mcr_msr)
{
	bh_vuart_write(vuart(), 0, BH_UART_SCR, 0xa5);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_SCR) == 0xa5);
	bh_vuart_write(vuart(), 0, BH_UART_MCR, 0xff);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_MCR) == 0x1f);
	CHECK(bh_vuart_read(vuart(), 0, BH_UART_MSR) == BH_UART_MSR_IDLE);
}
