// SPDX-License-Identifier: MIT
/*
 * Trap dispatch: SBI calls, guest faults (to core/fault.c, which decides),
 * interrupts, M-mode faults; and delivering a fault into the guest.
 */
#include "arch/csr.h"
#include "arch/deliver.h"
#include "arch/insn.h"
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/fault.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"
#include "bulkhead/sched.h"
#include "bulkhead/traps.h"

struct bh_frame *bh_trap(struct bh_frame *f);
bool bh_trap_access(struct bh_frame *f);
void bh_trap_m(void) __noreturn;

static bool from_s_mode(const struct bh_frame *f)
{
	return (f->mstatus & MSTATUS_MPP) == MSTATUS_MPP_S;
}

void bh_arch_guest_trap_state(const struct bh_vcpu *vc,
			      struct bh_guest_trap_state *g)
{
	/* Exceptions go to the vector base, whatever the mode bits say. */
	g->vector = csr_read(CSR_STVEC) & ~3UL;
	g->epc = csr_read(CSR_SEPC);
	g->cause = csr_read(CSR_SCAUSE);
	g->tval = csr_read(CSR_STVAL);
	g->from_s = from_s_mode(&vc->frame);
}

void bh_arch_deliver_trap(struct bh_vcpu *vc, const struct bh_fault *f,
			  uint64_t vector)
{
	csr_write(CSR_SEPC, f->epc);
	csr_write(CSR_SCAUSE, f->cause);
	csr_write(CSR_STVAL, f->tval);
	vc->frame.mstatus = bh_riscv_deliver_mstatus(vc->frame.mstatus);
	vc->frame.mepc = vector;
}

static enum bh_access access_of(uint64_t cause)
{
	switch (cause) {
	case CAUSE_FETCH_ACCESS:
		return BH_ACCESS_FETCH;
	case CAUSE_LOAD_ACCESS:
		return BH_ACCESS_LOAD;
	case CAUSE_STORE_ACCESS:
		return BH_ACCESS_STORE;
	default:
		return BH_ACCESS_OTHER;
	}
}

/*
 * On a board whose time CSR traps (BH_HAS_TIME_CSR 0), a guest's read of
 * time is answered from the CLINT's mtime, as hardware with the CSR would:
 * from U-mode only when the guest's scounteren allows it.
 */
static bool emulate_time_read(struct bh_vcpu *vc)
{
	struct bh_frame *f = &vc->frame;
	unsigned int rd;
	uint32_t insn;

	if (bh_arch_guest_fetch(vc, f->mepc, &insn) ||
	    !bh_insn_time_read(insn, &rd))
		return false;
	if ((f->mstatus & MSTATUS_MPP) != MSTATUS_MPP_S &&
	    !(csr_read(CSR_SCOUNTEREN) & MCOUNTEREN_TM))	/* same layout */
		return false;
	if (rd)
		f->regs[rd] = bh_arch_time();
	f->mepc += 4;
	return true;
}

/*
 * A fault: out of line, so that bh_trap, which the SBI calls and the
 * interrupts take, does not save registers for the fault handling that
 * link-time optimisation would inline into it.
 */
static __noinline void handle_fault(struct bh_vcpu *vc, uint64_t cause)
{
	struct bh_fault flt;

	if (!BH_HAS_TIME_CSR && cause == CAUSE_ILLEGAL_INSTRUCTION &&
	    emulate_time_read(vc))
		return;
	flt = (struct bh_fault){
		.cause = cause,
		.access = access_of(cause),
		.epc = vc->frame.mepc,
		.tval = csr_read(CSR_MTVAL),
		.satp = csr_read(CSR_SATP),
	};
	bh_fault_handle(vc, &flt);
}

static void handle_exception(struct bh_vcpu *vc, uint64_t cause)
{
	if (cause == CAUSE_SUPERVISOR_ECALL)
		bh_sbi_dispatch(vc);
	else
		handle_fault(vc, cause);
}

static void handle_interrupt(struct bh_vcpu *vc, uint64_t irq)
{
	switch (irq) {
	case IRQ_M_SOFT:
		bh_mailbox_service(bh_hart_of(vc));
		break;
	case IRQ_M_TIMER:
		if (bh_arch_timer_interrupt())
			bh_sched_tick(vc);
		break;
	default:
		bh_panic("unexpected interrupt %lu from capsule %s",
			 (unsigned long)irq, bh_capsule_of(vc)->name);
	}
}

struct bh_frame *bh_trap(struct bh_frame *f)
{
	struct bh_vcpu *vc = container_of(f, struct bh_vcpu, frame);
	uint64_t cause = csr_read(CSR_MCAUSE);

	bh_traps_count(vc, cause & CAUSE_INTERRUPT, cause & ~CAUSE_INTERRUPT);
	if (cause & CAUSE_INTERRUPT)
		handle_interrupt(vc, cause & ~CAUSE_INTERRUPT);
	else
		handle_exception(vc, cause);
	bh_vcpu_before_return(vc);
	return f;
}

/*
 * What the trap entry's access path (entry.S, .Laccess) has in the frame:
 * x0, sp and the registers a C function may change.
 */
#define REGS_CALLER_SAVED \
	((1U << 0) | (1U << 1) | (1U << 2) | (7U << 5) | (0xffU << 10) | \
	 (0xfU << 28))

/*
 * A load or store access fault, before the full save: emulate it if it is
 * a virtual device access whose register is in the frame; the entry then
 * counts the trap and returns to the guest at the frame's mepc. False,
 * with nothing changed: bh_trap takes it.
 */
bool bh_trap_access(struct bh_frame *f)
{
	struct bh_vcpu *vc = container_of(f, struct bh_vcpu, frame);

	if (vc->stop_pending || vc->leave != BH_LEAVE_NONE)
		return false;
	f->mepc = csr_read(CSR_MEPC);
	return bh_fault_emulate_quick(vc,
				      csr_read(CSR_MCAUSE) == CAUSE_STORE_ACCESS,
				      csr_read(CSR_MTVAL), csr_read(CSR_SATP),
				      REGS_CALLER_SAVED);
}

/* A trap in M-mode: the hypervisor never expects one. */
void bh_trap_m(void)
{
	bh_panic("mcause=%#lx mepc=%#lx mtval=%#lx", csr_read(CSR_MCAUSE),
		 csr_read(CSR_MEPC), csr_read(CSR_MTVAL));
}
