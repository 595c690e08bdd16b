/* SPDX-License-Identifier: MIT */
/*
 * SBI 2.0: numbers from the specification and the per-extension handlers.
 * The numbers are also for arch/riscv/entry.S (its SBI fast path).
 */
#ifndef BULKHEAD_SBI_H
#define BULKHEAD_SBI_H

#include "bulkhead/vcpu.h"
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

/* EIDs 0x00-0x0F are the legacy (v0.1) calls: one result in a0 only. */
#define SBI_EXT_LEGACY_LAST	0x0f
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

#define SBI_BASE_GET_SPEC_VERSION	0
#define SBI_BASE_GET_IMPL_ID		1
#define SBI_BASE_GET_IMPL_VERSION	2
#define SBI_BASE_PROBE_EXTENSION	3
#define SBI_BASE_GET_MVENDORID		4
#define SBI_BASE_GET_MARCHID		5
#define SBI_BASE_GET_MIMPID		6

#define SBI_TIME_SET_TIMER	0

#define SBI_HSM_SUSPEND_RETENTIVE	0x00000000UL
#define SBI_HSM_SUSPEND_NON_RETENTIVE	0x80000000UL

#define SBI_SRST_SHUTDOWN	0
#define SBI_SRST_COLD_REBOOT	1
#define SBI_SRST_WARM_REBOOT	2
#define SBI_SRST_REASON_NONE	0
#define SBI_SRST_REASON_FAILURE	1

/* Most bytes one DBCN call moves, so no capsule holds the console long. */
#define BH_DBCN_CHUNK		256

/*
 * bh_sbi_extensions[] holds each extension Bulkhead serves at the index
 * its EID's low bits give, BH_SBI_SLOT(eid); a slot without an extension
 * has a NULL handler. Finding an extension is one index and one compare,
 * for the C dispatch and for entry.S's fast path alike, which reads the
 * table with these offsets.
 */
#define BH_SBI_SLOTS		16
#define BH_SBI_SLOT(eid)	((eid) & (BH_SBI_SLOTS - 1))
#define BH_SBI_EXT_SHIFT	4	/* log2 of sizeof(struct bh_sbi_extension) */
#define BH_SBI_EXT_EID		0
#define BH_SBI_EXT_HANDLER	8

/*
 * The answers of BASE get_spec_version, get_impl_id and get_impl_version,
 * indexed by FID: bh_sbi_base_values[], for base.c and the fast path.
 */
#define BH_SBI_BASE_VALUES	(SBI_BASE_GET_IMPL_VERSION + 1)

#ifndef __ASSEMBLER__

#include <stdint.h>

struct bh_sbiret {
	long error;
	unsigned long value;
};

/* The arguments a0..a5 of one call, where the trap entry saved them. */
typedef struct bh_sbiret (*bh_sbi_handler)(struct bh_vcpu *vc,
					   unsigned long fid,
					   const unsigned long *args);

struct bh_sbi_extension {
	unsigned long eid;
	bh_sbi_handler handler;	/* NULL: no extension in this slot */
};

_Static_assert(sizeof(struct bh_sbi_extension) == 1 << BH_SBI_EXT_SHIFT,
	       "sbi extension");
_Static_assert(offsetof(struct bh_sbi_extension, eid) == BH_SBI_EXT_EID,
	       "sbi extension");
_Static_assert(offsetof(struct bh_sbi_extension, handler) ==
	       BH_SBI_EXT_HANDLER, "sbi extension");

extern const struct bh_sbi_extension bh_sbi_extensions[BH_SBI_SLOTS];
extern const unsigned long bh_sbi_base_values[BH_SBI_BASE_VALUES];

/* Handle the SBI call in vc->frame: a7 = EID, a6 = FID, a0..a5 arguments. */
void bh_sbi_dispatch(struct bh_vcpu *vc);

/* The extension that serves eid, or NULL. */
static inline const struct bh_sbi_extension *bh_sbi_find(unsigned long eid)
{
	const struct bh_sbi_extension *ext = &bh_sbi_extensions[BH_SBI_SLOT(eid)];

	return ext->handler && ext->eid == eid ? ext : NULL;
}

/*
 * Translate an SBI hart mask of the capsule's virtual harts into a bitmask
 * of vCPU indexes. base == -1UL means every vCPU of the capsule. Returns
 * SBI_SUCCESS or SBI_ERR_INVALID_PARAM when any named hart is not the
 * capsule's.
 */
long bh_sbi_hart_mask(const struct bh_capsule *c, unsigned long mask,
		      unsigned long base, uint64_t *vcpus);

struct bh_sbiret bh_sbi_base(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_time(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_ipi(struct bh_vcpu *vc, unsigned long fid,
			    const unsigned long *args);
struct bh_sbiret bh_sbi_rfence(struct bh_vcpu *vc, unsigned long fid,
			       const unsigned long *args);
struct bh_sbiret bh_sbi_hsm(struct bh_vcpu *vc, unsigned long fid,
			    const unsigned long *args);
struct bh_sbiret bh_sbi_srst(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_dbcn(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args);
struct bh_sbiret bh_sbi_bulkhead(struct bh_vcpu *vc, unsigned long fid,
				 const unsigned long *args);
struct bh_sbiret bh_sbi_legacy_putchar(struct bh_vcpu *vc,
				       unsigned long fid,
				       const unsigned long *args);
struct bh_sbiret bh_sbi_legacy_getchar(struct bh_vcpu *vc,
				       unsigned long fid,
				       const unsigned long *args);

#endif /* __ASSEMBLER__ */
#endif
