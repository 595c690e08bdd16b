// SPDX-License-Identifier: MIT
/*
 * attacker: a hostile bare-metal S-mode capsule. It tries to reach what is
 * not its own: another capsule's memory, the hypervisor's image, every
 * board device it was not given, M-mode and H-mode CSRs, and SBI calls that
 * name harts or memory outside itself. One line per attempt:
 *
 *	PASS attack <id>: <how it was stopped>
 *	FAIL attack <id>: <what went through>
 *
 * docs/security.md lists every <id> with its expected result, and
 * tests/boot/test_attack.py checks the two lists are the same.
 *
 * With mode=vuart in bootargs it runs the attacks of vuart.c instead (its
 * capsule needs a virtual UART). Targets come from bootargs
 * (key=base+size), so the config, not this file, says where the victim and
 * the hypervisor are:
 *	victim= hypervisor= pristine= clint= plic= uart= test= rtc= virtio=
 *	mrom= qemu-dtb= fw-cfg=
 *
 * At the end it prints "attacker: done", then asks SBI SRST for a cold
 * reboot of the system: without may-reset-system, only this capsule may be
 * affected, which the victim's heartbeat shows.
 */
#include "attacker.h"
#include "fdt.h"
#include "runtime.h"
#include "sbi.h"
#include "string.h"

#define LINE_LEN		160
#define PAGE_SIZE		0x1000UL
#define CLINT_MTIMECMP		0x4000
#define CLINT_MTIME		0xbff8
#define PLIC_CONTEXT_CLAIM	0x200004
#define UNKNOWN_EXT_ID		0x0badc0deUL

struct attacker at;

