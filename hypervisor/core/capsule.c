// SPDX-License-Identifier: MIT
/*
 * Capsule lifecycle: stopping all of a capsule's vCPUs, then halting it or
 * restarting it from the pristine store, and powering the board off when no
 * capsule is left running.
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/console.h"
#include "bulkhead/lib.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/platform.h"
#include "bulkhead/sbi.h"
#include "bulkhead/time_of_day.h"
#include "bulkhead/traps.h"
#include "bulkhead/vplic.h"

struct bh_capsule_state bh_capsule_states[BH_CAPSULE_COUNT];

/* Take the capsule from RUNNING to STOPPING; false if another hart did. */
static bool claim(struct bh_capsule_state *cs)
{
	bool won;

	bh_lock(&cs->lock);
	won = cs->run == BH_CAPSULE_RUNNING;
	if (won)
		cs->run = BH_CAPSULE_STOPPING;
	bh_unlock(&cs->lock);
	return won;
}

/* Send STOP to every other vCPU and wait until each is parked. */
static void stop_other_vcpus(struct bh_vcpu *vc)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	uint32_t v;

	for (v = 0; v < c->vcpu_count; v++) {
		if (bh_vcpu_of(c, v) != vc)
			bh_mailbox_post(bh_vcpu_of(c, v), BH_MSG_STOP);
	}
	for (v = 0; v < c->vcpu_count; v++) {
		struct bh_vcpu *other = bh_vcpu_of(c, v);

		while (other != vc && !READ_ONCE(other->parked)) {
			/* Others may wait for our fences before they park. */
			bh_mailbox_service(bh_hart_of(vc));
			vc->stop_pending = 0;
		}
	}
}

static bool has_pristine_copy(const struct bh_capsule *c)
{
	uint32_t i;

	for (i = 0; i < c->payload_count; i++) {
		if (!c->payloads[i].pristine)
			return false;
	}
	return true;
}

void bh_capsule_fill(const struct bh_capsule *c)
{
	uint32_t i;

	for (i = 0; i < c->payload_count; i++) {
		const struct bh_payload *p = &c->payloads[i];

		if (p->pristine)
			memcpy(bh_arch_phys(p->load_addr),
			       bh_arch_phys(p->pristine), p->size);
	}
}

static void reload(const struct bh_capsule *c)
{
	memset(bh_arch_phys(c->memory.base), 0, c->memory.size);
	bh_capsule_fill(c);
}

static bool all_capsules_off(void)
{
	uint32_t i;

	for (i = 0; i < BH_CAPSULE_COUNT; i++) {
		if (READ_ONCE(bh_capsule_states[i].run) != BH_CAPSULE_OFF)
			return false;
	}
	return true;
}

static bool ended_uncleanly(const struct bh_capsule_state *cs)
{
	uint32_t end;

	/* Acquire: end was written before run = OFF. */
	if (__atomic_load_n(&cs->run, __ATOMIC_ACQUIRE) != BH_CAPSULE_OFF)
		return false;
	end = READ_ONCE(cs->end);
	return end == BH_END_FAILED || end == BH_END_HALTED;
}

static uint32_t unclean_endings(void)
{
	uint32_t i, n = 0;

	for (i = 0; i < BH_CAPSULE_COUNT; i++)
		n += ended_uncleanly(&bh_capsule_states[i]);
	return n;
}

/*
 * The board powers off; QEMU's exit status (through a sifive,test) tells a
 * CI run whether every capsule that ended ended cleanly. A board that can
 * only reset exits 0 either way: then this log line tells.
 */
static void __noreturn power_off_board(uint32_t unclean)
{
	if (!unclean) {
		bh_info("powering off: every capsule ended cleanly");
		bh_poweroff();
	}
	bh_err("powering off: %u capsule%s ended uncleanly, exit status %u",
	       unclean, unclean == 1 ? "" : "s", BH_EXIT_CAPSULE_UNCLEAN);
	bh_poweroff_fail(BH_EXIT_CAPSULE_UNCLEAN);
}

/* An SRST shutdown or reboot that gave a reason other than "no reason". */
static bool srst_failed(const struct bh_vcpu *vc)
{
	return (vc->leave == BH_LEAVE_SHUTDOWN || vc->leave == BH_LEAVE_REBOOT ||
		vc->leave == BH_LEAVE_SYSTEM_OFF) &&
	       vc->srst_reason != SBI_SRST_REASON_NONE;
}

void bh_capsule_power_off_board(struct bh_vcpu *vc)
{
	power_off_board(unclean_endings() + (srst_failed(vc) ? 1 : 0));
}

