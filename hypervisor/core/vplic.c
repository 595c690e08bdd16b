// SPDX-License-Identifier: MIT
/*
 * PLIC policy: what a capsule may see and change of the shared priority,
 * pending and enable registers (layout in bulkhead/plic.h, the registers
 * themselves in platform/plic.c).
 *
 * Invariant: a supervisor context's enable bits are those of sources of
 * the capsule whose vCPU runs on its hart (on a shared hart, the capsule
 * whose window it is; no bits between windows). Boot clears every enable,
 * and the only writes afterwards are this file's: changing one capsule's
 * bits of a word and keeping the others, under enable_lock, since a
 * shared hart's context is written by the capsule whose window it is, by
 * the switch, and by another capsule's stop (bh_vplic_reset_capsule). A
 * capsule's enable access for the context of one of its vCPUs that is
 * outside its window (plic_saved, changed under enable_lock by the switch)
 * reaches that vCPU's saved enables instead: written into the live
 * register, its bits would reach the capsule whose window it is, and the
 * switch would overwrite them with the saved ones.
 */
#include "bulkhead/capsule.h"
#include "bulkhead/lock.h"
#include "bulkhead/plic.h"
#include "bulkhead/vplic.h"

static struct bh_lock enable_lock;

/* Variables, not macros: a board without PLIC has 0 of each, and a loop
 * bound of 0 would be a -Wtype-limits error. */
static const uint32_t sources = BH_PLIC_SOURCES;
static const uint32_t contexts = BH_PLIC_CONTEXTS;

bool bh_vplic_owns_source(const struct bh_capsule *c, uint32_t s)
{
	if (!s || s > sources)
		return false;
	return (c->irq_sources[s / 32] >> (s % 32)) & 1;
}

/* Capsule c's vCPU whose supervisor context is n; NULL: c does not own n. */
static struct bh_vcpu *vcpu_of_context(const struct bh_capsule *c, uint32_t n)
{
	uint32_t v;

	if (n >= contexts)
		return NULL;
	for (v = 0; v < c->vcpu_count && v < BH_MAX_VCPUS; v++) {
		if (c->plic_contexts[v] == n)
			return bh_vcpu_of(c, v);
	}
	return NULL;
}

bool bh_vplic_owns_context(const struct bh_capsule *c, uint32_t n)
{
	return vcpu_of_context(c, n) != NULL;
}

/* Capsule c's sources in bitmap word w (0 past the last word). */
static uint32_t own_bits(const struct bh_capsule *c, uint32_t w)
{
	uint32_t bits;

	if (w >= BH_PLIC_WORDS)
		return 0;
	bits = c->irq_sources[w];
	if (w == 0)
		bits &= ~1U;	/* source 0 does not exist */
	return bits;
}

/* Under enable_lock: capsule c's bits of context n's enable word w := bits. */
static void write_own_enables(const struct bh_capsule *c, uint32_t n,
			      uint32_t w, uint32_t bits)
{
	uint32_t mask = own_bits(c, w);
	uint32_t word = bh_plic_read(bh_plic_enable(n, w));

	bh_plic_write(bh_plic_enable(n, w), (word & ~mask) | (bits & mask));
}

static bool is_supervisor(uint32_t n)
{
	return bh_board.plic_context_map &&
	       bh_board.plic_context_map[n].mode == BH_PLIC_SUPERVISOR;
}

void bh_vplic_init(void)
{
	uint32_t n, w, s;

	if (!bh_board.plic.size)
		return;
	for (s = 1; s <= sources; s++)
		bh_plic_write(bh_plic_priority(s), 0);
	for (n = 0; n < contexts; n++) {
		for (w = 0; w < BH_PLIC_WORDS; w++)
			bh_plic_write(bh_plic_enable(n, w), 0);
		if (is_supervisor(n))
			bh_plic_write(bh_plic_context(n, BH_PLIC_THRESHOLD), 0);
	}
}

static void access_priority(const struct bh_capsule *c, uint32_t s,
			    bool store, uint32_t *value)
{
	if (!bh_vplic_owns_source(c, s)) {
		if (!store)
			*value = 0;
		return;
	}
	if (store)
		bh_plic_write(bh_plic_priority(s), *value);
	else
		*value = bh_plic_read(bh_plic_priority(s));
}

static void access_pending(const struct bh_capsule *c, uint32_t w,
			   bool store, uint32_t *value)
{
	uint32_t mask = own_bits(c, w);

	if (store)
		return;		/* read-only in hardware too */
	*value = mask ? bh_plic_read(bh_plic_pending(w)) & mask : 0;
}

static void access_enable(const struct bh_capsule *c, uint32_t n, uint32_t w,
			  bool store, uint32_t *value)
{
	struct bh_vcpu *vc = vcpu_of_context(c, n);
	uint32_t mask = vc ? own_bits(c, w) : 0;

	if (!mask) {
		if (!store)
			*value = 0;
		return;
	}
	bh_lock(&enable_lock);
	if (vc->plic_saved) {
		if (store)
			vc->plic_enables[w] = *value & mask;
		else
			*value = vc->plic_enables[w] & mask;
	} else if (store) {
		write_own_enables(c, n, w, *value);
	} else {
		*value = bh_plic_read(bh_plic_enable(n, w)) & mask;
	}
	bh_unlock(&enable_lock);
}

