// SPDX-License-Identifier: MIT
/* The sifive,test finisher: power off, fail with a code, or reset. */
#include "bulkhead/mmio.h"
#include "bulkhead/tables.h"
#include "drivers.h"

void bh_sifive_test_finish(uint32_t value)
{
	bh_mmio_write32(bh_board.poweroff_base, value);
}
