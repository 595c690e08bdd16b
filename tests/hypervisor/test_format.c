// SPDX-License-Identifier: MIT
/* The hypervisor's vsnprintf and log lines. */
#include <string.h>

#include "bulkhead/console.h"
#include "bulkhead/log.h"
#include "fake.h"
#include "runner.h"

TEST(formats_numbers_strings_and_widths)
{
	char buf[64];

	bh_snprintf(buf, sizeof(buf), "%u %d %x %#lx", 42U, -7, 0xbeefU,
		    0x80000000UL);
	CHECK(!strcmp(buf, "42 -7 beef 0x80000000"));
	bh_snprintf(buf, sizeof(buf), "[%5s|%04x|%c|%%]", "ab", 0x1fU, 'z');
	CHECK(!strcmp(buf, "[   ab|001f|z|%]"));
	bh_snprintf(buf, sizeof(buf), "%lu %ld %llx", 18446744073709551615UL,
		    -9223372036854775807L - 1, 0x123456789abcdefULL);
	CHECK(!strcmp(buf, "18446744073709551615 -9223372036854775808 123456789abcdef"));
}

TEST(truncates_and_reports_the_full_length)
{
	char buf[8];
	size_t len = bh_snprintf(buf, sizeof(buf), "%s", "0123456789");

	CHECK(len == 10);
	CHECK(!strcmp(buf, "0123456"));
}

TEST(log_lines_are_prefixed_and_end_the_open_line)
{
	bh_console_putc(0, 'p');
	bh_console_getc(0);	/* alpha is focused: its prompt shows */
	bh_info("capsule %s halted", "alpha");
	CHECK(!strcmp(take_output(),
		      "[alpha] p\r\n[bulkhead] capsule alpha halted\r\n"));
}
