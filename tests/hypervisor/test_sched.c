// SPDX-License-Identifier: MIT
/*
 * The scheduler of shared harts: where a time falls in a window table,
 * and the switch state machine (what is saved, restored, flushed and
 * delivered at each boundary), on fixture hart 3 shared by alpha's vCPU 1
 * and beta's vCPU 0 for these tests (the state machine reads only the
 * vCPUs' own tables; whether they name hart 3 is the boot check's job).
 */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/plic.h"
#include "bulkhead/sched.h"
#include "bulkhead/vplic.h"
#include "fake.h"
#include "runner.h"

#define EPOCH	100000

/* Frame 2500: alpha vCPU 1 [0, 1000), beta [1000, 2000), idle [2000, 2500). */
static const struct bh_window windows[] = {
	{ .start = 0, .length = 1000, .capsule = 0, .vcpu = 1 },
	{ .start = 1000, .length = 1000, .capsule = 1, .vcpu = 0 },
};
static const struct bh_schedule schedule = {
	.frame = 2500, .windows = windows, .window_count = 2,
};

static struct bh_hart_state *shared_hart(void)
{
	struct bh_hart_state *h = hart_state(3);

	h->schedule = &schedule;
	h->current = NULL;
	h->window = -1;
	h->window_end = 0;
	bh_sched_epoch = EPOCH;
	fake.hart = 3;
	return h;
}

static void at(struct bh_hart_state *h, uint64_t t)
{
	fake.time = t;
	bh_sched_follow(h, t);
}

static struct bh_vcpu *alpha1(void)
{
	return vcpu_on(1);
}

static struct bh_vcpu *beta0(void)
{
	return vcpu_on(2);
}

TEST(a_time_falls_in_a_window_or_idle_time)
{
	struct bh_sched_slot s;

	s = bh_sched_at(&schedule, EPOCH, EPOCH - 1);
	CHECK(s.window == -1 && s.end == EPOCH);	/* before frame 0 */
	s = bh_sched_at(&schedule, EPOCH, EPOCH);
	CHECK(s.window == 0 && s.end == EPOCH + 1000);
	s = bh_sched_at(&schedule, EPOCH, EPOCH + 999);
	CHECK(s.window == 0 && s.end == EPOCH + 1000);
	s = bh_sched_at(&schedule, EPOCH, EPOCH + 1000);
	CHECK(s.window == 1 && s.end == EPOCH + 2000);
	s = bh_sched_at(&schedule, EPOCH, EPOCH + 2000);
	CHECK(s.window == -1 && s.end == EPOCH + 2500);	/* idle to the frame's end */
	s = bh_sched_at(&schedule, EPOCH, EPOCH + 7 * 2500 + 1500);
	CHECK(s.window == 1 && s.end == EPOCH + 7 * 2500 + 2000);
}

TEST(a_gap_before_a_window_is_idle_time)
{
	static const struct bh_window late[] = {
		{ .start = 300, .length = 200, .capsule = 0, .vcpu = 1 },
	};
	static const struct bh_schedule s = {
		.frame = 1000, .windows = late, .window_count = 1,
	};
	struct bh_sched_slot slot = bh_sched_at(&s, 0, 5100);

	CHECK(slot.window == -1 && slot.end == 5300);
	slot = bh_sched_at(&s, 0, 5499);
	CHECK(slot.window == 0 && slot.end == 5500);
}

TEST(the_first_window_gives_the_hart_to_its_capsule)
{
	struct bh_hart_state *h = shared_hart();

	at(h, EPOCH + 10);
	CHECK(h->current == alpha1() && h->window == 0);
	CHECK(h->window_end == EPOCH + 1000 && fake.hyp_timer[3] == EPOCH + 1000);
	CHECK(fake.isolation[3] == 0);	/* alpha's PMP */
	CHECK(fake.restores[3] == 1 && fake.saves[3] == 0);
	CHECK(fake.flushes[3] == 1);
	/* Inside the window nothing changes. */
	at(h, EPOCH + 999);
	CHECK(fake.restores[3] == 1 && fake.flushes[3] == 1);
}

