// SPDX-License-Identifier: MIT
/* Trap dispatch: SBI calls, access faults, interrupts, M-mode faults. */
#include "arch/csr.h"
#include "arch/deliver.h"
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/fault.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"

extern const char bh_guest_read_load[], bh_guest_read_fixup[];

struct bh_frame *bh_trap(struct bh_frame *f);
void bh_trap_m(uint64_t *saved);

static bool from_s_mode(const struct bh_frame *f)
{
	return (f->mstatus & MSTATUS_MPP) == MSTATUS_MPP_S;
}

/* Deliver f to the guest's S-mode handler, as the hardware would have. */
static void forward(struct bh_hart_state *hs, const struct bh_fault *flt)
{
	struct bh_frame *f = &hs->frame;
	struct bh_guest_trap_state g = {
		.stvec = csr_read(CSR_STVEC),
		.sepc = csr_read(CSR_SEPC),
		.scause = csr_read(CSR_SCAUSE),
		.stval = csr_read(CSR_STVAL),
		.from_s = from_s_mode(f),
	};
	const char *why = bh_fault_check_forward(hs, flt, &g);

	if (why)
		bh_capsule_fault(hs, flt->cause, flt->epc, flt->tval, why);
	bh_debug("capsule %s: cause %#lx epc %#lx tval %#lx forwarded to vcpu %u",
		 bh_capsule_of(hs)->name, (unsigned long)flt->cause,
		 (unsigned long)flt->epc, (unsigned long)flt->tval, hs->vcpu);
	csr_write(CSR_SEPC, flt->epc);
	csr_write(CSR_SCAUSE, flt->cause);
	csr_write(CSR_STVAL, flt->tval);
	f->mstatus = bh_riscv_deliver_mstatus(f->mstatus);
	f->mepc = g.stvec & ~3UL;
}

static void handle_exception(struct bh_hart_state *hs, uint64_t cause,
			     uint64_t tval)
{
	struct bh_fault flt = {
		.cause = cause,
		.epc = hs->frame.mepc,
		.tval = tval,
		.satp = csr_read(CSR_SATP),
	};

	if (cause == CAUSE_SUPERVISOR_ECALL) {
		bh_sbi_dispatch(hs);
		return;
	}
	if (bh_fault_emulate(hs, &flt))
		return;
	forward(hs, &flt);
}

static void handle_interrupt(struct bh_hart_state *hs, uint64_t irq)
{
	switch (irq) {
	case IRQ_M_SOFT:
		bh_mailbox_service(hs);
		break;
	case IRQ_M_TIMER:
		bh_arch_timer_interrupt();
		break;
	default:
		bh_panic("unexpected interrupt %lu from capsule %s",
			 (unsigned long)irq, bh_capsule_of(hs)->name);
	}
}

struct bh_frame *bh_trap(struct bh_frame *f)
{
	struct bh_hart_state *hs = container_of(f, struct bh_hart_state, frame);
	uint64_t cause = csr_read(CSR_MCAUSE);
	uint64_t tval = csr_read(CSR_MTVAL);

	if (hs->capsule < 0)
		bh_panic("trap from a guest on an idle hart: mcause=%#lx mepc=%#lx",
			 (unsigned long)cause, (unsigned long)f->mepc);
	if (cause & CAUSE_INTERRUPT)
		handle_interrupt(hs, cause & ~CAUSE_INTERRUPT);
	else
		handle_exception(hs, cause, tval);
	bh_vcpu_before_return(hs);
	return f;
}

/*
 * A trap in M-mode: only the load in bh_guest_read_u16_mprv may fault (a
 * guest address the guest itself could not read). Anything else is a bug.
 */
void bh_trap_m(uint64_t *saved)
{
	uint64_t mepc = csr_read(CSR_MEPC);

	(void)saved;
	if (mepc == (uintptr_t)bh_guest_read_load &&
	    !(csr_read(CSR_MCAUSE) & CAUSE_INTERRUPT)) {
		csr_write(CSR_MEPC, (uintptr_t)bh_guest_read_fixup);
		return;
	}
	bh_panic("mcause=%#lx mepc=%#lx mtval=%#lx", csr_read(CSR_MCAUSE), mepc,
		 csr_read(CSR_MTVAL));
}
