// SPDX-License-Identifier: MIT
/* The arch interface (bulkhead/arch.h) on RISC-V M-mode. */
#include <stddef.h>

#include "arch/csr.h"
#include "arch/deliver.h"
#include "arch/insn.h"
#include "arch/pagewalk.h"
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/platform.h"
#include "bulkhead/region.h"

void bh_trap_return(struct bh_frame *frame) __noreturn;

#define TIMER_OFF	(~0UL)

uint32_t bh_arch_hart_id(void)
{
	return (uint32_t)csr_read(CSR_MHARTID);
}

void *bh_arch_phys(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* The time CSR, or the CLINT's mtime on a board where that traps. */
uint64_t bh_arch_time(void)
{
	if (!BH_HAS_TIME_CSR)
		return bh_clint_read_time();
	return csr_read(CSR_TIME);
}

/* Whole in the image: make bench's switch count tells waits by it. */
__noinline void bh_arch_wait(void)
{
	asm volatile("wfi" ::: "memory");
}

void bh_arch_send_ipi(uint32_t hart)
{
	bh_clint_send_ipi(hart);
}

void bh_arch_clear_ipi(void)
{
	bh_clint_clear_ipi(bh_arch_hart_id());
}

#define PAGE_SIZE	4096UL

static void sfence_vma_page(uint64_t addr, const struct bh_fence *f)
{
	if (f->asid_only)
		asm volatile("sfence.vma %0, %1" :: "r"(addr), "r"((uint64_t)f->asid)
			     : "memory");
	else
		asm volatile("sfence.vma %0" :: "r"(addr) : "memory");
}

/*
 * A range flushes by address, a page or two at most: the core widens
 * anything longer than a page to everything (core/sbi/rfence.c).
 */
void bh_arch_fence(const struct bh_fence *f)
{
	uint64_t addr;

	if (f->fence_i)
		asm volatile("fence.i" ::: "memory");
	if (!f->vma)
		return;
	if (f->vma_all) {
		if (f->asid_only)
			asm volatile("sfence.vma zero, %0" :: "r"((uint64_t)f->asid)
				     : "memory");
		else
			asm volatile("sfence.vma" ::: "memory");
		return;
	}
	for (addr = f->start & ~(PAGE_SIZE - 1); addr < f->start + f->size;
	     addr += PAGE_SIZE)
		sfence_vma_page(addr, f);
}

void bh_arch_inject_ssip(void)
{
	csr_set(CSR_MIP, MIP_SSIP);
}

/*
 * The M-mode timer (mtimecmp) serves the hypervisor's own deadline (window
 * boundaries on a shared hart) and, on boards without Sstc, the guest's
 * timer too: it is set to the earlier of the two, and when the guest's
 * deadline passes its interrupt (MTIP) is passed on as STIP. With Sstc the
 * guest's timer is its own stimecmp.
 */
static uint64_t hyp_deadline[BH_HART_COUNT];
#if !BH_HAS_SSTC
static uint64_t guest_deadline[BH_HART_COUNT];
#endif

static void program_mtimecmp(uint32_t hart)
{
	uint64_t when = hyp_deadline[hart];

#if !BH_HAS_SSTC
	if (guest_deadline[hart] < when)
		when = guest_deadline[hart];
#endif
	bh_clint_set_timer(hart, when);
	if (when == TIMER_OFF)
		csr_clear(CSR_MIE, MIP_MTIP);
	else
		csr_set(CSR_MIE, MIP_MTIP);
}

void bh_arch_set_hyp_timer(uint64_t when)
{
	uint32_t hart = bh_arch_hart_id();

	hyp_deadline[hart] = when;
	program_mtimecmp(hart);
}

void bh_arch_set_guest_timer(uint64_t when)
{
#if BH_HAS_SSTC
	csr_write(CSR_STIMECMP, when);
#else
	uint32_t hart = bh_arch_hart_id();

	guest_deadline[hart] = when;
	csr_clear(CSR_MIP, MIP_STIP);
	program_mtimecmp(hart);
#endif
}

static uint64_t guest_deadline_now(void)
{
#if BH_HAS_SSTC
	return csr_read(CSR_STIMECMP);
#else
	return guest_deadline[bh_arch_hart_id()];
#endif
}

bool bh_arch_timer_interrupt(void)
{
	uint32_t hart = bh_arch_hart_id();
	uint64_t now = bh_arch_time();
	bool hyp = hyp_deadline[hart] <= now;

#if !BH_HAS_SSTC
	if (guest_deadline[hart] <= now) {
		guest_deadline[hart] = TIMER_OFF;
		csr_set(CSR_MIP, MIP_STIP);
	}
#endif
	if (hyp)
		hyp_deadline[hart] = TIMER_OFF;
	program_mtimecmp(hart);
	return hyp;
}

/* A hart waiting in M-mode takes no interrupt: the trap's work, polled. */
bool bh_arch_timer_poll(void)
{
	if (csr_read(CSR_MIP) & csr_read(CSR_MIE) & MIP_MTIP)
		return bh_arch_timer_interrupt();
	return false;
}

bool bh_arch_guest_irq_pending(void)
{
	return csr_read(CSR_MIP) & csr_read(CSR_MIE) & MIP_S_ALL;
}

uint64_t bh_arch_mvendorid(void)
{
	return csr_read(CSR_MVENDORID);
}

uint64_t bh_arch_marchid(void)
{
	return csr_read(CSR_MARCHID);
}

uint64_t bh_arch_mimpid(void)
{
	return csr_read(CSR_MIMPID);
}

/*
 * A software walk of the guest's tables, not an MPRV load: every change of
 * mstatus.MPP, MPRV or MXR makes QEMU (and may make hardware) flush the
 * hart's whole TLB, which made every emulated UART or PLIC access cost the
 * guest its TLB. The instruction at epc was just fetched by the guest, so
 * the walk only has to find it; it reads page tables and the instruction
 * inside the capsule's memory and nowhere else.
 */
static int read_u16(struct bh_vcpu *vc, uint64_t satp, uint64_t va,
		    uint16_t *out)
{
	const struct bh_region *mem = &bh_capsule_of(vc)->memory;
	uint64_t pa;

	if (bh_pagewalk_cached(&vc->xlate_fetch, mem, satp, va, &pa) ||
	    !bh_region_contains(mem, pa, sizeof(*out)) || (pa & 1))
		return -1;
	*out = *(volatile const uint16_t *)bh_arch_phys(pa);
	return 0;
}

/* The instruction at pa (epc), halves apart: it may end a page. */
static int fetch_halves(struct bh_vcpu *vc, uint64_t satp, uint64_t epc,
			uint64_t pa, uint32_t *insn)
{
	const struct bh_region *mem = &bh_capsule_of(vc)->memory;
	uint16_t low, high;

	if (!bh_region_contains(mem, pa, sizeof(low)))
		return -1;
	low = *(volatile const uint16_t *)bh_arch_phys(pa);
	*insn = low;
	if (bh_insn_length(low) == 2)
		return 0;
	if (read_u16(vc, satp, epc + 2, &high))
		return -1;
	*insn |= (uint32_t)high << 16;
	return 0;
}

bool bh_arch_guest_fetch_hit(struct bh_vcpu *vc, uint64_t epc, uint64_t satp,
			     uint32_t *insn)
{
	const struct bh_region *mem = &bh_capsule_of(vc)->memory;
	volatile const uint16_t *half;
	uint16_t low;
	uint64_t pa;

	if ((satp >> BH_SATP_MODE_SHIFT) == BH_SATP_MODE_BARE) {
		/*
		 * The hart has just fetched it from there: only the capsule's
		 * memory is executable under its PMP entries.
		 */
		pa = epc;
	} else if ((epc & 0xfff) > 0xffc ||
		   !bh_pagewalk_hit(&vc->xlate_fetch, satp, epc, &pa) ||
		   (pa & 1) || pa - mem->base > mem->size - 4) {
		/*
		 * An instruction that ends its page, or an entry the guest may
		 * have changed since the hart fetched through it: the walk's
		 * checks.
		 */
		return false;
	}
	half = bh_arch_phys(pa);
	low = half[0];
	*insn = low;
	if (bh_insn_length(low) == 4)
		*insn |= (uint32_t)half[1] << 16;
	return true;
}

int bh_arch_guest_fetch(struct bh_vcpu *vc, uint64_t epc,
			uint32_t *insn)
{
	const struct bh_region *mem = &bh_capsule_of(vc)->memory;
	uint64_t satp = csr_read(CSR_SATP);
	uint64_t pa;

	if (bh_arch_guest_fetch_hit(vc, epc, satp, insn))
		return 0;
	if (bh_pagewalk_cached(&vc->xlate_fetch, mem, satp, epc, &pa) ||
	    (pa & 1))
		return -1;
	return fetch_halves(vc, satp, epc, pa, insn);
}

/* The guest's timer and interrupt enables off, nothing pending for it. */
void bh_arch_vcpu_quiesce(void)
{
	csr_clear(CSR_MIE, MIP_S_ALL);
	csr_clear(CSR_MIP, MIP_STIP | MIP_SSIP);
	bh_arch_set_guest_timer(TIMER_OFF);
}

void bh_fp_reset_d(void);
void bh_fp_reset_f(void);

/* The board's ISA (tables), not misa: nothing is discovered at run time. */
static void reset_fp(void)
{
#if BH_HAS_D
	bh_fp_reset_d();
#elif BH_HAS_F
	bh_fp_reset_f();
#endif
}

/*
 * Every CSR S-mode can write, at its reset value: nothing a guest wrote
 * before a stop, a restart or a non-retentive suspend survives. Not the
 * timer and not pending interrupts: parking turned them off before any
 * start, and what woke a non-retentive suspend belongs to the resume (so
 * does an IPI sent after hart_start).
 */
static void reset_supervisor_csrs(void)
{
	csr_clear(CSR_MIE, MIP_S_ALL);		/* sie */
	csr_write(CSR_SATP, 0);
	csr_write(CSR_STVEC, 0);
	csr_write(CSR_SSCRATCH, 0);
	csr_write(CSR_SEPC, 0);
	csr_write(CSR_SCAUSE, 0);
	csr_write(CSR_STVAL, 0);
	csr_write(CSR_SCOUNTEREN, 0);
#if BH_HAS_ENVCFG
	csr_write(CSR_SENVCFG, 0);
#endif
	reset_fp();
}

/* sstatus at reset: interrupts off, SPP = U, FP, vector and MPRV-like bits off. */
static uint64_t reset_mstatus(uint64_t mstatus)
{
	mstatus &= ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_SIE | MSTATUS_SPIE |
		     MSTATUS_UBE | MSTATUS_SPP | MSTATUS_MPRV | MSTATUS_MXR |
		     MSTATUS_SUM | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR |
		     MSTATUS_FS | MSTATUS_VS);
	return mstatus | MSTATUS_MPP_S;
}

