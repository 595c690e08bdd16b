// SPDX-License-Identifier: MIT
/* A vCPU's own transitions: park, enter, and what to do after a trap. */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/isolation.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/platform.h"
#include "bulkhead/vplic.h"

void bh_vcpu_enter(struct bh_vcpu *vc, uint64_t pc, uint64_t arg)
{
	const struct bh_capsule *c = bh_capsule_of(vc);

	vc->leave = BH_LEAVE_NONE;
	vc->stop_pending = 0;
	vc->forwarded.valid = 0;
	bh_debug("capsule %s: vcpu %u enters %#lx on hart %u",
		 c->name, vc->vcpu, (unsigned long)pc, vc->hart);
	bh_isolation_enter(c, vc->vcpu);
	bh_vplic_enter(c->plic_contexts[vc->vcpu]);
	/* Debug only: a guest looping on hart start/stop would flood the log. */
	bh_debug("hart %u pmp %016llx: capsule %s vcpu %u enters", vc->hart,
		(unsigned long long)bh_isolation_digest(), c->name, vc->vcpu);
	bh_arch_enter_guest(vc, pc, vc->vcpu, arg);
}

void bh_vcpu_park(struct bh_vcpu *vc)
{
	bh_debug("capsule %s: vcpu %u parked on hart %u",
		 bh_capsule_of(vc)->name, vc->vcpu, vc->hart);
	bh_arch_vcpu_quiesce();
	bh_capsule_vcpu_parks(vc);
	bh_hart_run(bh_hart_of(vc));
}

void bh_vcpu_leave(struct bh_vcpu *vc)
{
	const struct bh_capsule *c = bh_capsule_of(vc);

	/* Still the capsule's PMP state: what its SBI calls left behind. */
	if (vc->stop_pending || (vc->leave != BH_LEAVE_NONE &&
				 vc->leave != BH_LEAVE_SUSPEND))
		bh_debug("hart %u pmp %016llx: capsule %s vcpu %u leaves",
			vc->hart, (unsigned long long)bh_isolation_digest(),
			c->name, vc->vcpu);
	if (vc->stop_pending)
		bh_vcpu_park(vc);
	switch (vc->leave) {
	case BH_LEAVE_HART_STOP:
		bh_vcpu_park(vc);
	case BH_LEAVE_SUSPEND:
		vc->leave = BH_LEAVE_NONE;
		bh_hart_run(bh_hart_of(vc));
	case BH_LEAVE_SHUTDOWN:
		bh_capsule_stop(vc, c->on_poweroff, "powered off");
	case BH_LEAVE_REBOOT:
		bh_capsule_stop(vc, c->on_reboot, "rebooted");
	case BH_LEAVE_SYSTEM_OFF:
		bh_info("capsule %s powers the system off", c->name);
		bh_capsule_power_off_board(vc);
	case BH_LEAVE_PANIC:
		bh_capsule_panicked(vc);
	case BH_LEAVE_SYSTEM_RESET:
		bh_info("capsule %s resets the system", c->name);
		bh_system_reset();
	}
	bh_panic("unknown leave request %u", vc->leave);
}
