// SPDX-License-Identifier: MIT
/* Trap counters: per hart and cause, read through the Bulkhead SBI extension, logged at a capsule's end. */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/sbi.h"
#include "bulkhead/traps.h"
#include "fake.h"
#include "runner.h"

static struct bh_sbiret call(uint32_t h, unsigned long fid, unsigned long a0,
			     unsigned long a1)
{
	struct bh_vcpu *vc = vcpu_on(h);

	fake.hart = h;
	vc->frame.regs[BH_REG_A7] = SBI_EXT_BULKHEAD;
	vc->frame.regs[BH_REG_A6] = fid;
	vc->frame.regs[BH_REG_A0] = a0;
	vc->frame.regs[BH_REG_A1] = a1;
	bh_sbi_dispatch(vc);
	return (struct bh_sbiret){ (long)vc->frame.regs[BH_REG_A0],
				   vc->frame.regs[BH_REG_A1] };
}

TEST(trap_counts_are_per_hart_kind_and_code)
{
	struct bh_sbiret r;

	bh_traps_count(vcpu_on(0), false, 9);
	bh_traps_count(vcpu_on(0), false, 9);
	bh_traps_count(vcpu_on(0), true, 3);
	bh_traps_count(vcpu_on(1), false, 9);
	r = call(0, SBI_BULKHEAD_TRAP_COUNT, SBI_BULKHEAD_KIND_EXCEPTION, 9);
	CHECK(r.error == SBI_SUCCESS && r.value == 2);
	r = call(0, SBI_BULKHEAD_TRAP_COUNT, SBI_BULKHEAD_KIND_INTERRUPT, 3);
	CHECK(r.error == SBI_SUCCESS && r.value == 1);
	r = call(0, SBI_BULKHEAD_TRAP_COUNT, SBI_BULKHEAD_KIND_INTERRUPT, 9);
	CHECK(r.error == SBI_SUCCESS && r.value == 0);
	r = call(1, SBI_BULKHEAD_TRAP_COUNT, SBI_BULKHEAD_KIND_EXCEPTION, 9);
	CHECK(r.error == SBI_SUCCESS && r.value == 1);
	r = call(0, SBI_BULKHEAD_TRAP_TOTAL, 0, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == 3);
}

TEST(trap_codes_past_63_share_the_last_slot)
{
	struct bh_sbiret r;

	bh_traps_count(vcpu_on(2), true, 64);
	bh_traps_count(vcpu_on(2), true, 1000);
	r = call(2, SBI_BULKHEAD_TRAP_COUNT, SBI_BULKHEAD_KIND_INTERRUPT, 64);
	CHECK(r.error == SBI_SUCCESS && r.value == 2);
}

TEST(trap_count_refuses_unknown_kinds_codes_and_functions)
{
	struct bh_sbiret r;

	r = call(0, SBI_BULKHEAD_TRAP_COUNT, 2, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_BULKHEAD_TRAP_COUNT, ~0UL, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_BULKHEAD_TRAP_COUNT, 0, 65);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_BULKHEAD_TRAP_COUNT, 0, ~0UL);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, 2, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
	CHECK(bh_sbi_find(SBI_EXT_BULKHEAD));
	CHECK(SBI_EXT_BULKHEAD >= 0x0A000000 && SBI_EXT_BULKHEAD <= 0x0AFFFFFF);
}

TEST(trap_counts_are_logged_per_vcpu_by_name)
{
	const char *out;

	bh_traps_count(vcpu_on(0), false, 9);
	bh_traps_count(vcpu_on(0), false, 5);
	bh_traps_count(vcpu_on(0), false, 5);
	bh_traps_count(vcpu_on(0), true, 3);
	bh_traps_count(vcpu_on(0), false, 24);
	bh_traps_log(&bh_capsules[0]);
	out = take_output();
	CHECK(strstr(out, "capsule alpha vcpu 0 hart 0 traps: m-soft 1 load-access 2 ecall-s 1 exc24 1\r\n"));
	CHECK(strstr(out, "capsule alpha vcpu 1 hart 1 traps: none\r\n"));
}
