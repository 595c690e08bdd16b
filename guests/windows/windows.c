// SPDX-License-Identifier: MIT
/*
 * The windows a schedule gives this capsule, measured from inside, and its
 * state across every switch (docs/design.md, "Scheduler").
 *
 * vCPU 0 spins reading the time CSR. A jump of more than GAP_TICKS between
 * two reads is time the capsule did not run: the end of one of its windows
 * and the start of the next. Under -icount shift=0 with only this hart busy
 * time is exact, so window lengths and the frame period come out as the
 * schedule says, less the switch. Per window it records the start (first
 * read after a jump) and the length (to the last read before the next).
 *
 * Before measuring it gives every S-mode register it can write a value of
 * its own (seed=K): f0-f31 and fcsr, sscratch, sepc, scause, stval, sie,
 * a pending SSIP (odd seeds), satp (an Sv39 identity map with ASID K),
 * scounteren, senvcfg (where the hart has it), stimecmp
 * (with Sstc), sstatus.SUM and MXR; after each jump (a switch away and
 * back) it reads them all again. Then, unless it is a hog, it arms timer
 * interrupts: one whose deadline falls in its window must fire within
 * slack of it; one whose deadline falls while it is descheduled must fire
 * within slack of its next window's start, never in another capsule's.
 *
 * It prints its first windows and a summary, then PASS/FAIL lines (again
 * for each of rounds=R measurements; rounds=0: for ever):
 *
 *     windows: window N start T length L
 *     windows: N windows, length MIN..MAX, period MIN..MAX[, jitter J ticks]
 *     PASS window-length / window-period / state-survives / timer-in-window
 */
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define MAX_WINDOWS	4096
#define SHOWN_WINDOWS	8
#define GAP_TICKS	50	/* 5 us at 10 MHz: longer than any trap */
#define TIMER_ROUNDS	20

#define SSTATUS_FS_DIRTY	(3UL << 13)
#define SSTATUS_SUM		(1UL << 18)
#define SSTATUS_MXR		(1UL << 19)
#define SIE_SEIE		(1UL << 9)
#define SATP_SV39		(8UL << 60)
#define PTE_V			(1UL << 0)
#define PTE_RWX			(7UL << 1)
#define PTE_A			(1UL << 6)
#define PTE_D			(1UL << 7)
#define GIGAPAGE_SHIFT		30
#define CSR_FCSR		0x003
#define CSR_STIMECMP		0x14d

struct sstate {
	unsigned long sstatus_bits, sscratch, sepc, scause, stval, sie, sip, satp;
	unsigned long scounteren, senvcfg, stimecmp, fcsr;
	uint64_t f[32];
};

void fp_load(const uint64_t v[32]);
void fp_store(uint64_t v[32]);

static uint64_t page_table[512] __attribute__((aligned(4096)));
static uint64_t starts[MAX_WINDOWS], lengths[MAX_WINDOWS];
static struct sstate want;
static int has_sstc, has_senvcfg;

struct params {
	unsigned long windows, frame, window, slack, seed, rounds;
	int hog;
};

static void read_params(const char *bootargs, struct params *p)
{
	*p = (struct params){ .windows = 100, .slack = 100, .seed = 1, .rounds = 1 };
	if (!bootargs)
		return;
	bootarg_number(bootargs, "windows", &p->windows, NULL);
	bootarg_number(bootargs, "frame", &p->frame, NULL);
	bootarg_number(bootargs, "window", &p->window, NULL);
	bootarg_number(bootargs, "slack", &p->slack, NULL);
	bootarg_number(bootargs, "seed", &p->seed, NULL);
	bootarg_number(bootargs, "rounds", &p->rounds, NULL);
	p->hog = strstr(bootargs, " hog") || !strncmp(bootargs, "hog", 3);
	if (p->windows > MAX_WINDOWS)
		p->windows = MAX_WINDOWS;
}

/* Identity map of the gigapage of the devices (0) and of this image. */
static void enter_sv39(unsigned long asid)
{
	uint64_t self = (uintptr_t)_start >> GIGAPAGE_SHIFT;
	unsigned long root = (uintptr_t)page_table >> 12;

	page_table[0] = PTE_V | PTE_RWX | PTE_A | PTE_D;
	page_table[self] = (self << GIGAPAGE_SHIFT >> 12 << 10) | PTE_V |
			   PTE_RWX | PTE_A | PTE_D;
	asm volatile("sfence.vma" ::: "memory");
	csr_write(satp, SATP_SV39 | (asid << 44) | root);
	asm volatile("sfence.vma" ::: "memory");
}

static void read_state(struct sstate *s)
{
	s->sstatus_bits = csr_read(sstatus) & (SSTATUS_SUM | SSTATUS_MXR);
	s->sscratch = csr_read(sscratch);
	s->sepc = csr_read(sepc);
	s->scause = csr_read(scause);
	s->stval = csr_read(stval);
	s->sie = csr_read(sie);
	s->sip = csr_read(sip) & SIP_SSIP;
	s->satp = csr_read(satp);
	s->scounteren = csr_read(scounteren);
	s->senvcfg = has_senvcfg ? csr_read(senvcfg) : 0;
	s->stimecmp = has_sstc ? csr_read(0x14d) : 0;
	s->fcsr = csr_read(0x003);
	fp_store(s->f);
}

