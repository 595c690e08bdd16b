// SPDX-License-Identifier: MIT
/*
 * Boot. Hart 0 prepares the shared state and prints the banner while the
 * others wait in entry.S; then every hart sets itself up and either idles
 * or waits for its vCPU to be started (vCPU 0 of each capsule at once).
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/console.h"
#include "bulkhead/isolation.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/platform.h"
#include "bulkhead/time_of_day.h"
#include "bulkhead/version.h"
#include "bulkhead/vplic.h"

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

	if (bh_schedules_check(&tables, why, sizeof(why)))
		bh_panic("%s", why);
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
	bh_uart_init();
	bh_console_init(bh_console_focus, console_is_terminal());
	check_tables();
	bh_vplic_init();
	print_banner();
	bh_time_of_day_init();
	bh_capsules_init();
}

/* A hart no capsule uses: only a panic's HALT message concerns it. */
static void __noreturn idle(struct bh_hart_state *hs)
{
	for (;;) {
		bh_arch_wait();
		bh_mailbox_service(hs);
	}
}

void bh_main(uint32_t hart)
{
	struct bh_hart_state *hs = &bh_hart_states[hart];
	uint64_t stack_top = (uintptr_t)bh_stacks[hart] + BH_STACK_SIZE;

	/* A hart without S-mode (a monitor core) runs no vCPU: the tables say so. */
	if (!(bh_board.supervisor_harts >> hart & 1)) {
		bh_arch_monitor_hart_init(hs, stack_top);
		idle(hs);
	}
	bh_arch_hart_init(hs, stack_top);
	bh_isolation_hart_init();
	if (hs->capsule < 0)
		idle(hs);
	if (hs->vcpu == 0)
		bh_capsule_boot(bh_capsule_of(hs));
	bh_vcpu_park(hs);
}