TEST(a_switch_saves_the_outgoing_and_restores_the_incoming_vcpu)
{
	struct bh_hart_state *h = shared_hart();

	at(h, EPOCH);
	fake.context[3].satp = 0x8000000000012345UL;	/* alpha's guest runs */
	fake.context[3].fregs[7] = 42;
	at(h, EPOCH + 1000);
	CHECK(h->current == beta0() && h->window == 1);
	CHECK(alpha1()->context.satp == 0x8000000000012345UL);
	CHECK(alpha1()->context.fregs[7] == 42);
	CHECK(fake.context[3].satp == 0 && fake.context[3].fregs[7] == 0);
	CHECK(fake.isolation[3] == 1 && fake.flushes[3] == 2);
	fake.context[3].satp = 0x8000000000099999UL;	/* beta's */
	at(h, EPOCH + 2500);	/* the next frame: alpha again */
	CHECK(h->current == alpha1());
	CHECK(fake.context[3].satp == 0x8000000000012345UL);
	CHECK(beta0()->context.satp == 0x8000000000099999UL);
	CHECK(fake.isolation[3] == 0 && fake.flushes[3] == 3);
}

TEST(idle_time_leaves_no_capsule_on_the_hart)
{
	struct bh_hart_state *h = shared_hart();

	at(h, EPOCH + 1500);
	at(h, EPOCH + 2100);
	CHECK(h->current == NULL && h->window == -1);
	CHECK(fake.isolation[3] == -1 && fake.quiesces[3] == 1);
	CHECK(fake.hyp_timer[3] == EPOCH + 2500);
}

TEST(a_late_timer_catches_up_to_the_window_now)
{
	struct bh_hart_state *h = shared_hart();

	at(h, EPOCH);
	at(h, EPOCH + 3 * 2500 + 1200);	/* three frames late: beta's window */
	CHECK(h->current == beta0() && h->window_end == EPOCH + 3 * 2500 + 2000);
}

TEST(an_ipi_to_a_descheduled_vcpu_waits_for_its_window)
{
	struct bh_hart_state *h = shared_hart();

	alpha1()->hsm_state = BH_HSM_STARTED;
	at(h, EPOCH + 1000);	/* beta's window */
	bh_mailbox_post(alpha1(), BH_MSG_SSIP);
	CHECK(fake.ipis[0] == alpha1()->hart);
	bh_mailbox_service(h);
	CHECK(alpha1()->mailbox == BH_MSG_SSIP && fake.ssip[3] == 0);
	at(h, EPOCH + 2500);	/* alpha's */
	CHECK(alpha1()->mailbox == 0 && fake.ssip[3] == 1);
}

TEST(a_fence_for_a_descheduled_vcpu_is_done_by_the_switch_flush)
{
	struct bh_hart_state *h = shared_hart();
	static const struct bh_fence page = { .vma = true, .start = 0x1000,
					      .size = 4096 };

	at(h, EPOCH + 1000);	/* beta's window */
	fake.autoservice = true;
	fake.hart = 0;		/* alpha's vCPU 0 asks */
	bh_remote_fence(vcpu_on(0), 1ULL << 1, &page);
	CHECK(alpha1()->fence_done == alpha1()->fence_req);
	CHECK(fake.sfence[3] == 0);	/* not fenced: flushed before it runs */
	CHECK(!alpha1()->fence_pending.vma);
	fake.hart = 3;
	at(h, EPOCH + 2500);
	CHECK(fake.flushes[3] == 2);	/* into beta's window, into alpha's */
}

TEST(a_stop_parks_a_descheduled_vcpu_where_it_is)
{
	struct bh_hart_state *h = shared_hart();

	alpha1()->hsm_state = BH_HSM_STARTED;
	alpha1()->parked = 0;
	at(h, EPOCH);
	at(h, EPOCH + 1000);	/* alpha1 descheduled mid-work */
	alpha1()->context.timer = 12345;
	bh_capsule_states[0].run = BH_CAPSULE_STOPPING;
	bh_mailbox_post(alpha1(), BH_MSG_STOP);
	bh_mailbox_service(h);
	CHECK(alpha1()->parked && alpha1()->hsm_state == BH_HSM_STOPPED);
	CHECK(!(alpha1()->mailbox & BH_MSG_STOP) && !alpha1()->stop_pending);
	CHECK(alpha1()->context.timer == ~0UL);	/* comes back quiet */
	CHECK(h->current == beta0());
}

