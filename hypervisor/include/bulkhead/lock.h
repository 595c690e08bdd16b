/* SPDX-License-Identifier: MIT */
/*
 * A ticket spinlock: harts get the lock in the order they asked for it, so
 * a capsule hammering a shared service (the console) cannot starve the
 * others. The hypervisor never sleeps; a zeroed lock is unlocked.
 */
#ifndef BULKHEAD_LOCK_H
#define BULKHEAD_LOCK_H

#include <stdbool.h>
#include <stdint.h>

struct bh_lock {
	uint32_t next;		/* ticket of the next hart to ask */
	uint32_t owner;		/* ticket now holding the lock */
};

static inline void bh_lock(struct bh_lock *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		;
}

static inline void bh_unlock(struct bh_lock *lock)
{
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
}

/*
 * bh_lock for a hart that may be waiting on a dead holder (a panic): take a
 * ticket and wait while the lock moves; give up after `polls` polls that
 * see no progress. True when the lock is held. Either way the ticket stays
 * taken, so this is only for a hart that never unlocks again.
 */
static inline bool bh_lock_unless_stuck(struct bh_lock *lock, uint32_t polls)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE);
	uint32_t seen, still = 0;

	while (owner != ticket) {
		seen = __atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE);
		still = seen == owner ? still + 1 : 0;
		if (still == polls)
			return false;
		owner = seen;
	}
	return true;
}

#endif
