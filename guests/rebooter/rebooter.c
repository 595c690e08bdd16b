// SPDX-License-Identifier: MIT
/*
 * rebooter: checks that an SBI SRST reboot under `on-reboot: restart` gives
 * the capsule a fresh start: its image (text, rodata, data) and its DTB as
 * built, the rest of its memory zero, its other vCPUs stopped, and every
 * register S-mode can write at its reset value (state: the boot vCPU
 * dirties them all, FP included, right before the reboot).
 *
 * Nothing inside a capsule survives its restart (that is what is checked),
 * so every boot is alike and the guest cannot count them. Each boot prints
 *
 *	rebooter: boot, image crc32 C (N bytes), dtb crc32 D (M bytes), started at S.F s
 *	PASS|FAIL image, cleared, vcpus, state
 *
 * D counts the 16 bytes of /chosen/bulkhead,time-of-day as the zeros the
 * build put there: the hypervisor writes the time of day and the time CSR
 * into them at each start (docs/design.md, "Time of day"); S.F is that
 * time of day, in seconds since 1970.
 *	rebooter: r reboots, q shuts down
 *
 * and waits for a key on its console (DBCN console_read). 'r' starts the
 * other vCPUs, scribbles over the image, the DTB and every free byte of
 * memory, dirties every register it can write, and asks SBI SRST for a
 * cold reboot; 'q' shuts the capsule down.
 * tests/boot/test_reboot.py types 'r' once, then 'q', and compares the CRCs
 * with the built files. With no key for 60 s it shuts down (a hang guard).
 */
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "state.h"
#include "string.h"

#define STAMP		0x5eb0075eb0075eb0UL
#define SCRIBBLE	0xdeadbeefUL
#define KEY_TIMEOUT_S	60

/* In .data and .rodata: a reboot must bring both back. */
static volatile unsigned long data_stamp = STAMP;
static const unsigned long rodata_stamp = STAMP;

/* Through a volatile pointer: the compiler would fold a read of the const. */
static volatile unsigned long *rodata_stamp_at(void)
{
	return (volatile unsigned long *)&rodata_stamp;
}

static volatile unsigned long running[GUEST_MAX_HARTS];

struct layout {
	unsigned long mem_base, mem_end;
	unsigned long dtb, dtb_end;
	unsigned long time_of_day;	/* its 16 bytes inside the DTB */
	unsigned long timebase;
	unsigned long harts[GUEST_MAX_HARTS];
	int hart_count;
};

