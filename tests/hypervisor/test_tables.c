// SPDX-License-Identifier: MIT
/* Consuming the generated tables: boot-time states and PMP values. */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/pmp.h"
#include "fake.h"
#include "runner.h"

static const uint64_t stack_tops[BH_HART_COUNT] = { 0x1000, 0x2000, 0x3000, 0x4000 };

TEST(boot_starts_vcpu_0_of_every_capsule_and_no_other)
{
	bh_capsules_init(stack_tops);
	CHECK(vcpu_on(0)->capsule == 0 && vcpu_on(0)->vcpu == 0);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_START_PENDING);
	CHECK(vcpu_on(0)->start_addr == bh_capsules[0].entry);
	CHECK(vcpu_on(0)->start_arg == bh_capsules[0].dtb);
	CHECK(vcpu_on(1)->capsule == 0 && vcpu_on(1)->vcpu == 1);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_STOPPED);
	CHECK(vcpu_on(2)->capsule == 1 && vcpu_on(2)->vcpu == 0);
	CHECK(vcpu_on(2)->hsm_state == BH_HSM_START_PENDING);
	CHECK(vcpu_on(2)->start_addr == BETA_BASE);
	CHECK(vcpu_on(0)->parked && vcpu_on(1)->parked && vcpu_on(2)->parked);
	CHECK(vcpu_on(1)->hart == 1 && vcpu_on(1)->frame.stack_top == 0x2000);
	CHECK(vcpu_on(2)->hart == 2 && vcpu_on(2)->frame.stack_top == 0x3000);
	CHECK(hart_state(0)->current == vcpu_on(0));
	CHECK(hart_state(2)->current == vcpu_on(2));
	CHECK(hart_state(3)->current == NULL && !hart_state(3)->schedule);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_RUNNING);
	CHECK(bh_capsule_states[1].run == BH_CAPSULE_RUNNING);
}

TEST(boot_fills_restartable_capsules_from_the_pristine_store)
{
	uint8_t *mem = guest_ptr(ALPHA_BASE);
	size_t i;

	/* The image holds alpha's payload only in the store (payloads.S). */
	for (i = 0; i < ALPHA_PAYLOAD; i++)
		fake.store[i] = (uint8_t)(i * 7);
	memset(mem, 0, ALPHA_PAYLOAD + 1);
	bh_capsules_init(stack_tops);
	CHECK(mem[0] == 0);	/* not before the capsule's own hart starts it */
	bh_capsule_boot(&bh_capsules[0]);
	for (i = 0; i < ALPHA_PAYLOAD; i++)
		CHECK(mem[i] == (uint8_t)(i * 7));
	CHECK(mem[ALPHA_PAYLOAD] == 0);
	CHECK(!fake.stray);
}

TEST(pmp_values_enable_exactly_the_capsules_entries)
{
	uint64_t cfg[BH_PMPCFG_REGS];

	CHECK(bh_pmp_pack(&bh_capsules[0], 0, cfg) == BH_PMP_OK);
	CHECK(cfg[0] == 0x1f);
	CHECK(cfg[1] == 0);
}

TEST(pmp_entry_i_is_byte_i_mod_8_of_register_i_div_8)
{
	struct bh_pmp_entry entries[10] = { { 0 } };
	struct bh_capsule c = { .name = "t", .pmp = entries, .pmp_count = 10 };
	uint64_t cfg[BH_PMPCFG_REGS];

	entries[0].cfg = 0x0f;
	entries[7].cfg = 0x1b;
	entries[9].cfg = 0x19;
	CHECK(bh_pmp_pack(&c, 0, cfg) == BH_PMP_OK);
	CHECK(cfg[0] == (0x1bULL << 56 | 0x0f));
	CHECK(cfg[1] == 0x19ULL << 8);
}

