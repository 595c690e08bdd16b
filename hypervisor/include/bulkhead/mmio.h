/* SPDX-License-Identifier: MIT */
/*
 * The one way platform code touches device registers (CLINT, UART, test
 * finisher, PLIC, fw_cfg): each access is a single
 * instruction in an asm statement, next to the I/O fence RVWMO asks for.
 *
 * RVWMO orders normal memory and device (I/O) accesses only through fences
 * that name them: "r"/"w" are memory reads/writes, "i"/"o" device input
 * and output. A C11 fence (__atomic_thread_fence) is "fence rw,rw" and
 * orders no device access at all, so it is not enough here.
 *
 * - A write is preceded by "fence w,o": memory written before it (a
 *   mailbox bit, say) is visible to other harts before the device sees the
 *   write (the doorbell that makes them look).
 * - A read is followed by "fence i,r": memory read after it is not read
 *   before the device answered (the status that says the data is there).
 * - bh_mmio_output_before_reads() orders earlier device writes before
 *   later memory reads, which neither of the above does: a hart that
 *   clears its own doorbell and then reads the mailbox needs it.
 *
 * Accesses to the same device stay in program order: the board's devices
 * are I/O regions with strong ordering (the privileged specification's
 * PMA "I/O ordering"), as the ns16550 register protocol requires.
 */
#ifndef BULKHEAD_MMIO_H
#define BULKHEAD_MMIO_H

#include <stdint.h>

static inline void *bh_mmio(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline uint8_t bh_mmio_read8(uint64_t pa)
{
	uint8_t v;

	asm volatile("lbu %0, 0(%1)\n\tfence i,r"
		     : "=r"(v) : "r"(bh_mmio(pa)) : "memory");
	return v;
}

static inline uint32_t bh_mmio_read32(uint64_t pa)
{
	uint32_t v;

	asm volatile("lw %0, 0(%1)\n\tfence i,r"
		     : "=r"(v) : "r"(bh_mmio(pa)) : "memory");
	return v;
}

static inline uint64_t bh_mmio_read64(uint64_t pa)
{
	uint64_t v;

	asm volatile("ld %0, 0(%1)\n\tfence i,r"
		     : "=r"(v) : "r"(bh_mmio(pa)) : "memory");
	return v;
}

static inline void bh_mmio_write8(uint64_t pa, uint8_t v)
{
	asm volatile("fence w,o\n\tsb %0, 0(%1)"
		     : : "r"(v), "r"(bh_mmio(pa)) : "memory");
}

static inline void bh_mmio_write16(uint64_t pa, uint16_t v)
{
	asm volatile("fence w,o\n\tsh %0, 0(%1)"
		     : : "r"(v), "r"(bh_mmio(pa)) : "memory");
}

static inline void bh_mmio_write32(uint64_t pa, uint32_t v)
{
	asm volatile("fence w,o\n\tsw %0, 0(%1)"
		     : : "r"(v), "r"(bh_mmio(pa)) : "memory");
}

static inline void bh_mmio_write64(uint64_t pa, uint64_t v)
{
	asm volatile("fence w,o\n\tsd %0, 0(%1)"
		     : : "r"(v), "r"(bh_mmio(pa)) : "memory");
}

/* Device writes before this complete before memory reads after it. */
static inline void bh_mmio_output_before_reads(void)
{
	asm volatile("fence o,r" ::: "memory");
}

#endif