TEST(the_hart_loop_starts_resumes_or_idles_the_window_vcpu)
{
	struct bh_hart_state *h = shared_hart();

	fake.time = EPOCH + 10;
	alpha1()->parked = 1;
	alpha1()->hsm_state = BH_HSM_START_PENDING;
	alpha1()->start_addr = ALPHA_BASE + 0x40;
	CHECK(run_hart(3) == FAKE_ENTERED && fake.ran == alpha1());
	CHECK(fake.enter_pc == ALPHA_BASE + 0x40);
	/* Beta was running when its last window ended: it resumes. */
	beta0()->parked = 0;
	beta0()->hsm_state = BH_HSM_STARTED;
	fake.time = EPOCH + 1000;
	CHECK(run_hart(3) == FAKE_RESUMED && fake.ran == beta0());
	CHECK(h->current == beta0());
	/* A suspended vCPU with nothing pending idles its window. */
	beta0()->hsm_state = BH_HSM_SUSPENDED;
	fake.stop_waiting = true;
	CHECK(run_hart(3) == FAKE_WAITED && h->current == beta0());
	/* Idle time: nobody runs. */
	fake.time = EPOCH + 2200;
	CHECK(run_hart(3) == FAKE_WAITED && h->current == NULL);
}

TEST(a_switch_moves_plic_enables_and_threshold_with_the_capsule)
{
	uint32_t beta_bit = 1U << BETA_SOURCE, alpha_bit = 1U << ALPHA_SOURCE;
	struct bh_vcpu *vc = alpha1();

	/* Context 3 with alpha's and (as if shared) beta's bits. */
	*plic_reg(bh_plic_enable(3, 0)) = alpha_bit | beta_bit;
	fake.plic_threshold[3] = 2;
	bh_vplic_save(vc);
	CHECK(vc->plic_enables[0] == alpha_bit && vc->plic_threshold == 2);
	CHECK(vc->plic_saved);
	CHECK(*plic_reg(bh_plic_enable(3, 0)) == beta_bit);
	fake.plic_threshold[3] = 5;
	bh_vplic_restore(vc);
	CHECK(*plic_reg(bh_plic_enable(3, 0)) == (alpha_bit | beta_bit));
	CHECK(fake.plic_threshold[3] == 2 && !vc->plic_saved);
	CHECK(!fake.plic_stray);
}

/* Alpha's emulated access to context 3's enable word 0 (~0: refused). */
static uint32_t alpha_enable_access(bool store, uint32_t value)
{
	if (!bh_vplic_access(&bh_capsules[0], bh_plic_enable(3, 0), store, &value))
		return ~0U;
	return value;
}

TEST(enables_written_outside_the_window_wait_in_the_saved_copy)
{
	uint32_t beta_bit = 1U << BETA_SOURCE, alpha_bit = 1U << ALPHA_SOURCE;
	struct bh_vcpu *vc = alpha1();

	*plic_reg(bh_plic_enable(3, 0)) = beta_bit;	/* beta's window */
	vc->plic_saved = 1;
	vc->plic_enables[0] = 0;
	/* Alpha's vCPU 0, on its own hart, enables a source for vCPU 1. */
	CHECK(alpha_enable_access(true, alpha_bit | beta_bit) != ~0U);
	CHECK(*plic_reg(bh_plic_enable(3, 0)) == beta_bit);
	CHECK(vc->plic_enables[0] == alpha_bit);
	CHECK(alpha_enable_access(false, 0) == alpha_bit);
	bh_vplic_restore(vc);
	CHECK(*plic_reg(bh_plic_enable(3, 0)) == (alpha_bit | beta_bit));
	/* In its window the live register is the one. */
	alpha_enable_access(true, 0);
	CHECK(*plic_reg(bh_plic_enable(3, 0)) == beta_bit);
	CHECK(alpha_enable_access(false, 0) == 0);
}
