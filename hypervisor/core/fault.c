// SPDX-License-Identifier: MIT
/*
 * Capsule fault policy. A load or store aimed at the capsule's virtual UART
 * or at the PLIC's shared registers is emulated; any other fault goes back
 * to the guest, unless the guest could not take it (a capsule fault: its
 * on-fault policy applies).
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/fault.h"
#include "bulkhead/isolation.h"
#include "bulkhead/log.h"
#include "bulkhead/region.h"
#include "bulkhead/vplic.h"

/* Registers of the ns16550 at byte offsets 0..7 (reg-shift 0). */
#define VUART_REGISTERS	8

/* What a store writes: its source register (x0 reads as 0). */
static uint32_t stored_value(const struct bh_vcpu *vc,
			     const struct bh_mem_op *op)
{
	return op->reg ? (uint32_t)vc->frame.regs[op->reg] : 0;
}

/* The access is done: a load's register gets value, the guest goes on. */
static void complete(struct bh_vcpu *vc, const struct bh_mem_op *op,
		     uint32_t value)
{
	if (!op->store && op->reg) {
		if (op->sign_extend && op->width == 1)
			value = (uint32_t)(int32_t)(int8_t)value;
		vc->frame.regs[op->reg] = op->sign_extend ?
			(uint64_t)(int64_t)(int32_t)value : value;
	}
	vc->frame.mepc += op->length;
}

/* The virtual ns16550: byte and word accesses to registers 0..7. */
static bool emulate_vuart(struct bh_vcpu *vc, const struct bh_mem_op *op,
			  uint64_t pa)
{
	struct bh_capsule_state *cs = &bh_capsule_states[vc->capsule];
	uint32_t capsule = (uint32_t)vc->capsule;
	uint32_t offset = (uint32_t)(pa - bh_capsule_of(vc)->vuart.base);
	uint32_t value = 0;

	if (offset >= VUART_REGISTERS)
		return false;
	if (op->width != 1 && op->width != 4)
		return false;
	if (op->store)
		bh_vuart_write(&cs->vuart, capsule, offset,
			       (uint8_t)stored_value(vc, op));
	else
		value = bh_vuart_read(&cs->vuart, capsule, offset);
	complete(vc, op, value);
	return true;
}

/* The PLIC's shared registers: aligned 32-bit accesses (core/vplic.c). */
static bool emulate_plic(struct bh_vcpu *vc, const struct bh_mem_op *op,
			 uint64_t pa)
{
	uint32_t value = op->store ? stored_value(vc, op) : 0;

	if (op->width != 4)
		return false;
	if (!bh_vplic_access(bh_capsule_of(vc), pa - bh_board.plic.base,
			     op->store, &value))
		return false;
	complete(vc, op, value);
	return true;
}

bool bh_fault_emulate(struct bh_vcpu *vc, const struct bh_fault *f)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	struct bh_mem_op op;
	bool vuart, plic;
	uint64_t pa;

	if (f->access != BH_ACCESS_LOAD && f->access != BH_ACCESS_STORE)
		return false;
	if (bh_isolation_fault_address(c, &vc->xlate_data, f->satp, f->tval, &pa))
		return false;
	vuart = c->vuart.size && bh_region_contains(&c->vuart, pa, 1);
	plic = bh_board.plic.size && bh_region_contains(&bh_board.plic, pa, 1);
	if (!vuart && !plic)
		return false;
	if (!bh_arch_read_mem_op(vc, f->epc, &op))
		return false;
	if (op.store != (f->access == BH_ACCESS_STORE))
		return false;
	return vuart ? emulate_vuart(vc, &op, pa) : emulate_plic(vc, &op, pa);
}

/*
 * The guest faulted again with sepc, scause and stval still as the last
 * forward left them (it took no other trap since), and the new fault is
 * that same one: its handler returned to the faulting access unchanged or
 * faults the same way itself. Hardware would deliver it forever.
 */
static bool same_fault_again(const struct bh_forwarded *last,
			     const struct bh_fault *f,
			     const struct bh_guest_trap_state *g)
{
	if (!g->from_s || !last->valid)
		return false;
	if (g->epc != last->epc || g->cause != last->cause ||
	    g->tval != last->tval)
		return false;
	return f->epc == last->epc && f->cause == last->cause &&
	       f->tval == last->tval;
}

const char *bh_fault_check_forward(struct bh_vcpu *vc,
				   const struct bh_fault *f,
				   const struct bh_guest_trap_state *g)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	struct bh_forwarded *last = &vc->forwarded;
	uint64_t pa;

	if (!g->vector)
		return "no trap vector (stvec is 0)";
	if (f->access == BH_ACCESS_FETCH && f->epc == g->vector)
		return "its trap vector cannot be fetched";
	if (bh_isolation_fault_address(c, NULL, f->satp, g->vector, &pa) ||
	    !bh_capsule_owns(c, pa, 2))
		return "its trap vector is outside its memory";
	if (same_fault_again(last, f, g))
		return "it faulted again in its trap handler";
	last->epc = f->epc;
	last->cause = f->cause;
	last->tval = f->tval;
	last->valid = 1;
	return NULL;
}

void bh_fault_handle(struct bh_vcpu *vc, const struct bh_fault *f)
{
	struct bh_guest_trap_state g;
	const char *why;

	if (bh_fault_emulate(vc, f))
		return;
	bh_arch_guest_trap_state(vc, &g);
	why = bh_fault_check_forward(vc, f, &g);
	if (why)
		bh_capsule_fault(vc, f->cause, f->epc, f->tval, why);
	bh_debug("capsule %s: cause %#lx epc %#lx tval %#lx forwarded to vcpu %u",
		 bh_capsule_of(vc)->name, (unsigned long)f->cause,
		 (unsigned long)f->epc, (unsigned long)f->tval, vc->vcpu);
	bh_arch_deliver_trap(vc, f, g.vector);
}
