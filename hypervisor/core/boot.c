// SPDX-License-Identifier: MIT
/*
 * Boot. Hart 0 prepares the shared state and prints the banner while the
 * others wait in entry.S; then every hart sets itself up and runs its loop
 * (bh_hart_run): vCPU 0 of each capsule starts at once.
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/console.h"
#include "bulkhead/isolation.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/platform.h"
#include "bulkhead/sched.h"
#include "bulkhead/time_of_day.h"
#include "bulkhead/version.h"
#include "bulkhead/vplic.h"

struct bh_vcpu bh_vcpus[BH_VCPU_COUNT];
struct bh_hart_state bh_hart_states[BH_HART_COUNT];
uint8_t bh_stacks[BH_HART_COUNT][BH_STACK_SIZE] __aligned(16);

void bh_boot_primary(void);
void bh_main(uint32_t hart) __noreturn;

static void print_capsule(const struct bh_capsule *c)
{
	char harts[96];
	size_t len = 0;
	uint32_t v;

	for (v = 0; v < c->vcpu_count && len < sizeof(harts); v++)
		len += bh_snprintf(harts + len, sizeof(harts) - len, "%s%u->%u",
				   v ? " " : "", v, c->vcpu_harts[v]);
	bh_info("capsule %s: vcpus->harts %s; memory [%#lx, %#lx); entry %#lx",
		c->name, harts, (unsigned long)c->memory.base,
		(unsigned long)(c->memory.base + c->memory.size),
		(unsigned long)c->entry);
}

static void print_banner(void)
{
	uint32_t i;

	bh_info("Bulkhead %lu: system %s on %s, %u harts, %u capsules",
		BH_VERSION, bh_system_name, bh_board.name,
		BH_HART_COUNT, BH_CAPSULE_COUNT);
	for (i = 0; i < BH_CAPSULE_COUNT; i++)
		print_capsule(&bh_capsules[i]);
}

static void check_tables(void)
{
	const struct bh_system_tables tables = {
		.capsules = bh_capsules,
		.capsule_count = BH_CAPSULE_COUNT,
		.harts = bh_harts,
		.hart_count = BH_HART_COUNT,
		.vcpu_count = BH_VCPU_COUNT,
		.hypervisor = bh_board.hypervisor,
		.hypervisor_devices = bh_board.hypervisor_devices,
		.hypervisor_device_count = bh_board.hypervisor_device_count,
		.plic = bh_board.plic,
		.plic_context_map = bh_board.plic_context_map,
		.plic_context_count = BH_PLIC_CONTEXTS,
		.plic_source_count = BH_PLIC_SOURCES,
		.supervisor_harts = bh_board.supervisor_harts,
	};
	char why[160];

	if (bh_tables_check(&tables, why, sizeof(why)))
		bh_panic("the generated tables are inconsistent: %s", why);
}

/* hypervisor.console.redraw; auto asks the board's host-settings device. */
static bool console_is_terminal(void)
{
	if (bh_console_redraw == BH_REDRAW_AUTO)
		return bh_host_console_is_terminal();
	return bh_console_redraw == BH_REDRAW_ALWAYS;
}

void bh_boot_primary(void)
{
	uint64_t stack_tops[BH_HART_COUNT];
	uint32_t h;

	bh_uart_init();
	bh_console_init(bh_console_focus, console_is_terminal());
	check_tables();
	bh_vplic_init();
	print_banner();
	bh_time_of_day_init();
	for (h = 0; h < BH_HART_COUNT; h++)
		stack_tops[h] = (uintptr_t)bh_stacks[h] + BH_STACK_SIZE;
	bh_capsules_init(stack_tops);
	/* Every schedule's frame 0 starts now, on all its harts alike. */
	bh_sched_epoch = bh_arch_time();
}

/*
 * Each hart fills the capsules whose vCPU 0 it runs, so capsules fill in
 * parallel; on a shared hart that is before its first window. Then the
 * hart's loop: pinned, it enters its vCPU when started; shared, it follows
 * its schedule; unused, it waits for a panic's HALT.
 */
void bh_main(uint32_t hart)
{
	uint32_t i;

	/* A hart without S-mode (a monitor core) runs no vCPU: the tables say so. */
	if (!(bh_board.supervisor_harts >> hart & 1)) {
		bh_arch_monitor_hart_init();
		bh_hart_run(&bh_hart_states[hart]);
	}
	bh_arch_hart_init();
	bh_isolation_hart_init();
	for (i = 0; i < BH_CAPSULE_COUNT; i++) {
		if (bh_capsules[i].vcpu_harts[0] == hart)
			bh_capsule_boot(&bh_capsules[i]);
	}
	bh_hart_run(&bh_hart_states[hart]);
}
