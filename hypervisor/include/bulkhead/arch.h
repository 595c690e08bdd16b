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

struct bh_hart_state;

/* Physical hart ID of the caller. */
uint32_t bh_arch_hart_id(void);

/* A pointer through which the hypervisor reaches physical address pa. */
void *bh_arch_phys(uint64_t pa);

/* Sleep until an interrupt is pending (wfi); may return early. */
void bh_arch_wait(void);

/* Raise the M-mode software interrupt of a hart / clear the caller's. */
void bh_arch_send_ipi(uint32_t hart);
void bh_arch_clear_ipi(void);

/* Local fences: instruction stream and the whole address-translation cache. */
void bh_arch_fence_i(void);
void bh_arch_sfence_vma(void);

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
 * Read 16 bits of guest memory at a guest virtual address, translated and
 * permission-checked as the guest's own loads are (MPRV with MXR). Returns 0,
 * or -1 when the guest itself could not have read it.
 */
int bh_arch_guest_read_u16(uint64_t vaddr, uint16_t *out);

/*
 * Enter the guest with the frame of this hart: every register and CSR the
 * guest can write at its reset value (FP included, FS = Off), except the
 * timer and pending interrupts; never returns.
 */
void bh_arch_enter_guest(struct bh_hart_state *hs, uint64_t pc, uint64_t a0,
			 uint64_t a1) __noreturn;

/* Boot: this hart's trap delegation, counters, envcfg, M-mode stack. */
void bh_arch_hart_init(struct bh_hart_state *hs, uint64_t stack_top);

/* A vCPU stops: its timer off, its interrupts disabled and not pending. */
void bh_arch_vcpu_quiesce(void);

/* Boards without Sstc: the multiplexed timer fired, pass it on as STIP. */
void bh_arch_timer_interrupt(void);

/*
 * For a hart waiting in M-mode with interrupts off: if the multiplexed
 * timer fired, bh_arch_timer_interrupt() as the trap would. No-op with Sstc.
 */
void bh_arch_timer_poll(void);

/* Stop this hart for good (interrupts off, wfi loop). */
void bh_arch_halt(void) __noreturn;

#endif
