// SPDX-License-Identifier: MIT
/*
 * Fixture tables (what the generator would render) and the fake arch and
 * platform layers for the host unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/console.h"
#include "bulkhead/fault.h"
#include "bulkhead/log.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/mmio.h"
#include "bulkhead/platform.h"
#include "bulkhead/time_of_day.h"
#include "fake.h"

/* CLINT, console UART, poweroff and fw_cfg, as on qemu-virt (BH_PMP_GRAIN 4). */
static const struct bh_region hypervisor_devices[] = {
	{ 0x2000000, 0x10000 }, { UART_BASE, 0x100 }, { 0x100000, 0x1000 },
	{ FW_CFG_BASE, 0x18 },
};

/* qemu-virt's PLIC: context 2h is hart h in M-mode, 2h + 1 in S-mode. */
static const struct bh_plic_context plic_context_map[BH_PLIC_CONTEXTS] = {
	{ 0, BH_PLIC_MACHINE }, { 0, BH_PLIC_SUPERVISOR },
	{ 1, BH_PLIC_MACHINE }, { 1, BH_PLIC_SUPERVISOR },
	{ 2, BH_PLIC_MACHINE }, { 2, BH_PLIC_SUPERVISOR },
	{ 3, BH_PLIC_MACHINE }, { 3, BH_PLIC_SUPERVISOR },
};

/* Each capsule's devices: the threshold/claim pages of its contexts. */
static const struct bh_region alpha_devices[] = {
	{ PLIC_BASE + 0x201000, 0x1000 }, { PLIC_BASE + 0x203000, 0x1000 },
};

static const struct bh_region beta_devices[] = {
	{ PLIC_BASE + 0x205000, 0x1000 },
};

const struct bh_board bh_board = {
	.name = "fixture",
	.clint_base = 0x2000000,
	.uart_base = UART_BASE,
	.uart_clock = 3686400,
	.poweroff_base = 0x100000,
	.poweroff_pin = 10,	/* read by test_sifive_platform.c's GPIO restart only */
	.host_settings_base = FW_CFG_BASE,
	.clock_base = CLOCK_BASE,
	.hypervisor = { 0x80000000, 0x200000 },
	.hypervisor_devices = hypervisor_devices,
	.hypervisor_device_count = sizeof(hypervisor_devices) / sizeof(hypervisor_devices[0]),
	.plic = { PLIC_BASE, PLIC_SIZE },
	.plic_context_map = plic_context_map,
	.supervisor_harts = 0xf,
};

static const struct bh_payload alpha_payloads[] = {
	{ .load_addr = ALPHA_BASE, .size = ALPHA_PAYLOAD, .pristine = STORE_BASE },
};

static const struct bh_pmp_entry alpha_pmp[] = {
	{ .addr = (ALPHA_BASE + FAKE_MEM_SIZE / 2 - 1) >> 2, .cfg = 0x1f },
};

static const struct bh_pmp_entry beta_pmp[] = {
	{ .addr = (BETA_BASE + FAKE_MEM_SIZE / 2 - 1) >> 2, .cfg = 0x1f },
};

const struct bh_capsule bh_capsules[BH_CAPSULE_COUNT] = {
	{
		.name = "alpha", .vcpu_count = 2, .first_vcpu = 0,
		.vcpu_harts = { 0, 1 },
		.memory = { ALPHA_BASE, FAKE_MEM_SIZE },
		.entry = ALPHA_BASE, .dtb = ALPHA_DTB,
		.time_of_day = ALPHA_TIME_OF_DAY,
		.payloads = alpha_payloads, .payload_count = 1,
		.pmp = alpha_pmp, .pmp_count = 1,
		.vuart = { UART_BASE, 0x100 },
		.devices = alpha_devices, .device_count = 2,
		/* sources ALPHA_SOURCE and ALPHA_SOURCE_HIGH (word 1) */
		.irq_sources = { 1U << ALPHA_SOURCE, 1U << (ALPHA_SOURCE_HIGH - 32) },
		.plic_contexts = { 1, 3 },
	},
	{
		.name = "beta", .vcpu_count = 1, .first_vcpu = 2,
		.vcpu_harts = { 2 },
		.memory = { BETA_BASE, FAKE_MEM_SIZE },
		.entry = BETA_BASE, .dtb = BETA_DTB,
		.time_of_day = BETA_TIME_OF_DAY,
		.pmp = beta_pmp, .pmp_count = 1,
		.vuart = { UART_BASE, 0x100 },
		.may_reset_system = 1,
		.warm_reboot_is_panic = 1,	/* as a Linux guest's manifest says */
		.devices = beta_devices, .device_count = 1,
		.irq_sources = { 1U << BETA_SOURCE },
		.plic_contexts = { 5 },
	},
};