/* Write values of its own; what the hardware kept is the reference. */
static void set_state(unsigned long seed)
{
	uint64_t f[32];
	int i;

	for (i = 0; i < 32; i++)
		f[i] = seed * 0x0101010101010101UL + (uint64_t)i * 0x1000003UL;
	csr_set(sstatus, SSTATUS_FS_DIRTY | SSTATUS_SUM | SSTATUS_MXR);
	fp_load(f);
	csr_write(0x003, (seed * 0x2b) & 0x7f);
	csr_write(sscratch, 0x5c5c000000UL + seed);
	csr_write(sepc, 0x80000000UL + (seed << 4));
	csr_write(scause, 0x10 + seed);
	csr_write(stval, 0xdead0000UL + seed);
	csr_write(scounteren, 7);
	if (has_senvcfg)
		csr_write(senvcfg, 1);
	/*
	 * Interrupts stay off (sstatus.SIE): nothing may change sepc & co,
	 * and a pending SSIP stays pending. Only an odd seed sets it, so two
	 * capsules sharing a hart hold different values.
	 */
	csr_write(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	if (seed & 1)
		csr_set(sip, SIP_SSIP);
	if (has_sstc)
		csr_write(0x14d, read_time() + 1000000000000UL + seed);
	enter_sv39(seed & 0xff);
	read_state(&want);
}

static const char *state_diff(void)
{
	struct sstate now;

	read_state(&now);
	if (now.sstatus_bits != want.sstatus_bits) return "sstatus";
	if (now.sscratch != want.sscratch) return "sscratch";
	if (now.sepc != want.sepc) return "sepc";
	if (now.scause != want.scause) return "scause";
	if (now.stval != want.stval) return "stval";
	if (now.sie != want.sie) return "sie";
	if (now.sip != want.sip) return "sip.SSIP";
	if (now.satp != want.satp) return "satp";
	if (now.scounteren != want.scounteren) return "scounteren";
	if (now.senvcfg != want.senvcfg) return "senvcfg";
	if (now.stimecmp != want.stimecmp) return "stimecmp";
	if (now.fcsr != want.fcsr) return "fcsr";
	for (int i = 0; i < 32; i++) {
		if (now.f[i] != want.f[i])
			return "f0-f31";
	}
	return 0;
}

/*
 * Spin until n windows have started (the first one, already running when
 * this begins, is not counted: its start is unknown); check the state at
 * each start when check is set. Returns the windows recorded.
 */
static unsigned long measure(unsigned long n, int check, const char **bad,
			     unsigned long *checks)
{
	uint64_t last = read_time(), start = 0, now;
	unsigned long w = 0;
	int started = 0;

	while (w < n) {
		now = read_time();
		if (now - last <= GAP_TICKS) {
			last = now;
			continue;
		}
		if (started) {
			lengths[w] = last - start;
			w++;
		}
		if (w < n)
			starts[w] = now;
		start = now;
		started = 1;
		if (check && !*bad) {
			*bad = state_diff();
			(*checks)++;
		}
		last = read_time();
	}
	return w;
}

static int within(uint64_t value, uint64_t want_value, uint64_t slack)
{
	return value + slack >= want_value && value <= want_value + slack;
}

static void report(const struct params *p, unsigned long n)
{
	uint64_t lmin = ~0UL, lmax = 0, pmin = ~0UL, pmax = 0, jitter = 0;
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (i < SHOWN_WINDOWS)
			printf("windows: window %lu start %lu length %lu\n", i,
			       (unsigned long)starts[i], (unsigned long)lengths[i]);
		lmin = lengths[i] < lmin ? lengths[i] : lmin;
		lmax = lengths[i] > lmax ? lengths[i] : lmax;
		if (i) {
			uint64_t period = starts[i] - starts[i - 1];

			pmin = period < pmin ? period : pmin;
			pmax = period > pmax ? period : pmax;
		}
	}
	if (p->frame) {
		jitter = pmax - p->frame;
		if (p->frame - pmin > jitter)
			jitter = p->frame - pmin;
	}
	printf("windows: %lu windows, length %lu..%lu, period %lu..%lu",
	       n, (unsigned long)lmin, (unsigned long)lmax, (unsigned long)pmin,
	       (unsigned long)pmax);
	if (p->frame)
		printf(", jitter %lu ticks", (unsigned long)jitter);
	printf("\n");
	if (p->window)
		printf("%s window-length: %lu..%lu ticks, the schedule says %lu (slack %lu)\n",
		       within(lmin, p->window, p->slack) &&
		       within(lmax, p->window, p->slack) ? "PASS" : "FAIL",
		       (unsigned long)lmin, (unsigned long)lmax, p->window, p->slack);
	if (p->frame)
		printf("%s window-period: %lu..%lu ticks, the frame is %lu (slack %lu)\n",
		       jitter <= p->slack ? "PASS" : "FAIL",
		       (unsigned long)pmin, (unsigned long)pmax, p->frame, p->slack);
}

