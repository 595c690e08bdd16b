/* SPDX-License-Identifier: MIT */
/* PMP backend internals shared by its CSR code and the unit tests. */
#ifndef BULKHEAD_PMP_H
#define BULKHEAD_PMP_H

#include <stdint.h>

#include "bulkhead/tables.h"

#if BH_PMP_ENTRIES > 64
#error "RISC-V has at most 64 PMP entries"
#endif

#define BH_PMP_LOCK	0x80
/* RV64: the even pmpcfg registers, eight entries each. */
#define BH_PMPCFG_REGS	((BH_PMP_ENTRIES + 7) / 8)

#define BH_PMP_OK	-1
#define BH_PMP_TOO_MANY	-2

/*
 * The pmpcfg values that enable exactly capsule c's entries, all others
 * OFF. Returns BH_PMP_OK, BH_PMP_TOO_MANY, or the index of an entry with
 * the L bit, which would bind M-mode too and can never be undone.
 */
int bh_pmp_pack(const struct bh_capsule *c, uint64_t cfg[BH_PMPCFG_REGS]);

#endif