const struct bh_hart bh_harts[BH_HART_COUNT] = {
	{ 0, 0 }, { 0, 1 }, { 1, 0 }, { -1, 0 },
};
const uint32_t bh_console_focus = 0;
const char bh_system_name[] = "fixture";

struct bh_vcpu bh_vcpus[BH_VCPU_COUNT];
struct bh_hart_state bh_hart_states[BH_HART_COUNT];
struct fake fake;

void fake_reset(void)
{
	uint32_t h, i, v;

	memset(&fake, 0, sizeof(fake));
	fake.fw_cfg_signature = "QEMU";
	memset(bh_vcpus, 0, sizeof(bh_vcpus));
	memset(bh_hart_states, 0, sizeof(bh_hart_states));
	memset(bh_capsule_states, 0, sizeof(bh_capsule_states));
	for (i = 0; i < BH_CAPSULE_COUNT; i++) {
		for (v = 0; v < bh_capsules[i].vcpu_count; v++) {
			struct bh_vcpu *vc = bh_vcpu_of(&bh_capsules[i], v);

			vc->hart = bh_capsules[i].vcpu_harts[v];
			vc->capsule = (int32_t)i;
			vc->vcpu = v;
			vc->hsm_state = BH_HSM_STOPPED;
			vc->plic_saved = bh_harts[vc->hart].schedule != NULL;
			bh_arch_context_reset(&vc->context);
		}
	}
	for (h = 0; h < BH_HART_COUNT; h++) {
		bh_hart_states[h].window = -1;
		if (bh_harts[h].capsule >= 0)
			bh_hart_states[h].current = vcpu_on(h);
	}
	vcpu_on(0)->hsm_state = BH_HSM_STARTED;
	vcpu_on(2)->hsm_state = BH_HSM_STARTED;
	for (i = 0; i < BH_CAPSULE_COUNT; i++)
		bh_vuart_reset(&bh_capsule_states[i].vuart);
	for (i = 0; i < BH_CAPSULE_COUNT; i++)
		bh_console_reset(i);
	bh_console_init(0, false);	/* a log */
	/* No clock reading survives from an earlier test: time of day unknown. */
	bh_time_of_day_init();
	fake.clock_reads = 0;
	take_output();
	fake.holds = 0;
	fake.hold_max = 0;
}

struct bh_vcpu *vcpu_on(uint32_t h)
{
	const struct bh_hart *t = &bh_harts[h];

	if (t->capsule < 0) {
		fprintf(stderr, "no vCPU is pinned to hart %u\n", h);
		abort();
	}
	return bh_vcpu_of(&bh_capsules[t->capsule], t->vcpu);
}

struct bh_hart_state *hart_state(uint32_t h)
{
	return &bh_hart_states[h];
}

int run_hart(uint32_t h)
{
	int how;

	fake.hart = h;
	how = setjmp(fake.leave);
	if (!how)
		bh_hart_run(&bh_hart_states[h]);
	return how;
}

/*
 * Capsule memory is two host buffers and the pristine store a third;
 * anything else is a stray access.
 */
void *bh_arch_phys(uint64_t pa)
{
	static uint8_t stray[64];
	int i;

	for (i = 0; i < 2; i++) {
		uint64_t base = i ? BETA_BASE : ALPHA_BASE;

		if (pa >= base && pa - base < FAKE_MEM_SIZE)
			return &fake.mem[i][pa - base];
	}
	if (pa >= STORE_BASE && pa - STORE_BASE < STORE_SIZE)
		return &fake.store[pa - STORE_BASE];
	fake.stray = "hypervisor touched memory outside every capsule";
	return stray;
}

void *guest_ptr(uint64_t pa)
{
	return bh_arch_phys(pa);
}

void put16(uint64_t pa, uint16_t v)
{
	memcpy(guest_ptr(pa), &v, sizeof(v));
}

void put32(uint64_t pa, uint32_t v)
{
	memcpy(guest_ptr(pa), &v, sizeof(v));
}

void put64(uint64_t pa, uint64_t v)
{
	memcpy(guest_ptr(pa), &v, sizeof(v));
}

