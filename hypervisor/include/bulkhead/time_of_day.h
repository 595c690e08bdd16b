/* SPDX-License-Identifier: MIT */
/*
 * The time of day every capsule starts with (docs/design.md, "Time of
 * day"): the board's clock, read once at boot, carried forward by the time
 * CSR and written into the capsule's device tree at each of its starts.
 */
#ifndef BULKHEAD_TIME_OF_DAY_H
#define BULKHEAD_TIME_OF_DAY_H

#include <stdint.h>

#include "bulkhead/tables.h"

#define BH_NS_PER_SEC	1000000000ULL
/* Bytes of /chosen/bulkhead,time-of-day: two 64-bit values. */
#define BH_TIME_OF_DAY_SIZE	16

/*
 * ticks of a freq Hz counter in nanoseconds, rounded down, without the
 * 128-bit product (libgcc's division helpers do not link here). freq must
 * be below 2^32 (one device-tree cell); the result must fit 64 bits
 * (ticks up to 584 years).
 */
uint64_t bh_ticks_to_ns(uint64_t ticks, uint64_t freq);

/*
 * Boot, hart 0, before any capsule starts: read the board's clock and the
 * time CSR at that moment, and log the time of day.
 */
void bh_time_of_day_init(void);

/*
 * The capsule is about to start (boot or restart, its payloads in place):
 * write the time of day now and the time CSR now, big-endian, into
 * /chosen/bulkhead,time-of-day of its DTB; 0 and 0 when the board has no
 * clock.
 */
void bh_time_of_day_write(const struct bh_capsule *c);

#endif
