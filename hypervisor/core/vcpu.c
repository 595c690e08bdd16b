// SPDX-License-Identifier: MIT
/* A vCPU's own transitions: park, enter, and what to do after a trap. */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/isolation.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/platform.h"

void bh_vcpu_enter(struct bh_hart_state *hs, uint64_t pc, uint64_t arg)
{
	hs->leave = BH_LEAVE_NONE;
	hs->stop_pending = 0;
	hs->forwarded.valid = 0;
	bh_debug("capsule %s: vcpu %u enters %#lx on hart %u",
		 bh_capsule_of(hs)->name, hs->vcpu, (unsigned long)pc, hs->hart);
	bh_isolation_enter(bh_capsule_of(hs));
	/* Debug only: a guest looping on hart start/stop would flood the log. */
	bh_debug("hart %u pmp %016llx: capsule %s vcpu %u enters", hs->hart,
		(unsigned long long)bh_isolation_digest(),
		bh_capsule_of(hs)->name, hs->vcpu);
	bh_arch_enter_guest(hs, pc, hs->vcpu, arg);
}

/* Under the capsule lock: leave the parked loop if this vCPU may start. */
static bool take_start(struct bh_hart_state *hs, uint64_t *pc, uint64_t *arg)
{
	struct bh_capsule_state *cs = &bh_capsule_states[hs->capsule];
	bool start;

	bh_lock(&cs->lock);
	start = hs->hsm_state == BH_HSM_START_PENDING &&
		cs->run == BH_CAPSULE_RUNNING;
	if (start) {
		hs->hsm_state = BH_HSM_STARTED;
		*pc = hs->start_addr;
		*arg = hs->start_arg;
		WRITE_ONCE(hs->parked, 0);
	}
	bh_unlock(&cs->lock);
	return start;
}

void bh_vcpu_park(struct bh_hart_state *hs)
{
	uint64_t pc, arg;

	bh_debug("capsule %s: vcpu %u parked on hart %u",
		 bh_capsule_of(hs)->name, hs->vcpu, hs->hart);
	bh_arch_vcpu_quiesce();
	bh_capsule_vcpu_parks(hs);
	for (;;) {
		hs->stop_pending = 0;	/* already stopped */
		if (take_start(hs, &pc, &arg))
			bh_vcpu_enter(hs, pc, arg);
		bh_arch_wait();
		bh_mailbox_service(hs);
	}
}

void bh_vcpu_leave(struct bh_hart_state *hs)
{
	const struct bh_capsule *c = bh_capsule_of(hs);

	/* Still the capsule's PMP state: what its SBI calls left behind. */
	if (hs->stop_pending || (hs->leave != BH_LEAVE_NONE &&
				 hs->leave != BH_LEAVE_SUSPEND))
		bh_debug("hart %u pmp %016llx: capsule %s vcpu %u leaves",
			hs->hart, (unsigned long long)bh_isolation_digest(),
			c->name, hs->vcpu);
	if (hs->stop_pending)
		bh_vcpu_park(hs);
	switch (hs->leave) {
	case BH_LEAVE_HART_STOP:
		bh_vcpu_park(hs);
	case BH_LEAVE_SUSPEND:
		bh_vcpu_enter(hs, hs->start_addr, hs->start_arg);
	case BH_LEAVE_SHUTDOWN:
		bh_capsule_stop(hs, c->on_poweroff, "powered off");
	case BH_LEAVE_REBOOT:
		bh_capsule_stop(hs, c->on_reboot, "rebooted");
	case BH_LEAVE_SYSTEM_OFF:
		bh_info("capsule %s powers the system off", c->name);
		bh_capsule_power_off_board(hs);
	case BH_LEAVE_PANIC:
		bh_capsule_panicked(hs);
	case BH_LEAVE_SYSTEM_RESET:
		bh_info("capsule %s resets the system", c->name);
		bh_system_reset();
	}
	bh_panic("unknown leave request %u", hs->leave);
}
