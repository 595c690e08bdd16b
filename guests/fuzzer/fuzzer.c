// SPDX-License-Identifier: MIT
/*
 * fuzzer: a seeded, bounded stream of random SBI calls. Extension and
 * function IDs and all six arguments are drawn from pools that mix the
 * interesting (known IDs, hart IDs, masks, addresses inside and outside the
 * capsule, the victim's and the hypervisor's memory) with plain random
 * 64-bit values. bootargs:
 *
 *	seed=N count=N victim=BASE+SIZE hypervisor=BASE+SIZE
 *
 * A few calls would legitimately end the fuzzer or fill the console (SRST,
 * HSM stop/suspend, console writes that succeed); those are steered to
 * invalid forms, so the argument checks still run; legacy putchar and
 * shutdown, which have no invalid form, are skipped.
 *
 * Afterwards it checks that every call returned a defined SBI error code,
 * that unknown extensions said NOT_SUPPORTED, that SBI still works, and
 * that its PMP confinement is unchanged (memory outside still faults, its
 * own memory still works). Lines:
 *
 *	PASS fuzz-calls: N calls, seed S, ...	or FAIL fuzz-calls: ...
 *	PASS fuzz-isolation			or FAIL fuzz-isolation: ...
 *	fuzzer: done
 */
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define WHY_LEN		160
#define SBI_ERR_LOWEST	-13	/* SBI_ERR_IO, the last code SBI defines */
#define ARG_POOL	20

struct region {
	unsigned long base;
	unsigned long size;
};

static struct {
	struct region own, victim, hypervisor;
	unsigned long hart;
	uint64_t state;		/* xorshift64 */
	unsigned long count;
	unsigned long seed;
	unsigned long by_error[1 - SBI_ERR_LOWEST];
	unsigned long unknown_calls;
	char why[WHY_LEN];
} fz;

static uint64_t next_random(void)
{
	uint64_t x = fz.state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	fz.state = x;
	return x;
}

static unsigned long pick(unsigned long n)
{
	return next_random() % n;
}

static int is_known_extension(unsigned long ext)
{
	switch (ext) {
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
	case SBI_EXT_BASE:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
		return 1;
	default:
		return 0;
	}
}

static unsigned long random_extension(void)
{
	switch (pick(14)) {
	case 0:
		return SBI_EXT_BASE;
	case 1:
		return SBI_EXT_TIME;
	case 2:
		return SBI_EXT_IPI;
	case 3:
		return SBI_EXT_RFENCE;
	case 4:
		return SBI_EXT_HSM;
	case 5:
		return SBI_EXT_SRST;
	case 6:
		return SBI_EXT_DBCN;
	case 7:
		return pick(16);		/* legacy 0x00..0x0f */
	case 8:
		return 0x504d55;		/* PMU: not provided */
	case 9:
		return 0x09000000 + pick(0x1000000);	/* vendor range */
	case 10:
		return 0x0a000000 + pick(0x1000000);	/* firmware range */
	case 11:
		return next_random() & 0xffffffff;
	default:
		return next_random();
	}
}

static unsigned long random_function(void)
{
	return pick(4) ? pick(8) : next_random();
}

static unsigned long random_argument(void)
{
	unsigned long own_end = fz.own.base + fz.own.size;

	switch (pick(ARG_POOL)) {
	case 0:
		return 0;
	case 1:
		return -1UL;
	case 2:
		return pick(8);			/* small hart IDs, counts */
	case 3:
		return 1UL << pick(64);		/* one mask bit */
	case 4:
		return fz.own.base + pick(fz.own.size);
	case 5:
		return own_end - 8;
	case 6:
		return own_end;
	case 7:
		return fz.own.base - 8;
	case 8:
		return fz.victim.base + pick(fz.victim.size);
	case 9:
		return fz.hypervisor.base + pick(fz.hypervisor.size);
	case 10:
		return -2UL;
	case 11:
		return 1UL << 63;
	case 12:
		return fz.own.size;
	case 13:
		return pick(0x100);
	default:
		return next_random();
	}
}

/*
 * Calls that would stop, suspend or reset this capsule, or print on its
 * console, are made invalid rather than skipped, so the argument checks
 * still run and the fuzzer keeps going. Function IDs and reset types are
 * compared on their low 32 bits, which is all the spec gives them.
 */
static void defuse(unsigned long ext, unsigned long *fid, unsigned long *a)
{
	uint32_t fid32 = (uint32_t)*fid, type32 = (uint32_t)a[0];

	switch (ext) {
	case SBI_EXT_SRST:
		if (type32 <= SBI_SRST_WARM_REBOOT || type32 >= 0xf0000000)
			a[0] = 0x10;		/* a reserved reset type */
		break;
	case SBI_EXT_HSM:
		if (fid32 == 1 || fid32 == 3)
			*fid = 0x40 + fid32;	/* no such HSM function */
		break;
	case SBI_EXT_DBCN:
		if (fid32 == 0 || fid32 == 1) {
			a[1] = fz.own.base + fz.own.size;	/* outside */
			a[2] = 0;
		} else if (fid32 == 2) {
			*fid = 0x40;		/* no such DBCN function */
		}
		break;
	default:
		break;
	}
}

/* Legacy putchar and shutdown cannot be made invalid: they are skipped. */
static int skipped(unsigned long ext)
{
	return ext == SBI_EXT_LEGACY_PUTCHAR || ext == 0x08;
}

