/* SPDX-License-Identifier: MIT */
/*
 * The state of one vCPU: its registers while the hypervisor handles one of
 * its traps, its HSM state and requests from other vCPUs, and, while it is
 * descheduled on a shared hart, its supervisor state (docs/design.md,
 * "Scheduler"). One per vCPU of every capsule, in bh_vcpus.
 */
#ifndef BULKHEAD_VCPU_H
#define BULKHEAD_VCPU_H

/* Byte offsets into struct bh_frame, shared with arch/riscv/entry.S. */
#define BH_FRAME_REGS		0
#define BH_FRAME_MEPC		(32 * 8)
#define BH_FRAME_MSTATUS	(33 * 8)
#define BH_FRAME_STACK_TOP	(34 * 8)
#define BH_FRAME_SIZE		(36 * 8)

/*
 * Byte offsets into struct bh_vcpu, for entry.S's SBI fast path,
 * which reaches them from the frame (mscratch): the frame comes first.
 */
#define BH_VCPU_STOP_PENDING	(BH_FRAME_SIZE + 40)
#define BH_VCPU_LEAVE		(BH_FRAME_SIZE + 44)
#define BH_VCPU_TRAPS_EXCEPTION	(BH_FRAME_SIZE + 104)

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
	BH_LEAVE_SUSPEND,	/* HSM suspend: wait for an interrupt in the hart loop */
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

struct bh_vcpu {
	struct bh_frame frame;	/* first: mscratch points here */
	uint32_t hart;		/* the physical hart it runs on */
	int32_t capsule;	/* index into bh_capsules */
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
	/* The last instruction emulated and its decoding; 0: none. */
	uint32_t decoded_insn;
	struct bh_mem_op decoded_op;
	struct bh_lock fence_lock;	/* guards fence_pending */
	struct bh_fence fence_pending;	/* what the asked fences cover, merged */
	/*
	 * Shared harts: its supervisor state while another vCPU has the hart
	 * (saved at the end of its window, restored at the start of the next),
	 * and its PLIC context's enables and threshold.
	 */
	struct bh_arch_context context;
	uint32_t plic_enables[BH_PLIC_WORDS];
	uint32_t plic_threshold;
	/*
	 * Its enables are in plic_enables, not in its context: a vCPU of a
	 * shared hart outside its windows (from boot until its first one).
	 * Changed under the vPLIC's lock (core/vplic.c).
	 */
	uint32_t plic_saved;
	uint32_t resume_at_start;	/* a non-retentive suspend: enter at start_addr */
};

_Static_assert(offsetof(struct bh_vcpu, frame) == 0, "vcpu state");
_Static_assert(offsetof(struct bh_vcpu, stop_pending) ==
	       BH_VCPU_STOP_PENDING, "vcpu state");
_Static_assert(offsetof(struct bh_vcpu, leave) == BH_VCPU_LEAVE,
	       "vcpu state");
_Static_assert(offsetof(struct bh_vcpu, traps.exception) ==
	       BH_VCPU_TRAPS_EXCEPTION, "vcpu state");

extern struct bh_vcpu bh_vcpus[BH_VCPU_COUNT];

#endif /* __ASSEMBLER__ */
#endif
