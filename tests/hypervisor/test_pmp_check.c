// SPDX-License-Identifier: MIT
/*
 * The boot-time proof of PMP tables: entries decoded as hardware with a
 * given grain reads them, then checked against the capsule's memory and
 * devices. Grains of 4 bytes (QEMU) and 4 KiB (common on silicon).
 */
#include <string.h>

#include "bulkhead/pmp.h"
#include "fake.h"
#include "runner.h"

#define GRAIN_4K	0x1000
#define R	0x01
#define RW	0x03
#define RWX	0x07
#define TOR	0x08
#define NA4	0x10
#define NAPOT	0x18

static uint64_t napot(uint64_t base, uint64_t size)
{
	return (base | (size / 2 - 1)) >> 2;
}

static struct bh_pmp_range decode(const struct bh_pmp_entry *e, uint32_t i,
				  uint64_t grain, int *err)
{
	struct bh_pmp_range r;

	*err = bh_pmp_decode(e, i, grain, &r);
	return r;
}

TEST(napot_decodes_to_its_block_with_a_4_byte_grain)
{
	struct bh_pmp_entry e[] = { { napot(0x10001000, 0x100), NAPOT | RW } };
	struct bh_pmp_range r;
	int err;

	r = decode(e, 0, 4, &err);
	CHECK(!err && r.base == 0x10001000 && r.size == 0x100 && r.perm == RW);
}

/* Hardware with a 4 KiB grain reads the low pmpaddr bits of NAPOT as ones. */
TEST(a_256_byte_napot_reads_as_the_whole_4k_grain)
{
	struct bh_pmp_entry e[] = { { napot(0x10001100, 0x100), NAPOT | RW } };
	struct bh_pmp_range r;
	int err;

	r = decode(e, 0, GRAIN_4K, &err);
	CHECK(!err && r.base == 0x10001000 && r.size == 0x1000);
}

TEST(tor_bounds_lose_the_bits_below_the_grain)
{
	struct bh_pmp_entry e[] = { { 0x10001100 >> 2, 0 },
				    { 0x10003f00 >> 2, TOR | RW } };
	struct bh_pmp_range r;
	int err;

	r = decode(e, 1, 4, &err);
	CHECK(!err && r.base == 0x10001100 && r.size == 0x2e00);
	r = decode(e, 1, GRAIN_4K, &err);
	CHECK(!err && r.base == 0x10001000 && r.size == 0x2000);
	r = decode(e, 0, GRAIN_4K, &err);	/* OFF: the TOR bottom */
	CHECK(!err && r.size == 0);
}

TEST(na4_exists_only_with_a_4_byte_grain)
{
	struct bh_pmp_entry e[] = { { 0x10001000 >> 2, NA4 | RW } };
	struct bh_pmp_range r;
	int err;

	r = decode(e, 0, 4, &err);
	CHECK(!err && r.base == 0x10001000 && r.size == 4);
	decode(e, 0, GRAIN_4K, &err);
	CHECK(err);
}

TEST(entries_hardware_would_not_hold_are_refused)
{
	struct bh_pmp_entry e[] = { { napot(0x10001000, 0x1000), NAPOT | RW } };
	int err;

	e[0].cfg = NAPOT | RW | 0x80;		/* L */
	decode(e, 0, 4, &err);
	CHECK(err);
	e[0].cfg = NAPOT | RW | 0x20;		/* reserved bit */
	decode(e, 0, 4, &err);
	CHECK(err);
	e[0].cfg = NAPOT | 0x02;		/* W without R */
	decode(e, 0, 4, &err);
	CHECK(err);
	e[0].cfg = NAPOT | R;
	e[0].addr = 1ULL << 54;			/* wider than pmpaddr */
	decode(e, 0, 4, &err);
	CHECK(err);
}

TEST(all_ones_napot_is_the_whole_address_space)
{
	struct bh_pmp_entry e[] = { { (1ULL << 54) - 1, NAPOT | RWX } };
	struct bh_pmp_range r;
	int err;

	r = decode(e, 0, 4, &err);
	CHECK(!err && r.base == 0 && r.size == 1ULL << 56);
}

/* A capsule with 64 KiB of memory and one 4 KiB device page. */
static const struct bh_region device = { 0x10001000, 0x1000 };
static struct bh_pmp_entry entries[3];
static struct bh_capsule capsule = {
	.name = "gamma",
	.memory = { ALPHA_BASE, FAKE_MEM_SIZE },
	.pmp = entries, .pmp_count = 2,
	.devices = &device, .device_count = 1,
};
static char why[200];

static int check(uint64_t grain)
{
	why[0] = '\0';
	return bh_pmp_check(&capsule, grain, why, sizeof(why));
}

