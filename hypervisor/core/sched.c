// SPDX-License-Identifier: MIT
/*
 * The scheduler: shared harts follow their window tables. A switch saves
 * what the outgoing vCPU holds in the hart (its registers are in its trap
 * frame already), gives the hart to the incoming capsule (PMP, its PLIC
 * enables and threshold in the hart's supervisor context), drops every
 * cached translation, restores the incoming vCPU's state and delivers what
 * was kept for it. docs/design.md, "Scheduler", says why each step.
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/isolation.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sched.h"
#include "bulkhead/vplic.h"

uint64_t bh_sched_epoch;

struct bh_sched_slot bh_sched_at(const struct bh_schedule *s, uint64_t epoch,
				 uint64_t t)
{
	uint64_t frame_start, offset;
	uint32_t i;

	if (t < epoch)
		return (struct bh_sched_slot){ -1, epoch };
	offset = (t - epoch) % s->frame;
	frame_start = t - offset;
	for (i = 0; i < s->window_count; i++) {
		const struct bh_window *w = &s->windows[i];

		if (offset < w->start)
			return (struct bh_sched_slot){ -1, frame_start + w->start };
		if (offset < w->start + w->length)
			return (struct bh_sched_slot){
				(int32_t)i, frame_start + w->start + w->length };
	}
	return (struct bh_sched_slot){ -1, frame_start + s->frame };
}

struct bh_vcpu *bh_sched_window_vcpu(const struct bh_window *w)
{
	return bh_vcpu_of(&bh_capsules[w->capsule], w->vcpu);
}

static void switch_out(struct bh_vcpu *out)
{
	bh_arch_context_save(&out->context);
	bh_vplic_save(out);
}

static void switch_in(struct bh_vcpu *in)
{
	bh_isolation_enter(bh_capsule_of(in), in->vcpu);
	bh_vplic_restore(in);
	bh_arch_context_restore(&in->context);
}

static void switch_to(struct bh_hart_state *h, struct bh_vcpu *in)
{
	struct bh_vcpu *out = h->current;

	if (out == in)
		return;
	if (out)
		switch_out(out);
	h->current = in;
	if (in) {
		switch_in(in);
	} else {
		bh_isolation_hart_init();
		bh_arch_vcpu_quiesce();
	}
	/* Capsules choose their ASIDs: none may meet another's entries. */
	bh_arch_flush_all();
	if (in)
		bh_mailbox_serve_vcpu(in);
}

/* Whole in the image: make bench's switch count finds switches by it. */
__noinline void bh_sched_follow(struct bh_hart_state *h, uint64_t now)
{
	struct bh_sched_slot slot;

	if (now < h->window_end)
		return;
	/* Again when the switch itself outlasted the window it began. */
	while (now >= h->window_end) {
		slot = bh_sched_at(h->schedule, bh_sched_epoch, now);
		switch_to(h, slot.window < 0 ? NULL : bh_sched_window_vcpu(
				  &h->schedule->windows[slot.window]));
		h->window = slot.window;
		h->window_end = slot.end;
		now = bh_arch_time();
	}
	bh_arch_set_hyp_timer(h->window_end);
}

/* A descheduled vCPU of a stopping capsule parks without running again. */
static void park_descheduled(struct bh_vcpu *vc)
{
	bh_arch_context_reset(&vc->context);
	bh_vplic_reset_saved(vc);
	vc->stop_pending = 0;
	vc->leave = BH_LEAVE_NONE;
	bh_capsule_vcpu_parks(vc);
}

void bh_sched_serve_descheduled(struct bh_hart_state *h)
{
	uint32_t i;

	for (i = 0; i < h->schedule->window_count; i++) {
		struct bh_vcpu *vc = bh_sched_window_vcpu(&h->schedule->windows[i]);

		if (vc == h->current)
			continue;
		bh_mailbox_fences_covered(vc);
		if (bh_mailbox_take(vc, BH_MSG_STOP) && !READ_ONCE(vc->parked))
			park_descheduled(vc);
	}
}

void bh_sched_tick(struct bh_vcpu *vc)
{
	struct bh_hart_state *h = bh_hart_of(vc);

	if (h->schedule)
		bh_hart_run(h);
}
