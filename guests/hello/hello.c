// SPDX-License-Identifier: MIT
/*
 * hello: a bare-metal S-mode capsule that checks what Bulkhead promises a
 * guest: SBI 2.0 (BASE, DBCN, HSM, TIME, IPI, RFENCE, SRST), the virtual
 * ns16550, S-mode timer interrupts by SBI and by Sstc, a passthrough
 * device interrupt delivered directly (PLIC), memory isolation,
 * exceptions delegated to and forwarded to its trap handler, the time
 * CSRs and the time of day. Each check prints exactly one line:
 *
 *	PASS <check>
 *	FAIL <check>: <why>
 *	SKIP <check>: <why>	(the check does not apply to this capsule)
 *
 * then the boot vCPU prints "hello: done" and shuts the capsule down with
 * SBI SRST, or with "end=hart-stop" in its bootargs stops itself with HSM
 * hart_stop (the last vCPU of the capsule to stop: the capsule is off).
 * Secondary vCPUs serve IPIs and commands until told to stop, then
 * hart_stop.
 */
#include "ecall_regs.h"
#include "uart_regs.h"
#include "fdt.h"
#include "plic.h"
#include "runtime.h"
#include "sbi.h"
#include "state.h"
#include "string.h"
#include "time_of_day.h"

#define SBI_VERSION_2_0	0x02000000UL
#define BULKHEAD_IMPL_ID	0x42554c4bUL	/* "BULK" */
/* No SBI extension has this ID: probe must say absent, calls must fail. */
#define UNKNOWN_EXT_ID		0x0badc0deUL

#define WHY_LEN			160

enum { CHECK_PASS, CHECK_FAIL, CHECK_SKIP };

/* What the device tree says about this capsule. */
struct sysinfo {
	struct fdt fdt;
	unsigned long boot_hart;
	uint64_t mem_base;
	uint64_t mem_size;
	const char *bootargs;
	uint64_t timebase;
	unsigned long harts[GUEST_MAX_HARTS];	/* hart IDs from /cpus */
	int hart_count;
	unsigned long max_hart;
	int has_sstc;
	int has_uart;
	uint64_t uart_base;
	uint32_t uart_shift;
	uint32_t uart_width;
};

static struct sysinfo sys;

/* Mailboxes between the boot vCPU and the secondaries. */
static volatile unsigned long started_opaque[GUEST_MAX_HARTS];
static volatile unsigned long ipi_acks[GUEST_MAX_HARTS];
static volatile int secondaries_stop;

static int fail(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return CHECK_FAIL;
}

static int skip(char *why, const char *reason)
{
	snprintf(why, WHY_LEN, "%s", reason);
	return CHECK_SKIP;
}

static void report(const char *check, int result, const char *why)
{
	if (result == CHECK_PASS)
		printf("PASS %s\n", check);
	else
		printf("%s %s: %s\n", result == CHECK_FAIL ? "FAIL" : "SKIP",
		       check, why);
}

static void run_check(const char *check, int (*fn)(char *why))
{
	char why[WHY_LEN];

	why[0] = '\0';
	report(check, fn(why), why);
}

static uint64_t seconds(uint64_t n)
{
	return n * sys.timebase;
}

/* Spin (interrupts as the caller left them) until *p != old or timeout. */
static int wait_change(volatile unsigned long *p, unsigned long old,
		       uint64_t timeout)
{
	uint64_t deadline = read_time() + timeout;

	while (*p == old) {
		if (read_time() > deadline)
			return -1;
	}
	return 0;
}

static int is_other_hart(int i)
{
	return sys.harts[i] != sys.boot_hart;
}

static int other_hart_count(void)
{
	return sys.hart_count - 1;
}

/* ---- device tree ------------------------------------------------------ */

static int read_cpus(int cpus)
{
	int cpu = -1;

	sys.timebase = fdt_prop_u32(&sys.fdt, cpus, "timebase-frequency", 0);
	while ((cpu = fdt_next_child(&sys.fdt, cpus, cpu)) >= 0) {
		const char *isa;
		uint64_t id, unused;

		if (strncmp(fdt_name(&sys.fdt, cpu), "cpu@", 4) != 0)
			continue;
		if (fdt_reg(&sys.fdt, cpus, cpu, 0, &id, &unused) < 0 ||
		    sys.hart_count == GUEST_MAX_HARTS || id >= GUEST_MAX_HARTS)
			return -1;
		sys.harts[sys.hart_count++] = id;
		if (id > sys.max_hart)
			sys.max_hart = id;
		isa = fdt_prop_string(&sys.fdt, cpu, "riscv,isa");
		if ((isa && strstr(isa, "_sstc")) ||
		    fdt_prop_has_string(&sys.fdt, cpu, "riscv,isa-extensions",
					"sstc"))
			sys.has_sstc = 1;
	}
	return sys.hart_count && sys.timebase ? 0 : -1;
}

static void read_uart(void)
{
	int soc = fdt_path(&sys.fdt, "/soc");
	int node = -1;
	uint64_t size;

	while ((node = fdt_next_child(&sys.fdt, soc, node)) >= 0) {
		if (strncmp(fdt_name(&sys.fdt, node), "serial@", 7) != 0 ||
		    !fdt_prop_has_string(&sys.fdt, node, "compatible",
					 "ns16550a"))
			continue;
		if (fdt_reg(&sys.fdt, soc, node, 0, &sys.uart_base, &size) < 0)
			continue;
		sys.uart_shift = fdt_prop_u32(&sys.fdt, node, "reg-shift", 0);
		sys.uart_width = fdt_prop_u32(&sys.fdt, node, "reg-io-width", 1);
		sys.has_uart = 1;
		return;
	}
}

static const char *read_device_tree(const void *dtb)
{
	int root, memory;

	if (fdt_open(&sys.fdt, dtb, FDT_GUEST_MAX_SIZE) < 0)
		return "a1 does not point to a device tree blob";
	root = fdt_root(&sys.fdt);
	memory = fdt_child(&sys.fdt, root, "memory");
	if (fdt_reg(&sys.fdt, root, memory, 0, &sys.mem_base, &sys.mem_size) < 0)
		return "no memory node with a reg property";
	if (read_cpus(fdt_child(&sys.fdt, root, "cpus")) < 0)
		return "no usable /cpus node (cpu@N with reg < 8, timebase-frequency)";
	sys.bootargs = fdt_prop_string(&sys.fdt, fdt_child(&sys.fdt, root, "chosen"),
				       "bootargs");
	read_uart();
	return NULL;
}

/* ---- sbi-base --------------------------------------------------------- */

struct named_ext {
	unsigned long id;
	char name[16];
};

/*
 * Every extension Bulkhead serves, and IDs it does not: Bulkhead finds an
 * extension by its EID's low four bits, so among the absent ones are EIDs
 * that share those bits with a served one, or its low 32 bits, and
 * EIDs whose slot is empty (tests/hypervisor/test_sbi.c probes the same).
 */
static const struct named_ext served_exts[] = {
	{ SBI_EXT_LEGACY_PUTCHAR, "legacy putchar" },
	{ SBI_EXT_LEGACY_GETCHAR, "legacy getchar" },
	{ SBI_EXT_BASE, "BASE" },
	{ SBI_EXT_TIME, "TIME" },
	{ SBI_EXT_IPI, "IPI" },
	{ SBI_EXT_RFENCE, "RFENCE" },
	{ SBI_EXT_HSM, "HSM" },
	{ SBI_EXT_SRST, "SRST" },
	{ SBI_EXT_DBCN, "DBCN" },
	{ SBI_EXT_BULKHEAD, "Bulkhead" },
};

