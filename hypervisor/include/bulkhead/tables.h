/* SPDX-License-Identifier: MIT */
/*
 * The static system description the generator renders into tables.c.
 * The hypervisor discovers nothing at run time: every hart, capsule, memory
 * region, PMP entry and device it knows about is in these tables.
 */
#ifndef BULKHEAD_TABLES_H
#define BULKHEAD_TABLES_H

#include <stdint.h>
#include "bulkhead_config.h"

/* A half-open physical range [base, base + size). */
struct bh_region {
	uint64_t base;
	uint64_t size;
};

/*
 * One PMP entry exactly as it is written: pmpaddrN and the pmpcfg byte;
 * the byte is 0 (off) on the harts of the capsule's other vCPUs when the
 * entry is one vCPU's own (its PLIC context page).
 */
struct bh_pmp_entry {
	uint64_t addr;
	uint8_t cfg;
	uint8_t only_vcpu;	/* 0: every vCPU's; v + 1: vCPU v's alone */
};

/*
 * One payload blob of a capsule (kernel, initrd or DTB). It sits in the
 * image at load_addr; pristine is the address of its read-only copy in the
 * pristine store, or 0 when the capsule never restarts. A payload with a
 * pristine copy is not in the image at load_addr: the hypervisor copies it
 * there at boot, as at every restart.
 */
struct bh_payload {
	uint64_t load_addr;
	uint64_t size;
	uint64_t pristine;
};

/* PLIC bitmap words for sources 0..BH_PLIC_SOURCES (bit s % 32 of word s / 32). */
#define BH_PLIC_WORDS ((BH_PLIC_SOURCES + 32) / 32)
#define BH_PLIC_NO_CONTEXT 0xffffffffu

enum bh_policy {
	BH_POLICY_HALT = 0,	/* stop the capsule, leave it off */
	BH_POLICY_RESTART = 1,	/* clear memory, reload payloads, start vCPU 0 */
};

struct bh_capsule {
	const char *name;
	uint32_t vcpu_count;
	/* Its vCPU v's state is bh_vcpus[first_vcpu + v] (BH_VCPU_COUNT of them). */
	uint32_t first_vcpu;
	/* vcpu_harts[v] is the physical hart that runs virtual hart v. */
	uint32_t vcpu_harts[BH_MAX_VCPUS];
	struct bh_region memory;
	uint64_t entry;		/* first instruction of vCPU 0 */
	uint64_t dtb;		/* passed in a1 */
	/*
	 * The 16-byte value of /chosen/bulkhead,time-of-day inside the DTB
	 * payload, which the hypervisor writes at each start of the capsule
	 * (docs/design.md, "Time of day").
	 */
	uint64_t time_of_day;
	const struct bh_payload *payloads;
	uint32_t payload_count;
	/* PMP entries granting memory and passthrough devices, in order. */
	const struct bh_pmp_entry *pmp;
	uint32_t pmp_count;
	/*
	 * Passthrough devices and the threshold/claim pages of its PLIC contexts
	 * (plic.base + 0x200000 + 0x1000 * context), each rounded out to the PMP
	 * grain: what its PMP entries may grant besides memory.
	 */
	const struct bh_region *devices;
	uint32_t device_count;
	/* Emulated ns16550 window; size 0 means no virtual UART. */
	struct bh_region vuart;
	uint8_t on_fault;	/* enum bh_policy */
	uint8_t on_poweroff;	/* enum bh_policy */
	uint8_t on_reboot;	/* enum bh_policy */
	uint8_t may_reset_system; /* SRST may reset/power off the whole board */
	uint8_t warm_reboot_is_panic; /* the guest's SBI warm reboot means it panicked (guest manifest) */
	uint32_t restart_limit;	/* restarts allowed by on-fault, 0 = none */
	/* PLIC sources of its devices: bit s % 32 of irq_sources[s / 32] (source 0 never). */
	uint32_t irq_sources[BH_PLIC_WORDS];
	/*
	 * plic_contexts[v]: the supervisor-mode PLIC context of the hart vCPU v
	 * runs on; BH_PLIC_NO_CONTEXT when that hart has none (a board may
	 * have M-only harts; the generator refuses device interrupts to a
	 * capsule none of whose harts has one).
	 */
	uint32_t plic_contexts[BH_MAX_VCPUS];
};

/*
 * A window of a schedule: from start to start + length timer ticks (the
 * time CSR, BH_TIMEBASE_FREQUENCY per second) after the start of each
 * frame, the hart runs vCPU vcpu of capsule capsule.
 */