/* Every vCPU is parked: set their states, start vCPU 0 if restarting. */
static void finish(struct bh_vcpu *vc, bool restart,
		   enum bh_capsule_end end)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];
	struct bh_vcpu *first = bh_vcpu_of(c, 0);
	uint32_t v;

	/* Parked vCPUs claim nothing more: complete what they left claimed. */
	bh_vplic_reset_capsule(c);
	if (!restart)
		bh_traps_log(c);
	if (restart) {
		reload(c);
		bh_time_of_day_write(c);
		bh_vuart_reset(&cs->vuart);
		bh_console_reset((uint32_t)vc->capsule);
	}
	bh_lock(&cs->lock);
	for (v = 0; v < c->vcpu_count; v++)
		bh_vcpu_of(c, v)->hsm_state = BH_HSM_STOPPED;
	if (restart) {
		first->start_addr = c->entry;
		first->start_arg = c->dtb;
		first->hsm_state = BH_HSM_START_PENDING;
	}
	cs->end = restart ? BH_END_NONE : end;
	cs->run = restart ? BH_CAPSULE_RUNNING : BH_CAPSULE_OFF;
	bh_unlock(&cs->lock);
	if (restart) {
		if (first != vc)
			bh_mailbox_post(first, BH_MSG_START);
		return;
	}
	bh_console_capsule_ended((uint32_t)vc->capsule);
	if (all_capsules_off()) {
		bh_info("all capsules are off");
		power_off_board(unclean_endings());
	}
}

void bh_capsule_stop(struct bh_vcpu *vc, enum bh_policy then,
		     const char *why)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	bool restart = then == BH_POLICY_RESTART;

	if (!claim(&bh_capsule_states[vc->capsule]))
		bh_vcpu_park(vc);
	if (restart && !has_pristine_copy(c)) {
		bh_warn("capsule %s has no pristine copy to restart from", c->name);
		restart = false;
	}
	bh_info("capsule %s %s; %s", c->name, why,
		restart ? "restarting" : "halted");
	stop_other_vcpus(vc);
	finish(vc, restart, srst_failed(vc) ? BH_END_FAILED : BH_END_CLEAN);
	bh_vcpu_park(vc);
}

/* Under the capsule lock: STARTED, START_PENDING, STOP_PENDING, SUSPENDED. */
static bool any_vcpu_alive(const struct bh_capsule *c)
{
	uint32_t v;

	for (v = 0; v < c->vcpu_count; v++) {
		if (bh_vcpu_of(c, v)->hsm_state != BH_HSM_STOPPED)
			return true;
	}
	return false;
}

void bh_capsule_vcpu_parks(struct bh_vcpu *vc)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];
	bool last, restart;

	bh_lock(&cs->lock);
	if (vc->hsm_state != BH_HSM_START_PENDING)
		vc->hsm_state = BH_HSM_STOPPED;
	vc->leave = BH_LEAVE_NONE;
	WRITE_ONCE(vc->parked, 1);
	/*
	 * Decided and claimed in one critical section: of vCPUs stopping at
	 * once exactly one sees the others STOPPED, and none of those can be
	 * started any more (only a running vCPU could start it).
	 */
	last = cs->run == BH_CAPSULE_RUNNING && !any_vcpu_alive(c);
	if (last)
		cs->run = BH_CAPSULE_STOPPING;
	bh_unlock(&cs->lock);
	if (!last)
		return;
	restart = c->on_poweroff == BH_POLICY_RESTART && has_pristine_copy(c);
	bh_info("capsule %s stopped all its vCPUs; %s", c->name,
		restart ? "restarting" : "halted");
	/* Every other vCPU is STOPPED: none runs guest code to stop first. */
	finish(vc, restart, BH_END_CLEAN);
}

/* Stop the capsule by its on_fault policy; what names what went wrong. */
static void __noreturn apply_on_fault(struct bh_vcpu *vc,
				      const char *what)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];
	bool restart;

	if (!claim(cs))
		bh_vcpu_park(vc);
	restart = c->on_fault == BH_POLICY_RESTART &&
		  cs->restarts < c->restart_limit && has_pristine_copy(c);
	if (restart)
		cs->restarts++;
	bh_err("capsule %s %s; %s", c->name, what,
	       restart ? "restarting" : "halted");
	if (restart)
		bh_info("capsule %s: restart %u of %u", c->name, cs->restarts,
			c->restart_limit);
	stop_other_vcpus(vc);
	finish(vc, restart, BH_END_HALTED);
	bh_vcpu_park(vc);
}

void bh_capsule_fault(struct bh_vcpu *vc, uint64_t cause, uint64_t epc,
		      uint64_t tval, const char *why)
{
	char what[160];

	bh_snprintf(what, sizeof(what),
		    "faulted: cause %#lx epc %#lx tval %#lx (%s)",
		    (unsigned long)cause, (unsigned long)epc,
		    (unsigned long)tval, why);
	apply_on_fault(vc, what);
}

void bh_capsule_panicked(struct bh_vcpu *vc)
{
	apply_on_fault(vc, "panicked (its guest's SBI warm reboot means a panic)");
}