/*
 * The one way into a vCPU (start, restart, non-retentive resume): its
 * registers and CSRs at reset values, then S-mode at pc.
 */
void bh_arch_enter_guest(struct bh_vcpu *vc, uint64_t pc, uint64_t a0,
			 uint64_t a1)
{
	struct bh_frame *f = &vc->frame;
	int i;

	for (i = 0; i < 32; i++)
		f->regs[i] = 0;
	f->regs[BH_REG_A0] = a0;
	f->regs[BH_REG_A1] = a1;
	f->mepc = pc;
	f->mstatus = reset_mstatus(csr_read(CSR_MSTATUS));
	vc->xlate_data.leaf_addr = 0;
	vc->xlate_fetch.leaf_addr = 0;
	reset_supervisor_csrs();
	asm volatile("fence.i\n\tsfence.vma" ::: "memory");
	bh_trap_return(f);
}

void bh_arch_resume_guest(struct bh_vcpu *vc)
{
	bh_trap_return(&vc->frame);
}

/*
 * No deadline, and mtimecmp at never. Its reset value is not defined (0 on
 * QEMU, so MTIP pending from reset). Masked by mie it never traps, but it
 * is not free: QEMU takes its global lock to look for a deliverable
 * interrupt each time a hart leaves translated code while any mip bit is
 * set, and the capsules' devices wait for that lock.
 */