static int fail_line(const char *check, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail_line(const char *check, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("FAIL %s: %s\n", check, why);
	return -1;
}

/* CRC-32 as zlib computes it (reflected, polynomial 0xedb88320). */
/* zlib's CRC-32 of len bytes at p, continuing from crc (0 to begin). */
static uint32_t crc32(uint32_t crc, const void *p, size_t len)
{
	const volatile uint8_t *b = p;
	int bit;

	crc = ~crc;
	while (len--) {
		crc ^= *b++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

/* The DTB's CRC-32, its time of day counted as the zeros the build wrote. */
static uint32_t dtb_crc32(const struct layout *l)
{
	static const uint8_t built[16];
	unsigned long after = l->time_of_day + sizeof(built);
	uint32_t crc = crc32(0, (const void *)l->dtb, l->time_of_day - l->dtb);

	crc = crc32(crc, built, sizeof(built));
	return crc32(crc, (const void *)after, l->dtb_end - after);
}

static unsigned long align8(unsigned long addr)
{
	return (addr + 7) & ~7UL;
}

static const char *read_layout(struct layout *l, const void *dtb)
{
	struct fdt fdt;
	uint64_t base, size, id, unused;
	int root, cpus, cpu = -1, len;
	const void *time_of_day;

	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0)
		return "a1 does not point to a device tree blob";
	root = fdt_root(&fdt);
	time_of_day = fdt_prop(&fdt, fdt_child(&fdt, root, "chosen"),
			       "bulkhead,time-of-day", &len);
	if (!time_of_day || len != 16)
		return "no 16-byte /chosen/bulkhead,time-of-day";
	l->time_of_day = (unsigned long)time_of_day;
	if (fdt_reg(&fdt, root, fdt_child(&fdt, root, "memory"), 0, &base,
		    &size) < 0)
		return "no memory node with a reg property";
	l->mem_base = base;
	l->mem_end = base + size;
	l->dtb = (unsigned long)dtb;
	l->dtb_end = l->dtb + fdt_be32((const uint8_t *)dtb + 4);
	cpus = fdt_child(&fdt, root, "cpus");
	l->timebase = fdt_prop_u32(&fdt, cpus, "timebase-frequency", 0);
	while ((cpu = fdt_next_child(&fdt, cpus, cpu)) >= 0) {
		if (strncmp(fdt_name(&fdt, cpu), "cpu@", 4) != 0)
			continue;
		if (fdt_reg(&fdt, cpus, cpu, 0, &id, &unused) < 0 ||
		    id >= GUEST_MAX_HARTS || l->hart_count == GUEST_MAX_HARTS)
			return "a cpu@N node without a usable reg";
		l->harts[l->hart_count++] = id;
	}
	if (!l->timebase || !l->hart_count)
		return "no /cpus node with timebase-frequency and cpu@N";
	if (l->dtb < align8((unsigned long)__bss_end) || l->dtb_end > l->mem_end)
		return "the DTB is not between the image and the end of memory";
	return NULL;
}

/* The free memory: after bss up to the DTB, and after the DTB. */
static void free_ranges(const struct layout *l, unsigned long range[2][2])
{
	range[0][0] = align8((unsigned long)__bss_end);
	range[0][1] = l->dtb;
	range[1][0] = align8(l->dtb_end);
	range[1][1] = l->mem_end;
}

/* ---- checks ----------------------------------------------------------- */

static int check_image(void)
{
	unsigned long rodata = *rodata_stamp_at();

	if (data_stamp != STAMP || rodata != STAMP)
		return fail_line("image", "stamps read %lx (.data) and %lx (.rodata), want %lx",
				 data_stamp, rodata, STAMP);
	return 0;
}

static int check_cleared(const struct layout *l)
{
	unsigned long range[2][2], addr;
	int i;

	free_ranges(l, range);
	for (i = 0; i < 2; i++) {
		for (addr = range[i][0]; addr < range[i][1]; addr += 8) {
			unsigned long val = *(volatile unsigned long *)addr;

			if (val)
				return fail_line("cleared", "%lx at %lx, in free memory [%lx, %lx)",
						 val, addr, range[i][0],
						 range[i][1]);
		}
	}
	return 0;
}

static int check_vcpus(const struct layout *l, unsigned long boot_hart)
{
	int i;

	for (i = 0; i < l->hart_count; i++) {
		struct sbiret ret = sbi_hart_get_status(l->harts[i]);

		if (l->harts[i] == boot_hart)
			continue;
		if (ret.error || ret.value != SBI_HSM_STOPPED)
			return fail_line("vcpus", "hart_get_status(%lu) returned %ld (error %ld), want STOPPED",
					 l->harts[i], ret.value, ret.error);
	}
	return 0;
}

/* What start.S saved before it wrote any register. */
static int check_state(unsigned long boot_hart)
{
	char why[160];

	if (arch_state_check(&entry_state[boot_hart], 0, why, sizeof(why)) < 0)
		return fail_line("state", "at entry %s", why);
	return 0;
}

static void report(const char *check, int result)
{
	if (!result)
		printf("PASS %s\n", check);
}

/* ---- reboot ----------------------------------------------------------- */

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	__atomic_store_n(&running[hartid], 1, __ATOMIC_RELEASE);
	/* Busy when the reboot comes: the hypervisor must stop it. */
	for (;;)
		wait_for_interrupt();
}

static int start_others(const struct layout *l, unsigned long boot_hart)
{
	int i;

	for (i = 0; i < l->hart_count; i++) {
		unsigned long hart = l->harts[i];
		uint64_t deadline = read_time() + 5 * l->timebase;
		struct sbiret ret;

		if (hart == boot_hart)
			continue;
		ret = sbi_hart_start(hart, (unsigned long)_secondary_start, 0);
		if (ret.error)
			return fail_line("reboot", "hart_start(%lu) returned error %ld",
					 hart, ret.error);
		while (!__atomic_load_n(&running[hart], __ATOMIC_ACQUIRE)) {
			if (read_time() > deadline)
				return fail_line("reboot", "vhart %lu did not run within 5 s",
						 hart);
		}
	}
	return 0;
}

/*
 * Leave marks a restart must erase: the first instruction (0 is illegal, so
 * a boot from an unrestored image faults at once), both stamps, the DTB and
 * all free memory.
 */
static unsigned long scribble(const struct layout *l)
{
	unsigned long range[2][2], bytes = 0;
	int i;

	free_ranges(l, range);
	for (i = 0; i < 2; i++) {
		memset((void *)range[i][0], 0x5c, range[i][1] - range[i][0]);
		bytes += range[i][1] - range[i][0];
	}
	*(volatile uint32_t *)_start = 0;
	data_stamp = SCRIBBLE;
	*rodata_stamp_at() = SCRIBBLE;
	memset((void *)l->dtb, 0xff, l->dtb_end - l->dtb);
	return bytes;
}

static void reboot(const struct layout *l, unsigned long boot_hart)
{
	struct sbiret ret;

	if (start_others(l, boot_hart))
		return;
	printf("rebooter: scribbled over its image, its DTB and %lu bytes of free memory; rebooting\n",
	       scribble(l));
	arch_state_dirty();
	ret = sbi_system_reset(SBI_SRST_COLD_REBOOT, 0);
	fail_line("reboot", "system_reset(cold reboot) returned error %ld",
		  ret.error);
}

/* 'r', 'q', or 0 when no key came in time. */
static char wait_key(const struct layout *l)
{
	uint64_t deadline = read_time() + KEY_TIMEOUT_S * l->timebase;

	while (read_time() < deadline) {
		char c = 0;
		struct sbiret ret = sbi_debug_console_read(1, (unsigned long)&c);

		if (!ret.error && ret.value == 1 && (c == 'r' || c == 'q'))
			return c;
	}
	return 0;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	struct layout l = { 0 };
	const char *error;
	unsigned long image_size = (unsigned long)(__image_end - _start);
	char key;

	/* Before anything writes .data. */
	uint32_t image_crc = crc32(0, _start, image_size);
	uint64_t started;

	error = read_layout(&l, dtb);
	if (error) {
		printf("FAIL dtb: %s (a1 = %p)\n", error, dtb);
		return;
	}
	started = fdt_cells((const void *)l.time_of_day, 2);
	printf("rebooter: boot, image crc32 %08x (%lu bytes), dtb crc32 %08x (%lu bytes), started at %lu.%09lu s\n",
	       image_crc, image_size, dtb_crc32(&l), l.dtb_end - l.dtb,
	       (unsigned long)(started / 1000000000),
	       (unsigned long)(started % 1000000000));
	report("image", check_image());
	report("cleared", check_cleared(&l));
	report("vcpus", check_vcpus(&l, hartid));
	report("state", check_state(hartid));
	printf("rebooter: r reboots, q shuts down\n");
	key = wait_key(&l);
	if (key == 'r') {
		reboot(&l, hartid);
		return;
	}
	if (!key)
		printf("rebooter: no key in %d s; shutting down\n",
		       KEY_TIMEOUT_S);
	printf("rebooter: done\n");
}