TEST(pmp_values_leave_the_other_vcpus_context_pages_off)
{
	struct bh_pmp_entry entries[3] = {
		{ .cfg = 0x1f }, { .cfg = 0x1b, .only_vcpu = 1 },
		{ .cfg = 0x1b, .only_vcpu = 2 },
	};
	struct bh_capsule c = { .name = "t", .pmp = entries, .pmp_count = 3 };
	uint64_t cfg[BH_PMPCFG_REGS];

	CHECK(bh_pmp_pack(&c, 0, cfg) == BH_PMP_OK);
	CHECK(cfg[0] == (0x1bULL << 8 | 0x1f));
	CHECK(bh_pmp_pack(&c, 1, cfg) == BH_PMP_OK);
	CHECK(cfg[0] == (0x1bULL << 16 | 0x1f));
}

TEST(pmp_refuses_locked_entries_and_too_many)
{
	struct bh_pmp_entry entries[BH_PMP_ENTRIES + 1] = { { 0 } };
	struct bh_capsule c = { .name = "t", .pmp = entries, .pmp_count = 3 };
	uint64_t cfg[BH_PMPCFG_REGS];

	entries[2].cfg = 0x9f;	/* L | NAPOT | RWX */
	CHECK(bh_pmp_pack(&c, 0, cfg) == 2);
	entries[2].cfg = 0x1f;
	c.pmp_count = BH_PMP_ENTRIES + 1;
	CHECK(bh_pmp_pack(&c, 0, cfg) == BH_PMP_TOO_MANY);
	c.pmp_count = BH_PMP_ENTRIES;
	CHECK(bh_pmp_pack(&c, 0, cfg) == BH_PMP_OK);
}

/* Writable copies of the fixture tables, to break one thing at a time. */
static struct bh_capsule caps[BH_CAPSULE_COUNT];
static struct bh_hart harts[BH_HART_COUNT];
static struct bh_payload pays[1];
static char why[160];

static struct bh_system_tables copy_tables(void)
{
	memcpy(caps, bh_capsules, sizeof(caps));
	memcpy(harts, bh_harts, sizeof(harts));
	memcpy(pays, bh_capsules[0].payloads, sizeof(pays));
	caps[0].payloads = pays;
	why[0] = '\0';
	return (struct bh_system_tables){
		.capsules = caps, .capsule_count = BH_CAPSULE_COUNT,
		.harts = harts, .hart_count = BH_HART_COUNT,
		.vcpu_count = BH_VCPU_COUNT,
		.hypervisor = bh_board.hypervisor,
		.hypervisor_devices = bh_board.hypervisor_devices,
		.hypervisor_device_count = bh_board.hypervisor_device_count,
		.plic = bh_board.plic,
		.plic_context_map = bh_board.plic_context_map,
		.plic_context_count = BH_PLIC_CONTEXTS,
		.plic_source_count = BH_PLIC_SOURCES,
		.supervisor_harts = bh_board.supervisor_harts,
	};
}

TEST(the_fixture_tables_are_consistent)
{
	struct bh_system_tables t = copy_tables();

	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
	CHECK(why[0] == '\0');
}

/* A monitor core (no S-mode, like sifive_u's E51) runs no vCPU. */
TEST(a_vcpu_on_a_hart_without_s_mode_is_refused)
{
	struct bh_system_tables t = copy_tables();

	t.supervisor_harts = 0xe;
	CHECK(bh_tables_check(&t, why, sizeof(why)) == -1);
	CHECK(!strcmp(why, "capsule alpha vCPU 0 runs on hart 0, which has no S-mode"));
	t.supervisor_harts = 0xb;
	CHECK(bh_tables_check(&t, why, sizeof(why)) == -1);
	CHECK(!strcmp(why, "capsule beta vCPU 0 runs on hart 2, which has no S-mode"));
	t.supervisor_harts = 0x7;	/* hart 3 is idle: no capsule needs it */
	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
}

/*
 * Hart 1 shared by alpha's vCPU 1 and beta's vCPU 0 (moved there from
 * hart 2): both own hart 1's supervisor context, and its page.
 */
