// SPDX-License-Identifier: MIT
/*
 * The time of day (docs/design.md, "Time of day"): the board's clock read
 * once at boot, carried forward by the time CSR without a 128-bit product,
 * and written big-endian into each capsule's DTB at its boot and at every
 * restart, into that capsule only.
 */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/time_of_day.h"
#include "fake.h"
#include "runner.h"

#define BOOT_NS		1796026323123456789ULL	/* 2026-11-30 08:12:03 UTC */
#define BOOT_TICKS	5000ULL
#define TICKS_PER_SEC	10000000ULL		/* BH_TIMEBASE_FREQUENCY */

static const uint64_t freqs[] = { 10000000, 32768, 1000000000, 4294967295ULL, 3 };
static const uint64_t ticks[] = {
	0, 1, 2, 9999999, 10000000, 32767, 32768, 123456789012ULL,
	18446744073ULL,			/* ticks * 1e9 just overflows 64 bits */
	1000000000000000ULL,		/* 3 years at 10 MHz */
	1844674407370955161ULL,		/* the most 10 MHz ticks that fit */
	18446744073709551615ULL,
};

/* Hart 0's boot, then each capsule's first start on its own hart. */
static void boot_capsules(void)
{
	uint32_t i;

	static const uint64_t stack_tops[BH_HART_COUNT] = { 0 };

	bh_capsules_init(stack_tops);
	for (i = 0; i < BH_CAPSULE_COUNT; i++)
		bh_capsule_boot(&bh_capsules[i]);
}

TEST(ticks_to_ns_is_exact_where_the_product_overflows_64_bits)
{
	size_t f, t;

	for (f = 0; f < sizeof(freqs) / sizeof(freqs[0]); f++) {
		for (t = 0; t < sizeof(ticks) / sizeof(ticks[0]); t++) {
			unsigned __int128 want = (unsigned __int128)ticks[t] *
						 BH_NS_PER_SEC / freqs[f];

			if (want >> 64)
				continue;	/* beyond 584 years: not promised */
			CHECK(bh_ticks_to_ns(ticks[t], freqs[f]) == (uint64_t)want);
		}
	}
	CHECK(bh_ticks_to_ns(1000000000000000ULL, TICKS_PER_SEC) ==
	      100000000000000000ULL);
}

/* The board's clock reads BOOT_NS at boot, when the time CSR is BOOT_TICKS. */
static void boot_with_clock(void)
{
	fake.clock_ns = BOOT_NS;
	fake.time = BOOT_TICKS;
	bh_time_of_day_init();
}

TEST(boot_reads_the_clock_once_and_logs_the_time_of_day)
{
	boot_with_clock();
	CHECK(fake.clock_reads == 1);
	CHECK(strstr(take_output(),
		     "time of day: 1796026323 s since 1970-01-01 UTC, from the board's clock"));
}

TEST(every_capsule_boots_with_the_time_of_day_and_the_time_csr_in_its_dtb)
{
	uint8_t *alpha = guest_ptr(ALPHA_TIME_OF_DAY);

	boot_with_clock();
	memset(alpha - 4, 0xee, BH_TIME_OF_DAY_SIZE + 8);
	fake.time = BOOT_TICKS + 25 * TICKS_PER_SEC / 10;	/* 2.5 s later */
	boot_capsules();
	CHECK(get_be64(ALPHA_TIME_OF_DAY) == BOOT_NS + 2500000000ULL);
	CHECK(get_be64(ALPHA_TIME_OF_DAY + 8) == fake.time);
	CHECK(get_be64(BETA_TIME_OF_DAY) == BOOT_NS + 2500000000ULL);
	CHECK(get_be64(BETA_TIME_OF_DAY + 8) == fake.time);
	/* Big-endian, exactly 16 bytes, at an address only 4-byte aligned. */
	CHECK(alpha[15] == (uint8_t)fake.time && alpha[0] == (uint8_t)(BOOT_NS >> 56));
	CHECK(alpha[-1] == 0xee && alpha[BH_TIME_OF_DAY_SIZE] == 0xee);
	/* The clock itself is never read again. */
	CHECK(fake.clock_reads == 1);
}

/* Restart alpha from hart 0, its vCPU 1 already parked. */
static int restart_alpha(void)
{
	int how;

	fake.hart = 0;
	vcpu_on(1)->parked = 1;
	how = setjmp(fake.leave);
	if (!how)
		bh_capsule_stop(vcpu_on(0), BH_POLICY_RESTART, "rebooted");
	return how;
}

TEST(a_restart_writes_the_time_of_day_of_the_restart_into_that_capsule_only)
{
	boot_with_clock();
	fake.time = BOOT_TICKS + 1;
	boot_capsules();
	/* alpha changes its own copy; a minute later it reboots. */
	put64(ALPHA_TIME_OF_DAY, 0);
	fake.time = BOOT_TICKS + 60 * TICKS_PER_SEC + 3;
	CHECK(restart_alpha() == FAKE_PARKED);
	CHECK(get_be64(ALPHA_TIME_OF_DAY) == BOOT_NS + 60000000300ULL);
	CHECK(get_be64(ALPHA_TIME_OF_DAY + 8) == fake.time);
	/* beta keeps what its own start gave it. */
	CHECK(get_be64(BETA_TIME_OF_DAY) == BOOT_NS + 100);
	CHECK(get_be64(BETA_TIME_OF_DAY + 8) == BOOT_TICKS + 1);
	CHECK(fake.clock_reads == 1);
}

TEST(without_a_clock_capsules_get_zero_for_unknown)
{
	fake.clock_ns = 0;
	fake.time = BOOT_TICKS;
	bh_time_of_day_init();
	CHECK(strstr(take_output(),
		     "time of day: unknown (the board names no clock); capsules get 0"));
	memset(guest_ptr(ALPHA_TIME_OF_DAY), 0xee, BH_TIME_OF_DAY_SIZE);
	boot_capsules();
	CHECK(get_be64(ALPHA_TIME_OF_DAY) == 0);
	CHECK(get_be64(ALPHA_TIME_OF_DAY + 8) == 0);
}