uint64_t get_be64(uint64_t pa)
{
	const uint8_t *p = guest_ptr(pa);
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

const char *take_output(void)
{
	static char copy[sizeof(fake.out)];

	memcpy(copy, fake.out, fake.out_len);
	copy[fake.out_len] = '\0';
	fake.out_len = 0;
	return copy;
}

uint32_t bh_arch_hart_id(void)
{
	return fake.hart;
}

uint64_t bh_arch_time(void)
{
	return fake.time;
}

uint64_t bh_clock_read_ns(void)
{
	fake.clock_reads++;
	return fake.clock_ns;
}

/* Nothing wakes a fake hart: a loop that only waits would never end. */
void bh_arch_wait(void)
{
	if (fake.stop_waiting)
		longjmp(fake.leave, FAKE_WAITED);
	if (++fake.waits > 100000) {
		fprintf(stderr, "hart %u waits forever\n", fake.hart);
		abort();
	}
}

void bh_arch_send_ipi(uint32_t target)
{
	uint32_t self = fake.hart;

	if (fake.ipi_count < MAX_IPIS)
		fake.ipis[fake.ipi_count++] = target;
	if (!fake.autoservice || target == self)
		return;
	fake.hart = target;
	bh_mailbox_service(&bh_hart_states[target]);
	fake.hart = self;
}

void bh_arch_clear_ipi(void)
{
}

void bh_arch_fence(const struct bh_fence *f)
{
	if (f->fence_i)
		fake.fence_i[fake.hart]++;
	if (f->vma)
		fake.sfence[fake.hart]++;
	fake.last_fence[fake.hart] = *f;
}

void bh_arch_inject_ssip(void)
{
	fake.ssip[fake.hart]++;
}

void bh_arch_set_guest_timer(uint64_t when)
{
	fake.timer[fake.hart] = when;
}

/* A fired multiplexed timer becomes an interrupt the guest sees. */
bool bh_arch_timer_poll(void)
{
	fake.timer_polls++;
	if (fake.timer_fired)
		fake.irq_pending = true;
	fake.timer_fired = false;
	return false;
}

void bh_arch_set_hyp_timer(uint64_t when)
{
	fake.hyp_timer[fake.hart] = when;
}

void bh_arch_context_save(struct bh_arch_context *ctx)
{
	*ctx = fake.context[fake.hart];
	fake.saves[fake.hart]++;
}

void bh_arch_context_restore(const struct bh_arch_context *ctx)
{
	fake.context[fake.hart] = *ctx;
	fake.restores[fake.hart]++;
}

void bh_arch_context_reset(struct bh_arch_context *ctx)
{
	*ctx = (struct bh_arch_context){ .timer = ~0UL };
}

void bh_arch_flush_all(void)
{
	fake.flushes[fake.hart]++;
}

void bh_arch_vcpu_quiesce(void)
{
	fake.quiesces[fake.hart]++;
}

void bh_isolation_enter(const struct bh_capsule *c, uint32_t vcpu)
{
	(void)vcpu;
	fake.isolation[fake.hart] = (int32_t)(c - bh_capsules);
}

void bh_isolation_hart_init(void)
{
	fake.isolation[fake.hart] = -1;
}

void bh_vcpu_enter(struct bh_vcpu *vc, uint64_t pc, uint64_t arg)
{
	fake.ran = vc;
	fake.enter_pc = pc;
	fake.enter_arg = arg;
	longjmp(fake.leave, FAKE_ENTERED);
}

void bh_arch_resume_guest(struct bh_vcpu *vc)
{
	fake.ran = vc;
	longjmp(fake.leave, FAKE_RESUMED);
}

void bh_vcpu_leave(struct bh_vcpu *vc)
{
	fake.ran = vc;
	longjmp(fake.leave, FAKE_LEFT);
}

bool bh_arch_guest_irq_pending(void)
{
	return fake.irq_pending;
}

/* Distinct identity CSRs, so a test sees which one an SBI call read. */
uint64_t bh_arch_mvendorid(void)
{
	return FAKE_MVENDORID;
}

uint64_t bh_arch_marchid(void)
{
	return FAKE_MARCHID;
}

uint64_t bh_arch_mimpid(void)
{
	return FAKE_MIMPID;
}

/* Guest fetches with bare translation, failing outside capsule memory. */
int bh_arch_guest_fetch(struct bh_vcpu *vc, uint64_t epc,
			uint32_t *insn)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	uint16_t half;

	if (!bh_capsule_owns(c, epc, 2))
		return -1;
	memcpy(&half, bh_arch_phys(epc), 2);
	*insn = half;
	if ((half & 3) != 3)
		return 0;
	if (!bh_capsule_owns(c, epc + 2, 2))
		return -1;
	memcpy(&half, bh_arch_phys(epc + 2), 2);
	*insn |= (uint32_t)half << 16;
	return 0;
}

