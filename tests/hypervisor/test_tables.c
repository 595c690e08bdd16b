// SPDX-License-Identifier: MIT
/* Consuming the generated tables: boot-time states and PMP values. */
#include "bulkhead/capsule.h"
#include "bulkhead/pmp.h"
#include "fake.h"
#include "runner.h"

TEST(boot_starts_vcpu_0_of_every_capsule_and_no_other)
{
	bh_capsules_init();
	CHECK(hart(0)->capsule == 0 && hart(0)->vcpu == 0);
	CHECK(hart(0)->hsm_state == BH_HSM_START_PENDING);
	CHECK(hart(0)->start_addr == bh_capsules[0].entry);
	CHECK(hart(0)->start_arg == bh_capsules[0].dtb);
	CHECK(hart(1)->capsule == 0 && hart(1)->vcpu == 1);
	CHECK(hart(1)->hsm_state == BH_HSM_STOPPED);
	CHECK(hart(2)->capsule == 1 && hart(2)->vcpu == 0);
	CHECK(hart(2)->hsm_state == BH_HSM_START_PENDING);
	CHECK(hart(2)->start_addr == BETA_BASE);
	CHECK(hart(3)->capsule == -1);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_RUNNING);
	CHECK(bh_capsule_states[1].run == BH_CAPSULE_RUNNING);
}

TEST(pmp_values_enable_exactly_the_capsules_entries)
{
	uint64_t cfg[BH_PMPCFG_REGS];

	CHECK(bh_pmp_pack(&bh_capsules[0], cfg) == BH_PMP_OK);
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
	CHECK(bh_pmp_pack(&c, cfg) == BH_PMP_OK);
	CHECK(cfg[0] == (0x1bULL << 56 | 0x0f));
	CHECK(cfg[1] == 0x19ULL << 8);
}

TEST(pmp_refuses_locked_entries_and_too_many)
{
	struct bh_pmp_entry entries[BH_PMP_ENTRIES + 1] = { { 0 } };
	struct bh_capsule c = { .name = "t", .pmp = entries, .pmp_count = 3 };
	uint64_t cfg[BH_PMPCFG_REGS];

	entries[2].cfg = 0x9f;	/* L | NAPOT | RWX */
	CHECK(bh_pmp_pack(&c, cfg) == 2);
	entries[2].cfg = 0x1f;
	c.pmp_count = BH_PMP_ENTRIES + 1;
	CHECK(bh_pmp_pack(&c, cfg) == BH_PMP_TOO_MANY);
	c.pmp_count = BH_PMP_ENTRIES;
	CHECK(bh_pmp_pack(&c, cfg) == BH_PMP_OK);
}