/* Spin until the capsule's next window starts; its first time reading. */
static uint64_t next_window_start(void)
{
	uint64_t last = read_time(), now;

	for (;;) {
		now = read_time();
		if (now - last > GAP_TICKS)
			return now;
		last = now;
	}
}

/*
 * Timer interrupts on the capsule's own time: each round arms stimecmp
 * (SBI set_timer) at a deadline, alternately half a window after the
 * window's start (it must fire then, with no switch in between) and half
 * the gap after the window's end (it must fire as the next window starts,
 * the first thing the capsule does there), and spins.
 */
static void timer_rounds(const struct params *p)
{
	struct hart *h = this_hart();
	unsigned long r, late_in = 0, late_out = 0;
	uint64_t gap = p->frame - p->window;
	int ok = 1;

	for (r = 0; r < TIMER_ROUNDS && ok; r++) {
		uint64_t start = next_window_start(), last, prev, fired, expected;
		uint64_t deadline = start + (r & 1 ? p->window + gap / 2 :
					     p->window / 2);
		unsigned long irqs = h->timer_irqs;
		int jumped;

		expected = r & 1 ? start + p->frame : deadline;
		sbi_set_timer(deadline);
		csr_set(sie, SIE_STIE);
		csr_set(sstatus, SSTATUS_SIE);
		last = read_time();
		prev = last;
		while (h->timer_irqs == irqs) {
			prev = last;
			last = read_time();
		}
		csr_clear(sstatus, SSTATUS_SIE);
		fired = h->timer_irq_time;
		/*
		 * The last reading before the handler ran (the interrupt may
		 * come between the loop's test and its reading): was there a
		 * switch between it and the handler?
		 */
		if (last >= fired)
			last = prev;
		jumped = fired - last > GAP_TICKS;
		ok = fired >= deadline && within(fired, expected, p->slack) &&
		     jumped == (int)(r & 1);
		if (r & 1)
			late_out = fired - expected > late_out ? fired - expected : late_out;
		else
			late_in = fired - expected > late_in ? fired - expected : late_in;
		if (!ok)
			printf("windows: round %lu: start %lu deadline %lu, expected at %lu, fired at %lu (last reading %lu), %s a switch\n",
			       r, (unsigned long)start, (unsigned long)deadline, (unsigned long)expected,
			       (unsigned long)fired, (unsigned long)last, jumped ? "after" : "without");
	}
	csr_write(sie, 0);
	printf("%s timer-in-window: %lu deadlines; in its window fired at most %lu ticks late, while descheduled at most %lu ticks after its next window was due (slack %lu)\n",
	       ok ? "PASS" : "FAIL", r, (unsigned long)late_in,
	       (unsigned long)late_out, p->slack);
}

/*
 * senvcfg exists from privileged architecture 1.12 on; on an older hart
 * (QEMU sifive_u's U54s) reading it is an illegal instruction, which the
 * probe turns into a recorded fault.
 */
static int senvcfg_exists(void)
{
	unsigned long value;
	struct fault f;

	probe_begin();
	asm volatile("csrr %0, senvcfg" : "=r"(value) : : "memory");
	probe_end(&f);
	return !f.faulted;
}

/* Sstc, as the device tree's ISA string says. */
static int sstc_in(const struct fdt *fdt)
{
	int cpu = fdt_path(fdt, "/cpus/cpu@0");
	const char *isa = cpu < 0 ? 0 : fdt_prop_string(fdt, cpu, "riscv,isa");

	return (isa && strstr(isa, "_sstc")) ||
	       (cpu >= 0 && fdt_prop_has_string(fdt, cpu, "riscv,isa-extensions",
						"sstc"));
}

void guest_main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = 0, *bad = 0;
	unsigned long n, checks = 0, round;
	struct params p;
	struct fdt fdt;

	(void)hartid;
	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0) {
		printf("FAIL windows: a1 = %p is no device tree\n", dtb);
		guest_poweroff();
	}
	bootargs = fdt_prop_string(&fdt, fdt_path(&fdt, "/chosen"), "bootargs");
	read_params(bootargs, &p);
	has_sstc = sstc_in(&fdt);
	has_senvcfg = senvcfg_exists();
	for (round = 0; !p.rounds || round < p.rounds; round++) {
		set_state(p.seed);
		n = measure(p.windows, 1, &bad, &checks);
		/* The runtime's world: bare translation, no stimecmp pending. */
		csr_write(satp, 0);
		asm volatile("sfence.vma" ::: "memory");
		csr_write(sie, 0);
		csr_clear(sip, SIP_SSIP);
		if (has_sstc)
			csr_write(0x14d, ~0UL);
		report(&p, n);
		if (bad)
			printf("FAIL state-survives: %s changed across a switch (check %lu)\n",
			       bad, checks);
		else
			printf("PASS state-survives: every S-mode register and f0-f31 after %lu switches\n",
			       checks);
	}
	if (!p.hog && p.frame && p.window)
		timer_rounds(&p);
	printf("windows: done\n");
	guest_poweroff();
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
}