/* The fake translates nothing, so every fetch is a hit. */
bool bh_arch_guest_fetch_hit(struct bh_vcpu *vc, uint64_t epc, uint64_t satp,
			     uint32_t *insn)
{
	(void)satp;
	return !bh_arch_guest_fetch(vc, epc, insn);
}

void bh_arch_guest_trap_state(const struct bh_vcpu *vc,
			      struct bh_guest_trap_state *g)
{
	(void)vc;
	*g = fake.guest;
}

/* As the hardware would: the trap CSRs take the fault, the guest resumes at the vector. */
void bh_arch_deliver_trap(struct bh_vcpu *vc, const struct bh_fault *f,
			  uint64_t vector)
{
	fake.guest.epc = f->epc;
	fake.guest.cause = f->cause;
	fake.guest.tval = f->tval;
	fake.delivered++;
	vc->frame.mepc = vector;
}

void bh_arch_halt(void)
{
	fprintf(stderr, "hart %u halted\n", fake.hart);
	abort();
}

/* What the real park does before it waits: the core's bookkeeping. */
void bh_vcpu_park(struct bh_vcpu *vc)
{
	fake.parked_hart = vc->hart;
	bh_capsule_vcpu_parks(vc);
	longjmp(fake.leave, FAKE_PARKED);
}

void bh_poweroff(void)
{
	longjmp(fake.leave, FAKE_POWEROFF);
}

void bh_poweroff_fail(uint32_t code)
{
	fake.exit_code = code;
	longjmp(fake.leave, FAKE_POWEROFF_FAIL);
}

/* Every byte is written under the console lock: count it to its hold. */
static void count_hold(void)
{
	uint32_t owner = __atomic_load_n(&bh_console_lock.owner, __ATOMIC_RELAXED);

	if (!fake.holds || owner != fake.hold_owner) {
		fake.hold_owner = owner;
		fake.hold_bytes = 0;
		fake.holds++;
	}
	if (++fake.hold_bytes > fake.hold_max)
		fake.hold_max = fake.hold_bytes;
}

void bh_uart_write(const uint8_t *buf, size_t n)
{
	for (; n; n--, buf++) {
		count_hold();
		if (fake.out_len + 1 < sizeof(fake.out))
			fake.out[fake.out_len++] = (char)*buf;
	}
}

int bh_uart_getc(void)
{
	if (!fake.in || !*fake.in)
		return -1;
	return (uint8_t)*fake.in++;
}

/* The fake fw_cfg: the bytes of the item the selector picked. */
static struct {
	uint8_t item[4];
	size_t size, pos;
} fw_cfg;

static void fw_cfg_select(uint16_t key)
{
	memset(&fw_cfg, 0, sizeof(fw_cfg));
	if (key == 0x0000) {
		fw_cfg.size = strlen(fake.fw_cfg_signature);
		memcpy(fw_cfg.item, fake.fw_cfg_signature, fw_cfg.size);
	} else if (key == 0x000e) {	/* boot menu, little-endian */
		fw_cfg.item[0] = (uint8_t)fake.fw_cfg_boot_menu;
		fw_cfg.item[1] = (uint8_t)(fake.fw_cfg_boot_menu >> 8);
		fw_cfg.size = 2;
	}
}

/* The data register, read a byte at a time: past the item's end, 0. */
uint8_t bh_mmio_read8(uint64_t pa)
{
	if (pa != FW_CFG_BASE) {
		fake.fw_cfg_stray = "byte read of no fw_cfg data register";
		return 0;
	}
	return fw_cfg.pos < fw_cfg.size ? fw_cfg.item[fw_cfg.pos++] : 0;
}

/* No fake device takes byte writes (ns16550.c here uses 32-bit ones). */
void bh_mmio_write8(uint64_t pa, uint8_t v)
{
	(void)pa;
	(void)v;
	fake.mmio32_stray = "byte write: no fake register takes one";
}

