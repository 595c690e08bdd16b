// SPDX-License-Identifier: MIT
/* SBI calls: the calling convention of the SBI specification, chapter 3. */
#include "sbi.h"

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid,
			unsigned long a0, unsigned long a1, unsigned long a2,
			unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = a2;
	register unsigned long r3 asm("a3") = a3;
	register unsigned long r4 asm("a4") = a4;
	register unsigned long r5 asm("a5") = a5;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = ext;
	struct sbiret ret;

	asm volatile("ecall"
		     : "+r"(r0), "+r"(r1)
		     : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
		     : "memory");
	ret.error = (long)r0;
	ret.value = (long)r1;
	return ret;
}

static struct sbiret call0(unsigned long ext, unsigned long fid)
{
	return sbi_ecall(ext, fid, 0, 0, 0, 0, 0, 0);
}

struct sbiret sbi_get_spec_version(void)
{
	return call0(SBI_EXT_BASE, 0);
}

struct sbiret sbi_bulkhead_trap_count(unsigned long kind, unsigned long code)
{
	return sbi_ecall(SBI_EXT_BULKHEAD, 0, kind, code, 0, 0, 0, 0);
}

struct sbiret sbi_bulkhead_trap_total(void)
{
	return call0(SBI_EXT_BULKHEAD, 1);
}

struct sbiret sbi_get_impl_id(void)
{
	return call0(SBI_EXT_BASE, 1);
}

struct sbiret sbi_probe_extension(unsigned long ext)
{
	return sbi_ecall(SBI_EXT_BASE, 3, ext, 0, 0, 0, 0, 0);
}

struct sbiret sbi_set_timer(uint64_t stime)
{
	return sbi_ecall(SBI_EXT_TIME, 0, stime, 0, 0, 0, 0, 0);
}

struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0, 0);
}

struct sbiret sbi_remote_fence_i(unsigned long hart_mask,
				 unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_RFENCE, 0, hart_mask, hart_mask_base,
			 0, 0, 0, 0);
}

struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask,
				    unsigned long hart_mask_base,
				    unsigned long start, unsigned long size)
{
	return sbi_ecall(SBI_EXT_RFENCE, 1, hart_mask, hart_mask_base,
			 start, size, 0, 0);
}

struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr,
			     unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 0, hartid, start_addr, opaque, 0, 0, 0);
}

struct sbiret sbi_hart_stop(void)
{
	return call0(SBI_EXT_HSM, 1);
}

struct sbiret sbi_hart_get_status(unsigned long hartid)
{
	return sbi_ecall(SBI_EXT_HSM, 2, hartid, 0, 0, 0, 0, 0);
}

struct sbiret sbi_hart_suspend(unsigned long type, unsigned long resume_addr,
			       unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 3, type, resume_addr, opaque, 0, 0, 0);
}

struct sbiret sbi_system_reset(unsigned long type, unsigned long reason)
{
	return sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0, 0, 0, 0);
}

/* Physical address split into lo/hi words as the spec demands; RV64: hi = 0. */
struct sbiret sbi_debug_console_write(unsigned long num_bytes,
				      unsigned long base_addr)
{
	return sbi_ecall(SBI_EXT_DBCN, 0, num_bytes, base_addr, 0, 0, 0, 0);
}

struct sbiret sbi_debug_console_read(unsigned long num_bytes,
				     unsigned long base_addr)
{
	return sbi_ecall(SBI_EXT_DBCN, 1, num_bytes, base_addr, 0, 0, 0, 0);
}

void sbi_legacy_putchar(int c)
{
	sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned long)c, 0, 0, 0, 0, 0);
}
