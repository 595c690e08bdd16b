/* SPDX-License-Identifier: MIT */
/* The few C library functions the hypervisor has (and gcc may call). */
#ifndef BULKHEAD_LIB_H
#define BULKHEAD_LIB_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
