// SPDX-License-Identifier: MIT
/*
 * memset and friends. gcc emits calls to these even in freestanding code,
 * so they must exist; byte loops are enough for the sizes the hypervisor
 * moves, except a capsule's payloads and memory (at boot and at restarts),
 * which take the word-sized paths.
 */
#include <stdint.h>

#include "bulkhead/lib.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t word = (unsigned char)c * 0x0101010101010101ULL;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(volatile uint64_t *)d = word;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		/* 64 bytes a round: a capsule's payloads (tens of MiB) are
		 * copied at boot and at every restart. */
		for (; n >= 64; n -= 64, d += 64, s += 64) {
			const uint64_t *from = (const uint64_t *)s;
			volatile uint64_t *to = (volatile uint64_t *)d;
			uint64_t a = from[0], b = from[1], c = from[2], e = from[3];
			uint64_t f = from[4], g = from[5], h = from[6], i = from[7];

			to[0] = a; to[1] = b; to[2] = c; to[3] = e;
			to[4] = f; to[5] = g; to[6] = h; to[7] = i;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(volatile uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}
