/* SPDX-License-Identifier: MIT */
/* RISC-V CSR numbers, bits and accessors (privileged spec 1.12). */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#ifdef __ASSEMBLER__
#define _UL(x)		x
#else
#define _UL(x)		x##UL
#endif

#define CSR_SSTATUS	0x100
#define CSR_SIE		0x104
#define CSR_STVEC	0x105
#define CSR_SCOUNTEREN	0x106
#define CSR_SENVCFG	0x10a
#define CSR_SSCRATCH	0x140
#define CSR_SEPC	0x141
#define CSR_SCAUSE	0x142
#define CSR_STVAL	0x143
#define CSR_SIP		0x144
#define CSR_STIMECMP	0x14d
#define CSR_SATP	0x180
#define CSR_TIME	0xc01
#define CSR_MSTATUS	0x300
#define CSR_MEDELEG	0x302
#define CSR_MIDELEG	0x303
#define CSR_MIE		0x304
#define CSR_MTVEC	0x305
#define CSR_MCOUNTEREN	0x306
#define CSR_MENVCFG	0x30a
#define CSR_MSCRATCH	0x340
#define CSR_MEPC	0x341
#define CSR_MCAUSE	0x342
#define CSR_MTVAL	0x343
#define CSR_MIP		0x344
#define CSR_PMPCFG0	0x3a0
#define CSR_PMPADDR0	0x3b0
#define CSR_MVENDORID	0xf11
#define CSR_MARCHID	0xf12
#define CSR_MIMPID	0xf13
#define CSR_MHARTID	0xf14

#define MSTATUS_SIE	(_UL(1) << 1)
#define MSTATUS_MIE	(_UL(1) << 3)
#define MSTATUS_SPIE	(_UL(1) << 5)
#define MSTATUS_UBE	(_UL(1) << 6)
#define MSTATUS_MPIE	(_UL(1) << 7)
#define MSTATUS_SPP	(_UL(1) << 8)
#define MSTATUS_VS	(_UL(3) << 9)
#define MSTATUS_MPP	(_UL(3) << 11)
#define MSTATUS_MPP_S	(_UL(1) << 11)
#define MSTATUS_MPP_M	(_UL(3) << 11)
#define MSTATUS_FS	(_UL(3) << 13)
#define MSTATUS_XS	(_UL(3) << 15)
#define MSTATUS_MPRV	(_UL(1) << 17)
#define MSTATUS_SUM	(_UL(1) << 18)
#define MSTATUS_MXR	(_UL(1) << 19)
#define MSTATUS_TVM	(_UL(1) << 20)
#define MSTATUS_TW	(_UL(1) << 21)
#define MSTATUS_TSR	(_UL(1) << 22)

#define IRQ_S_SOFT	1
#define IRQ_M_SOFT	3
#define IRQ_S_TIMER	5
#define IRQ_M_TIMER	7
#define IRQ_S_EXT	9
#define IRQ_M_EXT	11
#define MIP_SSIP	(_UL(1) << IRQ_S_SOFT)
#define MIP_MSIP	(_UL(1) << IRQ_M_SOFT)
#define MIP_STIP	(_UL(1) << IRQ_S_TIMER)
#define MIP_MTIP	(_UL(1) << IRQ_M_TIMER)
#define MIP_SEIP	(_UL(1) << IRQ_S_EXT)
#define MIP_MEIP	(_UL(1) << IRQ_M_EXT)
#define MIP_S_ALL	(MIP_SSIP | MIP_STIP | MIP_SEIP)

#define CAUSE_INTERRUPT			(_UL(1) << 63)
#define CAUSE_MISALIGNED_FETCH		0
#define CAUSE_FETCH_ACCESS		1
#define CAUSE_ILLEGAL_INSTRUCTION	2
#define CAUSE_BREAKPOINT		3
#define CAUSE_MISALIGNED_LOAD		4
#define CAUSE_LOAD_ACCESS		5
#define CAUSE_MISALIGNED_STORE		6
#define CAUSE_STORE_ACCESS		7
#define CAUSE_USER_ECALL		8
#define CAUSE_SUPERVISOR_ECALL		9
#define CAUSE_FETCH_PAGE_FAULT		12
#define CAUSE_LOAD_PAGE_FAULT		13
#define CAUSE_STORE_PAGE_FAULT		15

#define MCOUNTEREN_CY	(_UL(1) << 0)
#define MCOUNTEREN_TM	(_UL(1) << 1)
#define MCOUNTEREN_IR	(_UL(1) << 2)

#define MENVCFG_STCE	(_UL(1) << 63)


#ifndef __ASSEMBLER__

#define csr_read(csr) ({						\
	unsigned long __v;						\
	asm volatile("csrr %0, %1" : "=r"(__v) : "i"(csr) : "memory");	\
	__v;								\
})

#define csr_write(csr, val)						\
	asm volatile("csrw %0, %1" :: "i"(csr), "rK"(val) : "memory")

#define csr_set(csr, val)						\
	asm volatile("csrs %0, %1" :: "i"(csr), "rK"(val) : "memory")

#define csr_clear(csr, val)						\
	asm volatile("csrc %0, %1" :: "i"(csr), "rK"(val) : "memory")

#endif
#endif