static const struct bh_window shared_windows[] = {
	{ .start = 0, .length = 1000, .capsule = 0, .vcpu = 1 },
	{ .start = 1000, .length = 1000, .capsule = 1, .vcpu = 0 },
};
static const struct bh_schedule shared_schedule = {
	.frame = 2000, .windows = shared_windows, .window_count = 2,
};
static const struct bh_region beta_shared_devices[] = {
	{ PLIC_BASE + 0x203000, 0x1000 },
};

static struct bh_system_tables shared_tables(void)
{
	struct bh_system_tables t = copy_tables();

	caps[1].vcpu_harts[0] = 1;
	caps[1].plic_contexts[0] = 3;
	caps[1].devices = beta_shared_devices;
	harts[1] = (struct bh_hart){ .capsule = -1, .schedule = &shared_schedule };
	harts[2] = (struct bh_hart){ .capsule = -1 };
	return t;
}

TEST(a_schedule_shares_a_hart_and_its_plic_context_page)
{
	struct bh_system_tables t = shared_tables();

	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
	CHECK(why[0] == '\0');
}

TEST(tables_check_catches_a_window_of_a_vcpu_elsewhere)
{
	struct bh_system_tables t = shared_tables();
	static const struct bh_window windows[] = {
		{ .start = 0, .length = 1000, .capsule = 0, .vcpu = 1 },
		{ .start = 1000, .length = 1000, .capsule = 0, .vcpu = 0 },
	};
	static const struct bh_schedule schedule = {
		.frame = 2000, .windows = windows, .window_count = 2,
	};

	harts[1].schedule = &schedule;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	/* Beta's vCPU has no window now; that is found first. */
	CHECK(strcmp(why, "capsule beta vCPU 0 names hart 1, whose table entry disagrees") == 0);
	caps[1].vcpu_harts[0] = 2;
	harts[2] = bh_harts[2];
	caps[1].plic_contexts[0] = 5;
	caps[1].devices = bh_capsules[1].devices;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(strcmp(why, "hart 1 window 1 runs a vCPU that does not name hart 1") == 0);
}

TEST(tables_check_catches_overlapping_windows)
{
	struct bh_system_tables t = shared_tables();
	static const struct bh_window windows[] = {
		{ .start = 0, .length = 1000, .capsule = 0, .vcpu = 1 },
		{ .start = 500, .length = 1000, .capsule = 1, .vcpu = 0 },
	};
	static const struct bh_schedule schedule = {
		.frame = 2000, .windows = windows, .window_count = 2,
	};

	harts[1].schedule = &schedule;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(strcmp(why, "hart 1 window 1 [500, 1500) is empty, overlaps the one before or ends after the frame") == 0);
}

TEST(tables_check_catches_vcpu_states_out_of_place)
{
	struct bh_system_tables t = copy_tables();

	caps[1].first_vcpu = 1;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(strcmp(why, "capsule beta: its vCPU states start at 1, not 2, or pass 3") == 0);
	caps[1].first_vcpu = 2;
	t.vcpu_count = 4;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(strcmp(why, "the capsules have 3 vCPUs, the tables 4") == 0);
}

TEST(tables_check_catches_a_wrong_hart_map)
{
	struct bh_system_tables t = copy_tables();

	caps[0].vcpu_harts[1] = 3;	/* hart 3 is idle */
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha vCPU 1 names hart 3, whose table entry disagrees"));
	t = copy_tables();
	harts[3].capsule = 1;		/* beta has no vCPU on hart 3 */
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "hart 3 runs capsule 1 vCPU 0, which the capsule table does not say"));
	t = copy_tables();
	caps[1].vcpu_count = 0;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule beta has 0 vCPUs (1..2)"));
}

