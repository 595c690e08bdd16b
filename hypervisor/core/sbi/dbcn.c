// SPDX-License-Identifier: MIT
/*
 * SBI DBCN extension. Buffers are physical and must lie entirely inside
 * the calling capsule's memory; each call moves at most BH_DBCN_CHUNK
 * bytes (the specification lets it move fewer than asked).
 */
#include "bulkhead/arch.h"
#include "bulkhead/capsule.h"
#include "bulkhead/console.h"
#include "bulkhead/sbi.h"

enum {
	DBCN_CONSOLE_WRITE = 0,
	DBCN_CONSOLE_READ = 1,
	DBCN_CONSOLE_WRITE_BYTE = 2,
};

static struct bh_sbiret result(long error, unsigned long value)
{
	return (struct bh_sbiret){ error, value };
}

/* The buffer's address, or NULL when it is not the capsule's. */
static uint8_t *buffer(struct bh_vcpu *vc, unsigned long n,
		       unsigned long lo, unsigned long hi)
{
	if (hi || !bh_capsule_owns(bh_capsule_of(vc), lo, n))
		return NULL;
	return bh_arch_phys(lo);
}

static struct bh_sbiret console_write(struct bh_vcpu *vc,
				      unsigned long n, unsigned long lo,
				      unsigned long hi)
{
	const uint8_t *buf = buffer(vc, n, lo, hi);

	if (!buf)
		return result(SBI_ERR_INVALID_PARAM, 0);
	if (n > BH_DBCN_CHUNK)
		n = BH_DBCN_CHUNK;
	bh_console_write((uint32_t)vc->capsule, buf, n);
	return result(SBI_SUCCESS, n);
}

static struct bh_sbiret console_read(struct bh_vcpu *vc,
				     unsigned long n, unsigned long lo,
				     unsigned long hi)
{
	uint8_t *buf = buffer(vc, n, lo, hi);
	unsigned long i;
	int ch;

	if (!buf)
		return result(SBI_ERR_INVALID_PARAM, 0);
	if (n > BH_DBCN_CHUNK)
		n = BH_DBCN_CHUNK;
	for (i = 0; i < n; i++) {
		ch = bh_console_getc((uint32_t)vc->capsule);
		if (ch < 0)
			break;
		buf[i] = (uint8_t)ch;
	}
	return result(SBI_SUCCESS, i);
}

struct bh_sbiret bh_sbi_dbcn(struct bh_vcpu *vc, unsigned long fid,
			     const unsigned long *args)
{
	switch (fid) {
	case DBCN_CONSOLE_WRITE:
		return console_write(vc, args[0], args[1], args[2]);
	case DBCN_CONSOLE_READ:
		return console_read(vc, args[0], args[1], args[2]);
	case DBCN_CONSOLE_WRITE_BYTE:
		bh_console_putc((uint32_t)vc->capsule, (uint8_t)args[0]);
		return result(SBI_SUCCESS, 0);
	default:
		return result(SBI_ERR_NOT_SUPPORTED, 0);
	}
}
