// SPDX-License-Identifier: MIT
/*
 * faulter: a capsule that takes a trap it cannot handle, to exercise the
 * hypervisor's capsule-fault policy (on-fault: halt, or restart up to
 * restart-limit times). bootargs choose how it breaks:
 *
 *	mode=illegal  stvec points outside its memory, then an illegal
 *	              instruction: the hart's delegated trap fetches from
 *	              the broken vector, an access fault the hypervisor sees.
 *	mode=forward  stvec points outside its memory, then a load outside
 *	              its memory: the hypervisor forwards the access fault to
 *	              a vector that faults in turn.
 *	mode=double   stvec is a handler that itself loads outside memory, so
 *	              it faults again at the same sepc without ever leaving.
 *
 * It prints "faulter: start, mode M" on every (re)start; nothing after the
 * fault may print. A line after it means the fault was not contained.
 *
 * Before faulting it scribbles on its image (the start line, in .data) and
 * leaves a marker in the middle of its memory. A restart must bring back
 * the pristine image with memory cleared: a changed start line or a
 * "FAIL faulter: memory not cleared" line shows it did not.
 */
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define MARKER	0xfa017edfa017edUL

/* Outside the capsule's memory; set before any fault is provoked. */
static volatile unsigned long outside;

/* In the image (.data), so a restart must restore it. */
static char banner[] = "faulter: start, mode";

/* A trap handler that faults again at its first instruction. */
void __attribute__((naked, aligned(4))) faulting_handler(void)
{
	asm volatile("lla	t0, outside\n\t"
		     "ld	t0, 0(t0)\n\t"
		     "ld	t0, 0(t0)\n\t"
		     "j	faulting_handler");
}

static void break_vector(void)
{
	csr_write(stvec, outside);
}

static void provoke(const char *mode)
{
	if (strcmp(mode, "illegal") == 0) {
		break_vector();
		asm volatile("csrr t0, mstatus" : : : "t0", "memory");
	} else if (strcmp(mode, "forward") == 0) {
		break_vector();
		(void)*(volatile unsigned long *)outside;
	} else if (strcmp(mode, "double") == 0) {
		csr_write(stvec, (unsigned long)faulting_handler);
		(void)*(volatile unsigned long *)outside;
	} else {
		printf("FAIL faulter: unknown mode '%s' in bootargs\n", mode);
		return;
	}
	printf("FAIL faulter: mode %s survived its own fault\n", mode);
}

/* "mode=WORD" from bootargs, copied into buf. */
static int read_mode(const char *bootargs, char *buf, size_t size)
{
	const char *s = bootargs ? strstr(bootargs, "mode=") : NULL;
	size_t n = 0;

	if (!s)
		return -1;
	for (s += 5; *s && *s != ' ' && n + 1 < size; s++)
		buf[n++] = *s;
	buf[n] = '\0';
	return n ? 0 : -1;
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	printf("FAIL faulter: vhart %lu started (opaque %lx)\n", hartid, opaque);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	volatile uint64_t *marker;
	struct fdt fdt;
	uint64_t base, size;
	char mode[16];
	int root;

	(void)hartid;
	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0) {
		printf("FAIL faulter: a1 = %p is not a device tree\n", dtb);
		return;
	}
	root = fdt_root(&fdt);
	if (fdt_reg(&fdt, root, fdt_child(&fdt, root, "memory"), 0, &base,
		    &size) < 0) {
		printf("FAIL faulter: no memory node\n");
		return;
	}
	if (read_mode(fdt_prop_string(&fdt, fdt_child(&fdt, root, "chosen"),
				      "bootargs"), mode, sizeof(mode)) < 0) {
		printf("FAIL faulter: bootargs lack mode=illegal|forward|double\n");
		return;
	}
	outside = base + size + 0x1000;
	marker = (volatile uint64_t *)(unsigned long)(base + size / 2);
	printf("%s %s\n", banner, mode);
	if (*marker) {
		printf("FAIL faulter: memory not cleared: %lx at %p\n",
		       (unsigned long)*marker, (void *)marker);
		return;
	}
	*marker = MARKER;
	banner[0] = 'X';
	provoke(mode);
}
