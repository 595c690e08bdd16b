// SPDX-License-Identifier: MIT
/* Reading the time of day Bulkhead writes into /chosen (time_of_day.h). */
#include "format.h"
#include "time_of_day.h"

int time_of_day_read(const struct fdt *fdt, struct time_of_day *tod)
{
	int len;
	const void *value = fdt_prop(fdt, fdt_path(fdt, "/chosen"),
				     "bulkhead,time-of-day", &len);

	tod->timebase = fdt_prop_u32(fdt, fdt_path(fdt, "/cpus"),
				     "timebase-frequency", 0);
	if (!value || len != 16 || !tod->timebase)
		return -1;
	tod->start_ns = fdt_cells(value, 2);
	tod->start_time = fdt_cells((const uint8_t *)value + 8, 2);
	return 0;
}

uint64_t time_of_day_ns(const struct time_of_day *tod, uint64_t time)
{
	uint64_t ticks = time - tod->start_time;

	if (!tod->start_ns)
		return 0;
	/* Seconds, then the rest: ticks * 1e9 would overflow after 30 minutes. */
	return tod->start_ns + ticks / tod->timebase * NS_PER_SEC +
	       ticks % tod->timebase * NS_PER_SEC / tod->timebase;
}

/* The proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant). */
static void civil_from_days(uint64_t days, uint64_t *year, unsigned *month,
			    unsigned *day)
{
	uint64_t z = days + 719468;		/* days from 0000-03-01 */
	uint64_t era = z / 146097;		/* 400-year cycles */
	uint64_t doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;	/* month from March */

	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

void time_of_day_format(uint64_t seconds, char *buf, size_t len)
{
	uint64_t year, rest = seconds % 86400;
	unsigned month, day;

	civil_from_days(seconds / 86400, &year, &month, &day);
	snprintf(buf, len, "%04lu-%02u-%02u %02lu:%02lu:%02lu UTC",
		 (unsigned long)year, month, day, (unsigned long)(rest / 3600),
		 (unsigned long)(rest / 60 % 60), (unsigned long)(rest % 60));
}