struct bh_window {
	uint64_t start;
	uint64_t length;
	uint32_t capsule;	/* index in bh_capsules */
	uint32_t vcpu;
};

/*
 * The schedule of a shared hart (docs/design.md, "Scheduler"): the windows
 * repeat every frame ticks; they are in time order, disjoint, inside
 * [0, frame), each at least 100 us long; the hart is idle outside them.
 */
struct bh_schedule {
	uint64_t frame;
	const struct bh_window *windows;
	uint32_t window_count;
};

/*
 * What each physical hart runs. schedule 0: the hart is pinned 1:1 to
 * vCPU vcpu of capsule capsule, or idle when capsule < 0. Otherwise the
 * hart is shared by that schedule and capsule is -1.
 */
struct bh_hart {
	int32_t capsule;
	uint32_t vcpu;
	const struct bh_schedule *schedule;
};

/* What one PLIC context interrupts: a hart, in machine or supervisor mode. */
enum bh_plic_mode {
	BH_PLIC_MACHINE = 0,
	BH_PLIC_SUPERVISOR = 1,
};

struct bh_plic_context {
	uint32_t hart;
	uint32_t mode;		/* enum bh_plic_mode */
};

/* The physical console's kind (hypervisor-devices.console). */
enum bh_uart_kind {
	BH_UART_NS16550 = 0,
	BH_UART_SIFIVE = 1,	/* sifive,uart0 */
};

/* How the board ends (hypervisor-devices.poweroff). */
enum bh_poweroff_kind {
	BH_POWEROFF_SIFIVE_TEST = 0,	/* sifive,test: 0x5555 pass, 0x3333 fail, 0x7777 reset */
	BH_POWEROFF_GPIO_RESTART = 1,	/* sifive,gpio0 pin poweroff_pin low: a reset */
};

struct bh_board {
	const char *name;
	uint64_t clint_base;		/* msip at +0, mtimecmp at +0x4000, mtime at +0xbff8 */
	uint64_t uart_base;		/* the physical console */
	uint64_t uart_clock;
	uint32_t uart_kind;		/* enum bh_uart_kind */
	uint64_t poweroff_base;
	uint32_t poweroff_kind;		/* enum bh_poweroff_kind */
	uint32_t poweroff_pin;		/* BH_POWEROFF_GPIO_RESTART: the restart pin */
	/*
	 * The clock (goldfish RTC) the time of day is read from once at boot;
	 * 0: the board names none. Not in hypervisor_devices: a capsule may own it.
	 */
	uint64_t clock_base;
	uint64_t host_settings_base;	/* QEMU fw_cfg of the host's settings; 0: none */
	struct bh_region hypervisor;	/* the hypervisor's own RAM */
	/* The hypervisor's own devices (console UART, CLINT, poweroff, host settings), rounded out to the PMP grain: no capsule may reach them. */
	const struct bh_region *hypervisor_devices;
	uint32_t hypervisor_device_count;
	/* PLIC registers; size 0: no PLIC. Not in hypervisor_devices. */
	struct bh_region plic;
	/* plic_context_map[n]: the hart and mode of PLIC context n (BH_PLIC_CONTEXTS of them). */
	const struct bh_plic_context *plic_context_map;
	/*
	 * Bit h: hart h has S-mode and may run vCPUs. A hart without it (a
	 * monitor core, M and U only) runs the hypervisor and never a vCPU,
	 * and must never touch an S-mode CSR.
	 */
	uint64_t supervisor_harts;
};

extern const struct bh_board bh_board;
extern const struct bh_capsule bh_capsules[BH_CAPSULE_COUNT];
extern const struct bh_hart bh_harts[BH_HART_COUNT];
/*
 * hypervisor.console.redraw: whether the console is a terminal, where the
 * focused capsule's unfinished line is redrawn after other output, or a
 * log (docs/design.md, "Console").
 */
enum bh_redraw {
	BH_REDRAW_AUTO = 0,	/* as the host says: bh_host_console_is_terminal() */
	BH_REDRAW_ALWAYS = 1,
	BH_REDRAW_NEVER = 2,
};

extern const uint32_t bh_console_focus;	/* capsule with input at boot */
extern const uint32_t bh_console_redraw;	/* enum bh_redraw */
extern const char bh_system_name[];	/* e.g. "qemu-hello" */

#endif