/* The selector register: the bus carries the store's bytes little-endian. */
void bh_mmio_write16(uint64_t pa, uint16_t v)
{
	if (pa != FW_CFG_BASE + 8) {
		fake.fw_cfg_stray = "16-bit write of no fw_cfg selector";
		return;
	}
	fw_cfg_select((uint16_t)((v & 0xff) << 8 | v >> 8));
}

#define SIFIVE_TXDATA	0x00
#define SIFIVE_RXDATA	0x04
#define SIFIVE_FLAG	(1u << 31)

static bool in_window(uint64_t pa, uint64_t base, uint64_t size)
{
	return pa >= base && pa < base + size && !(pa & 3);
}

/* txdata says "full" tx_full_reads times; rxdata pops fake.in. */
uint32_t bh_mmio_read32(uint64_t pa)
{
	if (pa == UART_BASE + SIFIVE_TXDATA) {
		if (!fake.tx_full_reads)
			return 0;
		fake.tx_full_reads--;
		return SIFIVE_FLAG;
	}
	if (pa == UART_BASE + SIFIVE_RXDATA)
		return fake.in && *fake.in ? (uint8_t)*fake.in++ : SIFIVE_FLAG;
	if (in_window(pa, UART_BASE, sizeof(fake.sifive_uart)))
		return fake.sifive_uart[(pa - UART_BASE) / 4];
	if (in_window(pa, bh_board.poweroff_base, sizeof(fake.gpio)))
		return fake.gpio[(pa - bh_board.poweroff_base) / 4];
	fake.mmio32_stray = "32-bit read of no fake register";
	return 0;
}

void bh_mmio_write32(uint64_t pa, uint32_t v)
{
	if (pa == UART_BASE + SIFIVE_TXDATA && fake.out_len < sizeof(fake.out))
		fake.out[fake.out_len++] = (char)v;
	else if (in_window(pa, UART_BASE, sizeof(fake.sifive_uart)))
		fake.sifive_uart[(pa - UART_BASE) / 4] = v;
	else if (in_window(pa, bh_board.poweroff_base, sizeof(fake.gpio)))
		fake.gpio[(pa - bh_board.poweroff_base) / 4] = v;
	else
		fake.mmio32_stray = "32-bit write of no fake register";
}

uint32_t *plic_reg(uint64_t offset)
{
	return &fake.plic[offset / 4];
}

/* Which context page and register offset is in, or -1. */
static int plic_context_reg(uint64_t offset, uint32_t *context)
{
	uint64_t rel = offset - 0x200000;

	if (offset < 0x200000 || rel / 0x1000 >= BH_PLIC_CONTEXTS)
		return -1;
	*context = (uint32_t)(rel / 0x1000);
	return (int)(rel % 0x1000);
}

uint32_t bh_plic_read(uint64_t offset)
{
	uint32_t n;

	if (offset & 3)
		fake.plic_stray = "misaligned PLIC read";
	else if (offset < FAKE_PLIC_LOW)
		return fake.plic[offset / 4];
	else if (plic_context_reg(offset, &n) == 0)
		return fake.plic_threshold[n];
	else
		fake.plic_stray = "PLIC read of no register the hypervisor reads";
	return 0;
}

void bh_plic_write(uint64_t offset, uint32_t value)
{
	uint32_t n;
	int reg;

	fake.plic_writes++;
	if (offset & 3) {
		fake.plic_stray = "misaligned PLIC write";
	} else if (offset < 0x1000) {
		fake.plic[offset / 4] = value & FAKE_PLIC_PRIO_MASK;
	} else if (offset < 0x2000) {
		fake.plic_stray = "PLIC pending write";
	} else if (offset < FAKE_PLIC_LOW) {
		fake.plic[offset / 4] = value;
	} else if ((reg = plic_context_reg(offset, &n)) == 0) {
		fake.plic_threshold[n] = value;
	} else if (reg == 4 && fake.completion_count < MAX_COMPLETIONS) {
		uint32_t en = fake.plic[(0x2000 + 0x80 * n + 4 * (value / 32)) / 4];

		fake.completions[fake.completion_count].context = n;
		fake.completions[fake.completion_count].source = value;
		fake.completions[fake.completion_count++].enabled =
			value < 1024 && ((en >> (value % 32)) & 1);
	} else {
		fake.plic_stray = "PLIC write past the registers";
	}
}

void bh_panic(const char *fmt, ...)
{
	fprintf(stderr, "bh_panic: %s\n", fmt);
	abort();
}
