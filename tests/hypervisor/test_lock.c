// SPDX-License-Identifier: MIT
/* The ticket lock's panic variant: it never waits forever on a dead holder. */
#include <pthread.h>
#include <unistd.h>

#include "bulkhead/lock.h"
#include "runner.h"

TEST(lock_unless_stuck_takes_a_free_lock)
{
	struct bh_lock lock = { 0 };

	CHECK(bh_lock_unless_stuck(&lock, 1));
	CHECK(lock.next == 1 && lock.owner == 0);
}

TEST(lock_unless_stuck_gives_up_on_a_holder_that_never_lets_go)
{
	struct bh_lock lock = { 0 };

	bh_lock(&lock);
	CHECK(!bh_lock_unless_stuck(&lock, 1000));
	/* The ticket stays taken: nobody after the panic gets the lock. */
	CHECK(lock.next == 2 && lock.owner == 0);
}

static void *unlock_later(void *arg)
{
	usleep(10000);
	bh_unlock(arg);
	return NULL;
}

TEST(lock_unless_stuck_waits_for_a_holder_that_lets_go)
{
	struct bh_lock lock = { 0 };
	pthread_t holder;
	bool taken;

	bh_lock(&lock);
	CHECK(!pthread_create(&holder, NULL, unlock_later, &lock));
	taken = bh_lock_unless_stuck(&lock, UINT32_MAX);
	pthread_join(holder, NULL);
	CHECK(taken);
	CHECK(lock.next == 2 && lock.owner == 1);
}
