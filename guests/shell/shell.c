// SPDX-License-Identifier: MIT
/*
 * shell: reads its console a line at a time, as a person types one. It
 * prints the prompt "shell> ", echoes each key it reads (SBI DBCN
 * console_read, polled every millisecond), erases the last character on
 * Backspace ("\b \b") and on Enter runs the line:
 *
 *	echo WORDS	prints "WORDS"
 *	poweroff	ends the capsule (SBI SRST shutdown)
 *
 * and anything else prints "shell: no command 'WORD' (echo, poweroff)".
 * tests/boot/test_console.py types into it while another capsule prints.
 */
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define LINE_MAX	64
#define BACKSPACE	0x08
#define DELETE		0x7f

static uint64_t timebase;

/* The next key typed; waits for it. */
static char read_key(void)
{
	struct sbiret ret;
	uint64_t until;
	char c;

	for (;;) {
		ret = sbi_debug_console_read(1, (unsigned long)&c);
		if (!ret.error && ret.value == 1)
			return c;
		until = read_time() + timebase / 1000;
		while (read_time() < until)
			;
	}
}

/* The line typed after the prompt, echoed as it comes, without its Enter. */
static void read_line(char *line)
{
	size_t len = 0;
	char c;

	printf("shell> ");
	for (;;) {
		c = read_key();
		if (c == '\r' || c == '\n') {
			printf("\n");
			line[len] = '\0';
			return;
		}
		if (c == BACKSPACE || c == DELETE) {
			if (len) {
				len--;
				printf("\b \b");
			}
		} else if (c >= ' ' && c < DELETE && len < LINE_MAX - 1) {
			line[len++] = c;
			printf("%c", c);
		}
	}
}

/* Runs one line; returns 0 when it was poweroff. */
static int run(char *line)
{
	char *args = line;

	while (*args && *args != ' ')
		args++;
	if (*args)
		*args++ = '\0';	/* line is now the command word */
	if (!strcmp(line, "echo"))
		printf("%s\n", args);
	else if (!strcmp(line, "poweroff"))
		return 0;
	else if (*line)
		printf("shell: no command '%s' (echo, poweroff)\n", line);
	return 1;
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	printf("FAIL shell: vhart %lu started (opaque %lx); nobody of ours starts one\n",
	       hartid, opaque);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	char line[LINE_MAX];
	struct fdt fdt;

	(void)hartid;
	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0) {
		printf("FAIL shell: a1 is not a device tree\n");
		return;
	}
	timebase = fdt_prop_u32(&fdt, fdt_child(&fdt, fdt_root(&fdt), "cpus"),
				"timebase-frequency", 0);
	if (!timebase) {
		printf("FAIL shell: no timebase-frequency in /cpus\n");
		return;
	}
	printf("shell: type a line; echo WORDS, poweroff\n");
	do {
		read_line(line);
	} while (run(line));
	printf("shell: powering off\n");
}
