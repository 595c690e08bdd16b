// SPDX-License-Identifier: MIT
/*
 * What the firmware under an S-mode guest costs it, for `make bench`
 * (tests/bench/run.py, docs/performance.md). The same binary runs as a
 * Bulkhead capsule (bench.bin, configs/qemu-bench-sbi.yaml) and directly on
 * QEMU with OpenSBI (bench.elf at 0x80200000, bootargs by -append).
 *
 * Every figure is a difference of two instret reads. Under QEMU's -icount
 * shift=0, instret is QEMU's count of the instructions of the whole
 * machine, every hart and every mode (the firmware's M-mode code
 * included), so the difference is exactly what the path executed, on both
 * harts when it involves two. Without -icount, QEMU's instret follows the
 * host's cycle counter and the difference is wall time (run.py converts it
 * with the calibration line). The cost of two back-to-back reads (the
 * overhead line) is subtracted from every sample.
 *
 * Bootargs: reps=N samples of each call, timer and register access
 * (default 1000), loops=N samples of the compute and memory loops
 * (default 9), kib=N KiB written through each console (default 64).
 * Output, one line each:
 *
 *	bench: hart H, harts N, timebase F, reps R, loops L, kib K, on Bulkhead
 *	bench: calibration count C ticks T
 *	bench: overhead count O
 *	bench: NAME count n N median M min A max B [traps X]
 *	bench: NAME ticks n N median M min A max B
 *	bench: NAME bytes B count C ticks T [traps X]
 *	SKIP NAME: why
 *	bench: done
 *
 * ("not on Bulkhead" in the first line elsewhere.) calibration: instret
 * and rdtime differences over one spin. count: an instret difference minus
 * the overhead; ticks: an rdtime difference (for the timers, from the
 * deadline to the handler); traps (on Bulkhead only): the hypervisor traps
 * this vCPU's hart took inside the measured windows, from its trap
 * counters. The console figures write 64-byte lines starting
 * "bench-fill ", which the bench's parser skips. Under -icount the remote
 * fences cannot be measured on QEMU 7.2 and are skipped (guard_arm says
 * why).
 */
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define DEFAULT_REPS	1000
#define MAX_REPS	10000
#define DEFAULT_LOOPS	9
#define DEFAULT_KIB	64
#define MAX_KIB		1024

/*
 * A timer deadline this far ahead outlasts the call that arms it, unless
 * the host deschedules the vCPU (wall time only): such a sample is taken
 * again, up to as many times as there are samples.
 */
#define TIMER_LEAD_US	50

#define UART_THR	0
#define UART_LSR	5
#define UART_SCR	7
#define UART_LSR_THRE	0x20

#define SBI_BASE_GET_SPEC_VERSION	0
#define SBI_BASE_PROBE_EXT		3
#define SBI_TIME_SET_TIMER		0
#define SBI_IPI_SEND_IPI		0
#define SBI_RFENCE_SFENCE_VMA		1
#define SBI_HSM_HART_START		0

#define COMPUTE_ITERATIONS	100000
#define MEMORY_BYTES		(1UL << 20)
#define MEMORY_PASSES		8
#define CACHE_LINE		64

/* measure.S */
uint64_t timer_spin(uint64_t give_up, uint64_t at_irq[2]);
void hsm_first_insn(void);

struct sysinfo {
	struct fdt fdt;
	unsigned long hart;	/* the boot hart */
	unsigned long other;	/* another hart in /cpus, if has_other */
	int has_other;
	int harts;
	uint64_t timebase;
	uint64_t uart;		/* ns16550 base, if has_uart */
	int has_uart;
	int bulkhead;
	unsigned long reps, loops, kib;
};

static struct sysinfo sys;
static int64_t samples[MAX_REPS];
static int64_t tick_samples[MAX_REPS];
static uint64_t overhead;
/* instret counts per rdtime tick: calib_count / calib_ticks. */
static uint64_t calib_count, calib_ticks;

