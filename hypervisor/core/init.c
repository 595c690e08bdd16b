// SPDX-License-Identifier: MIT
/*
 * Boot-time consumption of the tables: every hart learns its capsule and
 * vCPU, every capsule starts RUNNING with vCPU 0 about to enter its entry
 * point with the DTB in a1, every other vCPU STOPPED until hart_start.
 */
#include "bulkhead/capsule.h"

static void init_harts(void)
{
	uint32_t h;

	for (h = 0; h < BH_HART_COUNT; h++) {
		struct bh_hart_state *hs = &bh_hart_states[h];

		hs->hart = h;
		hs->capsule = bh_harts[h].capsule;
		hs->vcpu = bh_harts[h].vcpu;
		hs->hsm_state = BH_HSM_STOPPED;
	}
}

void bh_capsules_init(void)
{
	uint32_t i;

	init_harts();
	for (i = 0; i < BH_CAPSULE_COUNT; i++) {
		const struct bh_capsule *c = &bh_capsules[i];
		struct bh_hart_state *first = bh_vcpu_hart(c, 0);

		bh_capsule_states[i].run = BH_CAPSULE_RUNNING;
		bh_capsule_states[i].restarts = 0;
		bh_vuart_reset(&bh_capsule_states[i].vuart);
		first->start_addr = c->entry;
		first->start_arg = c->dtb;
		first->hsm_state = BH_HSM_START_PENDING;
	}
}