static void timer_init(void)
{
	uint32_t hart = bh_arch_hart_id();

	hyp_deadline[hart] = TIMER_OFF;
#if !BH_HAS_SSTC
	guest_deadline[hart] = TIMER_OFF;
#endif
	program_mtimecmp(hart);
}

void bh_arch_hart_init(void)
{
	csr_write(CSR_MEDELEG, MEDELEG_GUEST);
	csr_write(CSR_MIDELEG, MIDELEG_GUEST);
	csr_write(CSR_MCOUNTEREN, MCOUNTEREN_CY | MCOUNTEREN_TM |
				  MCOUNTEREN_IR);
#if BH_HAS_SSTC
	csr_set(CSR_MENVCFG, MENVCFG_STCE);
#endif
	csr_write(CSR_MIE, MIP_MSIP);
	timer_init();
	bh_arch_vcpu_quiesce();
}

void bh_arch_flush_all(void)
{
	asm volatile("fence.i\n\tsfence.vma" ::: "memory");
}

/* fp.S stores fcsr in the slot after f31. */
_Static_assert(offsetof(struct bh_arch_context, fcsr) ==
	       offsetof(struct bh_arch_context, fregs) + 32 * 8, "fcsr slot");

void bh_fp_save_d(uint64_t *fregs);
void bh_fp_save_f(uint64_t *fregs);
void bh_fp_restore_d(const uint64_t *fregs);
void bh_fp_restore_f(const uint64_t *fregs);

