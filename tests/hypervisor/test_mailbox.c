// SPDX-License-Identifier: MIT
/* Cross-hart requests: mailbox bits, counted fences, stop while waiting. */
#include "bulkhead/capsule.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"
#include "fake.h"
#include "runner.h"

TEST(posting_sets_the_bit_and_raises_msip)
{
	vcpu_on(1)->hsm_state = BH_HSM_START_PENDING;
	bh_mailbox_post(vcpu_on(1), BH_MSG_SSIP);
	bh_mailbox_post(vcpu_on(1), BH_MSG_START);
	CHECK(vcpu_on(1)->mailbox == (BH_MSG_SSIP | BH_MSG_START));
	CHECK(fake.ipi_count == 2 && fake.ipis[0] == 1 && fake.ipis[1] == 1);
	fake.hart = 1;
	bh_mailbox_service(hart_state(1));
	CHECK(vcpu_on(1)->mailbox == 0);
	CHECK(fake.ssip[1] == 1);
}

TEST(an_ipi_to_a_stopped_vcpu_is_dropped)
{
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_STOPPED);
	bh_mailbox_post(vcpu_on(1), BH_MSG_SSIP);
	fake.hart = 1;
	bh_mailbox_service(hart_state(1));
	CHECK(vcpu_on(1)->mailbox == 0);
	CHECK(fake.ssip[1] == 0);
}

TEST(a_stop_message_is_remembered_until_acted_on)
{
	bh_mailbox_post(vcpu_on(0), BH_MSG_STOP);
	bh_mailbox_service(hart_state(0));
	CHECK(vcpu_on(0)->stop_pending == 1);
	CHECK(fake.ssip[0] == 0);
}

static const struct bh_fence all_vma = { .vma = true, .vma_all = true };

TEST(fences_are_counted_so_the_sender_knows_they_ran)
{
	fake.autoservice = true;
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &all_vma);
	CHECK(vcpu_on(1)->fence_req == 1 && vcpu_on(1)->fence_done == 1);
	CHECK(fake.sfence[1] == 1);
	CHECK(fake.sfence[0] == 0);	/* the caller was not named */
	CHECK(fake.sfence[2] == 0 && vcpu_on(2)->fence_req == 0);	/* nor beta */
	bh_remote_fence(vcpu_on(0), 1ULL << 0 | 1ULL << 1, &all_vma);
	CHECK(fake.sfence[0] == 1 && fake.sfence[1] == 2);
	CHECK(vcpu_on(1)->fence_req == 2 && vcpu_on(1)->fence_done == 2);
	/* Served with nothing asked: no fence. */
	fake.hart = 1;
	bh_mailbox_service(hart_state(1));
	CHECK(fake.sfence[1] == 2);
}

TEST(a_range_reaches_the_target_as_asked)
{
	struct bh_fence page = { .vma = true, .asid_only = true, .asid = 7,
				 .start = 0x40201000, .size = 4096 };

	fake.autoservice = true;
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &page);
	CHECK(fake.last_fence[1].vma && !fake.last_fence[1].vma_all);
	CHECK(fake.last_fence[1].asid_only && fake.last_fence[1].asid == 7);
	CHECK(fake.last_fence[1].start == 0x40201000 &&
	      fake.last_fence[1].size == 4096);
	CHECK(!fake.last_fence[1].fence_i);
	/* Served: nothing is left pending. */
	CHECK(!vcpu_on(1)->fence_pending.vma && !vcpu_on(1)->fence_pending.fence_i);
}

TEST(two_fences_before_the_target_serves_are_merged_wider)
{
	struct bh_fence a = { .vma = true, .start = 0x1000, .size = 4096 };
	struct bh_fence b = { .vma = true, .start = 0x5000, .size = 4096 };
	struct bh_fence i = { .fence_i = true };

	/* Hart 1 does not answer yet: three requests pile up. */
	bh_mailbox_post(vcpu_on(0), BH_MSG_STOP);	/* so the callers stop waiting */
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &a);
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &a);
	CHECK(vcpu_on(1)->fence_pending.start == 0x1000 &&
	      !vcpu_on(1)->fence_pending.vma_all);	/* the same range: kept */
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &b);
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &i);
	CHECK(vcpu_on(1)->fence_req == 4 && vcpu_on(1)->fence_done == 0);
	fake.hart = 1;
	bh_mailbox_service(hart_state(1));
	/* One fence covered all four: fence.i and every translation. */
	CHECK(fake.sfence[1] == 1 && fake.fence_i[1] == 1);
	CHECK(fake.last_fence[1].vma_all && !fake.last_fence[1].asid_only);
	CHECK(vcpu_on(1)->fence_done == 4);
}

TEST(a_hart_waiting_for_fences_gives_up_when_its_capsule_stops)
{
	/* Hart 1 never answers; a STOP for hart 0 is already waiting. */
	bh_mailbox_post(vcpu_on(0), BH_MSG_STOP);
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &all_vma);
	CHECK(vcpu_on(0)->stop_pending == 1);
	CHECK(vcpu_on(1)->fence_req == 1 && vcpu_on(1)->fence_done == 0);
}

TEST(legacy_putchar_prints_through_the_console)
{
	struct bh_vcpu *vc = vcpu_on(2);
	const char *s = "ok\n";

	fake.hart = 2;
	for (; *s; s++) {
		vc->frame.regs[BH_REG_A7] = SBI_EXT_LEGACY_PUTCHAR;
		vc->frame.regs[BH_REG_A0] = (uint8_t)*s;
		bh_sbi_dispatch(vc);
		CHECK(vc->frame.regs[BH_REG_A0] == 0);
	}
	CHECK(!__builtin_strcmp(take_output(), "[beta] ok\r\n"));
}
