// SPDX-License-Identifier: MIT
/*
 * Boot-time consumption of the tables: every hart learns its capsule and
 * vCPU, every capsule starts RUNNING with vCPU 0 about to enter its entry
 * point with the DTB (holding the time of day) in a1, every other vCPU
 * STOPPED until hart_start.
 */
#include "bulkhead/capsule.h"
#include "bulkhead/isolation.h"
#include "bulkhead/lib.h"
#include "bulkhead/log.h"
#include "bulkhead/plic.h"
#include "bulkhead/region.h"
#include "bulkhead/time_of_day.h"

static void init_vcpus(const struct bh_capsule *c, uint32_t i,
		       const uint64_t *stack_tops)
{
	uint32_t v;

	for (v = 0; v < c->vcpu_count; v++) {
		struct bh_vcpu *vc = bh_vcpu_of(c, v);

		vc->hart = c->vcpu_harts[v];
		vc->capsule = (int32_t)i;
		vc->vcpu = v;
		vc->hsm_state = BH_HSM_STOPPED;
		vc->parked = 1;
		vc->frame.stack_top = stack_tops[vc->hart];
		vc->plic_saved = bh_harts[vc->hart].schedule != NULL;
		bh_arch_context_reset(&vc->context);
	}
}

static void init_harts(void)
{
	uint32_t h;

	for (h = 0; h < BH_HART_COUNT; h++) {
		struct bh_hart_state *hs = &bh_hart_states[h];
		const struct bh_hart *t = &bh_harts[h];

		hs->schedule = t->schedule;
		hs->window = -1;
		if (t->capsule >= 0)
			hs->current = bh_vcpu_of(&bh_capsules[t->capsule], t->vcpu);
	}
}

void bh_capsules_init(const uint64_t *stack_tops)
{
	uint32_t i;

	for (i = 0; i < BH_CAPSULE_COUNT; i++) {
		const struct bh_capsule *c = &bh_capsules[i];
		struct bh_vcpu *first = bh_vcpu_of(c, 0);

		init_vcpus(c, i, stack_tops);
		bh_capsule_states[i].run = BH_CAPSULE_RUNNING;
		bh_capsule_states[i].restarts = 0;
		bh_vuart_reset(&bh_capsule_states[i].vuart);
		first->start_addr = c->entry;
		first->start_arg = c->dtb;
		first->hsm_state = BH_HSM_START_PENDING;
	}
	init_harts();
}

void bh_capsule_boot(const struct bh_capsule *c)
{
	bh_capsule_fill(c);
	bh_time_of_day_write(c);
}

static int __printf(3, 4) fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static bool overlaps(const struct bh_region *a, uint64_t base, uint64_t size)
{
	return base < a->base + a->size && a->base < base + size;
}

/* Hart h's schedule gives capsule i's vCPU v a window. */
static bool has_window(const struct bh_schedule *s, uint32_t i, uint32_t v)
{
	uint32_t k;

	for (k = 0; k < s->window_count; k++) {
		if (s->windows[k].capsule == i && s->windows[k].vcpu == v)
			return true;
	}
	return false;
}

/* vCPU v of capsule i runs on hart h: pinned there, or in h's schedule. */
static bool hart_runs(const struct bh_system_tables *t, uint32_t h,
		      uint32_t i, uint32_t v)
{
	const struct bh_hart *hart = &t->harts[h];

	if (hart->schedule)
		return hart->capsule < 0 && has_window(hart->schedule, i, v);
	return hart->capsule == (int32_t)i && hart->vcpu == v;
}

static int check_hart_map(const struct bh_system_tables *t, uint32_t i,
			  uint32_t first_vcpu, char *why, size_t len)
{
	const struct bh_capsule *c = &t->capsules[i];
	uint32_t v, h;

	if (c->vcpu_count < 1 || c->vcpu_count > BH_MAX_VCPUS)
		return fail(why, len, "capsule %s has %u vCPUs (1..%u)",
					c->name, c->vcpu_count, BH_MAX_VCPUS);
	if (c->first_vcpu != first_vcpu ||
	    c->first_vcpu + c->vcpu_count > t->vcpu_count)
		return fail(why, len,
			    "capsule %s: its vCPU states start at %u, not %u, or pass %u",
			    c->name, c->first_vcpu, first_vcpu, t->vcpu_count);
	for (v = 0; v < c->vcpu_count; v++) {
		h = c->vcpu_harts[v];
		if (h >= t->hart_count || !hart_runs(t, h, i, v))
			return fail(why, len,
				"capsule %s vCPU %u names hart %u, whose table entry disagrees",
				c->name, v, h);
	}
	return 0;
}

