/* SPDX-License-Identifier: MIT */
/*
 * SBI 2.0 calls a bare-metal S-mode guest makes. Each wrapper returns the
 * spec's (error, value) pair untouched so checks can compare error codes.
 */
#ifndef GUEST_SBI_H
#define GUEST_SBI_H

#define SBI_SUCCESS			0
#define SBI_ERR_FAILED			-1
#define SBI_ERR_NOT_SUPPORTED		-2
#define SBI_ERR_INVALID_PARAM		-3
#define SBI_ERR_DENIED			-4
#define SBI_ERR_INVALID_ADDRESS		-5
#define SBI_ERR_ALREADY_AVAILABLE	-6
#define SBI_ERR_ALREADY_STARTED		-7
#define SBI_ERR_ALREADY_STOPPED		-8

#define SBI_EXT_LEGACY_PUTCHAR	0x01
#define SBI_EXT_LEGACY_GETCHAR	0x02
#define SBI_EXT_BASE		0x10
#define SBI_EXT_TIME		0x54494d45
#define SBI_EXT_IPI		0x735049
#define SBI_EXT_RFENCE		0x52464e43
#define SBI_EXT_HSM		0x48534d
#define SBI_EXT_SRST		0x53525354
#define SBI_EXT_DBCN		0x4442434e
/* Bulkhead's trap counters (docs/design.md, "Trap counters"). */
#define SBI_EXT_BULKHEAD	0x0A42554C
#define SBI_BULKHEAD_EXCEPTION	0
#define SBI_BULKHEAD_INTERRUPT	1

#define SBI_HSM_STARTED		0
#define SBI_HSM_STOPPED		1
#define SBI_HSM_START_PENDING	2
#define SBI_HSM_STOP_PENDING	3
#define SBI_HSM_SUSPENDED	4

#define SBI_HSM_SUSPEND_RETENTIVE	0x00000000UL
#define SBI_HSM_SUSPEND_NON_RETENTIVE	0x80000000UL

#define SBI_SRST_SHUTDOWN	0
#define SBI_SRST_COLD_REBOOT	1
#define SBI_SRST_WARM_REBOOT	2
#define SBI_SRST_REASON_FAILURE	1

#ifndef __ASSEMBLER__
#include <stdint.h>

/* hart_mask_base value that selects every hart and ignores hart_mask. */
#define SBI_HART_MASK_ALL	(-1UL)

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid,
			unsigned long a0, unsigned long a1, unsigned long a2,
			unsigned long a3, unsigned long a4, unsigned long a5);

struct sbiret sbi_get_spec_version(void);
/* Traps Bulkhead took on this vCPU's hart: of one kind and code; all. */
struct sbiret sbi_bulkhead_trap_count(unsigned long kind, unsigned long code);
struct sbiret sbi_bulkhead_trap_total(void);
struct sbiret sbi_get_impl_id(void);
struct sbiret sbi_probe_extension(unsigned long ext);

struct sbiret sbi_set_timer(uint64_t stime);
struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
struct sbiret sbi_remote_fence_i(unsigned long hart_mask,
				 unsigned long hart_mask_base);
struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask,
				    unsigned long hart_mask_base,
				    unsigned long start, unsigned long size);

struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr,
			     unsigned long opaque);
struct sbiret sbi_hart_stop(void);
struct sbiret sbi_hart_get_status(unsigned long hartid);
struct sbiret sbi_hart_suspend(unsigned long type, unsigned long resume_addr,
			       unsigned long opaque);

struct sbiret sbi_system_reset(unsigned long type, unsigned long reason);

struct sbiret sbi_debug_console_write(unsigned long num_bytes,
				      unsigned long base_addr);

struct sbiret sbi_debug_console_read(unsigned long num_bytes,
				     unsigned long base_addr);

void sbi_legacy_putchar(int c);

/* Spec version as returned by BASE get_spec_version, split up. */
static inline unsigned long sbi_version_major(unsigned long v)
{
	return (v >> 24) & 0x7f;
}

static inline unsigned long sbi_version_minor(unsigned long v)
{
	return v & 0xffffff;
}

#endif /* __ASSEMBLER__ */
#endif