void verdict(int ok, const char *id, const char *fmt, ...)
{
	char result[LINE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(result, sizeof(result), fmt, ap);
	va_end(ap);
	at.attacks++;
	if (!ok)
		at.failures++;
	printf("%s attack %s: %s\n", ok ? "PASS" : "FAIL", id, result);
}

/* ---- memory and devices ----------------------------------------------- */

static const char *access_name(enum access a)
{
	switch (a) {
	case LOAD64:
	case LOAD32:
		return "load";
	case STORE64:
	case STORE32:
		return "store";
	default:
		return "fetch";
	}
}

static unsigned long wanted_cause(enum access a)
{
	switch (a) {
	case LOAD64:
	case LOAD32:
		return EXC_LOAD_ACCESS;
	case STORE64:
	case STORE32:
		return EXC_STORE_ACCESS;
	default:
		return EXC_INSN_ACCESS;
	}
}

/*
 * Access addr once. Returns 1 when it failed with the access fault a
 * wants (stval = addr, sepc = the instruction), else 0 and why in why.
 * Stores write a recognisable pattern so a store that goes through is
 * visible in the victim's checksum or the hypervisor's behaviour.
 */
static int denied(enum access a, unsigned long addr, char *why, size_t len)
{
	unsigned long insn = 0, value = 0;
	struct fault f;

	switch (a) {
	case LOAD64:
		value = probe_load64(addr, &f, &insn);
		break;
	case STORE64:
		probe_store64(addr, 0xa77ac4eda77ac4edUL, &f, &insn);
		break;
	case LOAD32:
		value = probe_load32(addr, &f, &insn);
		break;
	case STORE32:
		probe_store32(addr, 0xa77ac4ed, &f, &insn);
		break;
	case FETCH:
		probe_fetch(addr, &f);
		insn = addr;
		break;
	}
	if (!f.faulted) {
		snprintf(why, len, "%lx went through (read %lx)", addr, value);
		return 0;
	}
	if (f.cause != wanted_cause(a) || f.tval != addr || f.epc != insn) {
		snprintf(why, len, "%lx: scause %lx stval %lx sepc %lx, want %lx %lx %lx",
			 addr, f.cause, f.tval, f.epc, wanted_cause(a), addr, insn);
		return 0;
	}
	return 1;
}

void attempt(enum access a, const char *target, unsigned long addr)
{
	char id[48], why[LINE_LEN];

	snprintf(id, sizeof(id), "%s %s", access_name(a), target);
	if (!denied(a, addr, why, sizeof(why))) {
		verdict(0, id, "%s", why);
		return;
	}
	verdict(1, id, "access fault (scause %lu) at %lx", wanted_cause(a), addr);
}

/* An emulated register that is not the capsule's: loads 0, stores vanish. */
static void attempt_masked(enum access a, const char *target,
			   unsigned long addr)
{
	unsigned long insn = 0;
	uint32_t value = 0;
	struct fault f;
	char id[48];

	snprintf(id, sizeof(id), "%s %s", access_name(a), target);
	if (a == LOAD32)
		value = probe_load32(addr, &f, &insn);
	else
		probe_store32(addr, 0xa77ac4ed, &f, &insn);
	if (f.faulted || value) {
		verdict(0, id, "%lx: faulted %d (scause %lx), read %x; want emulated 0",
			addr, f.faulted, f.cause, value);
		return;
	}
	verdict(1, id, a == LOAD32 ? "%lx reads 0 (emulated, not its source)" :
				    "%lx write ignored (emulated, not its source)",
		addr);
}

/*
 * Every 4 KiB page of a region, one line for all of them: the hypervisor's
 * image, stacks and per-hart data all lie in its region, wherever the
 * linker put them (the test checks the region covers their symbols).
 */
static void attempt_pages(enum access a, const char *target,
			  const struct region *r)
{
	unsigned long pages = r->size / PAGE_SIZE, page, bad = 0;
	char id[48], why[LINE_LEN], first[LINE_LEN] = "";

	snprintf(id, sizeof(id), "%s %s", access_name(a), target);
	if (!pages || r->size % PAGE_SIZE) {
		verdict(0, id, "%lx+%lx is not a whole number of pages", r->base,
			r->size);
		return;
	}
	for (page = 0; page < pages; page++) {
		unsigned long addr = r->base + page * PAGE_SIZE;

		if (denied(a, addr, why, sizeof(why)))
			continue;
		if (!bad++)
			snprintf(first, sizeof(first), "%s", why);
	}
	if (bad) {
		verdict(0, id, "%lu of %lu pages not denied, first: %s", bad,
			pages, first);
		return;
	}
	verdict(1, id, "%lu pages %lx-%lx, each an access fault (scause %lu)",
		pages, r->base, r->base + r->size - 1, wanted_cause(a));
}

/* RAM: 64-bit accesses and a fetch at three points of the region. */
static void attack_ram(const char *name, const struct region *r)
{
	char target[40];
	unsigned long points[3] = { r->base, r->base + r->size / 2,
				    r->base + r->size - 8 };
	static const char where[3][8] = { "base", "middle", "end" };
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(target, sizeof(target), "%s-%s", name, where[i]);
		attempt(LOAD64, target, points[i]);
		attempt(STORE64, target, points[i]);
		attempt(FETCH, target, points[i] & ~3UL);
	}
}

/*
 * MMIO: 32-bit accesses, the width every one of these devices takes, and
 * an instruction fetch, which no device may serve either.
 */
static void attack_mmio(const char *target, unsigned long addr)
{
	attempt(LOAD32, target, addr);
	attempt(STORE32, target, addr);
	attempt(FETCH, target, addr);
}

static void attack_memory(void)
{
	unsigned long below = at.own.base - 8;
	unsigned long above = at.own.base + at.own.size;

	attack_ram("victim", &at.victim);
	attempt_pages(LOAD64, "hypervisor-pages", &at.hypervisor);
	attempt_pages(STORE64, "hypervisor-pages", &at.hypervisor);
	attempt_pages(FETCH, "hypervisor-pages", &at.hypervisor);
	attack_ram("pristine", &at.pristine);
	attempt(LOAD64, "below-own-memory", below);
	attempt(STORE64, "below-own-memory", below);
	attempt(LOAD64, "above-own-memory", above);
	attempt(STORE64, "above-own-memory", above);
	attempt(FETCH, "above-own-memory", above);
	attempt(LOAD64, "qemu-dtb", at.qemu_dtb.base);
	attempt(LOAD32, "mrom", at.mrom.base);
	attempt(FETCH, "mrom", at.mrom.base);
}