/* Between the boot hart and the other one (guest_secondary). */
static volatile unsigned long ping, pong;
static volatile int other_parked, other_leave;
/* Where hsm_first_insn (measure.S) stores instret, and whom it wakes. */
static struct {
	volatile uint64_t at;
	uint64_t boot_mask;
} first_insn;

static volatile uint64_t sink;
static uint64_t memory[MEMORY_BYTES / sizeof(uint64_t)];

static const char fill_line[] =
	"bench-fill 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP\n";
_Static_assert(sizeof(fill_line) - 1 == 64, "fill lines are 64 bytes");
static char fill[4096];

static inline uint64_t read_instret(void)
{
	uint64_t v;

	asm volatile("csrr %0, instret" : "=r"(v) : : "memory");
	return v;
}

/* instret counts in `ticks` rdtime ticks. */
static uint64_t counts_in(uint64_t ticks)
{
	return ticks * calib_count / calib_ticks;
}

static uint64_t ms(uint64_t n)
{
	return sys.timebase * n / 1000;
}

/* ---- device tree ------------------------------------------------------ */

static int read_cpus(void)
{
	int cpus = fdt_path(&sys.fdt, "/cpus");
	int cpu = -1;

	sys.timebase = fdt_prop_u32(&sys.fdt, cpus, "timebase-frequency", 0);
	while ((cpu = fdt_next_child(&sys.fdt, cpus, cpu)) >= 0) {
		uint64_t id, unused;

		if (strncmp(fdt_name(&sys.fdt, cpu), "cpu@", 4) != 0 ||
		    fdt_reg(&sys.fdt, cpus, cpu, 0, &id, &unused) < 0)
			continue;
		sys.harts++;
		if (id != sys.hart && id < GUEST_MAX_HARTS && !sys.has_other) {
			sys.other = id;
			sys.has_other = 1;
		}
	}
	return sys.timebase ? 0 : -1;
}

/* The ns16550 with byte-wide registers at consecutive addresses. */
static void read_uart(void)
{
	int soc = fdt_path(&sys.fdt, "/soc");
	int node = -1;
	uint64_t size;

	while ((node = fdt_next_child(&sys.fdt, soc, node)) >= 0) {
		if (!fdt_prop_has_string(&sys.fdt, node, "compatible", "ns16550a") ||
		    fdt_prop_u32(&sys.fdt, node, "reg-shift", 0) != 0 ||
		    fdt_prop_u32(&sys.fdt, node, "reg-io-width", 1) != 1 ||
		    fdt_reg(&sys.fdt, soc, node, 0, &sys.uart, &size) < 0)
			continue;
		sys.has_uart = 1;
		return;
	}
}

static void read_bootargs(void)
{
	const char *args = fdt_prop_string(&sys.fdt, fdt_path(&sys.fdt, "/chosen"),
					   "bootargs");

	sys.reps = DEFAULT_REPS;
	sys.loops = DEFAULT_LOOPS;
	sys.kib = DEFAULT_KIB;
	if (args) {
		bootarg_number(args, "reps", &sys.reps, NULL);
		bootarg_number(args, "loops", &sys.loops, NULL);
		bootarg_number(args, "kib", &sys.kib, NULL);
	}
	if (sys.reps > MAX_REPS)
		sys.reps = MAX_REPS;
	if (sys.loops > MAX_REPS)
		sys.loops = MAX_REPS;
	if (sys.kib > MAX_KIB)
		sys.kib = MAX_KIB;
}

/* ---- samples and reports ---------------------------------------------- */