static void grant_memory_and(uint64_t device_base, uint64_t device_size,
			     uint8_t perm)
{
	entries[0] = (struct bh_pmp_entry){ napot(ALPHA_BASE, FAKE_MEM_SIZE),
					    NAPOT | RWX };
	entries[1] = (struct bh_pmp_entry){ napot(device_base, device_size),
					    NAPOT | perm };
}

TEST(memory_and_device_entries_pass_with_either_grain)
{
	grant_memory_and(0x10001000, 0x1000, RW);
	CHECK(check(4) == 0);
	CHECK(check(GRAIN_4K) == 0);
	grant_memory_and(0x10001100, 0x100, RW);	/* inside the page */
	CHECK(check(4) == 0);
	CHECK(check(GRAIN_4K) == 0);
}

/*
 * The review's case: a 256-byte device in the 4 KiB page after the
 * capsule's one. Harmless with a 4-byte grain; with a 4 KiB grain the
 * hardware grants the whole page, which is not the capsule's.
 */
TEST(an_entry_the_grain_widens_beyond_the_device_is_caught)
{
	grant_memory_and(0x10002000, 0x100, RW);
	capsule.devices = &(const struct bh_region){ 0x10002000, 0x100 };
	CHECK(check(4) == 0);
	CHECK(check(GRAIN_4K) < 0);
	CHECK(!strcmp(why, "capsule gamma PMP entry 1 [0x10002000, 0x10003000) reaches beyond its memory and devices"));
	capsule.devices = &device;
}

TEST(an_entry_outside_memory_and_devices_is_caught)
{
	grant_memory_and(BETA_BASE, 0x1000, RW);
	CHECK(check(4) < 0);
	CHECK(!strcmp(why, "capsule gamma PMP entry 1 [0x82000000, 0x82001000) reaches beyond its memory and devices"));
}

TEST(an_executable_device_is_caught)
{
	grant_memory_and(0x10001000, 0x1000, RWX);
	CHECK(check(4) < 0);
	CHECK(!strcmp(why, "capsule gamma PMP entry 1 [0x10001000, 0x10002000) makes a device executable"));
}

TEST(a_tor_entry_is_checked_as_a_range)
{
	entries[0] = (struct bh_pmp_entry){ ALPHA_BASE >> 2, 0 };
	entries[1] = (struct bh_pmp_entry){ (ALPHA_BASE + FAKE_MEM_SIZE) >> 2,
					    TOR | RWX };
	CHECK(check(GRAIN_4K) == 0);
	entries[1].addr = (ALPHA_BASE + FAKE_MEM_SIZE + 0x1000) >> 2;
	CHECK(check(GRAIN_4K) < 0);
}

TEST(an_na4_entry_under_a_4k_grain_is_refused)
{
	entries[0] = (struct bh_pmp_entry){ napot(ALPHA_BASE, FAKE_MEM_SIZE),
					    NAPOT | RWX };
	entries[1] = (struct bh_pmp_entry){ 0x10001000 >> 2, NA4 | RW };
	CHECK(check(4) == 0);
	CHECK(check(GRAIN_4K) < 0);
	CHECK(!strcmp(why, "capsule gamma PMP entry 1 (addr 0x4000400, cfg 0x13) cannot be held with a 0x1000-byte grain"));
}

/*
 * Entries for one vCPU alone: alpha's vCPU 0 runs on hart 0 (context 1),
 * vCPU 1 on hart 1 (context 3), and each may have only its own page.
 */
TEST(a_vcpus_own_entry_grants_only_its_own_context_page)
{
	struct bh_pmp_entry own[3] = {
		{ napot(ALPHA_BASE, FAKE_MEM_SIZE), NAPOT | RWX },
		{ napot(PLIC_BASE + 0x201000, 0x1000), NAPOT | RW, 1 },
		{ napot(PLIC_BASE + 0x203000, 0x1000), NAPOT | RW, 2 },
	};
	struct bh_capsule c = bh_capsules[0];

	c.pmp = own;
	c.pmp_count = 3;
	CHECK(bh_pmp_check(&c, 4, why, sizeof(why)) == 0);
	own[1].only_vcpu = 2;	/* context 1's page for vCPU 1 */
	CHECK(bh_pmp_check(&c, 4, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha PMP entry 1 [0xc201000, 0xc202000) is one vCPU's but not its own PLIC context page"));
	own[1].only_vcpu = 3;	/* no vCPU 2 */
	CHECK(bh_pmp_check(&c, 4, why, sizeof(why)) < 0);
	own[1] = (struct bh_pmp_entry){ napot(ALPHA_BASE, 0x1000), NAPOT | RW, 1 };
	CHECK(bh_pmp_check(&c, 4, why, sizeof(why)) < 0);	/* memory, for one */
}
