/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's architectural state as S-mode sees it: every CSR it can write,
 * and f0-f31 with fcsr when it has an FPU. Saved at each entry (start.S),
 * dirtied on purpose before a stop, reboot or suspend, and checked against
 * the reset values Bulkhead promises (docs/design.md, "vCPU state").
 */
#ifndef GUEST_STATE_H
#define GUEST_STATE_H

/* Byte offsets, shared with state.S. */
#define STATE_SSTATUS		0
#define STATE_SIE		8
#define STATE_SIP		16
#define STATE_STVEC		24
#define STATE_SSCRATCH		32
#define STATE_SEPC		40
#define STATE_SCAUSE		48
#define STATE_STVAL		56
#define STATE_SATP		64
#define STATE_SCOUNTEREN	72
#define STATE_SENVCFG		80
#define STATE_HAS_FP		88
#define STATE_FCSR		96
#define STATE_F			104
#define STATE_SIZE		(STATE_F + 32 * 8)

#define RESUME_RA		0
#define RESUME_SP		8
#define RESUME_GP		16
#define RESUME_TP		24
#define RESUME_S		32	/* s0..s11 */
#define RESUME_STATE		(RESUME_S + 12 * 8)

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct arch_state {
	unsigned long sstatus, sie, sip, stvec, sscratch, sepc, scause, stval;
	unsigned long satp, scounteren, senvcfg;
	unsigned long has_fp;	/* sstatus.FS could be turned on */
	unsigned long fcsr;
	uint64_t f[32];
};

_Static_assert(offsetof(struct arch_state, has_fp) == STATE_HAS_FP, "state");
_Static_assert(offsetof(struct arch_state, f) == STATE_F, "state");
_Static_assert(sizeof(struct arch_state) == STATE_SIZE, "state");

/* What suspend_non_retentive() needs to come back, and the state it found. */
struct resume_ctx {
	unsigned long ra, sp, gp, tp, s[12];
	struct arch_state state;	/* as the hart resumed */
};

_Static_assert(offsetof(struct resume_ctx, state) == RESUME_STATE, "resume");

/* Each hart's state as it entered (_start or _secondary_start) last. */
extern struct arch_state entry_state[];

/* Read the state into *s; FS is as it was afterwards. */
void arch_state_save(struct arch_state *s);

/*
 * Give every register in struct arch_state a value that is not its reset
 * value (sstatus.SIE stays 0). stvec becomes garbage too: the caller takes
 * no trap before it stops, reboots or suspends non-retentively.
 */
void arch_state_dirty(void);

/*
 * SBI HSM non-retentive suspend that returns like a function: 0 after the
 * resume (ctx->state holds what the hart resumed with), else the SBI error.
 * The callee-saved registers, gp and tp are restored, stvec is the
 * runtime's trap vector again.
 */
long suspend_non_retentive(struct resume_ctx *ctx);

/*
 * 0 when s holds the reset values; else -1 and the first wrong register in
 * why. at_resume: sip is not checked (what woke the hart stays pending).
 */
int arch_state_check(const struct arch_state *s, int at_resume, char *why,
		     size_t len);

#endif /* __ASSEMBLER__ */
#endif
