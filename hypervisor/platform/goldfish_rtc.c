// SPDX-License-Identifier: MIT
/*
 * The goldfish RTC as the board's clock (hypervisor-devices.clock), read
 * once at boot. TIME_LOW then TIME_HIGH: nanoseconds since 1970-01-01 UTC;
 * reading TIME_LOW latches TIME_HIGH, so the halves belong together.
 */
#include "bulkhead/mmio.h"
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"

#define RTC_TIME_LOW	0x00
#define RTC_TIME_HIGH	0x04

uint64_t bh_clock_read_ns(void)
{
	uint64_t low;

	if (!bh_board.clock_base)
		return 0;
	low = bh_mmio_read32(bh_board.clock_base + RTC_TIME_LOW);
	return (uint64_t)bh_mmio_read32(bh_board.clock_base + RTC_TIME_HIGH) << 32 |
	       low;
}
