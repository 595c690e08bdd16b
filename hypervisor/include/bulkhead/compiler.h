/* SPDX-License-Identifier: MIT */
/* Compiler helpers shared by every part of the hypervisor. */
#ifndef BULKHEAD_COMPILER_H
#define BULKHEAD_COMPILER_H

#include <stddef.h>

#define __noreturn	__attribute__((noreturn))
#define __aligned(x)	__attribute__((aligned(x)))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
/*
 * Every call inside inlined (bodies from other files too, by link-time
 * optimisation), for a trap path that must stay short: its code then
 * saves only the registers it needs itself.
 */
#define __flatten	__attribute__((flatten))
/*
 * Out of such a path, so only its rare branch pays for the call's
 * registers; or kept whole in the image for a test that reads it there.
 */
#define __noinline	__attribute__((noinline))

#define BH_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

#endif