static int fuzz_one(void)
{
	unsigned long ext = random_extension(), fid = random_function();
	unsigned long a[6];
	struct sbiret ret;
	int i;

	for (i = 0; i < 6; i++)
		a[i] = random_argument();
	if (skipped(ext))
		return 0;
	defuse(ext, &fid, a);
	ret = sbi_ecall(ext, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (ext < 0x10)
		return 0;	/* legacy calls return one value, not an error */
	if (ret.error > 0 || ret.error < SBI_ERR_LOWEST) {
		snprintf(fz.why, WHY_LEN,
			 "ext %lx fid %lx returned undefined error %ld",
			 ext, fid, ret.error);
		return -1;
	}
	fz.by_error[-ret.error]++;
	if (!is_known_extension(ext)) {
		fz.unknown_calls++;
		if (ret.error != SBI_ERR_NOT_SUPPORTED) {
			snprintf(fz.why, WHY_LEN,
				 "unknown ext %lx fid %lx returned %ld, want %d",
				 ext, fid, ret.error, SBI_ERR_NOT_SUPPORTED);
			return -1;
		}
	}
	return 0;
}

static void run_fuzz(void)
{
	unsigned long n;

	for (n = 0; n < fz.count; n++) {
		if (fuzz_one() < 0) {
			printf("FAIL fuzz-calls: call %lu of %lu (seed %lu): %s\n",
			       n + 1, fz.count, fz.seed, fz.why);
			return;
		}
	}
	printf("PASS fuzz-calls: %lu calls, seed %lu, %lu to unknown extensions; "
	       "success %lu, not-supported %lu, invalid-param %lu, invalid-address %lu\n",
	       fz.count, fz.seed, fz.unknown_calls, fz.by_error[0],
	       fz.by_error[-SBI_ERR_NOT_SUPPORTED],
	       fz.by_error[-SBI_ERR_INVALID_PARAM],
	       fz.by_error[-SBI_ERR_INVALID_ADDRESS]);
}

/* ---- after the storm ---------------------------------------------------- */

static int expect_fault(const char *what, int store, unsigned long addr)
{
	struct fault f;

	if (store)
		probe_store64(addr, 0, &f, NULL);
	else
		probe_load64(addr, &f, NULL);
	if (f.faulted && f.cause == (store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS))
		return 0;
	snprintf(fz.why, WHY_LEN, "%s %s %lx: %s (scause %lx)",
		 store ? "store to" : "load from", what, addr,
		 f.faulted ? "wrong fault" : "went through", f.cause);
	return -1;
}

static int own_memory_works(void)
{
	static volatile uint64_t cell;
	struct fault f;

	probe_store64((unsigned long)&cell, 0x1234, &f, NULL);
	if (!f.faulted && cell == 0x1234)
		return 0;
	snprintf(fz.why, WHY_LEN, "its own memory at %lx no longer works",
		 (unsigned long)&cell);
	return -1;
}

static void check_isolation(void)
{
	unsigned long own_end = fz.own.base + fz.own.size;
	struct sbiret ret;

	if (expect_fault("below its memory", 0, fz.own.base - 8) ||
	    expect_fault("below its memory", 1, fz.own.base - 8) ||
	    expect_fault("above its memory", 0, own_end) ||
	    expect_fault("above its memory", 1, own_end) ||
	    expect_fault("the victim", 0, fz.victim.base) ||
	    expect_fault("the victim", 1, fz.victim.base) ||
	    expect_fault("the hypervisor", 0, fz.hypervisor.base) ||
	    expect_fault("the hypervisor", 1, fz.hypervisor.base) ||
	    own_memory_works()) {
		printf("FAIL fuzz-isolation: %s\n", fz.why);
		return;
	}
	ret = sbi_hart_get_status(fz.hart);
	if (ret.error || ret.value != SBI_HSM_STARTED) {
		printf("FAIL fuzz-isolation: hart_get_status of itself: %ld (error %ld)\n",
		       ret.value, ret.error);
		return;
	}
	printf("PASS fuzz-isolation\n");
}

/* ---- set-up ------------------------------------------------------------- */

static int read_setup(const void *dtb)
{
	struct fdt fdt;
	const char *args;
	uint64_t base, size;
	int root;

	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0) {
		printf("FAIL fuzzer: a1 = %p is not a device tree\n", dtb);
		return -1;
	}
	root = fdt_root(&fdt);
	if (fdt_reg(&fdt, root, fdt_child(&fdt, root, "memory"), 0, &base,
		    &size) < 0) {
		printf("FAIL fuzzer: no memory node\n");
		return -1;
	}
	fz.own.base = base;
	fz.own.size = size;
	args = fdt_prop_string(&fdt, fdt_child(&fdt, root, "chosen"), "bootargs");
	if (bootarg_number(args, "seed", &fz.seed, NULL) < 0 ||
	    bootarg_number(args, "count", &fz.count, NULL) < 0 ||
	    bootarg_number(args, "victim", &fz.victim.base, &fz.victim.size) < 0 ||
	    bootarg_number(args, "hypervisor", &fz.hypervisor.base,
			   &fz.hypervisor.size) < 0 ||
	    !fz.victim.size || !fz.hypervisor.size) {
		printf("FAIL fuzzer: bootargs need seed=N count=N victim=BASE+SIZE hypervisor=BASE+SIZE\n");
		return -1;
	}
	/* xorshift must not start at 0. */
	fz.state = fz.seed * 0x9e3779b97f4a7c15UL + 1;
	return 0;
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	printf("FAIL fuzzer: vhart %lu started (opaque %lx); the fuzzer has one vCPU\n",
	       hartid, opaque);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	fz.hart = hartid;
	if (read_setup(dtb) < 0)
		return;
	printf("fuzzer: %lu SBI calls, seed %lu, memory %lx+%lx\n", fz.count,
	       fz.seed, fz.own.base, fz.own.size);
	run_fuzz();
	check_isolation();
	printf("fuzzer: done\n");
}
