// SPDX-License-Identifier: MIT
/*
 * The time of day capsules start with. The board's clock is read once, on
 * hart 0 before any capsule runs, together with the time CSR; from then on
 * the time of day is that reading plus the time CSR's progress. So a
 * capsule can change only its own copy (a value in its own memory), and
 * even one that owns the clock device and sets it changes nothing another
 * capsule is given.
 */
#include "bulkhead/arch.h"
#include "bulkhead/log.h"
#include "bulkhead/platform.h"
#include "bulkhead/time_of_day.h"

/* The clock's reading at boot (0: unknown) and the time CSR then. */
static uint64_t boot_ns;
static uint64_t boot_ticks;

uint64_t bh_ticks_to_ns(uint64_t ticks, uint64_t freq)
{
	/* Whole seconds, then the rest: (ticks % freq) * 1e9 < 2^32 * 2^30. */
	return ticks / freq * BH_NS_PER_SEC +
	       ticks % freq * BH_NS_PER_SEC / freq;
}

void bh_time_of_day_init(void)
{
	boot_ns = bh_clock_read_ns();
	boot_ticks = bh_arch_time();
	if (boot_ns)
		bh_info("time of day: %lu s since 1970-01-01 UTC, from the board's clock",
			(unsigned long)(boot_ns / BH_NS_PER_SEC));
	else
		bh_info("time of day: unknown (the board names no clock); capsules get 0");
}

/* Big-endian, byte by byte: a DTB property is only 4-byte aligned. */
static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void bh_time_of_day_write(const struct bh_capsule *c)
{
	uint8_t *value = bh_arch_phys(c->time_of_day);
	uint64_t ticks = 0, ns = 0;

	if (boot_ns) {
		ticks = bh_arch_time();
		ns = boot_ns + bh_ticks_to_ns(ticks - boot_ticks,
					      BH_TIMEBASE_FREQUENCY);
	}
	put_be64(value, ns);
	put_be64(value + 8, ticks);
}
