/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal runtime every test guest links: boot and secondary entry,
 * per-hart state (reached through tp), the S-mode trap handler, fault
 * probes, a serialised console and printf.
 *
 * A guest supplies guest_main() and guest_secondary(); the runtime calls
 * them on their own stacks with the trap vector installed.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#define GUEST_MAX_HARTS		8
#define GUEST_STACK_SIZE	8192

#ifndef __ASSEMBLER__
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "format.h"

#define SSTATUS_SIE		(1UL << 1)
#define SSTATUS_SPIE		(1UL << 5)
#define SSTATUS_SPP		(1UL << 8)
#define SIE_SSIE		(1UL << 1)
#define SIE_STIE		(1UL << 5)
#define SIP_SSIP		(1UL << 1)
#define SIP_STIP		(1UL << 5)

#define SCAUSE_INTERRUPT	(1UL << 63)
#define IRQ_S_SOFT		1
#define IRQ_S_TIMER		5
#define IRQ_S_EXT		9
#define EXC_INSN_MISALIGNED	0
#define EXC_INSN_ACCESS		1
#define EXC_ILLEGAL_INSN	2
#define EXC_BREAKPOINT		3
#define EXC_LOAD_ACCESS		5
#define EXC_STORE_ACCESS	7
#define EXC_INSN_PAGE		12

/* Registers as trap_entry saves them; regs[0] holds nothing. */
struct trap_frame {
	unsigned long regs[32];
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long scause;
	unsigned long stval;
};

/*
 * What a probe saw; faulted = 0 means the access went through. status is
 * sstatus as the trap handler found it (SPP, SPIE and SIE as the trap set
 * them).
 */
struct fault {
	int faulted;
	unsigned long cause;
	unsigned long tval;
	unsigned long epc;
	unsigned long status;
};

struct hart {
	unsigned long hartid;
	/* Set around a probe: the next exception is expected, not fatal. */
	volatile int probing;
	struct fault fault;
	volatile unsigned long timer_irqs;
	volatile uint64_t timer_irq_time;	/* rdtime when the last one came */
	volatile unsigned long soft_irqs;
	/*
	 * Supervisor external interrupts: counted, then handed to ext_irq
	 * (set by the guest; without one, sie.SEIE is cleared, one-shot).
	 */
	volatile unsigned long ext_irqs;
	void (*volatile ext_irq)(struct hart *h);
};

/* Provided by the guest. */
void guest_main(unsigned long hartid, const void *dtb);
void guest_secondary(unsigned long hartid, unsigned long opaque);

/* The address a hart_start must name to enter guest_secondary(). */
void _secondary_start(void);

/* Linker-script symbols: the loaded image and the end of bss. */
extern char _start[], __image_end[], __bss_end[];

static inline struct hart *this_hart(void)
{
	struct hart *h;

	asm volatile("mv %0, tp" : "=r"(h));
	return h;
}

struct hart *hart_state(unsigned long hartid);

#define csr_read(csr)							\
({									\
	unsigned long __v;						\
	asm volatile("csrr %0, " #csr : "=r"(__v) : : "memory");	\
	__v;								\
})

#define csr_write(csr, val)						\
	asm volatile("csrw " #csr ", %0" : : "rK"(val) : "memory")
#define csr_set(csr, val)						\
	asm volatile("csrs " #csr ", %0" : : "rK"(val) : "memory")
#define csr_clear(csr, val)						\
	asm volatile("csrc " #csr ", %0" : : "rK"(val) : "memory")

static inline uint64_t read_time(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline void wait_for_interrupt(void)
{
	asm volatile("wfi" : : : "memory");
}

/*
 * Probes: one access that may fault. On a fault the trap handler records
 * it in f and resumes after the access (for a fetch: at the caller).
 * Return value: what a load read (0 when it faulted).
 */
void probe_begin(void);
void probe_end(struct fault *f);
uint64_t probe_load64(unsigned long addr, struct fault *f,
		      unsigned long *insn);
void probe_store64(unsigned long addr, uint64_t val, struct fault *f,
		   unsigned long *insn);
uint32_t probe_load32(unsigned long addr, struct fault *f,
		      unsigned long *insn);
void probe_store32(unsigned long addr, uint32_t val, struct fault *f,
		   unsigned long *insn);
void probe_fetch(unsigned long addr, struct fault *f);

/*
 * The value of "key=NUMBER" in a bootargs string (hex with 0x, else
 * decimal); a "+NUMBER" suffix, if any, goes to *second. Returns 0 when
 * found and well formed, -1 otherwise.
 */
int bootarg_number(const char *bootargs, const char *key, unsigned long *val,
		   unsigned long *second);

/* Console: a whole printf() call is atomic across the capsule's harts. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * SRST shutdown of the capsule, with reason "system failure" when any
 * printf() printed a line starting with "FAIL " (QEMU then exits with the
 * unclean status, docs/design.md); never returns.
 */
void __attribute__((noreturn)) guest_poweroff(void);

#endif /* __ASSEMBLER__ */
#endif
