/* SPDX-License-Identifier: MIT */
/*
 * Per-hart state. Each physical hart runs at most one vCPU (1:1 pinning), so
 * the vCPU's state lives here too, indexed by mhartid.
 */
#ifndef BULKHEAD_HART_H
#define BULKHEAD_HART_H

/* Byte offsets into struct bh_frame, shared with arch/riscv/entry.S. */
#define BH_FRAME_REGS		0
#define BH_FRAME_MEPC		(32 * 8)
#define BH_FRAME_MSTATUS	(33 * 8)
#define BH_FRAME_STACK_TOP	(34 * 8)
#define BH_FRAME_SIZE		(36 * 8)

/*
 * Byte offsets into struct bh_hart_state, for entry.S's SBI fast path,
 * which reaches them from the frame (mscratch): the frame comes first.
 */
#define BH_HART_CAPSULE		(BH_FRAME_SIZE + 4)
#define BH_HART_STOP_PENDING	(BH_FRAME_SIZE + 40)
#define BH_HART_LEAVE		(BH_FRAME_SIZE + 44)
#define BH_HART_TRAPS_EXCEPTION	(BH_FRAME_SIZE + 104)

#ifndef __ASSEMBLER__

#include <stdint.h>

#include "bulkhead/arch.h"
#include "bulkhead/compiler.h"
#include "bulkhead/lock.h"
#include "bulkhead/tables.h"

/* The guest's registers while the hypervisor handles one of its traps. */
struct bh_frame {
	uint64_t regs[32];	/* x0..x31; regs[0] is never used */
	uint64_t mepc;
	uint64_t mstatus;
	uint64_t stack_top;	/* this hart's M-mode stack */
	uint64_t pad;		/* keeps the frame a multiple of 16 bytes */
};

_Static_assert(offsetof(struct bh_frame, mepc) == BH_FRAME_MEPC, "frame");
_Static_assert(offsetof(struct bh_frame, mstatus) == BH_FRAME_MSTATUS, "frame");
_Static_assert(offsetof(struct bh_frame, stack_top) == BH_FRAME_STACK_TOP,
	       "frame");
_Static_assert(sizeof(struct bh_frame) == BH_FRAME_SIZE, "frame");

/* Indexes into regs[] of the SBI calling convention's registers. */
enum bh_reg {
	BH_REG_A0 = 10, BH_REG_A1 = 11, BH_REG_A2 = 12,
	BH_REG_A6 = 16, BH_REG_A7 = 17,
};

/* SBI HSM states, numbered as the specification returns them. */
enum bh_hsm_state {
	BH_HSM_STARTED = 0,
	BH_HSM_STOPPED = 1,
	BH_HSM_START_PENDING = 2,
	BH_HSM_STOP_PENDING = 3,
	BH_HSM_SUSPENDED = 4,
};

/*
 * What the hart does when the current trap is handled, instead of returning
 * to the guest. Set by SBI calls (which must return to the dispatcher first
 * so they can be unit-tested) and by the mailbox.
 */
enum bh_leave {
	BH_LEAVE_NONE = 0,
	BH_LEAVE_HART_STOP,	/* HSM hart_stop: park this vCPU */
	BH_LEAVE_SUSPEND,	/* HSM non-retentive suspend: resume elsewhere */
	BH_LEAVE_SHUTDOWN,	/* SRST shutdown: capsule off, on_poweroff */
	BH_LEAVE_REBOOT,	/* SRST reboot: capsule restart, on_reboot */
	BH_LEAVE_SYSTEM_OFF,	/* SRST shutdown by a capsule that may */
	BH_LEAVE_SYSTEM_RESET,	/* SRST reboot by a capsule that may */
	BH_LEAVE_PANIC,		/* SRST warm reboot of a guest whose manifest says it panicked */
};

/* The last fault forwarded into the guest, to recognise a double fault. */
struct bh_forwarded {
	uint64_t epc;
	uint64_t cause;
	uint64_t tval;
	uint32_t valid;
};

/*
 * Traps the hypervisor took from a guest on this hart since boot, by cause
 * code as the architecture numbers them; codes from BH_TRAP_CODES up are
 * counted together in the last slot. Written only by the hart itself.
 */
#define BH_TRAP_CODES	64
struct bh_trap_counts {
	uint64_t exception[BH_TRAP_CODES + 1];
	uint64_t interrupt[BH_TRAP_CODES + 1];
};

struct bh_hart_state {
	struct bh_frame frame;	/* first: mscratch points here */
	uint32_t hart;		/* physical hart ID */
	int32_t capsule;	/* index into bh_capsules, -1 when idle */
	uint32_t vcpu;		/* virtual hart ID within the capsule */
	uint32_t hsm_state;	/* enum bh_hsm_state, under the capsule lock */
	uint64_t start_addr;	/* hart_start / resume: where to enter */
	uint64_t start_arg;	/* hart_start / resume: the guest's a1 */
	uint32_t mailbox;	/* BH_MSG_* bits, atomic */
	uint32_t parked;	/* in the stopped loop, atomic */
	uint32_t stop_pending;	/* a STOP message arrived, not yet acted on */
	uint32_t leave;		/* enum bh_leave */
	uint32_t srst_reason;	/* SRST's reset_reason, with BH_LEAVE_SHUTDOWN... */
	uint64_t fence_req;	/* remote fences asked of this hart, atomic */
	uint64_t fence_done;	/* fence_req value the last fence covered */
	struct bh_forwarded forwarded;
	struct bh_trap_counts traps;
	/* Emptied whenever the vCPU enters its capsule. */
	struct bh_guest_xlate xlate_data;	/* address of an emulated access */
	struct bh_guest_xlate xlate_fetch;	/* the instruction that made it */
	struct bh_lock fence_lock;	/* guards fence_pending */
	struct bh_fence fence_pending;	/* what the asked fences cover, merged */
};

_Static_assert(offsetof(struct bh_hart_state, frame) == 0, "hart state");
_Static_assert(offsetof(struct bh_hart_state, capsule) == BH_HART_CAPSULE,
	       "hart state");
_Static_assert(offsetof(struct bh_hart_state, stop_pending) ==
	       BH_HART_STOP_PENDING, "hart state");
_Static_assert(offsetof(struct bh_hart_state, leave) == BH_HART_LEAVE,
	       "hart state");
_Static_assert(offsetof(struct bh_hart_state, traps.exception) ==
	       BH_HART_TRAPS_EXCEPTION, "hart state");

extern struct bh_hart_state bh_hart_states[BH_HART_COUNT];

static inline struct bh_hart_state *bh_this_hart(void)
{
	return &bh_hart_states[bh_arch_hart_id()];
}

#endif /* __ASSEMBLER__ */
#endif
