/* SPDX-License-Identifier: MIT */
/* A ticket-free test-and-set spinlock; the hypervisor never sleeps. */
#ifndef BULKHEAD_LOCK_H
#define BULKHEAD_LOCK_H

#include <stdbool.h>
#include <stdint.h>

struct bh_lock {
	uint32_t held;
};

static inline bool bh_lock_try(struct bh_lock *lock)
{
	return !__atomic_exchange_n(&lock->held, 1, __ATOMIC_ACQUIRE);
}

static inline void bh_lock(struct bh_lock *lock)
{
	while (!bh_lock_try(lock)) {
		while (__atomic_load_n(&lock->held, __ATOMIC_RELAXED))
			;
	}
}

static inline void bh_unlock(struct bh_lock *lock)
{
	__atomic_store_n(&lock->held, 0, __ATOMIC_RELEASE);
}

#endif
