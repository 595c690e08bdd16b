/* SPDX-License-Identifier: MIT */
/* State and helpers shared by the attacker's attack groups. */
#ifndef ATTACKER_H
#define ATTACKER_H

#include <stdint.h>

struct region {
	unsigned long base;
	unsigned long size;
};

struct attacker {
	struct region own;
	struct region victim;
	struct region hypervisor;
	struct region pristine;		/* the hypervisor's copies of payloads */
	struct region clint, plic, uart, test, rtc, virtio, mrom, qemu_dtb;
	struct region fw_cfg;	/* the host settings the hypervisor reads */
	unsigned long hart;
	uint64_t settle;	/* timer ticks to wait for a stray IPI: 10 ms */
	int attacks;
	int failures;
};

extern struct attacker at;

enum access { LOAD64, STORE64, LOAD32, STORE32, FETCH };

/* One "PASS|FAIL attack <id>: <result>" line, counted. */
void verdict(int ok, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Access addr; it must fail with the matching access fault, stval = addr. */
void attempt(enum access a, const char *target, unsigned long addr);

/* The PLIC: shared registers emulated and masked, other contexts fault. */
void attack_plic(void);

/* mode=vuart: the virtual UART emulation and the guest page-table walk. */
void attack_vuart(void);

#endif
