/* SPDX-License-Identifier: MIT */
/*
 * The time of day on Bulkhead (docs/design.md, "Time of day"). At each
 * start of a capsule the hypervisor writes into its device tree
 *
 *	/chosen/bulkhead,time-of-day = /bits/ 64 <START_NS START_TIME>;
 *
 * START_NS: the time of day then, in nanoseconds since 1970-01-01 00:00:00
 * UTC (0: unknown, the board has no clock); START_TIME: the time CSR then.
 * Later, with the time CSR at T and the /cpus timebase-frequency F,
 *
 *	now = START_NS + (T - START_TIME) * 1e9 / F.
 */
#ifndef GUEST_TIME_OF_DAY_H
#define GUEST_TIME_OF_DAY_H

#include <stddef.h>
#include <stdint.h>

#include "fdt.h"

#define NS_PER_SEC	1000000000ULL

struct time_of_day {
	uint64_t start_ns;	/* ns since 1970-01-01 UTC at the start; 0: unknown */
	uint64_t start_time;	/* the time CSR at the start */
	uint64_t timebase;	/* time CSR ticks per second */
};

/*
 * Read the property and the timebase from the DTB. 0, or -1 when either is
 * missing or malformed (e.g. not booted by Bulkhead).
 */
int time_of_day_read(const struct fdt *fdt, struct time_of_day *tod);

/*
 * The time of day in ns since 1970 when the time CSR reads time (at or
 * after the start); 0 when unknown.
 */
uint64_t time_of_day_ns(const struct time_of_day *tod, uint64_t time);

/* "YYYY-MM-DD hh:mm:ss UTC" of seconds since 1970; buf of len >= 24 bytes. */
void time_of_day_format(uint64_t seconds, char *buf, size_t len);

#endif