TEST(tables_check_catches_memory_that_is_not_the_capsules)
{
	struct bh_system_tables t = copy_tables();

	caps[1].memory.base = ALPHA_BASE + 0x1000;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsules alpha and beta share memory"));
	t = copy_tables();
	caps[0].memory.base = 0x80100000;	/* inside the hypervisor */
	caps[0].entry = caps[0].dtb = 0x80100000;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	t = copy_tables();
	caps[0].entry = BETA_BASE;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha entry or DTB is outside its memory"));
	t = copy_tables();
	caps[0].time_of_day = ALPHA_BASE + FAKE_MEM_SIZE - 8;	/* 16 bytes */
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha time of day at 0x8100fff8 is outside its memory"));
	t = copy_tables();
	caps[1].time_of_day = ALPHA_TIME_OF_DAY;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule beta time of day at 0x8100f134 is outside its memory"));
	t = copy_tables();
	pays[0].load_addr = ALPHA_BASE + FAKE_MEM_SIZE - 0x10;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha payload 0 is outside its memory"));
	t = copy_tables();
	pays[0].pristine = BETA_BASE;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha payload 0: its pristine copy is inside capsule beta"));
}

/* A 4 KiB device page at 0x10001000, handed to alpha. */
static const struct bh_region alpha_device = { 0x10001000, 0x1000 };

TEST(tables_check_catches_a_device_with_two_owners)
{
	struct bh_system_tables t = copy_tables();

	caps[0].devices = &alpha_device;
	caps[0].device_count = 1;
	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
	caps[1].devices = &alpha_device;
	caps[1].device_count = 1;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha device [0x10001000, 0x10002000) overlaps a device of another capsule"));
}

TEST(tables_check_catches_a_device_of_the_hypervisor_or_in_memory)
{
	static const struct bh_region uart = { UART_BASE, 0x100 };
	static const struct bh_region in_beta = { BETA_BASE, 0x1000 };
	struct bh_system_tables t = copy_tables();

	caps[0].devices = &uart;
	caps[0].device_count = 1;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha device [0x10000000, 0x10000100) overlaps a device of the hypervisor"));
	t = copy_tables();
	caps[0].devices = &in_beta;
	caps[0].device_count = 1;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha device [0x82000000, 0x82001000) overlaps capsule memory"));
}

TEST(tables_check_decodes_pmp_entries_before_any_capsule_runs)
{
	/* NAPOT over alpha's memory and beta's: 128 KiB from ALPHA_BASE. */
	static const struct bh_pmp_entry too_wide[] = {
		{ .addr = (ALPHA_BASE + FAKE_MEM_SIZE - 1) >> 2, .cfg = 0x1f },
	};
	struct bh_system_tables t = copy_tables();

	caps[0].pmp = too_wide;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha PMP entry 0 [0x81000000, 0x81020000) reaches beyond its memory and devices"));
}

TEST(tables_check_accepts_only_own_context_pages_inside_the_plic)
{
	static const struct bh_region beta_page = { PLIC_BASE + 0x205000, 0x1000 };
	static const struct bh_region m_page = { PLIC_BASE + 0x200000, 0x1000 };
	static const struct bh_region priorities = { PLIC_BASE, 0x1000 };
	static const struct bh_region enables = { PLIC_BASE + 0x2000, 0x1000 };
	static const struct bh_region two_pages = { PLIC_BASE + 0x201000, 0x2000 };
	static const struct bh_region *bad[] = { &beta_page, &m_page, &priorities,
						 &enables, &two_pages };
	struct bh_system_tables t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = copy_tables();
		caps[0].devices = bad[i];
		caps[0].device_count = 1;
		CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
		CHECK(strstr(why, "is in the PLIC but not the page of one of its contexts"));
	}
	CHECK(!strcmp(why, "capsule alpha device [0xc201000, 0xc203000) is in the PLIC but not the page of one of its contexts"));
}

