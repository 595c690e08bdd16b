/* SPDX-License-Identifier: MIT */
/*
 * What core code needs from the processor. hypervisor/arch/riscv implements
 * it with CSRs; tests/hypervisor fakes it, so everything in core/ that only
 * calls these can be unit-tested on the build machine.
 */
#ifndef BULKHEAD_ARCH_H
#define BULKHEAD_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/compiler.h"

struct bh_vcpu;
struct bh_fault;

/* A guest load or store, decoded from the instruction that trapped. */
struct bh_mem_op {
	bool store;
	bool sign_extend;	/* loads narrower than a register */
	uint8_t width;		/* bytes: 1, 2, 4 or 8 */
	uint8_t reg;		/* frame register: destination of a load, source of a store */
	uint8_t length;		/* instruction bytes, to step over it */
};

/*
 * The last guest page the hypervisor translated for one purpose (the data
 * address of an emulated access, or the instruction that made it): a
 * Linux console driver traps thousands of times on the same two pages, and
 * a walk of four levels for each trap is most of its cost. An entry is used
 * while the guest's satp is the same and the leaf page-table entry still
 * holds what it held (one read instead of a walk). A guest that changes an
 * upper level and leaves the old leaf in place can see its own access
 * emulated as before; the entry only ever points into its own memory or at
 * its own virtual UART, so nobody else is affected.
 */
struct bh_guest_xlate {
	uint64_t satp;
	uint64_t va_page;	/* virtual address >> 12 */
	uint64_t pa_page;	/* physical address >> 12 */
	uint64_t leaf_addr;	/* physical address of the leaf entry; 0: empty */
	uint64_t leaf;		/* its value when the entry was filled */
};

/* The guest's trap state, as far as the capsule fault rules need it. */
struct bh_guest_trap_state {
	uint64_t vector;	/* where the guest takes exceptions (virtual when paging) */
	uint64_t epc, cause, tval;	/* what its last trap left there */
	bool from_s;		/* the new trap was taken in S-mode */
};

/* Physical hart ID of the caller. */
uint32_t bh_arch_hart_id(void);

/* A pointer through which the hypervisor reaches physical address pa. */
void *bh_arch_phys(uint64_t pa);

/* The time CSR: what the guests read with rdtime. */
uint64_t bh_arch_time(void);

/* Sleep until an interrupt is pending (wfi); may return early. */
void bh_arch_wait(void);

/* Raise the M-mode software interrupt of a hart / clear the caller's. */
void bh_arch_send_ipi(uint32_t hart);
void bh_arch_clear_ipi(void);

/*
 * A fence (SBI RFENCE asks one of other harts): the instruction stream,
 * and cached translations: of [start, start + size) or all of them, in
 * address space asid only or in every one.
 */
struct bh_fence {
	bool fence_i;
	bool vma;		/* some translations; the fields below say which */
	bool vma_all;		/* every address */
	bool asid_only;		/* only address space asid */
	uint32_t asid;
	uint64_t start;
	uint64_t size;
};

/* Carry out fence f on this hart. */
void bh_arch_fence(const struct bh_fence *f);

/*
 * A vCPU's supervisor state that the hart holds outside its trap frame
 * (sstatus is the frame's mstatus): saved when its window ends on a shared
 * hart, restored when its next window starts (docs/design.md, "Scheduler").
 */
struct bh_arch_context {
	uint64_t satp, stvec, sscratch, sepc, scause, stval;
	uint64_t scounteren, senvcfg;
	uint64_t timer;		/* stimecmp, or the multiplexed timer's deadline */
	uint64_t sie;		/* mie's supervisor bits */
	uint64_t sip;		/* mip's supervisor bits that software sets */
	uint64_t fregs[32];	/* FLEN bits each; all of them, whatever FS says */
	uint64_t fcsr;
};

/* Save this hart's supervisor state into ctx / load it from ctx. */
void bh_arch_context_save(struct bh_arch_context *ctx);
void bh_arch_context_restore(const struct bh_arch_context *ctx);

/* ctx as a vCPU has it at reset: all zero, its timer off. */
void bh_arch_context_reset(struct bh_arch_context *ctx);

