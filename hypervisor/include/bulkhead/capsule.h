/* SPDX-License-Identifier: MIT */
/* Run-time state of capsules and their lifecycle (start, stop, restart). */
#ifndef BULKHEAD_CAPSULE_H
#define BULKHEAD_CAPSULE_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/compiler.h"
#include "bulkhead/hart.h"
#include "bulkhead/vcpu.h"
#include "bulkhead/lock.h"
#include "bulkhead/tables.h"
#include "bulkhead/vuart.h"

enum bh_capsule_run {
	BH_CAPSULE_RUNNING = 0,
	BH_CAPSULE_STOPPING,	/* one hart is stopping all its vCPUs */
	BH_CAPSULE_OFF,
};

/* How a capsule that is off got there (docs/design.md, "Exit status"). */
enum bh_capsule_end {
	BH_END_NONE = 0,	/* not off */
	BH_END_CLEAN,		/* SRST with reason "no reason", or all harts stopped */
	BH_END_FAILED,		/* SRST with any other reason ("system failure"...) */
	BH_END_HALTED,		/* a capsule fault that on-fault did not restart */
};

/* QEMU's exit status when a capsule ended other than cleanly (panic: 1). */
#define BH_EXIT_CAPSULE_UNCLEAN	3

struct bh_capsule_state {
	struct bh_lock lock;	/* HSM states of its vCPUs, run state */
	uint32_t run;		/* enum bh_capsule_run */
	uint32_t end;		/* enum bh_capsule_end, set before run = OFF */
	uint32_t restarts;	/* restarts made by the on-fault policy */
	struct bh_vuart vuart;
};

extern struct bh_capsule_state bh_capsule_states[BH_CAPSULE_COUNT];

static inline const struct bh_capsule *bh_capsule_of(const struct bh_vcpu *vc)
{
	return &bh_capsules[vc->capsule];
}

static inline struct bh_vcpu *bh_vcpu_of(const struct bh_capsule *c,
					 uint32_t vcpu)
{
	return &bh_vcpus[c->first_vcpu + vcpu];
}

/* True when [base, base + size) lies inside the capsule's memory. */
bool bh_capsule_owns(const struct bh_capsule *c, uint64_t base, uint64_t size);

/* The generated tables, gathered so that a check can be given other ones. */
struct bh_system_tables {
	const struct bh_capsule *capsules;
	uint32_t capsule_count;
	const struct bh_hart *harts;
	uint32_t hart_count;
	uint32_t vcpu_count;		/* vCPU states: first_vcpu counts into them */
	struct bh_region hypervisor;
	const struct bh_region *hypervisor_devices;
	uint32_t hypervisor_device_count;
	struct bh_region plic;		/* size 0: no PLIC */
	const struct bh_plic_context *plic_context_map;
	uint32_t plic_context_count;
	uint32_t plic_source_count;	/* sources 1..plic_source_count exist */
	uint64_t supervisor_harts;	/* bit h: hart h has S-mode */
};

/*
 * Check that the tables agree with themselves (vCPU and hart maps, memory
 * (entry, DTB, time of day, payloads) inside capsules, capsules disjoint
 * from each other and the hypervisor,
 * pristine copies outside every capsule, passthrough devices owned by one
 * capsule and clear of the hypervisor's RAM and devices, a device inside
 * the PLIC window exactly the threshold/claim page of one of the capsule's
 * own contexts, each vCPU's PLIC context the supervisor context of its
 * hart, each PLIC source owned by one capsule at most, every vCPU on a
 * hart with S-mode, PMP entries that
 * reach only the capsule's memory and devices as the hardware reads them).
 * Returns 0, or -1 with the reason in why.
 */
int bh_tables_check(const struct bh_system_tables *t, char *why, size_t len);

/*
 * Prepare capsule, vCPU and hart states at boot (hart 0, before others
 * run); stack_tops[h] is hart h's M-mode stack, which its vCPUs' trap
 * frames name.
 */
void bh_capsules_init(const uint64_t *stack_tops);

/*
 * The first start of capsule c, on its vCPU 0's hart before that vCPU
 * enters: its payloads from the pristine store, then the time of day into
 * its DTB. Each capsule's own hart does it, so capsules fill in parallel
 * and none waits for another's copy.
 */
void bh_capsule_boot(const struct bh_capsule *c);

/*
 * Copy capsule c's payloads that have a pristine copy from the pristine
 * store to their load addresses: at boot (the image holds them only in the
 * store) and at every restart.
 */
void bh_capsule_fill(const struct bh_capsule *c);

/*
 * Stop every vCPU of the caller's capsule, then halt it or restart it from
 * the pristine store. Runs on one of the capsule's harts; never returns.
 */
void bh_capsule_stop(struct bh_vcpu *vc, enum bh_policy then,
		     const char *why) __noreturn;

/* The guest did something it cannot recover from: apply on_fault. */
void bh_capsule_fault(struct bh_vcpu *vc, uint64_t cause, uint64_t epc,
		      uint64_t tval, const char *why) __noreturn;

/* The guest said it panicked (capsule table warm_reboot_is_panic): on_fault. */
void bh_capsule_panicked(struct bh_vcpu *vc) __noreturn;

/*
 * The parking half that core code owns: this vCPU is STOPPED (unless a
 * start is already pending) and parked. When it was the last vCPU alive
 * in its running capsule, the capsule is off: on_poweroff applies (a
 * restart from the pristine store, or off, and the board powers off when
 * every capsule is). Returns when the hart should wait for a start.
 */
void bh_capsule_vcpu_parks(struct bh_vcpu *vc);

/*
 * A capsule that may reset the system shut it down (SRST): power the board
 * off, with the failure exit status when that shutdown gave a reason or a
 * capsule already ended uncleanly. Capsules still running are cut off and
 * do not count.
 */
void bh_capsule_power_off_board(struct bh_vcpu *vc) __noreturn;

/* Wait (servicing the mailbox) until this vCPU is started; never returns. */
void bh_vcpu_park(struct bh_vcpu *vc) __noreturn;

/* Enter this hart's vCPU at pc with a0 = vhart ID and a1 = arg. */
void bh_vcpu_enter(struct bh_vcpu *vc, uint64_t pc, uint64_t arg)
	__noreturn;

/*
 * Act on vc->leave and vc->stop_pending, at least one of which is set:
 * park, resume elsewhere, stop or restart the capsule... never returns.
 */
void bh_vcpu_leave(struct bh_vcpu *vc) __noreturn;

/*
 * Before returning to the guest after a trap: what its SBI calls or a STOP
 * message asked of this vCPU. Nothing, nearly always: two loads.
 */
static inline void bh_vcpu_before_return(struct bh_vcpu *vc)
{
	if (vc->stop_pending || vc->leave != BH_LEAVE_NONE)
		bh_vcpu_leave(vc);
}

#endif
