// SPDX-License-Identifier: MIT
/* SBI v0.1 console calls: one result in a0, no error code. */
#include "bulkhead/console.h"
#include "bulkhead/sbi.h"

struct bh_sbiret bh_sbi_legacy_putchar(struct bh_vcpu *vc,
				       unsigned long fid,
				       const unsigned long *args)
{
	(void)fid;
	bh_console_putc((uint32_t)vc->capsule, (uint8_t)args[0]);
	return (struct bh_sbiret){ 0, 0 };
}

struct bh_sbiret bh_sbi_legacy_getchar(struct bh_vcpu *vc,
				       unsigned long fid,
				       const unsigned long *args)
{
	(void)fid;
	(void)args;
	return (struct bh_sbiret){ bh_console_getc((uint32_t)vc->capsule), 0 };
}