/*
 * Forget every cached translation and instruction of this hart (a new
 * capsule's window starts): sfence.vma with no ASID, since capsules choose
 * their own ASIDs, and fence.i.
 */
void bh_arch_flush_all(void);

/*
 * The hypervisor's own deadline on this hart (a window boundary): when the
 * time CSR reaches when, the M-mode timer interrupt is taken (or, while the
 * hart waits in M-mode, bh_arch_timer_poll says so). ~0: none.
 */
void bh_arch_set_hyp_timer(uint64_t when);

/* Make the supervisor software interrupt pending for the guest on this hart. */
void bh_arch_inject_ssip(void);

/* Program this hart's supervisor timer (SBI set_timer). */
void bh_arch_set_guest_timer(uint64_t when);

/* True when an interrupt the guest enabled (sie) is pending (sip). */
bool bh_arch_guest_irq_pending(void);

/* mvendorid, marchid and mimpid of this hart, for SBI BASE. */
uint64_t bh_arch_mvendorid(void);
uint64_t bh_arch_marchid(void);
uint64_t bh_arch_mimpid(void);

/*
 * Read the instruction (16 or 32 bits) the guest of vc executed at epc,
 * translated through the guest's page tables (its satp, and vc's
 * translation entry for instructions). Returns 0, or -1 when it does not
 * translate to aligned halfwords of the capsule's memory: the hypervisor
 * reads nothing else on a guest's behalf.
 */
int bh_arch_guest_fetch(struct bh_vcpu *vc, uint64_t epc,
			uint32_t *insn);

/*
 * bh_arch_guest_fetch for the common case, with no walk of the guest's
 * tables: its translation (satp) of epc is cached or not needed, and the
 * instruction lies in one page of the capsule's memory. False otherwise:
 * ask bh_arch_guest_fetch.
 */
bool bh_arch_guest_fetch_hit(struct bh_vcpu *vc, uint64_t epc, uint64_t satp,
			     uint32_t *insn);

/* Decode insn as an integer load or store. False for anything else. */
bool bh_arch_decode_mem_op(uint32_t insn, struct bh_mem_op *op);

/* The guest's trap state on this hart, for the fault in vc->frame. */
void bh_arch_guest_trap_state(const struct bh_vcpu *vc,
			      struct bh_guest_trap_state *g);

/*
 * Deliver fault f to the guest's exception vector as the hardware would
 * have: its trap CSRs and status updated, vc->frame resumes at the vector.
 */
void bh_arch_deliver_trap(struct bh_vcpu *vc, const struct bh_fault *f,
			  uint64_t vector);

/*
 * Enter the guest with the frame of this hart: every register and CSR the
 * guest can write at its reset value (FP included, FS = Off), except the
 * timer and pending interrupts; never returns.
 */
void bh_arch_enter_guest(struct bh_vcpu *vc, uint64_t pc, uint64_t a0,
			 uint64_t a1) __noreturn;

/* Return to vc's guest as its trap frame says (it was descheduled or waited). */
void bh_arch_resume_guest(struct bh_vcpu *vc) __noreturn;

/* Boot: this hart's trap delegation, counters, envcfg, interrupts. */
void bh_arch_hart_init(void);
/* Boot of a hart without S-mode, which never runs a vCPU: its interrupts. */
void bh_arch_monitor_hart_init(void);

/* A vCPU stops: its timer off, its interrupts disabled and not pending. */
void bh_arch_vcpu_quiesce(void);

/*
 * The M-mode timer fired. Without Sstc, a guest deadline that passed is
 * passed on as STIP. True when the hypervisor's own deadline passed (it is
 * then cleared: bh_arch_set_hyp_timer sets the next).
 */
bool bh_arch_timer_interrupt(void);

/*
 * For a hart waiting in M-mode with interrupts off: if the M-mode timer
 * fired, bh_arch_timer_interrupt() as the trap would, and its result.
 */
bool bh_arch_timer_poll(void);

/*
 * A short name of a trap cause code ("ecall-s", "load-access", "m-soft"),
 * or NULL for a code the architecture does not name.
 */
const char *bh_arch_trap_name(bool interrupt, uint32_t code);

/* Stop this hart for good (interrupts off, wfi loop). */
void bh_arch_halt(void) __noreturn;

#endif
