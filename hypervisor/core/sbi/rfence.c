// SPDX-License-Identifier: MIT
/*
 * SBI RFENCE extension: fence.i, or the translations of a range (in one
 * address space or all), on the named vCPUs. A range longer than
 * FENCE_PAGES_MAX pages flushes everything (of its address space, for the
 * _asid call), as OpenSBI does by default past one page: a core may take
 * an sfence.vma per page no faster than one for everything, and QEMU 7.2
 * empties its whole TLB for either, so a range done page by page cost the
 * guest one full refill per page. There is no H extension for guests, so
 * the hfence calls are unsupported.
 */
#include "bulkhead/capsule.h"
#include "bulkhead/lib.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"

enum {
	RFENCE_FENCE_I = 0,
	RFENCE_SFENCE_VMA = 1,
	RFENCE_SFENCE_VMA_ASID = 2,
};

#define FENCE_PAGES_MAX	1
#define PAGE_SIZE	4096UL

/* What fid asks, from its start_addr, size and asid arguments. */
static struct bh_fence fence_of(unsigned long fid, const unsigned long *args)
{
	struct bh_fence f = { 0 };
	uint64_t start = args[2], size = args[3];

	if (fid == RFENCE_FENCE_I) {
		f.fence_i = true;
		return f;
	}
	f.vma = true;
	f.asid_only = fid == RFENCE_SFENCE_VMA_ASID;
	f.asid = f.asid_only ? (uint32_t)args[4] : 0;
	/* 0 and 0, or a size of -1: everything (SBI); a range that wraps or
	 * is long: everything too. */
	if ((!start && !size) || size > FENCE_PAGES_MAX * PAGE_SIZE ||
	    start + size < start) {
		f.vma_all = true;
		return f;
	}
	f.start = start;
	f.size = size;
	return f;
}

struct bh_sbiret bh_sbi_rfence(struct bh_vcpu *vc, unsigned long fid,
			       const unsigned long *args)
{
	const struct bh_capsule *c = bh_capsule_of(vc);
	uint64_t vcpus;
	struct bh_fence fence;
	long err;

	if (fid > RFENCE_SFENCE_VMA_ASID)
		return (struct bh_sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	err = bh_sbi_hart_mask(c, args[0], args[1], &vcpus);
	if (err)
		return (struct bh_sbiret){ err, 0 };
	fence = fence_of(fid, args);
	bh_remote_fence(vc, vcpus, &fence);
	return (struct bh_sbiret){ SBI_SUCCESS, 0 };
}
