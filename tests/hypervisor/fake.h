/* SPDX-License-Identifier: MIT */
/*
 * The fake machine the host unit tests run the hypervisor core on: what
 * the arch and platform layers were asked to do is recorded here.
 */
#ifndef FAKE_H
#define FAKE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulkhead/hart.h"

#define FAKE_MEM_SIZE	0x10000		/* each capsule's memory */
#define ALPHA_BASE	0x81000000UL	/* capsule 0: 2 vCPUs on harts 0, 1 */
#define BETA_BASE	0x82000000UL	/* capsule 1: 1 vCPU on hart 2 */
#define UART_BASE	0x10000000UL
#define FW_CFG_BASE	0x10100000UL	/* the host settings: QEMU fw_cfg */
#define STORE_BASE	0x80200000UL	/* pristine store, after the hypervisor */
#define STORE_SIZE	0x1000
#define ALPHA_PAYLOAD	0x100		/* bytes of alpha's one payload */
#define CLOCK_BASE	0x101000UL	/* the board's clock (goldfish RTC) */
/* Each capsule's DTB, and its time of day there (4-byte aligned only, as in a DTB). */
#define ALPHA_DTB	(ALPHA_BASE + FAKE_MEM_SIZE - 0x1000)
#define BETA_DTB	(BETA_BASE + FAKE_MEM_SIZE - 0x1000)
#define ALPHA_TIME_OF_DAY (ALPHA_DTB + 0x134)
#define BETA_TIME_OF_DAY (BETA_DTB + 0x128)
#define MAX_IPIS	64
#define FAKE_MVENDORID	0x489UL
#define FAKE_MARCHID	0x8000000000000007UL
#define FAKE_MIMPID	0x20181004UL
#define PLIC_BASE	0xc000000UL
#define PLIC_SIZE	0x600000UL
#define ALPHA_SOURCE	11		/* alpha's PLIC sources */
#define ALPHA_SOURCE_HIGH 40
#define BETA_SOURCE	5		/* beta's */
/* The fake PLIC's priority, pending and enable registers of 8 contexts. */
#define FAKE_PLIC_LOW	0x2400
#define FAKE_PLIC_PRIO_MASK 7		/* priority bits, as on qemu-virt */
#define MAX_COMPLETIONS	64

