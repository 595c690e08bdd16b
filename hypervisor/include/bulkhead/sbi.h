/* SPDX-License-Identifier: MIT */
/* SBI 2.0: numbers from the specification and the per-extension handlers. */
#ifndef BULKHEAD_SBI_H
#define BULKHEAD_SBI_H

#include <stdint.h>

#include "bulkhead/hart.h"
#include "bulkhead/version.h"

#define SBI_SPEC_VERSION	((2UL << 24) | 0)	/* 2.0 */
#define SBI_IMPL_ID		0x42554c4bUL		/* "BULK" */

#define SBI_SUCCESS			0
#define SBI_ERR_FAILED			-1
#define SBI_ERR_NOT_SUPPORTED		-2
#define SBI_ERR_INVALID_PARAM		-3
#define SBI_ERR_DENIED			-4
#define SBI_ERR_INVALID_ADDRESS		-5
#define SBI_ERR_ALREADY_AVAILABLE	-6

#define SBI_EXT_LEGACY_PUTCHAR	0x01
#define SBI_EXT_LEGACY_GETCHAR	0x02
#define SBI_EXT_BASE		0x10
#define SBI_EXT_TIME		0x54494d45
#define SBI_EXT_IPI		0x735049
#define SBI_EXT_RFENCE		0x52464e43
#define SBI_EXT_HSM		0x48534d
#define SBI_EXT_SRST		0x53525354
#define SBI_EXT_DBCN		0x4442434e
/* Bulkhead's own, in the SBI firmware-specific range 0x0A000000-0x0AFFFFFF. */
#define SBI_EXT_BULKHEAD	0x0A42554C
#define SBI_BULKHEAD_TRAP_COUNT	0	/* (kind, code) -> traps on this hart */
#define SBI_BULKHEAD_TRAP_TOTAL	1	/* () -> every trap on this hart */
#define SBI_BULKHEAD_KIND_EXCEPTION	0
#define SBI_BULKHEAD_KIND_INTERRUPT	1

#define SBI_HSM_SUSPEND_RETENTIVE	0x00000000UL
#define SBI_HSM_SUSPEND_NON_RETENTIVE	0x80000000UL

#define SBI_SRST_SHUTDOWN	0
#define SBI_SRST_COLD_REBOOT	1
#define SBI_SRST_WARM_REBOOT	2
#define SBI_SRST_REASON_NONE	0
#define SBI_SRST_REASON_FAILURE	1

/* Most bytes one DBCN call moves, so no capsule holds the console long. */
#define BH_DBCN_CHUNK		256

struct bh_sbiret {
	long error;
	unsigned long value;
};

/* The arguments a0..a5 of one call. */
typedef struct bh_sbiret (*bh_sbi_handler)(struct bh_hart_state *hs,
					   unsigned long fid,
					   const unsigned long *args);

struct bh_sbi_extension {
	unsigned long eid;
	bh_sbi_handler handler;
	int legacy;	/* returns one value in a0 only */
};

/* Handle the SBI call in hs->frame: a7 = EID, a6 = FID, a0..a5 arguments. */
void bh_sbi_dispatch(struct bh_hart_state *hs);

/* The extension that serves eid, or NULL. */
const struct bh_sbi_extension *bh_sbi_find(unsigned long eid);

/*
 * Translate an SBI hart mask of the capsule's virtual harts into a bitmask
 * of vCPU indexes. base == -1UL means every vCPU of the capsule. Returns
 * SBI_SUCCESS or SBI_ERR_INVALID_PARAM when any named hart is not the
 * capsule's.
 */
long bh_sbi_hart_mask(const struct bh_capsule *c, unsigned long mask,
		      unsigned long base, uint64_t *vcpus);

struct bh_sbiret bh_sbi_base(struct bh_hart_state *hs, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_time(struct bh_hart_state *hs, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_ipi(struct bh_hart_state *hs, unsigned long fid,
			    const unsigned long *args);
struct bh_sbiret bh_sbi_rfence(struct bh_hart_state *hs, unsigned long fid,
			       const unsigned long *args);
struct bh_sbiret bh_sbi_hsm(struct bh_hart_state *hs, unsigned long fid,
			    const unsigned long *args);
struct bh_sbiret bh_sbi_srst(struct bh_hart_state *hs, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_dbcn(struct bh_hart_state *hs, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_bulkhead(struct bh_hart_state *hs, unsigned long fid,
				 const unsigned long *args);
struct bh_sbiret bh_sbi_legacy_putchar(struct bh_hart_state *hs,
				       unsigned long fid,
				       const unsigned long *args);
struct bh_sbiret bh_sbi_legacy_getchar(struct bh_hart_state *hs,
				       unsigned long fid,
				       const unsigned long *args);

#endif