TEST(tables_check_wants_each_vcpus_supervisor_context)
{
	static const uint32_t bad[] = { 0, 3, 5, BH_PLIC_CONTEXTS, 0xffffffff };
	struct bh_system_tables t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = copy_tables();
		caps[0].plic_contexts[0] = bad[i];
		CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	}
	CHECK(!strcmp(why, "capsule alpha vCPU 0: PLIC context 4294967295 is not the supervisor context of hart 0"));
	t = copy_tables();
	t.plic_context_map = NULL;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	/* Without a PLIC, nothing about contexts is asked. */
	t = copy_tables();
	caps[0].devices = NULL;
	caps[0].device_count = 0;
	caps[1].devices = NULL;
	caps[1].device_count = 0;
	memset(caps[0].irq_sources, 0, sizeof(caps[0].irq_sources));
	memset(caps[1].irq_sources, 0, sizeof(caps[1].irq_sources));
	t.plic.size = 0;
	caps[0].plic_contexts[0] = 99;
	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
}

TEST(tables_check_wants_each_plic_source_real_and_owned_once)
{
	struct bh_system_tables t = copy_tables();

	caps[1].irq_sources[1] |= 1U << (ALPHA_SOURCE_HIGH - 32);
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsules alpha and beta share PLIC source 40"));
	t = copy_tables();
	caps[0].irq_sources[0] |= 1;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha owns PLIC source 0, which does not exist"));
	t = copy_tables();
	caps[1].irq_sources[3] = 1U << 1;	/* source 97 of 96 */
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule beta owns PLIC source 97, which does not exist"));
	t = copy_tables();
	caps[1].irq_sources[3] = 1U << 0;	/* source 96: the last */
	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
	t = copy_tables();
	t.plic.size = 0;
	caps[0].devices = NULL;
	caps[0].device_count = 0;
	caps[1].devices = NULL;
	caps[1].device_count = 0;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha owns PLIC source 11, which does not exist"));
}

TEST(tables_check_lets_pmp_grant_an_own_context_page_only)
{
	static const struct bh_pmp_entry own_page[] = {
		{ .addr = (ALPHA_BASE + FAKE_MEM_SIZE / 2 - 1) >> 2, .cfg = 0x1f },
		{ .addr = (PLIC_BASE + 0x201000 + 0x800 - 1) >> 2, .cfg = 0x1b },
	};
	static const struct bh_pmp_entry priorities[] = {
		{ .addr = (ALPHA_BASE + FAKE_MEM_SIZE / 2 - 1) >> 2, .cfg = 0x1f },
		{ .addr = (PLIC_BASE + 0x800 - 1) >> 2, .cfg = 0x1b },
	};
	struct bh_system_tables t = copy_tables();

	caps[0].pmp = own_page;
	caps[0].pmp_count = 2;
	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
	caps[0].pmp = priorities;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha PMP entry 1 [0xc000000, 0xc001000) reaches beyond its memory and devices"));
}

/* A board whose harts 0 and 1 have an M-mode context only (as sifive_u's hart 0). */
TEST(tables_check_lets_a_hart_without_supervisor_context_have_none)
{
	static struct bh_plic_context map[BH_PLIC_CONTEXTS];
	static const struct bh_region page3 = { PLIC_BASE + 0x203000, 0x1000 };
	struct bh_system_tables t = copy_tables();

	memcpy(map, bh_board.plic_context_map, sizeof(map));
	map[1].mode = BH_PLIC_MACHINE;
	t.plic_context_map = map;
	caps[0].devices = &page3;
	caps[0].device_count = 1;
	caps[0].plic_contexts[0] = BH_PLIC_NO_CONTEXT;
	CHECK(bh_tables_check(&t, why, sizeof(why)) == 0);
	/* Not when the hart has one. */
	map[1].mode = BH_PLIC_SUPERVISOR;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	/* Sources but no context at all. */
	map[1].mode = BH_PLIC_MACHINE;
	map[3].mode = BH_PLIC_MACHINE;
	caps[0].plic_contexts[1] = BH_PLIC_NO_CONTEXT;
	caps[0].devices = NULL;
	caps[0].device_count = 0;
	CHECK(bh_tables_check(&t, why, sizeof(why)) < 0);
	CHECK(!strcmp(why, "capsule alpha has PLIC sources but no PLIC context to take them"));
}
