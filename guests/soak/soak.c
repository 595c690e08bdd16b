// SPDX-License-Identifier: MIT
/*
 * soak: hammers timers, IPIs, RFENCE and the console for a bounded number
 * of rounds (bootargs rounds=N) on a capsule's two vCPUs. In every round:
 *
 *	both vCPUs arm a timer and take its interrupt (SBI set_timer, or
 *	stimecmp on odd rounds when the ISA lists sstc);
 *	vCPU 0 sends vCPU 1 an IPI, and vCPU 1 answers with one;
 *	vCPU 0 makes remote fence.i and sfence.vma calls to both;
 *	vCPU 0 prints "soak: round R ..." (numbered, so a lost line shows).
 *
 * At the end vCPU 0 prints the totals, which must agree:
 *
 *	soak: done, R rounds; timers A armed F fired; ipis S sent V received;
 *	fences N
 *
 * Any wait that runs out (5 s) prints "FAIL soak: ..." and ends the run.
 */
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define STOP		(~0UL)

static struct {
	unsigned long rounds;
	uint64_t timebase;
	int has_sstc;
	unsigned long boot_hart, other_hart;
} cfg;

/* Per vCPU (index 0: the boot vCPU, 1: the other). */
static struct {
	volatile unsigned long timers_armed;
	volatile unsigned long ipis_sent;
} counts[2];

static volatile unsigned long round_go;		/* set by vCPU 0 */
static volatile unsigned long round_done;	/* set by vCPU 1 */
static volatile unsigned long other_failed;
static unsigned long fences;

static int wait_at_least(volatile unsigned long *p, unsigned long value)
{
	uint64_t deadline = read_time() + 5 * cfg.timebase;

	while (*p < value) {
		if (read_time() > deadline)
			return -1;
	}
	return 0;
}

/* Arm a one-shot timer 1 ms ahead and wait for its interrupt. */
static int timer_round(int vcpu, unsigned long round)
{
	struct hart *h = this_hart();
	unsigned long want = h->timer_irqs + 1;
	uint64_t when = read_time() + cfg.timebase / 1000;

	counts[vcpu].timers_armed++;
	if (cfg.has_sstc && (round & 1))
		csr_write(stimecmp, when);
	else if (sbi_set_timer(when).error)
		return -1;
	csr_set(sie, SIE_STIE);
	return wait_at_least(&h->timer_irqs, want);
}

static int send_ipi(int vcpu, unsigned long hart)
{
	counts[vcpu].ipis_sent++;
	return sbi_send_ipi(1UL << hart, 0).error ? -1 : 0;
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	struct hart *h = this_hart();
	unsigned long round;

	(void)hartid;
	(void)opaque;
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (round = 1;; round++) {
		if (wait_at_least(&round_go, round) < 0)
			goto failed;
		if (round_go == STOP)
			return;
		if (timer_round(1, round) < 0 ||
		    wait_at_least(&h->soft_irqs, round) < 0 ||
		    send_ipi(1, cfg.boot_hart) < 0)
			goto failed;
		round_done = round;
	}
failed:
	other_failed = round;
}

static int start_other(void)
{
	struct sbiret ret = sbi_hart_start(cfg.other_hart,
					   (unsigned long)_secondary_start, 0);

	if (ret.error) {
		printf("FAIL soak: hart_start(%lu) returned error %ld\n",
		       cfg.other_hart, ret.error);
		return -1;
	}
	return 0;
}

static int fence_all(void)
{
	unsigned long mask = (1UL << cfg.boot_hart) | (1UL << cfg.other_hart);

	fences += 2;
	return sbi_remote_fence_i(mask, 0).error ||
	       sbi_remote_sfence_vma(mask, 0, 0, -1UL).error ? -1 : 0;
}

static const char *one_round(unsigned long round)
{
	struct hart *h = this_hart();

	round_go = round;
	if (timer_round(0, round) < 0)
		return "no timer interrupt on vCPU 0 within 5 s";
	if (send_ipi(0, cfg.other_hart) < 0)
		return "send_ipi to vCPU 1 failed";
	if (wait_at_least(&h->soft_irqs, round) < 0)
		return "no IPI back from vCPU 1 within 5 s";
	if (fence_all() < 0)
		return "a remote fence failed";
	if (wait_at_least(&round_done, round) < 0)
		return "vCPU 1 did not finish the round within 5 s";
	return NULL;
}

static void report_totals(unsigned long rounds)
{
	struct hart *me = this_hart(), *other = hart_state(cfg.other_hart);

	printf("soak: done, %lu rounds; timers %lu armed %lu fired; "
	       "ipis %lu sent %lu received; fences %lu\n", rounds,
	       counts[0].timers_armed + counts[1].timers_armed,
	       me->timer_irqs + other->timer_irqs,
	       counts[0].ipis_sent + counts[1].ipis_sent,
	       me->soft_irqs + other->soft_irqs, fences);
}

static void soak(void)
{
	unsigned long round;

	for (round = 1; round <= cfg.rounds; round++) {
		const char *error = one_round(round);

		if (error || other_failed) {
			printf("FAIL soak: round %lu: %s\n", round,
			       error ? error : "vCPU 1 gave up waiting");
			round_go = STOP;
			return;
		}
		printf("soak: round %lu timers %lu ipis %lu fences %lu\n", round,
		       this_hart()->timer_irqs, this_hart()->soft_irqs, fences);
	}
	round_go = STOP;
	report_totals(cfg.rounds);
}

static int setup(unsigned long hartid, const void *dtb)
{
	struct fdt fdt;
	int root, cpus, cpu = -1;
	const char *isa;

	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0)
		return -1;
	root = fdt_root(&fdt);
	cpus = fdt_child(&fdt, root, "cpus");
	cfg.timebase = fdt_prop_u32(&fdt, cpus, "timebase-frequency", 0);
	cfg.boot_hart = hartid;
	cfg.other_hart = hartid;
	while ((cpu = fdt_next_child(&fdt, cpus, cpu)) >= 0) {
		uint64_t id, unused;

		if (strncmp(fdt_name(&fdt, cpu), "cpu@", 4) != 0 ||
		    fdt_reg(&fdt, cpus, cpu, 0, &id, &unused) < 0)
			continue;
		if (id != hartid && id < GUEST_MAX_HARTS)
			cfg.other_hart = id;
		isa = fdt_prop_string(&fdt, cpu, "riscv,isa");
		if (isa && strstr(isa, "_sstc"))
			cfg.has_sstc = 1;
	}
	if (bootarg_number(fdt_prop_string(&fdt, fdt_child(&fdt, root, "chosen"),
					   "bootargs"), "rounds", &cfg.rounds,
			   NULL) < 0)
		return -1;
	return cfg.timebase && cfg.rounds && cfg.other_hart != hartid ? 0 : -1;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	if (setup(hartid, dtb) < 0) {
		printf("FAIL soak: needs a device tree with two cpus, a timebase and bootargs rounds=N\n");
		return;
	}
	printf("soak: %lu rounds on vharts %lu and %lu%s\n", cfg.rounds,
	       cfg.boot_hart, cfg.other_hart, cfg.has_sstc ? ", sstc" : "");
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	if (start_other() < 0)
		return;
	soak();
}