static void attack_devices(void)
{
	char target[40];
	unsigned long i;

	/* Every hart's msip and mtimecmp: the board has at least four. */
	for (i = 0; i < 4; i++) {
		snprintf(target, sizeof(target), "clint-msip-hart%lu", i);
		attack_mmio(target, at.clint.base + 4 * i);
		snprintf(target, sizeof(target), "clint-mtimecmp-hart%lu", i);
		attack_mmio(target, at.clint.base + CLINT_MTIMECMP + 8 * i);
	}
	attack_mmio("clint-mtime", at.clint.base + CLINT_MTIME);
	/* Source 1's priority is emulated (not its source: reads 0, writes
	 * ignored); hart 0's M context claim is never granted. */
	attempt_masked(LOAD32, "plic-priority", at.plic.base + 4);
	attempt_masked(STORE32, "plic-priority", at.plic.base + 4);
	attempt(FETCH, "plic-priority", at.plic.base + 4);
	attack_mmio("plic-claim", at.plic.base + PLIC_CONTEXT_CLAIM);
	attack_mmio("uart", at.uart.base);
	attack_mmio("test-device", at.test.base);
	attack_mmio("rtc", at.rtc.base);
	/* Its DMA interface could write any memory. */
	attack_mmio("fw-cfg", at.fw_cfg.base);
	/* virtio= names the first of the board's 8 slots, one page apart. */
	for (i = 0; i < 8; i++) {
		snprintf(target, sizeof(target), "virtio-mmio-%lu", i);
		attack_mmio(target, at.virtio.base + 0x1000 * i);
	}
}

/* ---- CSRs ------------------------------------------------------------- */

/*
 * Each access is one instruction with the CSR number as an immediate, so
 * each gets its own function. Success would mean S-mode reached M- or
 * H-mode state; the expected result is an illegal-instruction exception
 * delegated straight to this capsule.
 */