static const unsigned long absent_exts[] = {
	UNKNOWN_EXT_ID, 0x00, 0x06, 0x07, 0x08, 0x20, 0x504d55,
	SBI_EXT_TIME | 1UL << 32, SBI_EXT_BASE | 1UL << 63,
	SBI_EXT_LEGACY_PUTCHAR + 16, ~0UL,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int check_sbi_base(char *why)
{
	struct sbiret ret = sbi_get_spec_version();
	struct sbiret id, version;
	unsigned long i;

	if (ret.error || (unsigned long)ret.value != SBI_VERSION_2_0)
		return fail(why, "get_spec_version returned %lx (error %ld), want %lx (2.0)",
			    ret.value, ret.error, SBI_VERSION_2_0);
	id = sbi_get_impl_id();
	if (id.error || (unsigned long)id.value != BULKHEAD_IMPL_ID)
		return fail(why, "implementation ID %lx (error %ld), want %lx",
			    id.value, id.error, BULKHEAD_IMPL_ID);
	version = sbi_ecall(SBI_EXT_BASE, 2, 0, 0, 0, 0, 0, 0);
	if (version.error)
		return fail(why, "get_impl_version returned error %ld",
			    version.error);
	/* The boot test compares the version with the hypervisor's banner. */
	printf("hello: sbi %lu.%lu, implementation %lx version %ld\n",
	       sbi_version_major(ret.value), sbi_version_minor(ret.value),
	       id.value, version.value);
	for (i = 0; i < ARRAY_SIZE(served_exts); i++) {
		ret = sbi_probe_extension(served_exts[i].id);
		if (ret.error || ret.value != 1)
			return fail(why, "probe of %s returned %ld (error %ld), want 1",
				    served_exts[i].name, ret.value, ret.error);
	}
	for (i = 0; i < ARRAY_SIZE(absent_exts); i++) {
		ret = sbi_probe_extension(absent_exts[i]);
		if (ret.error || ret.value != 0)
			return fail(why, "probe of absent extension %lx returned %ld (error %ld), want 0",
				    absent_exts[i], ret.value, ret.error);
		ret = sbi_ecall(absent_exts[i], 0, 0, 0, 0, 0, 0, 0);
		if (ret.error != SBI_ERR_NOT_SUPPORTED)
			return fail(why, "a call of absent extension %lx returned error %ld, want %d (NOT_SUPPORTED)",
				    absent_exts[i], ret.error, SBI_ERR_NOT_SUPPORTED);
	}
	return CHECK_PASS;
}

/* ---- sbi-registers ---------------------------------------------------- */

/*
 * Calls with their results, several answered on Bulkhead's fast path
 * (docs/design.md, "Traps"), the others by its C dispatch. value -1: any.
 */
static const struct {
	char name[24];		/* not a pointer: the image has no absolute address */
	unsigned long eid, fid, arg0;
	long error, value;
} reg_calls[] = {
	{ "get_spec_version", SBI_EXT_BASE, 0, 0, SBI_SUCCESS, SBI_VERSION_2_0 },
	{ "get_impl_id", SBI_EXT_BASE, 1, 0, SBI_SUCCESS, BULKHEAD_IMPL_ID },
	{ "get_impl_version", SBI_EXT_BASE, 2, 0, SBI_SUCCESS, -1 },
	{ "probe_extension(TIME)", SBI_EXT_BASE, 3, SBI_EXT_TIME, SBI_SUCCESS, 1 },
	{ "probe_extension(absent)", SBI_EXT_BASE, 3, UNKNOWN_EXT_ID, SBI_SUCCESS, 0 },
	{ "set_timer(off)", SBI_EXT_TIME, 0, ~0UL, SBI_SUCCESS, 0 },
	{ "get_mvendorid", SBI_EXT_BASE, 4, 0, SBI_SUCCESS, -1 },
	{ "BASE FID 1 << 32", SBI_EXT_BASE, 1UL << 32, 0, SBI_ERR_NOT_SUPPORTED, -1 },
	{ "TIME FID 1", SBI_EXT_TIME, 1, 0, SBI_ERR_NOT_SUPPORTED, -1 },
	{ "send_ipi(no hart)", SBI_EXT_IPI, 0, 0, SBI_SUCCESS, 0 },
	{ "an absent extension", UNKNOWN_EXT_ID, 0, 0, SBI_ERR_NOT_SUPPORTED, -1 },
};

/* What xn held during ecall_regs()'s call, which SBI must keep. */
static unsigned long reg_before(const unsigned long *regs, unsigned long eid,
				unsigned long fid, unsigned int n)
{
	switch (n) {
	case 2:
		return regs[0];	/* sp */
	case 16:
		return fid;
	case 17:
		return eid;
	default:
		return ECALL_PATTERN(n);
	}
}

static int check_sbi_registers(char *why)
{
	unsigned long regs[32];
	unsigned long i;
	unsigned int n;

	for (i = 0; i < ARRAY_SIZE(reg_calls); i++) {
		ecall_regs(reg_calls[i].eid, reg_calls[i].fid,
			   reg_calls[i].arg0, regs);
		if ((long)regs[10] != reg_calls[i].error ||
		    (reg_calls[i].value != -1 &&
		     (long)regs[11] != reg_calls[i].value))
			return fail(why, "%s returned %lx (error %ld), want %lx (error %ld)",
				    reg_calls[i].name, regs[11], (long)regs[10],
				    reg_calls[i].value, reg_calls[i].error);
		for (n = 1; n < 32; n++) {
			unsigned long want = reg_before(regs, reg_calls[i].eid,
							reg_calls[i].fid, n);

			if (n != 10 && n != 11 && regs[n] != want)
				return fail(why, "%s changed x%u from %lx to %lx",
					    reg_calls[i].name, n, want, regs[n]);
		}
	}
	return CHECK_PASS;
}

/* ---- dbcn ------------------------------------------------------------- */

static int expect_dbcn_rejects(char *why, unsigned long addr, unsigned long len)
{
	struct sbiret ret = sbi_debug_console_write(len, addr);

	if (ret.error != SBI_ERR_INVALID_PARAM)
		return fail(why, "console_write of %lu bytes at %lx returned error %ld, want %d (INVALID_PARAM)",
			    len, addr, ret.error, SBI_ERR_INVALID_PARAM);
	return CHECK_PASS;
}

static int check_dbcn(char *why)
{
	static const char line[] = "hello: dbcn console_write works\n";
	uint64_t end = sys.mem_base + sys.mem_size;
	struct sbiret ret;

	if (!sbi_probe_extension(SBI_EXT_DBCN).value)
		return fail(why, "the DBCN extension is absent");
	ret = sbi_debug_console_write(sizeof(line) - 1, (unsigned long)line);
	if (ret.error || ret.value != sizeof(line) - 1)
		return fail(why, "console_write returned error %ld, value %ld, want 0, %lu",
			    ret.error, ret.value, sizeof(line) - 1);
	if (expect_dbcn_rejects(why, end, 16) ||
	    expect_dbcn_rejects(why, end - 8, 16) ||
	    expect_dbcn_rejects(why, sys.mem_base - 16, 16))
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* ---- uart ------------------------------------------------------------- */

#define UART_THR	0
#define UART_LSR	5
#define UART_SCR	7
#define UART_LSR_THRE	0x20

static unsigned long uart_reg(int reg)
{
	return sys.uart_base + ((unsigned long)reg << sys.uart_shift);
}

static uint8_t uart_read(int reg)
{
	if (sys.uart_width == 4)
		return (uint8_t)*(volatile uint32_t *)uart_reg(reg);
	return *(volatile uint8_t *)uart_reg(reg);
}

static void uart_write(int reg, uint8_t val)
{
	if (sys.uart_width == 4)
		*(volatile uint32_t *)uart_reg(reg) = val;
	else
		*(volatile uint8_t *)uart_reg(reg) = val;
}

static int uart_putc(char c)
{
	uint64_t deadline = read_time() + seconds(1);

	while (!(uart_read(UART_LSR) & UART_LSR_THRE)) {
		if (read_time() > deadline)
			return -1;
	}
	uart_write(UART_THR, (uint8_t)c);
	return 0;
}

static int check_uart(char *why)
{
	char line[80];
	static const uint8_t patterns[] = { 0x5a, 0xa5, 0x00 };
	unsigned long i;
	int len;

	if (!sys.has_uart)
		return skip(why, "no ns16550a serial@ node under /soc");
	len = snprintf(line, sizeof(line), "hello: uart ns16550 at %lx works\n",
		       (unsigned long)sys.uart_base);
	for (i = 0; i < (unsigned long)len; i++) {
		if (uart_putc(line[i]) < 0)
			return fail(why, "LSR.THRE stayed clear for 1 s at %lx",
				    uart_reg(UART_LSR));
	}
	for (i = 0; i < sizeof(patterns); i++) {
		uint8_t got;

		uart_write(UART_SCR, patterns[i]);
		got = uart_read(UART_SCR);
		if (got != patterns[i])
			return fail(why, "scratch register read %x after writing %x",
				    got, patterns[i]);
	}
	return CHECK_PASS;
}

/* ---- uart-registers --------------------------------------------------- */

static const unsigned char uart_regs_tried[UART_REGS_COUNT] = { UART_REGS_TRIED };

/* What xm should hold after xn's round trip through the scratch register. */
static unsigned long uart_regs_expected(unsigned long n, unsigned long m,
					unsigned long scr)
{
	if (m == 0 || m == 2)
		return 0;
	if (m == 31)
		return scr;
	if (m == n)
		return UART_PATTERN(n) & 0xff;	/* lbu: zero-extended */
	return UART_PATTERN(m);
}

static int check_uart_registers(char *why)
{
	static unsigned long seen[UART_REGS_COUNT][32];
	unsigned long scr = uart_reg(UART_SCR), i, m;

	if (!sys.has_uart)
		return skip(why, "no ns16550a serial@ node under /soc");
	if (sys.uart_width != 1 || sys.uart_shift != 0)
		return skip(why, "the UART's registers are not bytes");
	uart_regs(scr, seen);
	for (i = 0; i < UART_REGS_COUNT; i++) {
		unsigned long n = uart_regs_tried[i];

		for (m = 1; m < 32; m++) {
			unsigned long want = uart_regs_expected(n, m, scr);

			if (seen[i][m] != want)
				return fail(why, "x%lu was %lx after x%lu's round trip through SCR, want %lx",
					    m, seen[i][m], n, want);
		}
	}
	return CHECK_PASS;
}

/* ---- hsm -------------------------------------------------------------- */

static unsigned long opaque_for(unsigned long hart)
{
	return 0x600d0000UL + hart;
}

/* hart_start opaque of a restart, whose entry state is checked. */
static unsigned long restart_opaque_for(unsigned long hart)
{
	return 0x5eed0000UL + hart;
}

/* What the boot vCPU asks a secondary to do (hsm-restart, hsm-suspend-ipi). */
enum command {
	CMD_NONE,
	CMD_DIRTY_AND_STOP,
	CMD_SUSPEND,
	CMD_SUSPEND_NON_RETENTIVE,
};

static volatile int commands[GUEST_MAX_HARTS];
static volatile unsigned long commands_done[GUEST_MAX_HARTS];
static int command_results[GUEST_MAX_HARTS];
static char command_whys[GUEST_MAX_HARTS][WHY_LEN];
static struct resume_ctx resume_ctxs[GUEST_MAX_HARTS];

static int check_stimecmp_off(char *why)
{
	unsigned long cmp;

	if (!sys.has_sstc)
		return CHECK_PASS;
	cmp = csr_read(stimecmp);
	if (cmp != UINT64_MAX)
		return fail(why, "stimecmp is %lx, want all ones (off)", cmp);
	return CHECK_PASS;
}

/* The state this hart entered with: every register at its reset value. */
static int check_entry_state(unsigned long hartid, char *why)
{
	if (arch_state_check(&entry_state[hartid], 0, why, WHY_LEN) < 0)
		return CHECK_FAIL;
	return check_stimecmp_off(why);
}

/* Everything S-mode can write gets a non-reset value. */
static void dirty_state(void)
{
	if (sys.has_sstc)
		csr_write(stimecmp, read_time() + seconds(3600));
	arch_state_dirty();
}

/* Retentive: an IPI wakes it; it must be pending when the call returns. */
static int suspend_for_ipi(char *why)
{
	struct sbiret ret;

	csr_write(sie, SIE_SSIE);
	csr_clear(sip, SIP_SSIP);
	ret = sbi_hart_suspend(SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
	if (ret.error)
		return fail(why, "retentive hart_suspend returned error %ld",
			    ret.error);
	if (!(csr_read(sip) & SIP_SSIP))
		return fail(why, "retentive suspend returned without an IPI pending");
	return CHECK_PASS;
}

/* Non-retentive: resumes with every register reset, the IPI still pending. */
static int suspend_non_retentive_for_ipi(unsigned long hartid, char *why)
{
	struct resume_ctx *ctx = &resume_ctxs[hartid];
	long err;

	dirty_state();
	csr_write(sie, SIE_SSIE);
	csr_clear(sip, SIP_SSIP);
	err = suspend_non_retentive(ctx);
	csr_write(sie, SIE_SSIE);
	if (err)
		return fail(why, "non-retentive hart_suspend returned error %ld",
			    err);
	if (!(ctx->state.sip & SIP_SSIP))
		return fail(why, "resumed with sip %lx: the IPI that woke it is gone",
			    ctx->state.sip);
	if (arch_state_check(&ctx->state, 1, why, WHY_LEN) < 0)
		return CHECK_FAIL;
	return CHECK_PASS;
}

static void run_command(unsigned long hartid)
{
	int cmd = commands[hartid];

	commands[hartid] = CMD_NONE;
	switch (cmd) {
	case CMD_DIRTY_AND_STOP:
		dirty_state();
		sbi_hart_stop();
		return;
	case CMD_SUSPEND:
		command_results[hartid] = suspend_for_ipi(command_whys[hartid]);
		break;
	case CMD_SUSPEND_NON_RETENTIVE:
		command_results[hartid] =
			suspend_non_retentive_for_ipi(hartid,
						      command_whys[hartid]);
		break;
	}
	__atomic_add_fetch(&commands_done[hartid], 1, __ATOMIC_RELEASE);
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	struct hart *h = this_hart();

	if (opaque == restart_opaque_for(hartid))
		command_results[hartid] = check_entry_state(hartid,
							    command_whys[hartid]);
	csr_set(sie, SIE_SSIE);
	__atomic_store_n(&started_opaque[hartid], opaque, __ATOMIC_RELEASE);
	/*
	 * Sleep with SIE off so an IPI between the test and wfi still wakes
	 * us (wfi ignores sstatus.SIE), then take it with SIE briefly on.
	 */
	while (!secondaries_stop) {
		if (h->soft_irqs == ipi_acks[hartid] && !commands[hartid])
			wait_for_interrupt();
		csr_set(sstatus, SSTATUS_SIE);
		csr_clear(sstatus, SSTATUS_SIE);
		if (commands[hartid])
			run_command(hartid);
		__atomic_store_n(&ipi_acks[hartid], h->soft_irqs,
				 __ATOMIC_RELEASE);
	}
}

static int expect_error(char *why, const char *call, struct sbiret ret,
			long want, const char *want_name)
{
	if (ret.error != want)
		return fail(why, "%s returned error %ld, want %ld (%s)",
			    call, ret.error, want, want_name);
	return CHECK_PASS;
}

static int expect_status(char *why, unsigned long hart, long want)
{
	struct sbiret ret = sbi_hart_get_status(hart);

	if (ret.error || ret.value != want)
		return fail(why, "hart_get_status(%lu) returned %ld (error %ld), want %ld",
			    hart, ret.value, ret.error, want);
	return CHECK_PASS;
}

/* Start every other hart and wait until it reports through memory. */
static int start_secondaries(char *why)
{
	unsigned long entry = (unsigned long)_secondary_start;
	int i;

	for (i = 0; i < sys.hart_count; i++) {
		unsigned long hart = sys.harts[i];
		struct sbiret ret;

		if (!is_other_hart(i))
			continue;
		ret = sbi_hart_start(hart, entry, opaque_for(hart));
		if (ret.error)
			return fail(why, "hart_start(%lu) returned error %ld",
				    hart, ret.error);
		if (wait_change(&started_opaque[hart], 0, seconds(5)) < 0)
			return fail(why, "vhart %lu did not report within 5 s", hart);
		if (started_opaque[hart] != opaque_for(hart))
			return fail(why, "vhart %lu got opaque %lx, want %lx", hart,
				    started_opaque[hart], opaque_for(hart));
		if (expect_status(why, hart, SBI_HSM_STARTED))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

static int check_hsm(char *why)
{
	unsigned long entry = (unsigned long)_secondary_start;
	unsigned long outside = sys.mem_base + sys.mem_size;
	unsigned long target = sys.boot_hart;
	int i;

	if (expect_status(why, sys.boot_hart, SBI_HSM_STARTED))
		return CHECK_FAIL;
	/* A stopped hart, if there is one, so only the address is wrong. */
	for (i = 0; i < sys.hart_count; i++) {
		if (is_other_hart(i))
			target = sys.harts[i];
	}
	if (expect_error(why, "hart_start outside memory",
			 sbi_hart_start(target, outside, 0),
			 SBI_ERR_INVALID_ADDRESS, "INVALID_ADDRESS") ||
	    expect_error(why, "hart_start of the hart after the last",
			 sbi_hart_start(sys.max_hart + 1, entry, 0),
			 SBI_ERR_INVALID_PARAM, "INVALID_PARAM") ||
	    expect_error(why, "hart_start(-1)", sbi_hart_start(-1UL, entry, 0),
			 SBI_ERR_INVALID_PARAM, "INVALID_PARAM") ||
	    expect_error(why, "hart_start of itself",
			 sbi_hart_start(sys.boot_hart, entry, 0),
			 SBI_ERR_ALREADY_AVAILABLE, "ALREADY_AVAILABLE"))
		return CHECK_FAIL;
	if (target != sys.boot_hart &&
	    expect_status(why, target, SBI_HSM_STOPPED))
		return CHECK_FAIL;
	if (start_secondaries(why))
		return CHECK_FAIL;
	if (target != sys.boot_hart &&
	    expect_error(why, "hart_start of a started vCPU",
			 sbi_hart_start(target, entry, 0),
			 SBI_ERR_ALREADY_AVAILABLE, "ALREADY_AVAILABLE"))
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* The secondaries leave their loop and hart_stop; status becomes STOPPED. */
static int check_hsm_stop(char *why)
{
	int i;

	if (!other_hart_count())
		return skip(why, "this capsule has one vCPU");
	secondaries_stop = 1;
	for (i = 0; i < sys.hart_count; i++) {
		unsigned long hart = sys.harts[i];
		uint64_t deadline = read_time() + seconds(5);
		struct sbiret ret;

		if (!is_other_hart(i))
			continue;
		ret = sbi_send_ipi(1UL << hart, 0);
		if (ret.error)
			return fail(why, "send_ipi to vhart %lu returned error %ld",
				    hart, ret.error);
		do {
			ret = sbi_hart_get_status(hart);
		} while (!ret.error && ret.value != SBI_HSM_STOPPED &&
			 read_time() < deadline);
		if (ret.error || ret.value != SBI_HSM_STOPPED)
			return fail(why, "vhart %lu status %ld (error %ld) 5 s after it was told to stop, want STOPPED",
				    hart, ret.value, ret.error);
	}
	return CHECK_PASS;
}

/* Poll hart_get_status until it says want (5 s hang guard). */
static int await_status(char *why, unsigned long hart, long want)
{
	uint64_t deadline = read_time() + seconds(5);
	struct sbiret ret;

	do {
		ret = sbi_hart_get_status(hart);
	} while (!ret.error && ret.value != want && read_time() < deadline);
	if (ret.error || ret.value != want)
		return fail(why, "vhart %lu status %ld (error %ld) for 5 s, want %ld",
			    hart, ret.value, ret.error, want);
	return CHECK_PASS;
}

/*
 * A secondary dirties every register it can write and hart_stops; started
 * again, it must find them all at their reset values.
 */
static int restart_one(char *why, unsigned long hart)
{
	unsigned long opaque = restart_opaque_for(hart);
	struct sbiret ret;

	commands[hart] = CMD_DIRTY_AND_STOP;
	sbi_send_ipi(1UL << hart, 0);
	if (await_status(why, hart, SBI_HSM_STOPPED))
		return CHECK_FAIL;
	started_opaque[hart] = 0;
	ret = sbi_hart_start(hart, (unsigned long)_secondary_start, opaque);
	if (ret.error)
		return fail(why, "hart_start(%lu) returned error %ld", hart,
			    ret.error);
	if (wait_change(&started_opaque[hart], 0, seconds(5)) < 0)
		return fail(why, "vhart %lu did not come back within 5 s", hart);
	if (command_results[hart] != CHECK_PASS)
		return fail(why, "vhart %lu after hart_stop and hart_start: %s",
			    hart, command_whys[hart]);
	return CHECK_PASS;
}

static int check_hsm_restart(char *why)
{
	int i;

	if (!other_hart_count())
		return skip(why, "this capsule has one vCPU");
	for (i = 0; i < sys.hart_count; i++) {
		if (is_other_hart(i) && restart_one(why, sys.harts[i]))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

/*
 * Suspend this vCPU until a timer 10 ms ahead (SBI set_timer: stimecmp with
 * Sstc, the multiplexed mtimecmp without). Retentive: the call returns
 * with the timer pending. Non-retentive, with every register dirtied
 * first: the vCPU resumes with them reset and the timer still pending.
 */
static int suspend_on_timer(char *why, int non_retentive)
{
	const char *how = non_retentive ? "non-retentive" : "retentive";
	uint64_t deadline = read_time() + sys.timebase / 100;
	struct resume_ctx *ctx = &resume_ctxs[sys.boot_hart];
	unsigned long pending;
	long err;

	if (non_retentive)
		dirty_state();	/* stimecmp too: before set_timer */
	sbi_set_timer(deadline);
	csr_write(sie, SIE_STIE);
	csr_clear(sip, SIP_SSIP);
	if (non_retentive) {
		err = suspend_non_retentive(ctx);
		pending = ctx->state.sip;
	} else {
		err = sbi_hart_suspend(SBI_HSM_SUSPEND_RETENTIVE, 0, 0).error;
		pending = csr_read(sip);
	}
	csr_write(sie, 0);
	sbi_set_timer(UINT64_MAX);
	if (err)
		return fail(why, "%s hart_suspend returned error %ld", how, err);
	if (read_time() < deadline)
		return fail(why, "%s suspend ended before the timer", how);
	if (!(pending & SIP_STIP))
		return fail(why, "%s suspend ended with sip %lx: the timer that woke it is not pending",
			    how, pending);
	if (non_retentive && arch_state_check(&ctx->state, 1, why, WHY_LEN))
		return CHECK_FAIL;
	return CHECK_PASS;
}

static int check_hsm_suspend(char *why)
{
	if (suspend_on_timer(why, 0) || suspend_on_timer(why, 1))
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* A secondary suspends (as cmd says); an IPI from here must wake it. */
static int wake_by_ipi(char *why, unsigned long hart, int cmd)
{
	unsigned long done = commands_done[hart];

	commands[hart] = cmd;
	sbi_send_ipi(1UL << hart, 0);
	if (await_status(why, hart, SBI_HSM_SUSPENDED))
		return CHECK_FAIL;
	sbi_send_ipi(1UL << hart, 0);
	if (wait_change(&commands_done[hart], done, seconds(5)) < 0)
		return fail(why, "vhart %lu did not wake from suspend within 5 s of an IPI",
			    hart);
	if (command_results[hart] != CHECK_PASS)
		return fail(why, "vhart %lu: %s", hart, command_whys[hart]);
	return CHECK_PASS;
}

static int check_hsm_suspend_ipi(char *why)
{
	int i;

	if (!other_hart_count())
		return skip(why, "this capsule has one vCPU");
	for (i = 0; i < sys.hart_count; i++) {
		unsigned long hart = sys.harts[i];

		if (!is_other_hart(i))
			continue;
		if (wake_by_ipi(why, hart, CMD_SUSPEND) ||
		    wake_by_ipi(why, hart, CMD_SUSPEND_NON_RETENTIVE))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

/* ---- timers ----------------------------------------------------------- */

/* Wait with interrupts on for the one-shot timer interrupt after deadline. */
static int await_timer(char *why, const char *how, uint64_t deadline)
{
	struct hart *h = this_hart();
	unsigned long before = h->timer_irqs;
	uint64_t now = read_time();
	int late;

	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	late = wait_change(&h->timer_irqs, before,
			   (deadline > now ? deadline - now : 0) + seconds(5));
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_STIE);
	if (late)
		return fail(why, "no S-timer interrupt within 5 s of the %s deadline",
			    how);
	/* The handler took the time: a vCPU may be descheduled at any point. */
	if (h->timer_irq_time < deadline)
		return fail(why, "S-timer interrupt at %lu, before the %s deadline %lu",
			    (unsigned long)h->timer_irq_time, how,
			    (unsigned long)deadline);
	return CHECK_PASS;
}

static int check_timer_sbi(char *why)
{
	uint64_t deadline = read_time() + sys.timebase / 100;
	struct sbiret ret = sbi_set_timer(deadline);
	int result;

	if (ret.error)
		return fail(why, "set_timer returned error %ld", ret.error);
	result = await_timer(why, "set_timer", deadline);
	sbi_set_timer(UINT64_MAX);
	return result;
}

static int check_timer_sstc(char *why)
{
	uint64_t deadline = read_time() + sys.timebase / 100;
	struct fault f;
	int result;

	if (!sys.has_sstc)
		return skip(why, "the device tree ISA does not list sstc");
	probe_begin();
	csr_write(stimecmp, deadline);
	probe_end(&f);
	if (f.faulted)
		return fail(why, "writing stimecmp raised scause %lx", f.cause);
	result = await_timer(why, "stimecmp", deadline);
	csr_write(stimecmp, UINT64_MAX);
	return result;
}

/* ---- ipi -------------------------------------------------------------- */

/*
 * Send an IPI, then wait until every hart in expect (a mask of hart IDs) has
 * seen it: the boot hart by its own handler, the others by their acks.
 */
static int ipi_and_wait(char *why, const char *what, unsigned long mask,
			unsigned long base, unsigned long expect)
{
	struct hart *h = this_hart();
	unsigned long self_before = h->soft_irqs;
	unsigned long acks_before[GUEST_MAX_HARTS];
	struct sbiret ret;
	int i;

	for (i = 0; i < sys.hart_count; i++)
		acks_before[i] = ipi_acks[sys.harts[i]];
	ret = sbi_send_ipi(mask, base);
	if (ret.error)
		return fail(why, "send_ipi %s returned error %ld", what, ret.error);
	if (expect & (1UL << sys.boot_hart)) {
		int late;

		csr_set(sstatus, SSTATUS_SIE);
		late = wait_change(&h->soft_irqs, self_before, seconds(5));
		csr_clear(sstatus, SSTATUS_SIE);
		if (late)
			return fail(why, "send_ipi %s: no IPI on this vCPU in 5 s", what);
	}
	for (i = 0; i < sys.hart_count; i++) {
		unsigned long hart = sys.harts[i];

		if (is_other_hart(i) && (expect & (1UL << hart)) &&
		    wait_change(&ipi_acks[hart], acks_before[i], seconds(5)) < 0)
			return fail(why, "send_ipi %s: vhart %lu did not acknowledge in 5 s",
				    what, hart);
	}
	return CHECK_PASS;
}

static unsigned long all_harts(void)
{
	unsigned long mask = 0;
	int i;

	for (i = 0; i < sys.hart_count; i++)
		mask |= 1UL << sys.harts[i];
	return mask;
}

static int ipi_to_others(char *why)
{
	int i;

	for (i = 0; i < sys.hart_count; i++) {
		unsigned long hart = sys.harts[i];

		if (!is_other_hart(i))
			continue;
		if (ipi_and_wait(why, "to another vCPU", 1UL << hart, 0,
				 1UL << hart) ||
		    ipi_and_wait(why, "with hart_mask_base = that vCPU", 1, hart,
				 1UL << hart))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

static int check_ipi(char *why)
{
	struct hart *h = this_hart();
	unsigned long beyond = sys.max_hart + 1;
	unsigned long before;
	uint64_t settle;
	int result;

	csr_set(sie, SIE_SSIE);
	result = ipi_and_wait(why, "to itself", 1UL << sys.boot_hart, 0,
			      1UL << sys.boot_hart);
	if (!result)
		result = ipi_to_others(why);
	if (!result)
		result = ipi_and_wait(why, "with hart_mask_base = -1",
				      0, SBI_HART_MASK_ALL, all_harts());
	if (result)
		goto out;
	/* A mask naming a hart the capsule lacks fails and sends nothing. */
	before = h->soft_irqs;
	if (expect_error(why, "send_ipi to the hart after the last",
			 sbi_send_ipi((1UL << beyond) | (1UL << sys.boot_hart), 0),
			 SBI_ERR_INVALID_PARAM, "INVALID_PARAM") ||
	    expect_error(why, "send_ipi with hart_mask_base after the last",
			 sbi_send_ipi(1, beyond),
			 SBI_ERR_INVALID_PARAM, "INVALID_PARAM")) {
		result = CHECK_FAIL;
		goto out;
	}
	csr_set(sstatus, SSTATUS_SIE);
	settle = read_time() + sys.timebase / 50;
	while (read_time() < settle)
		;
	csr_clear(sstatus, SSTATUS_SIE);
	if (h->soft_irqs != before)
		result = fail(why, "a rejected send_ipi still interrupted this vCPU");
out:
	csr_clear(sie, SIE_SSIE);
	return result;
}

/* ---- rfence ----------------------------------------------------------- */

static int check_rfence(char *why)
{
	unsigned long all = all_harts(), bad = 1UL << (sys.max_hart + 1);

	if (expect_error(why, "remote_fence_i to all vCPUs",
			 sbi_remote_fence_i(all, 0), SBI_SUCCESS, "SUCCESS") ||
	    expect_error(why, "remote_fence_i with hart_mask_base = -1",
			 sbi_remote_fence_i(0, SBI_HART_MASK_ALL),
			 SBI_SUCCESS, "SUCCESS") ||
	    expect_error(why, "remote_sfence_vma (all) to all vCPUs",
			 sbi_remote_sfence_vma(all, 0, 0, -1UL),
			 SBI_SUCCESS, "SUCCESS") ||
	    expect_error(why, "remote_sfence_vma (one page) to all vCPUs",
			 sbi_remote_sfence_vma(all, 0, sys.mem_base, 4096),
			 SBI_SUCCESS, "SUCCESS") ||
	    expect_error(why, "remote_fence_i to the hart after the last",
			 sbi_remote_fence_i(bad | all, 0),
			 SBI_ERR_INVALID_PARAM, "INVALID_PARAM") ||
	    expect_error(why, "remote_sfence_vma to the hart after the last",
			 sbi_remote_sfence_vma(bad, 0, 0, -1UL),
			 SBI_ERR_INVALID_PARAM, "INVALID_PARAM"))
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* ---- isolation -------------------------------------------------------- */

/* A 64-bit access at addr faults; width 4: a 32-bit one (device registers). */
static int expect_access_fault_of(char *why, int store, unsigned long addr,
				  int width)
{
	unsigned long want = store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
	const char *what = store ? "store to" : "load from";
	unsigned long insn;
	struct fault f;

	if (store && width == 4)
		probe_store32(addr, 0, &f, &insn);
	else if (store)
		probe_store64(addr, 0, &f, &insn);
	else if (width == 4)
		probe_load32(addr, &f, &insn);
	else
		probe_load64(addr, &f, &insn);
	if (!f.faulted)
		return fail(why, "%s %lx went through", what, addr);
	if (f.cause != want || f.tval != addr || f.epc != insn)
		return fail(why, "%s %lx: scause %lx stval %lx sepc %lx, want %lx %lx %lx",
			    what, addr, f.cause, f.tval, f.epc, want, addr, insn);
	return CHECK_PASS;
}

static int expect_access_fault(char *why, int store, unsigned long addr)
{
	return expect_access_fault_of(why, store, addr, 8);
}

/*
 * The threshold/claim page of another vCPU's PLIC context is not this
 * hart's to reach, even though the capsule owns it: on a shared hart
 * another capsule may hold that context now (design.md, "Interrupts").
 */
static int check_sibling_contexts(char *why)
{
	struct plic own, sibling;
	int i;

	if (plic_find(&sys.fdt, sys.boot_hart, &own) < 0)
		return CHECK_PASS;	/* no PLIC context of ours in the DT */
	(void)mmio_read32(plic_threshold_reg(&own, own.context));
	for (i = 0; i < sys.hart_count; i++) {
		if (!is_other_hart(i) || plic_find(&sys.fdt, sys.harts[i], &sibling) < 0)
			continue;
		if (expect_access_fault_of(why, 0, plic_threshold_reg(&own, sibling.context), 4) ||
		    expect_access_fault_of(why, 1, plic_threshold_reg(&own, sibling.context), 4))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

static int check_isolation(char *why)
{
	unsigned long below = sys.mem_base - 8;
	unsigned long above = sys.mem_base + sys.mem_size;

	if ((unsigned long)_start < sys.mem_base ||
	    (unsigned long)__bss_end > above)
		return fail(why, "the image [%lx, %lx) is not inside the memory node [%lx, %lx)",
			    (unsigned long)_start, (unsigned long)__bss_end,
			    sys.mem_base, above);
	if (expect_access_fault(why, 0, above) ||
	    expect_access_fault(why, 0, below) ||
	    expect_access_fault(why, 1, above) ||
	    expect_access_fault(why, 1, below))
		return CHECK_FAIL;
	return check_sibling_contexts(why);
}

/* ---- delegation and forwarding ---------------------------------------- */

/*
 * Run probe() with sstatus.SIE = sie (sie cleared meanwhile, so no
 * interrupt can be taken), then check the status the trap handler saw:
 * an exception from S-mode sets SPP = 1, SPIE = the SIE before it, SIE = 0,
 * whether the hart delegated it or the hypervisor forwarded it.
 */
static int probe_with_sie(char *why, const char *what, int with_sie,
			  void (*probe)(struct fault *, unsigned long *),
			  struct fault *f, unsigned long *insn)
{
	unsigned long saved_sie = csr_read(sie);
	int spp, spie, now;

	csr_write(sie, 0);
	if (with_sie)
		csr_set(sstatus, SSTATUS_SIE);
	probe(f, insn);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, saved_sie);
	if (!f->faulted)
		return fail(why, "%s (SIE %d) did not trap", what, with_sie);
	spp = !!(f->status & SSTATUS_SPP);
	spie = !!(f->status & SSTATUS_SPIE);
	now = !!(f->status & SSTATUS_SIE);
	if (!spp || spie != with_sie || now)
		return fail(why, "%s with SIE %d: the handler saw SPP %d SPIE %d SIE %d, want 1 %d 0",
			    what, with_sie, spp, spie, now, with_sie);
	return CHECK_PASS;
}

static void probe_ebreak(struct fault *f, unsigned long *insn)
{
	unsigned long at;

	probe_begin();
	asm volatile(".option push\n\t.option norvc\n"
		     "1: ebreak\n\t"
		     ".option pop\n\t"
		     "lla %0, 1b"
		     : "=&r"(at) : : "memory");
	probe_end(f);
	*insn = at;
}

/* Reading an M-mode CSR is illegal in S-mode. */
static void probe_illegal(struct fault *f, unsigned long *insn)
{
	unsigned long at, val = 0;

	probe_begin();
	asm volatile(".option push\n\t.option norvc\n"
		     "1: csrr %1, mstatus\n\t"
		     ".option pop\n\t"
		     "lla %0, 1b"
		     : "=&r"(at), "+r"(val) : : "memory");
	probe_end(f);
	*insn = at;
}

/* The 32-bit instruction at addr, read as two halves (it may be 2-aligned). */
static unsigned long insn_bits(unsigned long addr)
{
	const volatile uint16_t *half = (const volatile uint16_t *)addr;

	return half[0] | ((unsigned long)half[1] << 16);
}

static int expect_delegated(char *why, const char *what, unsigned long cause,
			    void (*probe)(struct fault *, unsigned long *))
{
	int sie;

	for (sie = 0; sie <= 1; sie++) {
		unsigned long insn, tval_alt;
		struct fault f;

		if (probe_with_sie(why, what, sie, probe, &f, &insn))
			return CHECK_FAIL;
		/* stval: 0, or what the privileged spec allows instead. */
		tval_alt = cause == EXC_BREAKPOINT ? insn : insn_bits(insn);
		if (f.cause != cause || f.epc != insn ||
		    (f.tval != 0 && f.tval != tval_alt))
			return fail(why, "%s: scause %lx sepc %lx stval %lx, want %lx %lx and stval 0 or %lx",
				    what, f.cause, f.epc, f.tval, cause, insn,
				    tval_alt);
	}
	return CHECK_PASS;
}

/*
 * ebreak and an illegal instruction are the guest's own: the hart delegates
 * them (medeleg) straight to stvec, and execution continues after them.
 */
static int check_delegation(char *why)
{
	if (expect_delegated(why, "ebreak", EXC_BREAKPOINT, probe_ebreak) ||
	    expect_delegated(why, "csrr mstatus", EXC_ILLEGAL_INSN,
			     probe_illegal))
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* The first byte past the capsule's memory: what both probes below reach. */
static unsigned long forward_addr;

static void probe_load_outside(struct fault *f, unsigned long *insn)
{
	probe_load64(forward_addr, f, insn);
}

/* For a fetch, sepc is the target itself: *insn is where sepc must point. */
static void probe_fetch_outside(struct fault *f, unsigned long *insn)
{
	probe_fetch(forward_addr, f);
	*insn = forward_addr;
}

static int expect_forwarded(char *why, const char *what, unsigned long cause,
			    void (*probe)(struct fault *, unsigned long *))
{
	int sie;

	for (sie = 0; sie <= 1; sie++) {
		unsigned long insn;
		struct fault f;

		if (probe_with_sie(why, what, sie, probe, &f, &insn))
			return CHECK_FAIL;
		if (f.cause != cause || f.tval != forward_addr || f.epc != insn)
			return fail(why, "%s %lx: scause %lx stval %lx sepc %lx, want %lx %lx %lx",
				    what, forward_addr, f.cause, f.tval, f.epc,
				    cause, forward_addr, insn);
	}
	return CHECK_PASS;
}

/*
 * Access faults go to M-mode (PMP); the hypervisor forwards them as the
 * hart would have delivered them, sstatus included.
 */
static int check_forwarding(char *why)
{
	forward_addr = sys.mem_base + sys.mem_size;
	if (expect_forwarded(why, "load from", EXC_LOAD_ACCESS,
			     probe_load_outside) ||
	    expect_forwarded(why, "fetch from", EXC_INSN_ACCESS,
			     probe_fetch_outside))
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* ---- time ------------------------------------------------------------- */

#define COUNTER_READER(name)					\
static int probe_##name(unsigned long *val, struct fault *f)	\
{								\
	unsigned long v = 0;					\
								\
	probe_begin();						\
	asm volatile("rd" #name " %0" : "+r"(v) : : "memory");	\
	probe_end(f);						\
	*val = v;						\
	return f->faulted ? -1 : 0;				\
}

COUNTER_READER(time)
COUNTER_READER(cycle)
COUNTER_READER(instret)

static int counter_advances(char *why, const char *name,
			    int (*reader)(unsigned long *, struct fault *))
{
	unsigned long first, now;
	struct fault f;
	int spins;

	if (reader(&first, &f) < 0)
		return fail(why, "rd%s trapped with scause %lx", name, f.cause);
	for (spins = 0; spins < 10000000; spins++) {
		if (reader(&now, &f) < 0)
			return fail(why, "rd%s trapped with scause %lx", name,
				    f.cause);
		if (now > first)
			return CHECK_PASS;
	}
	return fail(why, "rd%s stayed at %lu over 10^7 reads", name, first);
}

static int check_time(char *why)
{
	if (counter_advances(why, "time", probe_time) ||
	    counter_advances(why, "cycle", probe_cycle) ||
	    counter_advances(why, "instret", probe_instret))
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* ---- time-of-day ------------------------------------------------------ */

/* 2020-01-01 00:00:00 UTC: a clock that says earlier was never set. */
#define YEAR_2020	1577836800ULL

/*
 * The time of day the hypervisor wrote into /chosen at this start, carried
 * forward by the time CSR: printed for the test to compare with the host's.
 */
static int check_time_of_day(char *why)
{
	struct time_of_day tod;
	uint64_t now;
	char date[32];

	if (time_of_day_read(&sys.fdt, &tod) < 0)
		return fail(why, "no 16-byte /chosen/bulkhead,time-of-day in the DTB");
	if (!tod.start_ns)
		return skip(why, "time of day 0: the board has no clock");
	if (tod.start_ns / NS_PER_SEC < YEAR_2020)
		return fail(why, "the capsule started at %lu s since 1970, before 2020",
			    (unsigned long)(tod.start_ns / NS_PER_SEC));
	if (read_time() < tod.start_time)
		return fail(why, "the time CSR %lu is before the start's %lu",
			    (unsigned long)read_time(),
			    (unsigned long)tod.start_time);
	now = time_of_day_ns(&tod, read_time()) / NS_PER_SEC;
	time_of_day_format(now, date, sizeof(date));
	printf("hello: time of day %s (%lu s since 1970)\n", date,
	       (unsigned long)now);
	return CHECK_PASS;
}

/* ---- irq-direct ------------------------------------------------------- */

#define IRQ_M_EXT	11
#define IRQ_CLAIMS	3
/* Polls of the claim count before the wait reads time (which may trap). */
#define IRQ_QUICK_SPINS	10000

/*
 * A sifive,uart0's transmit watermark: with txcnt 1 and ie.txwm set it
 * interrupts while its transmit FIFO holds fewer than 1 entry, at once on
 * QEMU, whose FIFO is always empty. The line is a level: the handler masks
 * ie.txwm before it completes.
 */
#define SIFIVE_UART_TXDATA	0x00
#define SIFIVE_UART_TXCTRL	0x08
#define SIFIVE_UART_IE		0x10
#define SIFIVE_UART_TXEN	1U
#define SIFIVE_UART_TXCNT(n)	((uint32_t)(n) << 16)
#define SIFIVE_UART_IE_TXWM	1U

/*
 * The passthrough device irq-direct takes interrupts from: a goldfish
 * RTC's alarm or a sifive,uart0's transmit watermark. (Conditionals, not
 * tables of pointers to functions or strings: those would need absolute
 * relocations, and the guest is position independent.)
 */
enum irq_kind { IRQ_RTC, IRQ_SIFIVE_UART, IRQ_KINDS };

static const char *irq_compatible(enum irq_kind kind)
{
	return kind == IRQ_RTC ? "google,goldfish-rtc" : "sifive,uart0";
}

static struct plic plic;
static enum irq_kind irq_kind;
static uint64_t irq_base;
static uint32_t irq_source;
static volatile uint32_t claimed[IRQ_CLAIMS];
static volatile uint32_t claim_count;

/* Make the device interrupt soon. */
static void irq_arm(void)
{
	if (irq_kind == IRQ_RTC) {
		rtc_alarm_in(irq_base, 0);
		return;
	}
	mmio_write32(irq_base + SIFIVE_UART_TXCTRL, SIFIVE_UART_TXEN | SIFIVE_UART_TXCNT(1));
	mmio_write32(irq_base + SIFIVE_UART_TXDATA, '.');
	mmio_write32(irq_base + SIFIVE_UART_IE, SIFIVE_UART_IE_TXWM);
}

/* Lower its line, in the handler before the completion. */
static void irq_ack(void)
{
	if (irq_kind == IRQ_RTC)
		rtc_ack(irq_base);
	else
		mmio_write32(irq_base + SIFIVE_UART_IE, 0);
}

/* Its interrupts off for good. */
static void irq_off(void)
{
	if (irq_kind == IRQ_RTC) {
		mmio_write32(irq_base + RTC_IRQ_ENABLED, 0);
		return;
	}
	mmio_write32(irq_base + SIFIVE_UART_IE, 0);
	mmio_write32(irq_base + SIFIVE_UART_TXCTRL, 0);
}

/* Straight from the trap vector: claim and complete in our own context. */
static void device_interrupt(struct hart *h)
{
	uint32_t s = mmio_read32(plic_claim_reg(&plic, plic.context));

	(void)h;
	if (claim_count < IRQ_CLAIMS)
		claimed[claim_count] = s;
	claim_count++;
	if (s == irq_source)
		irq_ack();
	if (s)
		mmio_write32(plic_claim_reg(&plic, plic.context), s);
}

/* The first passthrough device of those kinds with an interrupt. */
static int find_irq_device(void)
{
	uint64_t size;
	int kind;

	for (kind = 0; kind < IRQ_KINDS; kind++) {
		if (fdt_find_device(&sys.fdt, irq_compatible(kind), &irq_base,
				    &size, &irq_source) == 0 && irq_source) {
			irq_kind = kind;
			return 0;
		}
	}
	return -1;
}

/*
 * Waits up to 2 s for a claim after before. Polls without reading time
 * first: on a board whose time CSR traps (sifive_u), a read of time is a
 * hypervisor trap, which the check counts.
 */
static void await_claim(uint32_t before)
{
	uint64_t deadline;
	int spins;

	for (spins = 0; spins < IRQ_QUICK_SPINS && claim_count == before; spins++)
		;
	if (claim_count != before)
		return;
	deadline = read_time() + seconds(2);
	while (claim_count == before && read_time() < deadline)
		;
}

/*
 * This hart's trap counters. The total is read last when total_last, else
 * first, so that between a read with total_last and one without, the
 * only SBI call is the second total read.
 */
static int trap_counts(char *why, int total_last, uint64_t *total,
		       uint64_t *sext, uint64_t *mext)
{
	struct sbiret t = { 0, 0 }, s, m;

	if (!total_last)
		t = sbi_bulkhead_trap_total();
	s = sbi_bulkhead_trap_count(SBI_BULKHEAD_INTERRUPT, IRQ_S_EXT);
	m = sbi_bulkhead_trap_count(SBI_BULKHEAD_INTERRUPT, IRQ_M_EXT);
	if (total_last)
		t = sbi_bulkhead_trap_total();
	if (t.error || s.error || m.error)
		return fail(why, "the Bulkhead trap counters answered %ld/%ld/%ld",
			    t.error, s.error, m.error);
	*total = (uint64_t)t.value;
	*sext = (uint64_t)s.value;
	*mext = (uint64_t)m.value;
	return CHECK_PASS;
}

/* The capsule's own source through the emulated registers. */
static int check_irq_setup(char *why)
{
	uint32_t bit = 1U << (irq_source % 32);

	plic_setup_source(&plic, irq_source, 1, 1);
	if (mmio_read32(plic_priority_reg(&plic, irq_source)) != 1)
		return fail(why, "priority of source %u reads %u after writing 1",
			    irq_source, mmio_read32(plic_priority_reg(&plic, irq_source)));
	if (mmio_read32(plic_enable_reg(&plic, plic.context, irq_source)) != bit)
		return fail(why, "enable word of context %u reads %x, want %x",
			    plic.context,
			    mmio_read32(plic_enable_reg(&plic, plic.context, irq_source)), bit);
	mmio_write32(plic_threshold_reg(&plic, plic.context), 0);
	return CHECK_PASS;
}

/*
 * The device (an RTC alarm, a UART's transmit watermark) interrupts; the
 * handler claims and completes in its own context page (no trap), and the
 * hypervisor takes no M-mode trap for it: between two reads of this hart's
 * counters, the only trap is the second read itself.
 */
static int check_irq_direct(char *why)
{
	uint64_t total0, total1, sext0, sext1, mext0, mext1;
	int rounds;

	if (find_irq_device() < 0)
		return skip(why, "no passthrough goldfish RTC or sifive,uart0 with an interrupt");
	if (plic_find(&sys.fdt, sys.boot_hart, &plic) < 0)
		return fail(why, "the %s has source %u but the DT has no PLIC context for vhart %lu",
			    irq_compatible(irq_kind), irq_source, sys.boot_hart);
	if (check_irq_setup(why) != CHECK_PASS)
		return CHECK_FAIL;
	printf("hello: irq-direct from %s at %lx, source %u\n", irq_compatible(irq_kind),
	       (unsigned long)irq_base, irq_source);
	this_hart()->ext_irq = device_interrupt;
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (rounds = 0; rounds < IRQ_CLAIMS; rounds++) {
		uint32_t before = claim_count;

		if (trap_counts(why, 1, &total0, &sext0, &mext0) != CHECK_PASS)
			break;
		irq_arm();
		await_claim(before);
		if (trap_counts(why, 0, &total1, &sext1, &mext1) != CHECK_PASS)
			break;
		if (claim_count == before) {
			fail(why, "no %s interrupt arrived in round %d",
			     irq_compatible(irq_kind), rounds);
			break;
		}
		if (claimed[before] != irq_source) {
			fail(why, "claim returned %u, want source %u",
			     claimed[before], irq_source);
			break;
		}
		if (total1 - total0 != 1 || sext0 || sext1 || mext0 || mext1) {
			fail(why, "the hypervisor trapped: %lu traps between two reads (want 1: the read), s-external %lu, m-external %lu",
			     (unsigned long)(total1 - total0),
			     (unsigned long)sext1, (unsigned long)mext1);
			break;
		}
	}
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_SEIE);
	this_hart()->ext_irq = 0;
	irq_off();
	plic_setup_source(&plic, irq_source, 0, 0);
	if (rounds < IRQ_CLAIMS)
		return CHECK_FAIL;
	if (mmio_read32(plic_pending_reg(&plic, irq_source)) & (1U << (irq_source % 32)))
		return fail(why, "source %u still pending after its completion",
			    irq_source);
	return CHECK_PASS;
}

/* ---- main ------------------------------------------------------------- */

void guest_main(unsigned long hartid, const void *dtb)
{
	const char *error;

	sys.boot_hart = hartid;
	error = read_device_tree(dtb);
	if (error) {
		printf("FAIL dtb: %s (a1 = %p)\n", error, dtb);
		return;
	}
	printf("hello: vhart %lu of %d, memory %lx+%lx, timebase %lu%s, bootargs \"%s\"\n",
	       hartid, sys.hart_count, (unsigned long)sys.mem_base,
	       (unsigned long)sys.mem_size, (unsigned long)sys.timebase,
	       sys.has_sstc ? ", sstc" : "",
	       sys.bootargs ? sys.bootargs : "");
	run_check("sbi-base", check_sbi_base);
	run_check("sbi-registers", check_sbi_registers);
	run_check("dbcn", check_dbcn);
	run_check("uart", check_uart);
	run_check("uart-registers", check_uart_registers);
	run_check("hsm", check_hsm);
	run_check("timer-sbi", check_timer_sbi);
	run_check("timer-sstc", check_timer_sstc);
	run_check("ipi", check_ipi);
	run_check("rfence", check_rfence);
	run_check("isolation", check_isolation);
	run_check("delegation", check_delegation);
	run_check("forwarding", check_forwarding);
	run_check("time", check_time);
	run_check("time-of-day", check_time_of_day);
	run_check("irq-direct", check_irq_direct);
	run_check("hsm-restart", check_hsm_restart);
	run_check("hsm-suspend", check_hsm_suspend);
	run_check("hsm-suspend-ipi", check_hsm_suspend_ipi);
	run_check("hsm-stop", check_hsm_stop);
	printf("hello: done\n");
	if (sys.bootargs && strstr(sys.bootargs, "end=hart-stop")) {
		printf("hello: every vCPU stopped; hart_stop\n");
		printf("FAIL hart-stop: hart_stop returned error %ld\n",
		       sbi_hart_stop().error);
	}
}