/* Each window of hart h runs a vCPU of a capsule that names hart h. */
static int check_schedule(const struct bh_system_tables *t, uint32_t h,
			  char *why, size_t len)
{
	const struct bh_schedule *s = t->harts[h].schedule;
	uint64_t end = 0;
	uint32_t k;

	if (!s->frame || !s->window_count)
		return fail(why, len, "hart %u: its schedule is empty", h);
	for (k = 0; k < s->window_count; k++) {
		const struct bh_window *w = &s->windows[k];

		if (w->capsule >= t->capsule_count ||
		    w->vcpu >= t->capsules[w->capsule].vcpu_count ||
		    t->capsules[w->capsule].vcpu_harts[w->vcpu] != h)
			return fail(why, len,
				    "hart %u window %u runs a vCPU that does not name hart %u",
				    h, k, h);
		if (!w->length || w->start < end || w->start + w->length > s->frame)
			return fail(why, len,
				    "hart %u window %u [%lu, %lu) is empty, overlaps the one before or ends after the frame",
				    h, k, (unsigned long)w->start,
				    (unsigned long)(w->start + w->length));
		end = w->start + w->length;
	}
	return 0;
}

static int check_memory(const struct bh_system_tables *t, uint32_t i,
			char *why, size_t len)
{
	const struct bh_capsule *c = &t->capsules[i];
	const struct bh_region *m = &c->memory;
	uint32_t j;

	if (!m->size || m->base + m->size < m->base ||
	    overlaps(&t->hypervisor, m->base, m->size))
		return fail(why, len,
			"capsule %s memory [%#lx, +%#lx) is empty, wraps or covers the hypervisor",
			c->name, (unsigned long)m->base, (unsigned long)m->size);
	for (j = 0; j < i; j++) {
		if (overlaps(&t->capsules[j].memory, m->base, m->size))
			return fail(why, len,
				"capsules %s and %s share memory",
				t->capsules[j].name, c->name);
	}
	if (!bh_region_contains(m, c->entry, 2) ||
	    !bh_region_contains(m, c->dtb, 8))
		return fail(why, len,
			"capsule %s entry or DTB is outside its memory", c->name);
	/* The hypervisor writes it at each start: only ever into the capsule. */
	if (!bh_region_contains(m, c->time_of_day, BH_TIME_OF_DAY_SIZE))
		return fail(why, len,
			"capsule %s time of day at %#lx is outside its memory",
			c->name, (unsigned long)c->time_of_day);
	for (j = 0; j < c->payload_count; j++) {
		const struct bh_payload *p = &c->payloads[j];

		if (!bh_region_contains(m, p->load_addr, p->size))
			return fail(why, len,
				"capsule %s payload %u is outside its memory",
				c->name, j);
	}
	return 0;
}

/* Pristine copies may be anywhere but inside a capsule's memory. */
static int check_pristine(const struct bh_system_tables *t, uint32_t i,
			  char *why, size_t len)
{
	const struct bh_capsule *c = &t->capsules[i];
	uint32_t j, k;

	for (j = 0; j < c->payload_count; j++) {
		const struct bh_payload *p = &c->payloads[j];

		if (!p->pristine)
			continue;
		for (k = 0; k < t->capsule_count; k++) {
			if (overlaps(&t->capsules[k].memory, p->pristine, p->size))
				return fail(why, len,
					"capsule %s payload %u: its pristine copy is inside capsule %s",
					c->name, j, t->capsules[k].name);
		}
	}
	return 0;
}