#define CSR_READER(csr)							\
static void csr_read_##csr(struct fault *f)				\
{									\
	unsigned long v;						\
									\
	probe_begin();							\
	asm volatile("csrr %0, " #csr : "=r"(v) : : "memory");		\
	probe_end(f);							\
}

#define CSR_WRITER(csr)							\
static void csr_write_##csr(struct fault *f)				\
{									\
	probe_begin();							\
	asm volatile("csrw " #csr ", zero" : : : "memory");		\
	probe_end(f);							\
}

CSR_READER(mstatus)
CSR_READER(misa)
CSR_READER(mhartid)
CSR_READER(mtvec)
CSR_READER(medeleg)
CSR_READER(mideleg)
CSR_READER(mie)
CSR_READER(mip)
CSR_READER(mscratch)
CSR_READER(mepc)
CSR_READER(menvcfg)
CSR_READER(mcounteren)
CSR_READER(pmpcfg0)
CSR_READER(pmpcfg2)
CSR_READER(pmpaddr0)
CSR_READER(pmpaddr15)
CSR_READER(hstatus)
CSR_READER(hgatp)
CSR_READER(vsstatus)
CSR_WRITER(mstatus)
CSR_WRITER(mtvec)
CSR_WRITER(medeleg)
CSR_WRITER(pmpcfg0)
CSR_WRITER(pmpaddr0)
CSR_WRITER(hstatus)

static void csr_verdict(const char *how, const char *csr, const struct fault *f)
{
	char id[48];

	snprintf(id, sizeof(id), "csr-%s %s", how, csr);
	if (!f->faulted)
		verdict(0, id, "no exception");
	else if (f->cause != EXC_ILLEGAL_INSN)
		verdict(0, id, "scause %lx, want %x (illegal instruction)",
			f->cause, EXC_ILLEGAL_INSN);
	else
		verdict(1, id, "illegal instruction (scause 2)");
}

#define TRY_CSR_READ(csr)						\
	do {								\
		struct fault f;						\
									\
		csr_read_##csr(&f);					\
		csr_verdict("read", #csr, &f);				\
	} while (0)

#define TRY_CSR_WRITE(csr)						\
	do {								\
		struct fault f;						\
									\
		csr_write_##csr(&f);					\
		csr_verdict("write", #csr, &f);				\
	} while (0)

static void attack_csrs(void)
{
	TRY_CSR_READ(mstatus);
	TRY_CSR_READ(misa);
	TRY_CSR_READ(mhartid);
	TRY_CSR_READ(mtvec);
	TRY_CSR_READ(medeleg);
	TRY_CSR_READ(mideleg);
	TRY_CSR_READ(mie);
	TRY_CSR_READ(mip);
	TRY_CSR_READ(mscratch);
	TRY_CSR_READ(mepc);
	TRY_CSR_READ(menvcfg);
	TRY_CSR_READ(mcounteren);
	TRY_CSR_READ(pmpcfg0);
	TRY_CSR_READ(pmpcfg2);
	TRY_CSR_READ(pmpaddr0);
	TRY_CSR_READ(pmpaddr15);
	TRY_CSR_READ(hstatus);
	TRY_CSR_READ(hgatp);
	TRY_CSR_READ(vsstatus);
	TRY_CSR_WRITE(mstatus);
	TRY_CSR_WRITE(mtvec);
	TRY_CSR_WRITE(medeleg);
	TRY_CSR_WRITE(pmpcfg0);
	TRY_CSR_WRITE(pmpaddr0);
	TRY_CSR_WRITE(hstatus);
}

/* ---- SBI -------------------------------------------------------------- */

static const char *error_name(long error)
{
	switch (error) {
	case SBI_SUCCESS:
		return "SUCCESS";
	case SBI_ERR_FAILED:
		return "FAILED";
	case SBI_ERR_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case SBI_ERR_INVALID_PARAM:
		return "INVALID_PARAM";
	case SBI_ERR_DENIED:
		return "DENIED";
	case SBI_ERR_INVALID_ADDRESS:
		return "INVALID_ADDRESS";
	case SBI_ERR_ALREADY_AVAILABLE:
		return "ALREADY_AVAILABLE";
	case SBI_ERR_ALREADY_STARTED:
		return "ALREADY_STARTED";
	case SBI_ERR_ALREADY_STOPPED:
		return "ALREADY_STOPPED";
	default:
		return "an unknown error code";
	}
}

static void sbi_verdict(const char *id, struct sbiret ret, long want)
{
	if (ret.error == want)
		verdict(1, id, "%s%s (%ld)", want ? "SBI_ERR_" : "SBI_",
			error_name(want), want);
	else
		verdict(0, id, "returned %s (%ld), want %s (%ld)",
			error_name(ret.error), ret.error, error_name(want), want);
}

/*
 * An IPI aimed elsewhere must fail and reach nobody: not even this hart,
 * whose own bit some of the masks also carry.
 */
static void attack_ipi_mask(const char *id, unsigned long mask,
			    unsigned long base)
{
	struct hart *h = this_hart();
	unsigned long before = h->soft_irqs;
	struct sbiret ret = sbi_send_ipi(mask, base);
	uint64_t settle = read_time() + at.settle;

	csr_set(sstatus, SSTATUS_SIE);
	while (read_time() < settle)
		;
	csr_clear(sstatus, SSTATUS_SIE);
	if (ret.error == SBI_ERR_INVALID_PARAM && h->soft_irqs != before) {
		verdict(0, id, "rejected, yet this hart got an IPI");
		return;
	}
	sbi_verdict(id, ret, SBI_ERR_INVALID_PARAM);
}

static void attack_ipi(void)
{
	unsigned long self = 1UL << at.hart;
	struct hart *h = this_hart();
	unsigned long before;
	uint64_t settle;
	struct sbiret ret;

	csr_set(sie, SIE_SSIE);
	attack_ipi_mask("sbi-ipi hart-1", 1UL << 1, 0);
	attack_ipi_mask("sbi-ipi self-and-hart-1", self | (1UL << 1), 0);
	attack_ipi_mask("sbi-ipi all-bits", ~0UL, 0);
	attack_ipi_mask("sbi-ipi base-1", 1, 1);
	attack_ipi_mask("sbi-ipi base-63", 1, 63);
	attack_ipi_mask("sbi-ipi base-64", 1, 64);
	attack_ipi_mask("sbi-ipi base-huge", 1, 1UL << 62);
	attack_ipi_mask("sbi-ipi base-minus-2", 1, -2UL);
	attack_ipi_mask("sbi-ipi top-bit", 1UL << 63, 0);

	/* hart_mask_base = -1 means "all of the caller's harts": only itself. */
	before = h->soft_irqs;
	ret = sbi_send_ipi(~0UL, SBI_HART_MASK_ALL);
	settle = read_time() + at.settle;
	csr_set(sstatus, SSTATUS_SIE);
	while (read_time() < settle && h->soft_irqs == before)
		;
	csr_clear(sstatus, SSTATUS_SIE);
	if (ret.error)
		verdict(0, "sbi-ipi base-minus-1", "returned %s (%ld), want SUCCESS",
			error_name(ret.error), ret.error);
	else if (h->soft_irqs == before)
		verdict(0, "sbi-ipi base-minus-1", "succeeded but this hart got no IPI");
	else
		verdict(1, "sbi-ipi base-minus-1",
			"SUCCESS, delivered to this capsule's own hart");
	csr_clear(sie, SIE_SSIE);
}

static struct sbiret sfence_vma_asid(unsigned long mask, unsigned long base)
{
	return sbi_ecall(SBI_EXT_RFENCE, 2, mask, base, 0, -1UL, 0, 0);
}

/*
 * The same masks as for IPIs on every fence. hart_mask_base = -1 means all
 * of the caller's harts, whatever the mask: only itself, so it succeeds.
 */
static void attack_rfence(void)
{
	sbi_verdict("sbi-rfence fence-i-hart-1", sbi_remote_fence_i(1UL << 1, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence fence-i-all-bits", sbi_remote_fence_i(~0UL, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence fence-i-base-huge",
		    sbi_remote_fence_i(1, 1UL << 62), SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence fence-i-base-minus-2", sbi_remote_fence_i(1, -2UL),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence fence-i-top-bit", sbi_remote_fence_i(1UL << 63, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence fence-i-base-minus-1",
		    sbi_remote_fence_i(~0UL, SBI_HART_MASK_ALL), SBI_SUCCESS);
	sbi_verdict("sbi-rfence sfence-vma-hart-1",
		    sbi_remote_sfence_vma(1UL << 1, 0, 0, -1UL),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-all-bits",
		    sbi_remote_sfence_vma(~0UL, 0, 0, -1UL),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-base-huge",
		    sbi_remote_sfence_vma(1, 1UL << 62, 0, -1UL),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-base-minus-2",
		    sbi_remote_sfence_vma(1, -2UL, 0, -1UL),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-top-bit",
		    sbi_remote_sfence_vma(1UL << 63, 0, 0, -1UL),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-base-minus-1",
		    sbi_remote_sfence_vma(~0UL, SBI_HART_MASK_ALL, 0, -1UL),
		    SBI_SUCCESS);
	sbi_verdict("sbi-rfence sfence-vma-asid-hart-1",
		    sfence_vma_asid(1UL << 1, 0), SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-asid-all-bits",
		    sfence_vma_asid(~0UL, 0), SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-asid-base-huge",
		    sfence_vma_asid(1, 1UL << 62), SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-asid-base-minus-2",
		    sfence_vma_asid(1, -2UL), SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-asid-top-bit",
		    sfence_vma_asid(1UL << 63, 0), SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-rfence sfence-vma-asid-base-minus-1",
		    sfence_vma_asid(~0UL, SBI_HART_MASK_ALL), SBI_SUCCESS);
	/* The H-extension fences: capsules have no H extension. */
	sbi_verdict("sbi-rfence hfence-gvma",
		    sbi_ecall(SBI_EXT_RFENCE, 3, 1UL << at.hart, 0, 0, -1UL, 0, 0),
		    SBI_ERR_NOT_SUPPORTED);
}

static void attack_hsm(void)
{
	unsigned long entry = (unsigned long)_secondary_start;

	sbi_verdict("sbi-hsm start-hart-1", sbi_hart_start(1, entry, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-hsm start-hart-3", sbi_hart_start(3, entry, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-hsm start-hart-minus-1", sbi_hart_start(-1UL, entry, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-hsm start-hart-huge", sbi_hart_start(1UL << 62, entry, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-hsm start-self-at-victim",
		    sbi_hart_start(at.hart, at.victim.base, 0),
		    SBI_ERR_INVALID_ADDRESS);
	sbi_verdict("sbi-hsm start-self-at-hypervisor",
		    sbi_hart_start(at.hart, at.hypervisor.base, 0),
		    SBI_ERR_INVALID_ADDRESS);
	sbi_verdict("sbi-hsm status-hart-1", sbi_hart_get_status(1),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-hsm status-hart-minus-1", sbi_hart_get_status(-1UL),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-hsm status-hart-huge", sbi_hart_get_status(1UL << 62),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-hsm start-hart-minus-2", sbi_hart_start(-2UL, entry, 0),
		    SBI_ERR_INVALID_PARAM);
}

static void attack_dbcn(void)
{
	unsigned long own_end = at.own.base + at.own.size;

	sbi_verdict("sbi-dbcn write-victim",
		    sbi_debug_console_write(64, at.victim.base),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-dbcn write-hypervisor",
		    sbi_debug_console_write(64, at.hypervisor.base),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-dbcn write-straddling-end",
		    sbi_debug_console_write(64, own_end - 32),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-dbcn write-wrapping",
		    sbi_debug_console_write(-1UL, at.own.base),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-dbcn write-high-address",
		    sbi_ecall(SBI_EXT_DBCN, 0, 16, at.own.base, 1, 0, 0, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-dbcn read-into-victim",
		    sbi_debug_console_read(64, at.victim.base),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-dbcn read-into-hypervisor",
		    sbi_debug_console_read(64, at.hypervisor.base),
		    SBI_ERR_INVALID_PARAM);
}

static void attack_srst_and_unknown(void)
{
	sbi_verdict("sbi-srst reserved-type", sbi_system_reset(0x10, 0),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-srst reserved-reason", sbi_system_reset(0, 0x10),
		    SBI_ERR_INVALID_PARAM);
	sbi_verdict("sbi-unknown extension",
		    sbi_ecall(UNKNOWN_EXT_ID, 0, 0, 0, 0, 0, 0, 0),
		    SBI_ERR_NOT_SUPPORTED);
	sbi_verdict("sbi-unknown extension-all-ones",
		    sbi_ecall(-1UL, -1UL, 0, 0, 0, 0, 0, 0),
		    SBI_ERR_NOT_SUPPORTED);
	sbi_verdict("sbi-unknown base-function",
		    sbi_ecall(SBI_EXT_BASE, 0x99, 0, 0, 0, 0, 0, 0),
		    SBI_ERR_NOT_SUPPORTED);
	sbi_verdict("sbi-unknown hsm-function",
		    sbi_ecall(SBI_EXT_HSM, 0x99, 0, 0, 0, 0, 0, 0),
		    SBI_ERR_NOT_SUPPORTED);
	sbi_verdict("sbi-unknown legacy-send-ipi",
		    sbi_ecall(0x04, 0, at.victim.base, 0, 0, 0, 0, 0),
		    SBI_ERR_NOT_SUPPORTED);
	sbi_verdict("sbi-unknown pmu", sbi_ecall(0x504d55, 0, 0, 0, 0, 0, 0, 0),
		    SBI_ERR_NOT_SUPPORTED);
}

/* ---- set-up ----------------------------------------------------------- */

/* The target named by bootargs key i, for read_targets(). */
static struct region *target_region(int i)
{
	switch (i) {
	case 0:
		return &at.victim;
	case 1:
		return &at.hypervisor;
	case 2:
		return &at.uart;
	case 3:
		return &at.clint;
	case 4:
		return &at.plic;
	case 5:
		return &at.test;
	case 6:
		return &at.rtc;
	case 7:
		return &at.virtio;
	case 8:
		return &at.mrom;
	case 9:
		return &at.qemu_dtb;
	case 10:
		return &at.fw_cfg;
	default:
		return &at.pristine;
	}
}

/*
 * Every key the full attack needs; mode=vuart needs only the first count
 * (victim, hypervisor, uart).
 */
static int read_targets(const char *bootargs, int count)
{
	static const char keys[12][12] = {
		"victim", "hypervisor", "uart", "clint", "plic", "test",
		"rtc", "virtio", "mrom", "qemu-dtb", "fw-cfg", "pristine",
	};
	int i;

	for (i = 0; i < count; i++) {
		struct region *r = target_region(i);

		r->size = 0;
		if (bootarg_number(bootargs, keys[i], &r->base, &r->size) < 0 ||
		    !r->size) {
			printf("FAIL attacker: bootargs lack %s=BASE+SIZE\n", keys[i]);
			return -1;
		}
	}
	return 0;
}

static int read_device_tree(const void *dtb, const char **bootargs)
{
	struct fdt fdt;
	int root;
	uint64_t base, size;

	if (fdt_open(&fdt, dtb, FDT_GUEST_MAX_SIZE) < 0) {
		printf("FAIL attacker: a1 = %p is not a device tree\n", dtb);
		return -1;
	}
	root = fdt_root(&fdt);
	if (fdt_reg(&fdt, root, fdt_child(&fdt, root, "memory"), 0, &base,
		    &size) < 0) {
		printf("FAIL attacker: no memory node in the device tree\n");
		return -1;
	}
	at.own.base = base;
	at.own.size = size;
	at.settle = fdt_prop_u32(&fdt, fdt_child(&fdt, root, "cpus"),
				 "timebase-frequency", 0) / 100;
	if (!at.settle) {
		printf("FAIL attacker: no timebase-frequency in /cpus\n");
		return -1;
	}
	*bootargs = fdt_prop_string(&fdt, fdt_child(&fdt, root, "chosen"),
				    "bootargs");
	return 0;
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	printf("FAIL attacker: vhart %lu was started (opaque %lx); no attack starts one\n",
	       hartid, opaque);
}

static int vuart_mode(const char *bootargs)
{
	const char *mode = bootargs ? strstr(bootargs, "mode=vuart") : NULL;

	return mode && (mode[10] == ' ' || mode[10] == '\0');
}

/* mode=vuart: the emulation attacks, then an ordinary shutdown. */
static void run_vuart_mode(const char *bootargs)
{
	if (read_targets(bootargs, 3) < 0)
		return;
	printf("attacker: mode vuart, memory %lx+%lx, uart %lx\n", at.own.base,
	       at.own.size, at.uart.base);
	attack_vuart();
	printf("attacker: done, %d attacks, %d went through\n", at.attacks,
	       at.failures);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = NULL;
	struct sbiret ret;

	at.hart = hartid;
	if (read_device_tree(dtb, &bootargs) < 0)
		return;
	if (vuart_mode(bootargs)) {
		run_vuart_mode(bootargs);
		return;
	}
	if (read_targets(bootargs, 12) < 0)
		return;
	printf("attacker: memory %lx+%lx, victim %lx+%lx, hypervisor %lx+%lx\n",
	       at.own.base, at.own.size, at.victim.base, at.victim.size,
	       at.hypervisor.base, at.hypervisor.size);
	attack_memory();
	attack_devices();
	attack_plic();
	attack_csrs();
	attack_ipi();
	attack_rfence();
	attack_hsm();
	attack_dbcn();
	attack_srst_and_unknown();
	printf("attacker: done, %d attacks, %d went through\n", at.attacks,
	       at.failures);
	/* Last: a system reset this capsule's policy does not allow. */
	ret = sbi_system_reset(SBI_SRST_COLD_REBOOT, 0);
	printf("FAIL attack sbi-srst cold-reboot: returned %s (%ld); the capsule should have stopped\n",
	       error_name(ret.error), ret.error);
}