/*
 * Software sets SSIP, and STIP without Sstc; with Sstc STIP follows
 * stimecmp, and SEIP follows the PLIC context (the hardware bits: the
 * hypervisor never sets the software one).
 */
#define SIP_SAVED	(BH_HAS_SSTC ? MIP_SSIP : MIP_SSIP | MIP_STIP)

void bh_arch_context_save(struct bh_arch_context *ctx)
{
	ctx->satp = csr_read(CSR_SATP);
	ctx->stvec = csr_read(CSR_STVEC);
	ctx->sscratch = csr_read(CSR_SSCRATCH);
	ctx->sepc = csr_read(CSR_SEPC);
	ctx->scause = csr_read(CSR_SCAUSE);
	ctx->stval = csr_read(CSR_STVAL);
	ctx->scounteren = csr_read(CSR_SCOUNTEREN);
#if BH_HAS_ENVCFG
	ctx->senvcfg = csr_read(CSR_SENVCFG);
#endif
	ctx->timer = guest_deadline_now();
	ctx->sie = csr_read(CSR_MIE) & MIP_S_ALL;
	ctx->sip = csr_read(CSR_MIP) & SIP_SAVED;
#if BH_HAS_D
	bh_fp_save_d(ctx->fregs);
#elif BH_HAS_F
	bh_fp_save_f(ctx->fregs);
#endif
}

void bh_arch_context_restore(const struct bh_arch_context *ctx)
{
	csr_write(CSR_SATP, ctx->satp);
	csr_write(CSR_STVEC, ctx->stvec);
	csr_write(CSR_SSCRATCH, ctx->sscratch);
	csr_write(CSR_SEPC, ctx->sepc);
	csr_write(CSR_SCAUSE, ctx->scause);
	csr_write(CSR_STVAL, ctx->stval);
	csr_write(CSR_SCOUNTEREN, ctx->scounteren);
#if BH_HAS_ENVCFG
	csr_write(CSR_SENVCFG, ctx->senvcfg);
#endif
	/* The deadline first: without Sstc, setting it clears STIP. */
	bh_arch_set_guest_timer(ctx->timer);
	csr_clear(CSR_MIE, MIP_S_ALL);
	csr_set(CSR_MIE, ctx->sie);
	csr_clear(CSR_MIP, SIP_SAVED);
	csr_set(CSR_MIP, ctx->sip);
#if BH_HAS_D
	bh_fp_restore_d(ctx->fregs);
#elif BH_HAS_F
	bh_fp_restore_f(ctx->fregs);
#endif
}

void bh_arch_context_reset(struct bh_arch_context *ctx)
{
	*ctx = (struct bh_arch_context){ .timer = TIMER_OFF };
}

/*
 * A hart without S-mode (bh_board.supervisor_harts) runs no vCPU: no
 * delegation, no S-mode CSR (it has none), only the software interrupt
 * that wakes it for the hypervisor's own requests.
 */
void bh_arch_monitor_hart_init(void)
{
	csr_write(CSR_MIE, MIP_MSIP);
	timer_init();
}

void bh_arch_halt(void)
{
	csr_write(CSR_MIE, 0);
	for (;;)
		asm volatile("wfi");
}