/* The threshold/claim page of one of the capsule's own PLIC contexts. */
static bool own_context_page(const struct bh_system_tables *t,
			     const struct bh_capsule *c,
			     const struct bh_region *d)
{
	uint32_t v;

	for (v = 0; v < c->vcpu_count; v++) {
		uint64_t page = t->plic.base +
				bh_plic_context(c->plic_contexts[v], 0);

		if (c->plic_contexts[v] == BH_PLIC_NO_CONTEXT)
			continue;

		if (d->base == page && d->size == BH_PLIC_CONTEXT_STRIDE)
			return true;
	}
	return false;
}

static const char *device_clash(const struct bh_system_tables *t, uint32_t i,
				const struct bh_region *d)
{
	uint32_t j, k;

	if (overlaps(&t->hypervisor, d->base, d->size))
		return "the hypervisor's RAM";
	for (k = 0; k < t->hypervisor_device_count; k++) {
		if (overlaps(&t->hypervisor_devices[k], d->base, d->size))
			return "a device of the hypervisor";
	}
	for (j = 0; j < t->capsule_count; j++) {
		if (overlaps(&t->capsules[j].memory, d->base, d->size))
			return "capsule memory";
		for (k = 0; j != i && k < t->capsules[j].device_count; k++) {
			const struct bh_region *e = &t->capsules[j].devices[k];

			if (!overlaps(e, d->base, d->size))
				continue;
			/*
			 * Capsules sharing a hart by schedule share the page
			 * of its supervisor context (check_hart_map proved
			 * that each has a vCPU on that hart).
			 */
			if (own_context_page(t, &t->capsules[i], d) &&
			    own_context_page(t, &t->capsules[j], e))
				continue;
			return "a device of another capsule";
		}
	}
	return NULL;
}

/* A passthrough device belongs to its capsule alone. */
static int check_devices(const struct bh_system_tables *t, uint32_t i,
			 char *why, size_t len)
{
	const struct bh_capsule *c = &t->capsules[i];
	const char *clash;
	uint32_t k;

	for (k = 0; k < c->device_count; k++) {
		const struct bh_region *d = &c->devices[k];

		if (!d->size || d->base + d->size < d->base)
			return fail(why, len,
				    "capsule %s device %u [%#lx, +%#lx) is empty or wraps",
				    c->name, k, (unsigned long)d->base,
				    (unsigned long)d->size);
		if (t->plic.size && overlaps(&t->plic, d->base, d->size) &&
		    !own_context_page(t, c, d))
			return fail(why, len,
				    "capsule %s device [%#lx, %#lx) is in the PLIC but not the page of one of its contexts",
				    c->name, (unsigned long)d->base,
				    (unsigned long)(d->base + d->size));
		clash = device_clash(t, i, d);
		if (clash)
			return fail(why, len,
				    "capsule %s device [%#lx, %#lx) overlaps %s",
				    c->name, (unsigned long)d->base,
				    (unsigned long)(d->base + d->size), clash);
	}
	return 0;
}

static bool has_supervisor_context(const struct bh_system_tables *t,
				   uint32_t hart)
{
	uint32_t n;

	for (n = 0; n < t->plic_context_count; n++) {
		if (t->plic_context_map[n].hart == hart &&
		    t->plic_context_map[n].mode == BH_PLIC_SUPERVISOR)
			return true;
	}
	return false;
}

/*
 * Each vCPU's context is the supervisor context of the hart it runs on, or
 * BH_PLIC_NO_CONTEXT when that hart has none; a capsule with interrupt
 * sources has at least one context to take them.
 */
static int check_plic_contexts(const struct bh_system_tables *t, uint32_t i,
			       char *why, size_t len)
{
	const struct bh_capsule *c = &t->capsules[i];
	uint32_t v, n, w, contexts = 0, sources = 0;

	if (!t->plic.size)
		return 0;
	if (!t->plic_context_map)
		return fail(why, len, "the board has a PLIC but no context map");
	for (v = 0; v < c->vcpu_count; v++) {
		n = c->plic_contexts[v];
		if (n == BH_PLIC_NO_CONTEXT &&
		    !has_supervisor_context(t, c->vcpu_harts[v]))
			continue;
		if (n >= t->plic_context_count ||
		    t->plic_context_map[n].hart != c->vcpu_harts[v] ||
		    t->plic_context_map[n].mode != BH_PLIC_SUPERVISOR)
			return fail(why, len,
				    "capsule %s vCPU %u: PLIC context %u is not the supervisor context of hart %u",
				    c->name, v, n, c->vcpu_harts[v]);
		contexts++;
	}
	for (w = 0; w < BH_PLIC_WORDS; w++)
		sources |= c->irq_sources[w];
	if (sources && !contexts)
		return fail(why, len,
			    "capsule %s has PLIC sources but no PLIC context to take them",
			    c->name);
	return 0;
}

