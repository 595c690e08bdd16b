/* SPDX-License-Identifier: MIT */
/* The few C library functions the hypervisor has (and gcc may call). */
#ifndef BULKHEAD_LIB_H
#define BULKHEAD_LIB_H

#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/*
 * The index of the lowest set bit of x, 64 when x is 0. A loop, not
 * __builtin_ctzll: the libgcc it would call is built for another ABI than
 * the hypervisor's and does not link.
 */
static inline uint32_t bh_lowest_bit(uint64_t x)
{
	uint32_t n = 0;

	while (n < 64 && !((x >> n) & 1))
		n++;
	return n;
}

#endif
