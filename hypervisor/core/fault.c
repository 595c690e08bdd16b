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
static uint32_t stored_value(const struct bh_vcpu *vc, struct bh_mem_op op)
{
	return op.reg ? (uint32_t)vc->frame.regs[op.reg] : 0;
}

/* The access is done: a load's register gets value, the guest goes on. */
static void complete(struct bh_vcpu *vc, struct bh_mem_op op, uint32_t value)
{
	if (!op.store && op.reg) {
		if (op.sign_extend && op.width == 1)
			value = (uint32_t)(int32_t)(int8_t)value;
		vc->frame.regs[op.reg] = op.sign_extend ?
			(uint64_t)(int64_t)(int32_t)value : value;
	}
	vc->frame.mepc += op.length;
}

/* The virtual ns16550: byte and word accesses to registers 0..7. */
static bool emulate_vuart(struct bh_vcpu *vc, struct bh_mem_op op,
			  uint32_t offset)
{
	struct bh_vuart *u = &bh_capsule_states[vc->capsule].vuart;
	uint32_t capsule = (uint32_t)vc->capsule;
	uint32_t value = 0;

	if (op.store)
		bh_vuart_write(u, capsule, offset, (uint8_t)stored_value(vc, op));
	else
		value = bh_vuart_read(u, capsule, offset);
	complete(vc, op, value);
	return true;
}

/* The PLIC's shared registers: aligned 32-bit accesses (core/vplic.c). */
static bool emulate_plic(struct bh_vcpu *vc, struct bh_mem_op op,
			 uint64_t offset)
{
	uint32_t value = op.store ? stored_value(vc, op) : 0;

	if (op.width != 4)
		return false;
	if (!bh_vplic_access(bh_capsule_of(vc), offset, op.store, &value))
		return false;
	complete(vc, op, value);
	return true;
}

/* Whether pa is a register of the capsule's virtual UART, and which. */
static bool vuart_register(const struct bh_capsule *c, uint64_t pa,
			   uint32_t *offset)
{
	/* An offset that wraps when pa is below the window is out of it too. */
	uint64_t at = pa - c->vuart.base;

	if (at >= VUART_REGISTERS || at >= c->vuart.size)
		return false;
	*offset = (uint32_t)at;
	return true;
}

/*
 * Whether op is the access the fault says (a load or a store) and its
 * register is one the trap saved in the frame.
 */
static bool op_matches(struct bh_mem_op op, bool store, uint32_t in_frame)
{
	return op.store == store && (in_frame >> op.reg & 1);
}

/* The UART's registers take byte and word accesses. */
static bool vuart_width(struct bh_mem_op op)
{
	return op.width == 1 || op.width == 4;
}

/*
 * The access that instruction insn made at capsule physical address pa, if
 * it is one the capsule's virtual devices answer and its register is in
 * the frame.
 */
static bool emulate_at(struct bh_vcpu *vc, bool store, uint64_t pa,
		       uint32_t insn, uint32_t in_frame)
{
	uint64_t plic_offset = pa - bh_board.plic.base;
	struct bh_mem_op op;
	uint32_t offset;

	if (!bh_arch_decode_mem_op(insn, &op) || !op_matches(op, store, in_frame))
		return false;
	if (vuart_register(bh_capsule_of(vc), pa, &offset))
		return vuart_width(op) && emulate_vuart(vc, op, offset);
	if (plic_offset < bh_board.plic.size)
		return emulate_plic(vc, op, plic_offset);
	return false;
}

bool bh_fault_emulate_access(struct bh_vcpu *vc, bool store, uint64_t tval,
			     uint64_t satp, uint32_t in_frame)
{
	uint32_t insn;
	uint64_t pa;

	if (bh_isolation_fault_address(bh_capsule_of(vc), &vc->xlate_data, satp,
				       tval, &pa) ||
	    bh_arch_guest_fetch(vc, vc->frame.mepc, &insn))
		return false;
	return emulate_at(vc, store, pa, insn, in_frame);
}

/*
 * insn decoded, from the vCPU's last decoding when it is the same
 * instruction: a driver polls a register with one instruction.
 */
static bool decode(struct bh_vcpu *vc, uint32_t insn, struct bh_mem_op *op)
{
	if (insn == vc->decoded_insn) {
		*op = vc->decoded_op;
		return true;
	}
	if (!bh_arch_decode_mem_op(insn, op))
		return false;
	vc->decoded_insn = insn;
	vc->decoded_op = *op;
	return true;
}

/*
 * emulate_vuart for the instruction decode() gave last, out of line:
 * bh_fault_emulate_quick calls it only for the console's registers.
 */
static __noinline bool emulate_vuart_decoded(struct bh_vcpu *vc,
					     uint32_t offset)
{
	return emulate_vuart(vc, vc->decoded_op, offset);
}

/*
 * Nothing here calls a function, so it saves few registers: both
 * translations cached (or no paging), an instruction decoded before, a
 * virtual-UART register the console has no part in.
 */
__flatten bool bh_fault_emulate_quick(struct bh_vcpu *vc, bool store,
				      uint64_t tval, uint64_t satp,
				      uint32_t in_frame)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	struct bh_vuart *u = &bh_capsule_states[vc->capsule].vuart;
	struct bh_mem_op op;
	uint32_t offset, insn;
	uint8_t value = 0;
	uint64_t pa;

	if (!bh_isolation_fault_address_hit(c, &vc->xlate_data, satp, tval, &pa) ||
	    !bh_arch_guest_fetch_hit(vc, vc->frame.mepc, satp, &insn) ||
	    !decode(vc, insn, &op) || !op_matches(op, store, in_frame) ||
	    !vuart_register(c, pa, &offset) || !vuart_width(op))
		return false;
	if (op.store ? !bh_vuart_write_quiet(u, offset, (uint8_t)stored_value(vc, op)) :
	    !bh_vuart_read_quiet(u, offset, &value))
		return emulate_vuart_decoded(vc, offset);
	complete(vc, op, value);
	return true;
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

	if (bh_fault_emulate(vc, f, BH_REGS_ALL))
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
