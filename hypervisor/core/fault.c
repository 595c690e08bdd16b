// SPDX-License-Identifier: MIT
/*
 * Access faults of a capsule. A load or store aimed at the capsule's
 * virtual UART is emulated; any other fault goes back to the guest, unless
 * the guest could not take it (a capsule fault).
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/fault.h"
#include "bulkhead/insn.h"
#include "bulkhead/isolation.h"
#include "bulkhead/region.h"

/* Registers of the ns16550 at byte offsets 0..7 (reg-shift 0). */
#define VUART_REGISTERS	8

static bool read_insn(uint64_t epc, uint32_t *insn)
{
	uint16_t low, high;

	if (bh_arch_guest_read_u16(epc, &low))
		return false;
	if (bh_insn_length(low) == 2) {
		*insn = low;
		return true;
	}
	/* The second half may be on the next page: read it separately. */
	if (bh_arch_guest_read_u16(epc + 2, &high))
		return false;
	*insn = (uint32_t)high << 16 | low;
	return true;
}

static void emulate(struct bh_hart_state *hs, const struct bh_mem_op *op,
		    uint32_t offset)
{
	struct bh_capsule_state *cs = &bh_capsule_states[hs->capsule];
	uint64_t *regs = hs->frame.regs;
	uint8_t value;

	if (op->store) {
		value = op->reg ? (uint8_t)regs[op->reg] : 0;
		bh_vuart_write(&cs->vuart, (uint32_t)hs->capsule, offset, value);
	} else {
		value = bh_vuart_read(&cs->vuart, (uint32_t)hs->capsule, offset);
		if (op->reg)
			regs[op->reg] = (op->sign_extend && op->width == 1) ?
					(uint64_t)(int64_t)(int8_t)value : value;
	}
	hs->frame.mepc += op->length;
}

bool bh_fault_emulate(struct bh_hart_state *hs, const struct bh_fault *f)
{
	const struct bh_capsule *c = bh_capsule_of(hs);
	struct bh_mem_op op;
	uint64_t pa;
	uint32_t insn;

	if (f->cause != BH_CAUSE_LOAD_ACCESS && f->cause != BH_CAUSE_STORE_ACCESS)
		return false;
	if (!c->vuart.size)
		return false;
	if (bh_isolation_fault_address(c, f->satp, f->tval, &pa))
		return false;
	if (!bh_region_contains(&c->vuart, pa, 1) ||
	    pa - c->vuart.base >= VUART_REGISTERS)
		return false;
	if (!read_insn(f->epc, &insn) || !bh_insn_decode(insn, &op))
		return false;
	if (op.store != (f->cause == BH_CAUSE_STORE_ACCESS))
		return false;
	if (op.width != 1 && op.width != 4)
		return false;
	emulate(hs, &op, (uint32_t)(pa - c->vuart.base));
	return true;
}

const char *bh_fault_check_forward(struct bh_hart_state *hs,
				   const struct bh_fault *f,
				   const struct bh_guest_trap_state *g)
{
	const struct bh_capsule *c = bh_capsule_of(hs);
	struct bh_forwarded *last = &hs->forwarded;
	uint64_t vector = g->stvec & ~3UL;	/* exceptions go to the base */
	uint64_t pa;

	if (!vector)
		return "no trap vector (stvec is 0)";
	if (f->cause == BH_CAUSE_FETCH_ACCESS && f->epc == vector)
		return "its trap vector cannot be fetched";
	if (bh_isolation_fault_address(c, f->satp, vector, &pa) ||
	    !bh_capsule_owns(c, pa, 2))
		return "its trap vector is outside its memory";
	/*
	 * sepc, scause and stval still hold what the last forward put there,
	 * and the fault is in S-mode: the guest faulted again inside its
	 * handler, before returning or taking any other trap.
	 */
	if (g->from_s && last->valid && g->sepc == last->epc &&
	    g->scause == last->cause && g->stval == last->tval)
		return "it faulted again in its trap handler";
	last->epc = f->epc;
	last->cause = f->cause;
	last->tval = f->tval;
	last->valid = 1;
	return NULL;
}
