// SPDX-License-Identifier: MIT
/*
 * Per-hart state, the C half of the trap handler, fault probes and the
 * console. start.S enters runtime_boot() on the boot hart and
 * runtime_secondary() on every hart started with SBI HSM.
 */
#include <stdarg.h>
#include "runtime.h"
#include "sbi.h"
#include "string.h"
#include "format.h"

/* Stacks for start.S, one per hart ID; in bss, so outside the image. */
unsigned char guest_stacks[GUEST_MAX_HARTS][GUEST_STACK_SIZE]
	__attribute__((aligned(16)));

static struct hart harts[GUEST_MAX_HARTS];
static int dbcn_present;

/* Lines printed that start with "FAIL "; under the console lock. */
static unsigned long failures;
/* The next flush starts a printf() call (and, by convention, a line). */
static int printf_starts;

struct hart *hart_state(unsigned long hartid)
{
	return hartid < GUEST_MAX_HARTS ? &harts[hartid] : NULL;
}

static void hart_init(unsigned long hartid)
{
	struct hart *h = &harts[hartid];

	h->hartid = hartid;
	asm volatile("mv tp, %0" : : "r"(h));
}

void runtime_boot(unsigned long hartid, const void *dtb)
{
	hart_init(hartid);
	dbcn_present = sbi_probe_extension(SBI_EXT_DBCN).value != 0;
	guest_main(hartid, dtb);
	guest_poweroff();
}

void runtime_secondary(unsigned long hartid, unsigned long opaque)
{
	hart_init(hartid);
	guest_secondary(hartid, opaque);
	sbi_hart_stop();
	/* hart_stop only returns on failure; nothing is left to run. */
	for (;;)
		wait_for_interrupt();
}

void guest_poweroff(void)
{
	/* A failed check makes the capsule end uncleanly: QEMU's exit status. */
	unsigned long reason = failures ? SBI_SRST_REASON_FAILURE : 0;
	struct sbiret ret = sbi_system_reset(SBI_SRST_SHUTDOWN, reason);

	printf("FAIL srst: system_reset(shutdown) returned error %ld\n",
	       ret.error);
	for (;;)
		wait_for_interrupt();
}

/* ---- console ---------------------------------------------------------- */

/* Held by hart ID + 1; 0 is free. A hart re-entering from its trap handler
 * (an unexpected trap while printing) must not wait for itself. */
static volatile unsigned long console_owner;

