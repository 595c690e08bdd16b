// SPDX-License-Identifier: MIT
/* Trap counters: reading them, and the log line when a capsule ends. */
#include "bulkhead/capsule.h"
#include "bulkhead/log.h"
#include "bulkhead/traps.h"

uint64_t bh_traps_read(const struct bh_vcpu *vc, bool interrupt,
		       uint64_t code)
{
	const uint64_t *slot = interrupt ? vc->traps.interrupt :
					   vc->traps.exception;

	if (code > BH_TRAP_CODES)
		return 0;
	return READ_ONCE(slot[code]);
}

uint64_t bh_traps_total(const struct bh_vcpu *vc)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i <= BH_TRAP_CODES; i++)
		sum += READ_ONCE(vc->traps.exception[i]) +
		       READ_ONCE(vc->traps.interrupt[i]);
	return sum;
}

static size_t append(char *buf, size_t len, size_t at, bool interrupt,
		     uint32_t code, uint64_t n)
{
	const char *name = bh_arch_trap_name(interrupt, code);

	if (at >= len)
		return at;
	if (name)
		return at + bh_snprintf(buf + at, len - at, " %s %lu", name,
					(unsigned long)n);
	return at + bh_snprintf(buf + at, len - at, " %s%u %lu",
				interrupt ? "irq" : "exc", code,
				(unsigned long)n);
}

void bh_traps_log(const struct bh_capsule *c)
{
	char line[160];
	uint32_t v, i;

	for (v = 0; v < c->vcpu_count; v++) {
		const struct bh_vcpu *vc = bh_vcpu_of(c, v);
		size_t at = 0;

		line[0] = '\0';
		for (i = 0; i <= BH_TRAP_CODES; i++) {
			uint64_t e = READ_ONCE(vc->traps.exception[i]);
			uint64_t n = READ_ONCE(vc->traps.interrupt[i]);

			if (e)
				at = append(line, sizeof(line), at, false, i, e);
			if (n)
				at = append(line, sizeof(line), at, true, i, n);
		}
		bh_info("capsule %s vcpu %u hart %u traps:%s", c->name, v,
			vc->hart, at ? line : " none");
	}
}