bool bh_vplic_access(const struct bh_capsule *c, uint64_t offset, bool store,
		     uint32_t *value)
{
	struct bh_plic_reg r;

	if (!bh_board.plic.size || offset >= bh_board.plic.size || offset & 3)
		return false;
	bh_plic_decode(offset, &r);
	switch (r.kind) {
	case BH_PLIC_REG_PRIORITY:
		access_priority(c, r.index, store, value);
		return true;
	case BH_PLIC_REG_PENDING:
		access_pending(c, r.index, store, value);
		return true;
	case BH_PLIC_REG_ENABLE:
		access_enable(c, r.context, r.index, store, value);
		return true;
	case BH_PLIC_REG_CONTEXT:
		break;
	}
	/* Another context's page: it faults as it would on hardware. */
	return false;
}

/*
 * A completion is ignored unless the source is enabled in the context it
 * is written to (riscv-plic-spec), so each of the capsule's sources is
 * enabled in its own context for the moment of the completions; their
 * priorities are already 0, so none of them can be delivered meanwhile,
 * to this capsule or to one whose window it is on a shared hart.
 */
static void complete_all(const struct bh_capsule *c, uint32_t n)
{
	uint32_t w, s;

	bh_lock(&enable_lock);
	for (w = 0; w < BH_PLIC_WORDS; w++)
		write_own_enables(c, n, w, ~0U);
	for (s = 1; s <= sources; s++) {
		if (bh_vplic_owns_source(c, s))
			bh_plic_write(bh_plic_context(n, BH_PLIC_CLAIM), s);
	}
	for (w = 0; w < BH_PLIC_WORDS; w++)
		write_own_enables(c, n, w, 0);
	bh_unlock(&enable_lock);
}

/* A context of a hart a schedule shares: its threshold is not c's alone. */
static bool is_shared(uint32_t n)
{
	return bh_harts[bh_board.plic_context_map[n].hart].schedule;
}

void bh_vplic_reset_capsule(const struct bh_capsule *c)
{
	uint32_t v, s;

	if (!bh_board.plic.size)
		return;
	for (s = 1; s <= sources; s++) {
		if (bh_vplic_owns_source(c, s))
			bh_plic_write(bh_plic_priority(s), 0);
	}
	for (v = 0; v < c->vcpu_count && v < BH_MAX_VCPUS; v++) {
		uint32_t n = c->plic_contexts[v];

		if (n >= contexts)
			continue;	/* refused at boot; never reached */
		complete_all(c, n);
		if (!is_shared(n))
			bh_plic_write(bh_plic_context(n, BH_PLIC_THRESHOLD), 0);
	}
}

static bool owns_any_source(const struct bh_capsule *c)
{
	uint32_t w, any = 0;

	for (w = 0; w < BH_PLIC_WORDS; w++)
		any |= own_bits(c, w);
	return any;
}

/* Capsules without a context there (none on a board without PLIC) skip these. */
static bool has_context(uint32_t n)
{
	return bh_board.plic.size && n < contexts;
}

/*
 * Only the words holding some of c's sources are touched, and the lock is
 * not taken for a capsule that owns none (its enable accesses change
 * nothing): most of a switch's PLIC work otherwise (docs/performance.md,
 * "Scheduler").
 */
void bh_vplic_save(struct bh_vcpu *vc)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	uint32_t n = c->plic_contexts[vc->vcpu], w;

	if (has_context(n))
		vc->plic_threshold = bh_plic_read(bh_plic_context(n, BH_PLIC_THRESHOLD));
	if (!has_context(n) || !owns_any_source(c)) {
		vc->plic_saved = 1;
		return;
	}
	bh_lock(&enable_lock);
	for (w = 0; w < BH_PLIC_WORDS; w++) {
		if (!own_bits(c, w))
			continue;
		vc->plic_enables[w] = bh_plic_read(bh_plic_enable(n, w)) & own_bits(c, w);
		write_own_enables(c, n, w, 0);
	}
	vc->plic_saved = 1;
	bh_unlock(&enable_lock);
}

void bh_vplic_restore(struct bh_vcpu *vc)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	uint32_t n = c->plic_contexts[vc->vcpu], w;

	if (has_context(n))
		bh_plic_write(bh_plic_context(n, BH_PLIC_THRESHOLD), vc->plic_threshold);
	if (!has_context(n) || !owns_any_source(c)) {
		vc->plic_saved = 0;
		return;
	}
	bh_lock(&enable_lock);
	for (w = 0; w < BH_PLIC_WORDS; w++) {
		if (own_bits(c, w))
			write_own_enables(c, n, w, vc->plic_enables[w]);
	}
	vc->plic_saved = 0;
	bh_unlock(&enable_lock);
}

void bh_vplic_reset_saved(struct bh_vcpu *vc)
{
	uint32_t w;

	bh_lock(&enable_lock);
	for (w = 0; w < BH_PLIC_WORDS; w++)
		vc->plic_enables[w] = 0;
	vc->plic_threshold = 0;
	bh_unlock(&enable_lock);
}

void bh_vplic_enter(uint32_t n)
{
	if (has_context(n))
		bh_plic_write(bh_plic_context(n, BH_PLIC_THRESHOLD), 0);
}