static int console_lock(void)
{
	unsigned long me = this_hart()->hartid + 1;

	unsigned long free = 0;

	if (console_owner == me)
		return 0;
	while (!__atomic_compare_exchange_n(&console_owner, &free, me, 0,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		free = 0;
	return 1;
}

static void console_unlock(int taken)
{
	if (taken)
		__atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
}

static void console_emit(const char *s, size_t len)
{
	while (dbcn_present && len) {
		struct sbiret ret = sbi_debug_console_write(len,
							    (unsigned long)s);

		if (ret.error || ret.value <= 0 || (size_t)ret.value > len)
			break;
		s += ret.value;
		len -= (size_t)ret.value;
	}
	/* No DBCN (or it failed): the legacy extension is the last resort. */
	while (len--)
		sbi_legacy_putchar(*s++);
}


static void console_sink_flush(struct sink *sink)
{
	if (printf_starts && sink->pos >= 5 && !strncmp(sink->buf, "FAIL ", 5))
		failures++;
	printf_starts = 0;
	console_emit(sink->buf, sink->pos);
	sink->pos = 0;
}

int printf(const char *fmt, ...)
{
	char buf[160];
	struct sink sink = {
		.buf = buf, .size = sizeof(buf), .flush = console_sink_flush,
	};
	va_list ap;
	int taken, n;

	taken = console_lock();
	printf_starts = 1;
	va_start(ap, fmt);
	n = vformat(&sink, fmt, ap);
	va_end(ap);
	console_sink_flush(&sink);
	console_unlock(taken);
	return n;
}

/* ---- traps ------------------------------------------------------------ */

static unsigned long insn_length(unsigned long epc)
{
	uint16_t low = *(volatile uint16_t *)epc;

	return (low & 3) == 3 ? 4 : 2;
}

static int is_fetch_fault(unsigned long cause)
{
	return cause == EXC_INSN_MISALIGNED || cause == EXC_INSN_ACCESS ||
	       cause == EXC_INSN_PAGE;
}

static void __attribute__((noreturn)) unexpected(struct trap_frame *tf)
{
	printf("FAIL trap: unexpected scause %lx on hart %lu at sepc %lx, stval %lx\n",
	       tf->scause, this_hart()->hartid, tf->sepc, tf->stval);
	guest_poweroff();
}

/* One-shot: the source is masked here and the check that wanted the
 * interrupt re-arms it. Software interrupts are acknowledged in sip. */
static void take_interrupt(struct trap_frame *tf, struct hart *h)
{
	switch (tf->scause & ~SCAUSE_INTERRUPT) {
	case IRQ_S_TIMER:
		csr_clear(sie, SIE_STIE);
		h->timer_irq_time = read_time();
		h->timer_irqs++;
		return;
	case IRQ_S_SOFT:
		csr_clear(sip, SIP_SSIP);
		h->soft_irqs++;
		return;
	case IRQ_S_EXT:
		h->ext_irqs++;
		if (h->ext_irq)
			h->ext_irq(h);
		else
			csr_clear(sie, 1UL << IRQ_S_EXT);
		return;
	default:
		unexpected(tf);
	}
}

void trap_handler(struct trap_frame *tf)
{
	struct hart *h = this_hart();

	if (tf->scause & SCAUSE_INTERRUPT) {
		take_interrupt(tf, h);
		return;
	}
	if (!h->probing)
		unexpected(tf);
	h->probing = 0;
	h->fault.faulted = 1;
	h->fault.cause = tf->scause;
	h->fault.tval = tf->stval;
	h->fault.epc = tf->sepc;
	h->fault.status = tf->sstatus;
	/* A failed fetch has no instruction to skip: return to the caller. */
	if (is_fetch_fault(tf->scause))
		tf->sepc = tf->regs[1];
	else
		tf->sepc += insn_length(tf->sepc);
}

/* ---- probes ----------------------------------------------------------- */

void probe_begin(void)
{
	struct hart *h = this_hart();

	memset(&h->fault, 0, sizeof(h->fault));
	asm volatile("" : : : "memory");
	h->probing = 1;
}

void probe_end(struct fault *f)
{
	struct hart *h = this_hart();

	h->probing = 0;
	asm volatile("" : : : "memory");
	*f = h->fault;
}

uint64_t probe_load64(unsigned long addr, struct fault *f,
		      unsigned long *insn)
{
	uint64_t val = 0;
	unsigned long at;

	probe_begin();
	asm volatile("1: ld %0, 0(%2)\n\tlla %1, 1b"
		     : "+r"(val), "=&r"(at) : "r"(addr) : "memory");
	probe_end(f);
	if (insn)
		*insn = at;
	return f->faulted ? 0 : val;
}

void probe_store64(unsigned long addr, uint64_t val, struct fault *f,
		   unsigned long *insn)
{
	unsigned long at;

	probe_begin();
	asm volatile("1: sd %1, 0(%2)\n\tlla %0, 1b"
		     : "=&r"(at) : "r"(val), "r"(addr) : "memory");
	probe_end(f);
	if (insn)
		*insn = at;
}

uint32_t probe_load32(unsigned long addr, struct fault *f,
		      unsigned long *insn)
{
	uint32_t val = 0;
	unsigned long at;

	probe_begin();
	asm volatile("1: lw %0, 0(%2)\n\tlla %1, 1b"
		     : "+r"(val), "=&r"(at) : "r"(addr) : "memory");
	probe_end(f);
	if (insn)
		*insn = at;
	return f->faulted ? 0 : val;
}

void probe_store32(unsigned long addr, uint32_t val, struct fault *f,
		   unsigned long *insn)
{
	unsigned long at;

	probe_begin();
	asm volatile("1: sw %1, 0(%2)\n\tlla %0, 1b"
		     : "=&r"(at) : "r"(val), "r"(addr) : "memory");
	probe_end(f);
	if (insn)
		*insn = at;
}

void probe_fetch(unsigned long addr, struct fault *f)
{
	probe_begin();
	asm volatile("jalr ra, 0(%0)" : : "r"(addr) : "ra", "memory");
	probe_end(f);
}

/* ---- bootargs --------------------------------------------------------- */

static const char *parse_number(const char *s, unsigned long *val)
{
	unsigned long v = 0, base = 10;
	const char *start;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (start = s;; s++) {
		unsigned long digit;

		if (*s >= '0' && *s <= '9')
			digit = (unsigned long)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			digit = (unsigned long)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			digit = (unsigned long)(*s - 'A' + 10);
		else
			break;
		v = v * base + digit;
	}
	*val = v;
	return s == start ? NULL : s;
}

int bootarg_number(const char *bootargs, const char *key, unsigned long *val,
		   unsigned long *second)
{
	size_t len = strlen(key);
	const char *s = bootargs;

	while (s && *s) {
		while (*s == ' ')
			s++;
		if (strncmp(s, key, len) == 0 && s[len] == '=') {
			s = parse_number(s + len + 1, val);
			if (s && *s == '+' && second)
				s = parse_number(s + 1, second);
			return s && (*s == ' ' || *s == '\0') ? 0 : -1;
		}
		while (*s && *s != ' ')
			s++;
	}
	return -1;
}
