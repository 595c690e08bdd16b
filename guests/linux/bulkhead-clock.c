// SPDX-License-Identifier: MIT
/*
 * bulkhead-clock: set the Linux guest's clock to the time of day Bulkhead
 * wrote into its device tree at the capsule's start (docs/design.md, "Time
 * of day"), carried forward to now by the time CSR, which user mode may
 * read (the kernel's vDSO does). /init runs it before mounting disks, so
 * what they get written has the right time.
 *
 * The shell could only add /proc/uptime, whose clock starts seconds after
 * the capsule does (the kernel's early boot). So this is a static program
 * without a C library: raw system calls, and the bare-metal guests' own
 * time-of-day arithmetic and formatting (guests/common).
 *
 * It prints one "bulkhead: ..." line and exits 0 when it set the clock or
 * had nothing to set it from, 1 when setting it failed.
 */
#include <stdarg.h>
#include <stdint.h>

#include "fdt.h"
#include "format.h"
#include "time_of_day.h"

#define SYS_OPENAT		56
#define SYS_CLOSE		57
#define SYS_READ		63
#define SYS_WRITE		64
#define SYS_CLOCK_SETTIME	112
#define AT_FDCWD		-100
#define CLOCK_REALTIME		0

#define TIME_OF_DAY	"/proc/device-tree/chosen/bulkhead,time-of-day"
#define TIMEBASE	"/proc/device-tree/cpus/timebase-frequency"

struct timespec64 {
	int64_t tv_sec;
	int64_t tv_nsec;
};

int main(void);

/* The kernel sets sp; main's value is the status for exit (system call 93). */
asm(".globl _start\n"
    "_start:\n"
    "	call main\n"
    "	li a7, 93\n"
    "	ecall\n");

static long syscall3(long number, long a, long b, long c)
{
	register long a0 asm("a0") = a;
	register long a1 asm("a1") = b;
	register long a2 asm("a2") = c;
	register long a7 asm("a7") = number;

	asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

/* Up to len bytes of the file at path: how many, or a negative error. */
static long read_file(const char *path, void *buf, long len)
{
	long fd = syscall3(SYS_OPENAT, AT_FDCWD, (long)path, 0);
	long n;

	if (fd < 0)
		return fd;
	n = syscall3(SYS_READ, fd, (long)buf, len);
	syscall3(SYS_CLOSE, fd, 0, 0);
	return n;
}

static void say(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 1)
		len = sizeof(line) - 1;
	syscall3(SYS_WRITE, 1, (long)line, len);
}

static uint64_t read_time(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

int main(void)
{
	/* One byte more than expected: a longer property is no time of day. */
	uint8_t value[17], timebase[5];
	struct time_of_day tod;
	struct timespec64 now;
	char date[32];
	uint64_t ns;
	long error;

	if (read_file(TIME_OF_DAY, value, sizeof(value)) != 16 ||
	    read_file(TIMEBASE, timebase, sizeof(timebase)) != 4) {
		say("bulkhead: no time of day in the device tree (not on Bulkhead); clock left as the kernel set it\n");
		return 0;
	}
	tod.start_ns = fdt_cells(value, 2);
	tod.start_time = fdt_cells(value + 8, 2);
	tod.timebase = fdt_be32(timebase);
	if (!tod.start_ns || !tod.timebase) {
		say("bulkhead: time of day unknown (the board has no clock); clock not set\n");
		return 0;
	}
	ns = time_of_day_ns(&tod, read_time());
	now.tv_sec = (int64_t)(ns / NS_PER_SEC);
	now.tv_nsec = (int64_t)(ns % NS_PER_SEC);
	error = syscall3(SYS_CLOCK_SETTIME, CLOCK_REALTIME, (long)&now, 0);
	if (error < 0) {
		say("bulkhead: clock not set: clock_settime failed with error %ld\n",
		    -error);
		return 1;
	}
	time_of_day_format(ns / NS_PER_SEC, date, sizeof(date));
	say("bulkhead: clock set to %s\n", date);
	return 0;
}
