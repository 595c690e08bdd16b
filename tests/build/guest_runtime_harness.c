// SPDX-License-Identifier: MIT
/*
 * Host harness for the guest runtime's device tree reader, formatter and
 * time of day (guests/common/fdt.c, format.c, time_of_day.c), driven by
 * test_guest_runtime.py:
 *
 *	harness format          one line per formatting case
 *	harness fdt FILE        what a guest reads from the DTB in FILE
 *	harness corrupt FILE N  N seeded corruptions of FILE, every lookup
 *	                        run on each (built with sanitizers: must
 *	                        neither crash nor read out of bounds)
 *	harness date S...       each S (seconds since 1970) as a date
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "format.h"
#include "time_of_day.h"

static void format_cases(void)
{
	/* volatile: the compiler must not see the NULL and warn about it. */
	const char *volatile none = NULL;
	char buf[64];
	char tiny[6];

	snprintf(buf, sizeof(buf), "%d|%i|%u", -42, 7, 4000000000u);
	puts(buf);
	snprintf(buf, sizeof(buf), "%ld|%lu|%lx|%lX", -9000000000L,
		 18446744073709551615UL, 0xdeadbeefcafeUL, 0xabcUL);
	puts(buf);
	snprintf(buf, sizeof(buf), "%08lx|%-6s|%6s|%c|%%", 0x1234UL, "ab", "cd",
		 'z');
	puts(buf);
	snprintf(buf, sizeof(buf), "%05d|%-5d|%5d|%zu", -12, 34, -56, (size_t)99);
	puts(buf);
	snprintf(buf, sizeof(buf), "%s|%x", none, 0u);
	puts(buf);
	/* Truncated to the buffer, NUL-terminated, full length returned. */
	printf("%d ", snprintf(tiny, sizeof(tiny), "%s", "truncated"));
	puts(tiny);
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *data;

	if (!f) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	rewind(f);
	/* 8-byte aligned like a DTB in capsule memory. */
	data = aligned_alloc(8, (*size + 7) & ~(size_t)7);
	if (!data || fread(data, 1, *size, f) != *size) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(2);
	}
	fclose(f);
	return data;
}

/* The time of day at the start, and 2.5 s of time CSR ticks later. */
static void time_of_day_lookup(const struct fdt *fdt, int verbose)
{
	struct time_of_day tod;

	if (time_of_day_read(fdt, &tod) < 0) {
		if (verbose)
			puts("time-of-day none");
		return;
	}
	if (verbose)
		printf("time-of-day %llu %llu later %llu\n",
		       (unsigned long long)tod.start_ns,
		       (unsigned long long)tod.start_time,
		       (unsigned long long)time_of_day_ns(&tod, tod.start_time +
							  tod.timebase * 5 / 2));
}

/* The lookups the guests make; prints them when verbose. */
static void lookups(const void *blob, size_t blob_size, int verbose)
{
	struct fdt fdt;
	int root, node, cpus, soc, cpu = -1;
	uint64_t base, size;
	const char *s;

	if (fdt_open(&fdt, blob, (uint32_t)blob_size) < 0) {
		if (verbose)
			puts("open failed");
		return;
	}
	root = fdt_root(&fdt);
	node = fdt_child(&fdt, root, "memory");
	if (fdt_reg(&fdt, root, node, 0, &base, &size) == 0 && verbose)
		printf("memory %llx %llx\n", (unsigned long long)base,
		       (unsigned long long)size);
	s = fdt_prop_string(&fdt, fdt_child(&fdt, root, "chosen"), "bootargs");
	if (verbose)
		printf("bootargs %s\n", s ? s : "(none)");
	cpus = fdt_path(&fdt, "/cpus");
	if (verbose)
		printf("timebase %u\n",
		       fdt_prop_u32(&fdt, cpus, "timebase-frequency", 0));
	while ((cpu = fdt_next_child(&fdt, cpus, cpu)) >= 0) {
		uint64_t id, unused;

		if (strncmp(fdt_name(&fdt, cpu), "cpu@", 4) != 0 ||
		    fdt_reg(&fdt, cpus, cpu, 0, &id, &unused) < 0)
			continue;
		if (verbose)
			printf("cpu %llu sstc %d\n", (unsigned long long)id,
			       fdt_prop_has_string(&fdt, cpu, "riscv,isa-extensions",
						   "sstc"));
	}
	soc = fdt_path(&fdt, "/soc");
	for (node = fdt_next_child(&fdt, soc, -1); node >= 0;
	     node = fdt_next_child(&fdt, soc, node)) {
		if (!fdt_prop_has_string(&fdt, node, "compatible", "ns16550a"))
			continue;
		if (fdt_reg(&fdt, soc, node, 0, &base, &size) == 0 && verbose)
			printf("serial %llx %llx\n", (unsigned long long)base,
			       (unsigned long long)size);
	}
	time_of_day_lookup(&fdt, verbose);
}

static void corrupt(const char *path, unsigned long rounds)
{
	size_t size, i;
	unsigned char *pristine = read_file(path, &size);
	unsigned char *blob = aligned_alloc(8, (size + 7) & ~(size_t)7);
	unsigned long r;

	srand(1);
	for (r = 0; r < rounds; r++) {
		memcpy(blob, pristine, size);
		/* A few random bytes: headers, tokens, lengths and names. */
		for (i = 0; i < 1 + (size_t)(rand() % 8); i++)
			blob[rand() % size] = (unsigned char)rand();
		lookups(blob, size, 0);
	}
	printf("corrupted %lu times\n", rounds);
	free(blob);
	free(pristine);
}

int main(int argc, char **argv)
{
	size_t size;

	if (argc == 2 && strcmp(argv[1], "format") == 0) {
		format_cases();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "fdt") == 0) {
		void *blob = read_file(argv[2], &size);

		lookups(blob, size, 1);
		free(blob);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "corrupt") == 0) {
		corrupt(argv[2], strtoul(argv[3], NULL, 0));
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "date") == 0) {
		char date[32];
		int i;

		for (i = 2; i < argc; i++) {
			time_of_day_format(strtoull(argv[i], NULL, 0), date,
					   sizeof(date));
			puts(date);
		}
		return 0;
	}
	fprintf(stderr, "usage: %s format | fdt FILE | corrupt FILE N | date S...\n",
		argv[0]);
	return 2;
}
