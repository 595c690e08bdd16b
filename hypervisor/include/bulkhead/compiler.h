/* SPDX-License-Identifier: MIT */
/* Compiler helpers shared by every part of the hypervisor. */
#ifndef BULKHEAD_COMPILER_H
#define BULKHEAD_COMPILER_H

#include <stddef.h>

#define __noreturn	__attribute__((noreturn))
#define __aligned(x)	__attribute__((aligned(x)))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

#define BH_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

#endif