struct fake {
	uint32_t hart;			/* bh_arch_hart_id() */
	uint32_t ipis[MAX_IPIS];	/* harts an IPI was sent to, in order */
	size_t ipi_count;
	bool autoservice;		/* targets serve their mailbox at once */
	uint32_t fence_i[BH_HART_COUNT];
	uint32_t sfence[BH_HART_COUNT];
	struct bh_fence last_fence[BH_HART_COUNT];	/* what each hart did last */
	uint32_t ssip[BH_HART_COUNT];
	uint64_t timer[BH_HART_COUNT];
	bool irq_pending;
	uint64_t time;			/* bh_arch_time(): the time CSR */
	uint64_t clock_ns;		/* what the board's clock reads; 0: no clock */
	uint32_t clock_reads;		/* bh_clock_read_ns calls */
	/* The guest's trap CSRs (stvec, sepc, scause, stval) and mode. */
	struct bh_guest_trap_state guest;
	uint32_t delivered;		/* faults delivered into the guest */
	bool timer_fired;		/* MTIP: pending until polled */
	uint32_t timer_polls;		/* bh_arch_timer_poll calls */
	uint32_t waits;			/* bh_arch_wait calls: a hang guard */
	char out[8192];			/* bytes written to the physical UART */
	size_t out_len;
	/* Bytes written per hold of the console lock (by its owner ticket). */
	uint32_t hold_owner;
	size_t hold_bytes;
	size_t hold_max;		/* the most any hold wrote */
	uint32_t holds;			/* holds that wrote anything */
	const char *in;			/* bytes the physical UART will receive */
	/* The fake fw_cfg: its items; an access it cannot take. */
	const char *fw_cfg_signature;	/* "QEMU" unless a test says otherwise */
	uint16_t fw_cfg_boot_menu;	/* -boot menu=on: 1 */
	const char *fw_cfg_stray;
	/*
	 * A sifive,uart0 at UART_BASE (its receive FIFO is in, its transmit
	 * FIFO out) and a sifive,gpio0 at the board's poweroff_base: their
	 * other registers by offset / 4; an access no register takes.
	 */
	uint32_t sifive_uart[8];
	uint32_t tx_full_reads;		/* txdata reads that say "full" first */
	uint32_t gpio[0x44 / 4];
	const char *mmio32_stray;
	const char *stray;		/* set when memory outside capsules is touched */
	uint8_t mem[2][FAKE_MEM_SIZE] __attribute__((aligned(4096)));
	uint8_t store[STORE_SIZE];	/* the pristine store at STORE_BASE */
	/*
	 * bh_vcpu_park, bh_poweroff and bh_poweroff_fail do not return: they
	 * longjmp here with FAKE_PARKED, FAKE_POWEROFF or FAKE_POWEROFF_FAIL
	 * (setjmp is 0 on the way in).
	 */
	jmp_buf leave;
	uint32_t parked_hart;		/* the hart bh_vcpu_park parked */
	uint32_t exit_code;		/* bh_poweroff_fail's code */
	/* The PLIC: its registers below FAKE_PLIC_LOW, thresholds, completions. */
	uint32_t plic[FAKE_PLIC_LOW / 4];
	uint32_t plic_threshold[BH_PLIC_CONTEXTS];
	struct {
		uint32_t context, source;
		bool enabled;	/* the source was enabled there: it counts */
	} completions[MAX_COMPLETIONS];
	uint32_t completion_count;
	uint32_t plic_writes;
	const char *plic_stray;		/* set on an access no register takes */
	/* The scheduler's view of each hart. */
	struct bh_arch_context context[BH_HART_COUNT];	/* what the hart holds */
	uint32_t saves[BH_HART_COUNT], restores[BH_HART_COUNT];
	uint32_t flushes[BH_HART_COUNT];	/* bh_arch_flush_all */
	uint32_t quiesces[BH_HART_COUNT];
	int32_t isolation[BH_HART_COUNT];	/* capsule PMP lets in; -1: none */
	uint64_t hyp_timer[BH_HART_COUNT];	/* bh_arch_set_hyp_timer */
	struct bh_vcpu *ran;		/* entered, resumed or left by the hart loop */
	uint64_t enter_pc, enter_arg;
	bool stop_waiting;		/* bh_arch_wait leaves with FAKE_WAITED */
};

/*
 * How a call that does not return left: bh_vcpu_park, bh_poweroff,
 * bh_poweroff_fail; bh_vcpu_enter, bh_arch_resume_guest and bh_vcpu_leave
 * (the hart loop ran a vCPU); bh_arch_wait with fake.stop_waiting set.
 */
enum {
	FAKE_PARKED = 1, FAKE_POWEROFF = 2, FAKE_POWEROFF_FAIL = 3,
	FAKE_ENTERED = 4, FAKE_RESUMED = 5, FAKE_LEFT = 6, FAKE_WAITED = 7,
};

extern struct fake fake;

/* Reset the fake machine, the hart and capsule states and the console. */
void fake_reset(void);

/* Test helpers. */
/* The vCPU pinned to hart h (0, 1: alpha's; 2: beta's). */
struct bh_vcpu *vcpu_on(uint32_t h);
struct bh_hart_state *hart_state(uint32_t h);
/* Hart h's loop until it runs a vCPU or waits (FAKE_ENTERED...). */
int run_hart(uint32_t h);
void *guest_ptr(uint64_t pa);
void put16(uint64_t pa, uint16_t v);
void put32(uint64_t pa, uint32_t v);
void put64(uint64_t pa, uint64_t v);
/* The big-endian 64-bit value at guest address pa (a device-tree cell pair). */
uint64_t get_be64(uint64_t pa);
/* The fake PLIC's register at offset (below FAKE_PLIC_LOW). */
uint32_t *plic_reg(uint64_t offset);
/* The UART output since the last call, as a C string. */
const char *take_output(void);

#endif
