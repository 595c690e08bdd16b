// SPDX-License-Identifier: MIT
/* The arch interface (bulkhead/arch.h) on RISC-V M-mode. */
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

void bh_arch_wait(void)
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
 * A range flushes page by page (the core keeps ranges short): flushing
 * everything would make the guest refill its whole TLB for every page
 * Linux unmaps on another hart.
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
 * With Sstc the guest's timer is its own stimecmp. Without it, mtimecmp
 * is multiplexed: its interrupt (MTIP) is passed on as STIP.
 */
void bh_arch_set_guest_timer(uint64_t when)
{
#if BH_HAS_SSTC
	csr_write(CSR_STIMECMP, when);
#else
	bh_clint_set_timer(bh_arch_hart_id(), when);
	csr_clear(CSR_MIP, MIP_STIP);
	csr_set(CSR_MIE, MIP_MTIP);
#endif
}

/* The multiplexed timer fired (boards without Sstc): pass it on as STIP. */
void bh_arch_timer_interrupt(void)
{
	csr_clear(CSR_MIE, MIP_MTIP);
	csr_set(CSR_MIP, MIP_STIP);
}

/*
 * A hart waiting in M-mode takes no interrupt: the same path as the trap
 * for MTIP, polled. With Sstc the hardware raises STIP itself.
 */
void bh_arch_timer_poll(void)
{
#if !BH_HAS_SSTC
	if (csr_read(CSR_MIP) & csr_read(CSR_MIE) & MIP_MTIP)
		bh_arch_timer_interrupt();
#endif
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
static int read_u16(struct bh_hart_state *hs, uint64_t satp, uint64_t va,
		    uint16_t *out)
{
	const struct bh_region *mem = &bh_capsule_of(hs)->memory;
	uint64_t pa;

	if (bh_pagewalk_cached(&hs->xlate_fetch, mem, satp, va, &pa) ||
	    !bh_region_contains(mem, pa, sizeof(*out)) || (pa & 1))
		return -1;
	*out = *(volatile const uint16_t *)bh_arch_phys(pa);
	return 0;
}

int bh_arch_guest_fetch(struct bh_hart_state *hs, uint64_t epc,
			uint32_t *insn)
{
	const struct bh_region *mem = &bh_capsule_of(hs)->memory;
	uint64_t satp = csr_read(CSR_SATP);
	uint16_t low, high;
	uint64_t pa;

	if (bh_pagewalk_cached(&hs->xlate_fetch, mem, satp, epc, &pa) ||
	    !bh_region_contains(mem, pa, sizeof(low)) || (pa & 1))
		return -1;
	low = *(volatile const uint16_t *)bh_arch_phys(pa);
	*insn = low;
	if (bh_insn_length(low) == 2)
		return 0;
	/* Both halves in one page: no second translation. */
	if ((epc & 0xfff) != 0xffe) {
		if (!bh_region_contains(mem, pa + 2, sizeof(high)))
			return -1;
		high = *(volatile const uint16_t *)bh_arch_phys(pa + 2);
	} else if (read_u16(hs, satp, epc + 2, &high)) {
		return -1;
	}
	*insn |= (uint32_t)high << 16;
	return 0;
}

/* The guest's timer and interrupt enables off, nothing pending for it. */
void bh_arch_vcpu_quiesce(void)
{
	csr_clear(CSR_MIE, MIP_S_ALL | MIP_MTIP);
	csr_clear(CSR_MIP, MIP_STIP | MIP_SSIP);
#if BH_HAS_SSTC
	csr_write(CSR_STIMECMP, TIMER_OFF);
#else
	bh_clint_set_timer(bh_arch_hart_id(), TIMER_OFF);
#endif
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
void bh_arch_enter_guest(struct bh_hart_state *hs, uint64_t pc, uint64_t a0,
			 uint64_t a1)
{
	struct bh_frame *f = &hs->frame;
	int i;

	for (i = 0; i < 32; i++)
		f->regs[i] = 0;
	f->regs[BH_REG_A0] = a0;
	f->regs[BH_REG_A1] = a1;
	f->mepc = pc;
	f->mstatus = reset_mstatus(csr_read(CSR_MSTATUS));
	hs->xlate_data.leaf_addr = 0;
	hs->xlate_fetch.leaf_addr = 0;
	reset_supervisor_csrs();
	asm volatile("fence.i\n\tsfence.vma" ::: "memory");
	bh_trap_return(f);
}

void bh_arch_hart_init(struct bh_hart_state *hs, uint64_t stack_top)
{
	hs->frame.stack_top = stack_top;
	csr_write(CSR_MEDELEG, MEDELEG_GUEST);
	csr_write(CSR_MIDELEG, MIDELEG_GUEST);
	csr_write(CSR_MCOUNTEREN, MCOUNTEREN_CY | MCOUNTEREN_TM |
				  MCOUNTEREN_IR);
#if BH_HAS_SSTC
	csr_set(CSR_MENVCFG, MENVCFG_STCE);
#endif
	bh_arch_vcpu_quiesce();
	csr_write(CSR_MIE, MIP_MSIP);
}

/*
 * A hart without S-mode (bh_board.supervisor_harts) runs no vCPU: no
 * delegation, no S-mode CSR (it has none), only the software interrupt
 * that wakes it for the hypervisor's own requests.
 */
void bh_arch_monitor_hart_init(struct bh_hart_state *hs, uint64_t stack_top)
{
	hs->frame.stack_top = stack_top;
	csr_write(CSR_MIE, MIP_MSIP);
}

void bh_arch_halt(void)
{
	csr_write(CSR_MIE, 0);
	for (;;)
		asm volatile("wfi");
}