static void sort(int64_t *v, unsigned long n)
{
	unsigned long gap = 1, i, j;

	while (gap < n / 3)
		gap = 3 * gap + 1;
	for (; gap; gap /= 3) {
		for (i = gap; i < n; i++) {
			int64_t x = v[i];

			for (j = i; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

/*
 * The hypervisor traps this hart took inside the measured windows, from
 * Bulkhead's trap counters (-1 elsewhere). A window is bracketed by two
 * reads; the second is itself a trap. Not inside the instret window: a
 * read there would count in the figure.
 */
struct traps {
	long total;
	uint64_t opened;
};

static void traps_open(struct traps *t)
{
	if (sys.bulkhead)
		t->opened = (uint64_t)sbi_bulkhead_trap_total().value;
}

static void traps_close(struct traps *t)
{
	uint64_t now;

	if (!sys.bulkhead)
		return;
	now = (uint64_t)sbi_bulkhead_trap_total().value;
	t->total += (long)(now - t->opened - 1);
}

static long traps_seen(const struct traps *t)
{
	return sys.bulkhead ? t->total : -1;
}

static void report(const char *name, const char *unit, int64_t *v,
		   unsigned long n, long traps)
{
	sort(v, n);
	if (traps < 0)
		printf("bench: %s %s n %lu median %ld min %ld max %ld\n", name,
		       unit, n, (long)v[n / 2], (long)v[0], (long)v[n - 1]);
	else
		printf("bench: %s %s n %lu median %ld min %ld max %ld traps %ld\n",
		       name, unit, n, (long)v[n / 2], (long)v[0],
		       (long)v[n - 1], traps);
}

/* instret counts per rdtime tick, over a spin of 5 ms. */
static void calibrate(void)
{
	uint64_t t0 = read_time(), c0 = read_instret(), t1;

	while ((t1 = read_time()) < t0 + ms(5))
		;
	calib_count = read_instret() - c0;
	calib_ticks = t1 - t0;
	printf("bench: calibration count %lu ticks %lu\n",
	       (unsigned long)calib_count, (unsigned long)calib_ticks);
}

/* The cost of the measurement itself: two back-to-back reads. */
static void measure_overhead(void)
{
	unsigned long i;

	for (i = 0; i < sys.reps; i++) {
		uint64_t t0, t1;

		asm volatile("csrr %0, instret\n\tcsrr %1, instret"
			     : "=&r"(t0), "=r"(t1) : : "memory");
		samples[i] = (int64_t)(t1 - t0);
	}
	sort(samples, sys.reps);
	overhead = (uint64_t)samples[sys.reps / 2];
	printf("bench: overhead count %lu\n", (unsigned long)overhead);
}

/* ---- SBI calls -------------------------------------------------------- */

struct timed {
	uint64_t before;	/* instret just before the ecall */
	uint64_t after;		/* instret just after it */
	long error;
};

/*
 * One SBI call with instret read right before and after the ecall, so the
 * difference is the firmware's whole path and the ecall itself.
 */
static struct timed timed_ecall(unsigned long ext, unsigned long fid,
				unsigned long arg0, unsigned long arg1,
				unsigned long arg2, unsigned long arg3)
{
	register unsigned long a0 asm("a0") = arg0;
	register unsigned long a1 asm("a1") = arg1;
	register unsigned long a2 asm("a2") = arg2;
	register unsigned long a3 asm("a3") = arg3;
	register unsigned long a6 asm("a6") = fid;
	register unsigned long a7 asm("a7") = ext;
	struct timed t;

	asm volatile("csrr %0, instret\n\t"
		     "ecall\n\t"
		     "csrr %1, instret"
		     : "=&r"(t.before), "=&r"(t.after), "+r"(a0), "+r"(a1)
		     : "r"(a2), "r"(a3), "r"(a6), "r"(a7)
		     : "memory");
	t.error = (long)a0;
	return t;
}

static int measure_call(const char *name, unsigned long ext, unsigned long fid,
			unsigned long a0, unsigned long a1, unsigned long a2,
			unsigned long a3)
{
	struct traps traps = { 0 };
	unsigned long i;

	for (i = 0; i < sys.reps; i++) {
		struct timed t;

		traps_open(&traps);
		t = timed_ecall(ext, fid, a0, a1, a2, a3);
		traps_close(&traps);
		if (t.error) {
			printf("FAIL %s: the call returned error %ld\n", name,
			       t.error);
			return -1;
		}
		samples[i] = (int64_t)(t.after - t.before - overhead);
	}
	report(name, "count", samples, sys.reps, traps_seen(&traps));
	return 0;
}

static void measure_calls(void)
{
	measure_call("sbi-null", SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION,
		     0, 0, 0, 0);
	measure_call("sbi-probe", SBI_EXT_BASE, SBI_BASE_PROBE_EXT,
		     SBI_EXT_TIME, 0, 0, 0);
	/* Armed far ahead with the timer interrupt off: the call alone. */
	measure_call("sbi-set-timer", SBI_EXT_TIME, SBI_TIME_SET_TIMER,
		     read_time() + sys.timebase * 3600, 0, 0, 0);
	sbi_set_timer(UINT64_MAX);
}

/* ---- the other hart --------------------------------------------------- */

/*
 * QEMU 7.2's single-threaded round-robin, which -icount implies, runs the
 * first runnable hart up to the next timer deadline and then gives the
 * next one no budget at all, so a hart that spins until another hart does
 * something spins forever (fixed in QEMU 8.1 by commit 83ecdb18eb65,
 * "ensure fairness with icount"). This hart therefore waits in wfi, which
 * hands QEMU over to the other hart: woken by an IPI from it or, when it
 * polls, by a timer a little ahead.
 */
static void guard_arm(uint64_t ticks)
{
	sbi_set_timer(read_time() + ticks);
	csr_set(sie, SIE_STIE);
}

static void guard_disarm(void)
{
	sbi_set_timer(UINT64_MAX);
	csr_clear(sie, SIE_STIE);
}

static int guard_fired(void)
{
	return (csr_read(sip) & SIP_STIP) != 0;
}

/* Polls done() every 100 us, sleeping in between; 0, or -1 after 1 s. */
static int sleep_until(int (*done)(void))
{
	uint64_t give_up = read_time() + ms(1000);
	int ok;

	while (!(ok = done()) && read_time() < give_up) {
		guard_arm(sys.timebase / 10000);
		wait_for_interrupt();
	}
	guard_disarm();
	return ok ? 0 : -1;
}

static int other_is_stopped(void)
{
	struct sbiret ret = sbi_hart_get_status(sys.other);

	return !ret.error && ret.value == SBI_HSM_STOPPED;
}

static int other_is_parked(void)
{
	return other_parked;
}

/*
 * hart_start to the first instruction the started hart runs: that
 * instruction reads instret, then IPIs this hart awake and stops again.
 */
static int measure_hsm_start(void)
{
	struct traps traps = { 0 };
	unsigned long i;

	first_insn.boot_mask = 1UL << sys.hart;
	for (i = 0; i < sys.reps; i++) {
		struct timed t;
		uint64_t at;

		first_insn.at = 0;
		guard_arm(ms(1000));
		csr_set(sie, SIE_SSIE);
		traps_open(&traps);
		t = timed_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, sys.other,
				(unsigned long)hsm_first_insn,
				(unsigned long)&first_insn, 0);
		while (!t.error && !first_insn.at && !guard_fired())
			wait_for_interrupt();
		at = first_insn.at;
		traps_close(&traps);
		csr_clear(sie, SIE_SSIE);
		csr_clear(sip, SIP_SSIP);
		guard_disarm();
		if (t.error) {
			printf("FAIL hsm-start: hart_start(%lu) returned error %ld\n",
			       sys.other, t.error);
			return -1;
		}
		if (!at || sleep_until(other_is_stopped) < 0) {
			printf("FAIL hsm-start: hart %lu did not run and stop within 1 s\n",
			       sys.other);
			return -1;
		}
		samples[i] = (int64_t)(at - t.before - overhead);
	}
	report("hsm-start", "count", samples, sys.reps, traps_seen(&traps));
	return 0;
}

/*
 * The other hart waits in wfi with SSIE on and SIE off, so an IPI wakes it
 * without a trap; it answers a ping with an IPI back. Whatever woke it, one
 * turn of the loop runs: a few guest instructions in every figure that
 * wakes it, the same under every firmware.
 */
void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	csr_write(sie, SIE_SSIE);
	other_parked = 1;
	while (!other_leave) {
		wait_for_interrupt();
		csr_clear(sip, SIP_SSIP);
		if (ping != pong) {
			pong = ping;
			sbi_send_ipi(1UL << sys.hart, 0);
		}
	}
	csr_write(sie, 0);
}

static int start_other(void)
{
	struct sbiret ret = sbi_hart_start(sys.other,
					   (unsigned long)_secondary_start, 0);

	if (ret.error) {
		printf("FAIL ipi-send: hart_start(%lu) returned error %ld\n",
		       sys.other, ret.error);
		return -1;
	}
	if (sleep_until(other_is_parked) < 0) {
		printf("FAIL ipi-send: hart %lu did not come up within 1 s\n",
		       sys.other);
		return -1;
	}
	return 0;
}

/* The other hart must be STOPPED before SRST: no capsule stop waits on it. */
static void stop_other(void)
{
	other_leave = 1;
	sbi_send_ipi(1UL << sys.other, 0);
	if (sleep_until(other_is_stopped) < 0)
		printf("FAIL ipi-send: hart %lu did not stop within 1 s\n",
		       sys.other);
}

/* An IPI to the other hart and its answer, until this hart sees it. */
static int measure_ipi_round_trip(void)
{
	struct traps traps = { 0 };
	unsigned long i;

	for (i = 0; i < sys.reps; i++) {
		uint64_t t1;
		struct timed t;
		int answered;

		guard_arm(ms(1000));
		csr_set(sie, SIE_SSIE);
		ping = ping + 1;
		traps_open(&traps);
		t = timed_ecall(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1UL << sys.other,
				0, 0, 0);
		while (!t.error && !(csr_read(sip) & SIP_SSIP) && !guard_fired())
			wait_for_interrupt();
		t1 = read_instret();
		traps_close(&traps);
		answered = (csr_read(sip) & SIP_SSIP) != 0;
		csr_clear(sie, SIE_SSIE);
		csr_clear(sip, SIP_SSIP);
		guard_disarm();
		if (t.error) {
			printf("FAIL ipi-round-trip: send_ipi returned error %ld\n",
			       t.error);
			return -1;
		}
		if (!answered) {
			printf("FAIL ipi-round-trip: no answer within 1 s\n");
			return -1;
		}
		samples[i] = (int64_t)(t1 - t.before - overhead);
	}
	report("ipi-round-trip", "count", samples, sys.reps, traps_seen(&traps));
	return 0;
}

/*
 * Under -icount, instret is QEMU's virtual clock in ns, which rdtime
 * follows; without it, instret counts host cycles since the host started.
 */
static int instret_is_virtual_clock(void)
{
	uint64_t ns_per_tick = 1000000000 / sys.timebase;
	uint64_t t = read_time(), c = read_instret() / ns_per_tick;

	return c >= t && c - t <= 1;
}

/*
 * A remote fence returns when the other hart has fenced, and both
 * firmwares spin for that in M-mode: under QEMU 7.2's -icount the other
 * hart then never runs (see guard_arm), so there is no figure to take.
 */
static void measure_rfences(void)
{
	unsigned long both = (1UL << sys.hart) | (1UL << sys.other);
	/* A page of this image: a fence of one page, as Linux asks most. */
	unsigned long page = (unsigned long)_start & ~0xfffUL;

	if (instret_is_virtual_clock()) {
		printf("SKIP rfence-one: the caller spins until the other hart fenced, which QEMU 7.2 -icount never schedules\n");
		printf("SKIP rfence-all: the caller spins until the other hart fenced, which QEMU 7.2 -icount never schedules\n");
		return;
	}
	measure_call("rfence-one", SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA,
		     1UL << sys.other, 0, page, 4096);
	measure_call("rfence-all", SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA,
		     both, 0, page, 4096);
}

static void measure_two_harts(void)
{
	if (!sys.has_other) {
		printf("SKIP hsm-start: one hart\n");
		printf("SKIP ipi-send: one hart\n");
		printf("SKIP ipi-round-trip: one hart\n");
		printf("SKIP rfence-one: one hart\n");
		printf("SKIP rfence-all: one hart\n");
		return;
	}
	if (measure_hsm_start() < 0 || start_other() < 0)
		return;
	measure_call("ipi-send", SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1UL << sys.other,
		     0, 0, 0);
	measure_ipi_round_trip();
	measure_rfences();
	stop_other();
}

/* ---- timer interrupts ------------------------------------------------- */

static void set_timer_sbi(uint64_t when)
{
	sbi_set_timer(when);
}

static void set_timer_sstc(uint64_t when)
{
	csr_write(stimecmp, when);
}

/*
 * Deadline to S-mode handler. count: the instructions between the last
 * instruction of the spin the interrupt cut short and the vector's first
 * (timer_spin): exact under -icount, where the interrupt is raised at the
 * deadline's instruction boundary. ticks: rdtime after the handler minus
 * the deadline, the wall-time figure.
 */
static int measure_timer(const char *name, void (*arm)(uint64_t),
			 int may_skip)
{
	uint64_t lead = sys.timebase * TIMER_LEAD_US / 1000000 + 1;
	struct traps traps = { 0 };
	unsigned long i, missed = 0;

	for (i = 0; i < sys.reps;) {
		uint64_t at_irq[2], deadline, last = 0, now;
		int spun;

		deadline = read_time() + lead;
		arm(deadline);
		traps_open(&traps);
		csr_write(sie, SIE_STIE);
		spun = read_time() < deadline;
		if (spun)
			last = timer_spin(read_instret() + counts_in(ms(100)),
					  at_irq);
		now = read_time();
		traps_close(&traps);
		csr_write(sie, 0);
		arm(UINT64_MAX);
		if (!spun) {
			/* Descheduled past the deadline before the spin began. */
			if (++missed > sys.reps) {
				printf("FAIL %s: %lu deadlines passed before the spin began\n",
				       name, missed);
				return -1;
			}
			continue;
		}
		if (!last) {
			printf("%s %s: no S-timer interrupt within 100 ms of the deadline\n",
			       may_skip ? "SKIP" : "FAIL", name);
			return -1;
		}
		if (at_irq[1] != (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
			printf("FAIL %s: the spin was interrupted by scause %lx\n",
			       name, (unsigned long)at_irq[1]);
			return -1;
		}
		samples[i] = (int64_t)(at_irq[0] - last - overhead);
		tick_samples[i] = (int64_t)(now - deadline);
		i++;
	}
	report(name, "count", samples, sys.reps, traps_seen(&traps));
	report(name, "ticks", tick_samples, sys.reps, -1);
	return 0;
}

static void measure_timers(void)
{
	struct fault f;

	measure_timer("timer-sbi", set_timer_sbi, 0);
	/* The firmware must have set menvcfg.STCE for S-mode to write it. */
	probe_begin();
	csr_write(stimecmp, UINT64_MAX);
	probe_end(&f);
	if (f.faulted)
		printf("SKIP timer-sstc: writing stimecmp raised scause %lx\n",
		       f.cause);
	else
		measure_timer("timer-sstc", set_timer_sstc, 1);
}

/* ---- UART ------------------------------------------------------------- */

/* One read or write of the side-effect-free scratch register. */
static void measure_uart_access(const char *name, int write)
{
	unsigned long scr = sys.uart + UART_SCR;
	struct traps traps = { 0 };
	unsigned long i;

	for (i = 0; i < sys.reps; i++) {
		uint64_t t0, t1, val = i & 0xff;

		traps_open(&traps);
		if (write)
			asm volatile("csrr %0, instret\n\t"
				     "sb %2, 0(%3)\n\t"
				     "csrr %1, instret"
				     : "=&r"(t0), "=&r"(t1)
				     : "r"(val), "r"(scr) : "memory");
		else
			asm volatile("csrr %0, instret\n\t"
				     "lbu %2, 0(%3)\n\t"
				     "csrr %1, instret"
				     : "=&r"(t0), "=&r"(t1), "=&r"(val)
				     : "r"(scr) : "memory");
		traps_close(&traps);
		samples[i] = (int64_t)(t1 - t0 - overhead);
	}
	report(name, "count", samples, sys.reps, traps_seen(&traps));
}

static uint8_t uart_read(int reg)
{
	return *(volatile uint8_t *)(sys.uart + reg);
}

/* As a polling driver writes: wait for THRE, then the byte. */
static int uart_write_polled(const char *s, unsigned long len)
{
	unsigned long i;

	for (i = 0; i < len; i++) {
		uint64_t give_up = read_time() + ms(1000);

		while (!(uart_read(UART_LSR) & UART_LSR_THRE)) {
			if (read_time() > give_up)
				return -1;
		}
		*(volatile uint8_t *)(sys.uart + UART_THR) = (uint8_t)s[i];
	}
	return 0;
}

static int dbcn_write(const char *s, unsigned long len)
{
	while (len) {
		struct sbiret ret = sbi_debug_console_write(len, (unsigned long)s);

		if (ret.error || ret.value <= 0 || (unsigned long)ret.value > len)
			return -1;
		s += ret.value;
		len -= (unsigned long)ret.value;
	}
	return 0;
}

/* sys.kib KiB of fill lines through write(), timed and counted. */
static void measure_console(const char *name,
			    int (*write)(const char *, unsigned long))
{
	unsigned long bytes = sys.kib << 10, done;
	struct traps traps = { 0 };
	uint64_t c0, t0, c1, t1;

	traps_open(&traps);
	t0 = read_time();
	c0 = read_instret();
	for (done = 0; done < bytes; done += sizeof(fill)) {
		unsigned long n = bytes - done < sizeof(fill) ?
				  bytes - done : sizeof(fill);

		if (write(fill, n) < 0) {
			printf("FAIL %s: a write failed after %lu bytes\n",
			       name, done);
			return;
		}
	}
	c1 = read_instret();
	t1 = read_time();
	traps_close(&traps);
	if (traps_seen(&traps) < 0)
		printf("bench: %s bytes %lu count %lu ticks %lu\n", name, bytes,
		       (unsigned long)(c1 - c0 - overhead),
		       (unsigned long)(t1 - t0));
	else
		printf("bench: %s bytes %lu count %lu ticks %lu traps %ld\n",
		       name, bytes, (unsigned long)(c1 - c0 - overhead),
		       (unsigned long)(t1 - t0), traps_seen(&traps));
}

/* Sv39 leaf entries of the identity map: valid, accessed, dirty, and R/W(/X). */
#define SV39_GIGAPAGE	30
#define PTE_DEVICE	0xc7UL
#define PTE_MEMORY	0xcfUL
#define SATP_SV39	(8UL << 60)

static uint64_t identity_map[512] __attribute__((aligned(4096)));

/*
 * The register accesses again with the guest's own page tables on (an
 * identity map of 1 GiB pages: the UART's and the guest's), as a Linux
 * guest makes them: a hypervisor that emulates the access translates the
 * address and the instruction through them.
 */
static void measure_uart_paged(void)
{
	uint64_t uart_page = sys.uart >> SV39_GIGAPAGE;
	uint64_t code_page = (uint64_t)(unsigned long)measure_uart_paged >> SV39_GIGAPAGE;

	if (!sys.has_uart) {
		printf("SKIP uart-read-sv39: no ns16550a with byte registers in the device tree\n");
		printf("SKIP uart-write-sv39: no ns16550a with byte registers in the device tree\n");
		return;
	}
	if (uart_page == code_page || uart_page >= 512 || code_page >= 512) {
		printf("SKIP uart-read-sv39: the UART and the guest share a gigapage\n");
		printf("SKIP uart-write-sv39: the UART and the guest share a gigapage\n");
		return;
	}
	identity_map[uart_page] = (uart_page << SV39_GIGAPAGE >> 2) | PTE_DEVICE;
	identity_map[code_page] = (code_page << SV39_GIGAPAGE >> 2) | PTE_MEMORY;
	asm volatile("sfence.vma\n\tcsrw satp, %0\n\tsfence.vma"
		     : : "r"(SATP_SV39 | ((unsigned long)identity_map >> 12)) : "memory");
	measure_uart_access("uart-read-sv39", 0);
	measure_uart_access("uart-write-sv39", 1);
	asm volatile("csrw satp, zero\n\tsfence.vma" : : : "memory");
}

static void measure_uart(void)
{
	unsigned long i;

	for (i = 0; i < sizeof(fill); i++)
		fill[i] = fill_line[i % (sizeof(fill_line) - 1)];
	if (!sys.has_uart) {
		printf("SKIP uart-read: no ns16550a with byte registers in the device tree\n");
		printf("SKIP uart-write: no ns16550a with byte registers in the device tree\n");
		printf("SKIP uart-console: no ns16550a with byte registers in the device tree\n");
	} else {
		measure_uart_access("uart-read", 0);
		measure_uart_access("uart-write", 1);
		measure_console("uart-console", uart_write_polled);
	}
	if (!sbi_probe_extension(SBI_EXT_DBCN).value)
		printf("SKIP dbcn-console: no DBCN extension\n");
	else
		measure_console("dbcn-console", dbcn_write);
}

/* ---- the guest's own code --------------------------------------------- */

/* xorshift64 and a multiply: registers only. */
static uint64_t __attribute__((noinline)) compute_loop(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, acc = 0;
	unsigned long i;

	for (i = 0; i < COMPUTE_ITERATIONS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x * 0x2545f4914f6cdd1dULL;
	}
	return acc;
}

/* Read-modify-write of every cache line of 1 MiB (256 pages). */
static uint64_t __attribute__((noinline)) memory_loop(void)
{
	unsigned long pass, i, step = CACHE_LINE / sizeof(memory[0]);
	uint64_t acc = 0;

	for (pass = 0; pass < MEMORY_PASSES; pass++) {
		for (i = 0; i < MEMORY_BYTES / sizeof(memory[0]); i += step) {
			memory[i] = memory[i] * 3 + i;
			acc += memory[i];
		}
	}
	return acc;
}

static void measure_loop(const char *name, uint64_t (*loop)(void))
{
	struct traps traps = { 0 };
	unsigned long i;

	for (i = 0; i < sys.loops; i++) {
		uint64_t t0, t1;

		traps_open(&traps);
		t0 = read_instret();
		sink = loop();
		t1 = read_instret();
		traps_close(&traps);
		samples[i] = (int64_t)(t1 - t0 - overhead);
	}
	report(name, "count", samples, sys.loops, traps_seen(&traps));
}

/* ---- main ------------------------------------------------------------- */

void guest_main(unsigned long hartid, const void *dtb)
{
	sys.hart = hartid;
	if (fdt_open(&sys.fdt, dtb, FDT_GUEST_MAX_SIZE) < 0) {
		printf("FAIL bench: a1 = %p is no device tree\n", dtb);
		return;
	}
	if (read_cpus() < 0) {
		printf("FAIL bench: no timebase-frequency in /cpus\n");
		return;
	}
	read_uart();
	read_bootargs();
	if (!sys.reps || !sys.loops) {
		printf("FAIL bench: reps and loops must be at least 1\n");
		return;
	}
	sys.bulkhead = sbi_probe_extension(SBI_EXT_BULKHEAD).value != 0;
	printf("bench: hart %lu, harts %d, timebase %lu, reps %lu, loops %lu, kib %lu, %s\n",
	       sys.hart, sys.harts, (unsigned long)sys.timebase, sys.reps,
	       sys.loops, sys.kib, sys.bulkhead ? "on Bulkhead" : "not on Bulkhead");
	calibrate();
	measure_overhead();
	measure_calls();
	measure_two_harts();
	measure_timers();
	measure_uart();
	measure_loop("compute", compute_loop);
	measure_loop("memory", memory_loop);
	/*
	 * Last, so that the loops run as they did before it existed. (Run
	 * before them it seemed to make them up to twice as slow in wall time
	 * under Bulkhead; later runs showed the same two speeds in either
	 * order and under OpenSBI too: QEMU's, not this.)
	 */
	measure_uart_paged();
	printf("bench: done\n");
}