/* Sources 1..plic_source_count, each owned by one capsule at most. */
static int check_plic_sources(const struct bh_system_tables *t, uint32_t i,
			      char *why, size_t len)
{
	const struct bh_capsule *c = &t->capsules[i];
	uint32_t w, j, s;

	for (w = 0; w < BH_PLIC_WORDS; w++) {
		uint32_t bits = c->irq_sources[w];

		for (s = w * 32; bits; s++, bits >>= 1) {
			if (!(bits & 1))
				continue;
			if (!t->plic.size || !s || s > t->plic_source_count)
				return fail(why, len,
					    "capsule %s owns PLIC source %u, which does not exist",
					    c->name, s);
		}
		for (j = 0; j < i; j++) {
			bits = c->irq_sources[w] & t->capsules[j].irq_sources[w];
			if (bits)
				return fail(why, len,
					    "capsules %s and %s share PLIC source %u",
					    t->capsules[j].name, c->name,
					    w * 32 + bh_lowest_bit(bits));
		}
	}
	return 0;
}

/* A hart without S-mode (a monitor core) cannot run a vCPU. */
static int check_supervisor_harts(const struct bh_system_tables *t, uint32_t i,
				  char *why, size_t len)
{
	const struct bh_capsule *c = &t->capsules[i];
	uint32_t v, h;

	for (v = 0; v < c->vcpu_count; v++) {
		h = c->vcpu_harts[v];
		if (h < 64 && !(t->supervisor_harts >> h & 1))
			return fail(why, len,
				    "capsule %s vCPU %u runs on hart %u, which has no S-mode",
				    c->name, v, h);
	}
	return 0;
}

int bh_tables_check(const struct bh_system_tables *t, char *why, size_t len)
{
	uint32_t i, h, first_vcpu = 0;

	for (i = 0; i < t->capsule_count; i++) {
		if (check_hart_map(t, i, first_vcpu, why, len) ||
		    check_supervisor_harts(t, i, why, len) ||
		    check_memory(t, i, why, len) ||
		    check_pristine(t, i, why, len) ||
		    check_plic_contexts(t, i, why, len) ||
		    check_devices(t, i, why, len) ||
		    check_plic_sources(t, i, why, len) ||
		    bh_isolation_check(&t->capsules[i], why, len))
			return -1;
		if (t->capsules[i].pmp_count > BH_PMP_ENTRIES) {
			return fail(why, len,
				    "capsule %s needs %u PMP entries, the board has %u",
				    t->capsules[i].name, t->capsules[i].pmp_count,
				    BH_PMP_ENTRIES);
		}
		first_vcpu += t->capsules[i].vcpu_count;
	}
	if (first_vcpu != t->vcpu_count)
		return fail(why, len, "the capsules have %u vCPUs, the tables %u",
			    first_vcpu, t->vcpu_count);
	for (h = 0; h < t->hart_count; h++) {
		const struct bh_hart *hart = &t->harts[h];

		if (hart->schedule) {
			if (check_schedule(t, h, why, len))
				return -1;
			continue;
		}
		if (hart->capsule >= (int32_t)t->capsule_count ||
		    (hart->capsule >= 0 &&
		     (hart->vcpu >= t->capsules[hart->capsule].vcpu_count ||
		      t->capsules[hart->capsule].vcpu_harts[hart->vcpu] != h))) {
			return fail(why, len,
				    "hart %u runs capsule %d vCPU %u, which the capsule table does not say",
				    h, hart->capsule, hart->vcpu);
		}
	}
	return 0;
}
