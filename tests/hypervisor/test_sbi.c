// SPDX-License-Identifier: MIT
/* SBI argument checks, hart-mask translation and extension behaviour. */
#include <limits.h>
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"
#include "fake.h"
#include "runner.h"

/* Make an SBI call from the vCPU on physical hart h. */
static struct bh_sbiret call(uint32_t h, unsigned long eid, unsigned long fid,
			     unsigned long a0, unsigned long a1,
			     unsigned long a2)
{
	struct bh_vcpu *vc = vcpu_on(h);

	fake.hart = h;
	vc->frame.regs[BH_REG_A7] = eid;
	vc->frame.regs[BH_REG_A6] = fid;
	vc->frame.regs[BH_REG_A0] = a0;
	vc->frame.regs[BH_REG_A1] = a1;
	vc->frame.regs[BH_REG_A2] = a2;
	bh_sbi_dispatch(vc);
	return (struct bh_sbiret){ (long)vc->frame.regs[BH_REG_A0],
				   vc->frame.regs[BH_REG_A1] };
}

TEST(ipi_mask_naming_vhart_beyond_capsule_is_rejected_and_sends_nothing)
{
	struct bh_sbiret r = call(0, SBI_EXT_IPI, 0, 1UL << 2, 0, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(fake.ipi_count == 0);
	/* vhart 0 is fine, vhart 2 is not: still nothing is sent. */
	r = call(0, SBI_EXT_IPI, 0, 0x5, 0, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(fake.ipi_count == 0);
}

TEST(ipi_base_minus_one_selects_exactly_the_capsules_harts)
{
	struct bh_sbiret r = call(0, SBI_EXT_IPI, 0, 0, -1UL, 0);

	CHECK(r.error == SBI_SUCCESS);
	CHECK(fake.ipi_count == 2);
	CHECK(fake.ipis[0] == 0 && fake.ipis[1] == 1);
	CHECK(vcpu_on(0)->mailbox == 0x1 && vcpu_on(1)->mailbox == 0x1);
	CHECK(vcpu_on(2)->mailbox == 0);
}

TEST(ipi_translates_virtual_to_physical_harts)
{
	struct bh_sbiret r = call(2, SBI_EXT_IPI, 0, 1, 0, 0);

	CHECK(r.error == SBI_SUCCESS);
	CHECK(fake.ipi_count == 1 && fake.ipis[0] == 2);
	r = call(0, SBI_EXT_IPI, 0, 1, 1, 0);	/* base 1: vhart 1 */
	CHECK(r.error == SBI_SUCCESS);
	CHECK(fake.ipi_count == 2 && fake.ipis[1] == 1);
}

TEST(ipi_mask_whose_base_wraps_around_is_rejected)
{
	struct bh_sbiret r = call(0, SBI_EXT_IPI, 0, 0x3, ULONG_MAX - 1, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(fake.ipi_count == 0);
	r = call(0, SBI_EXT_IPI, 0, 1, 0x8000000000000000UL, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(fake.ipi_count == 0);
}

TEST(ipi_empty_mask_sends_nothing)
{
	struct bh_sbiret r = call(0, SBI_EXT_IPI, 0, 0, 12345, 0);

	CHECK(r.error == SBI_SUCCESS);
	CHECK(fake.ipi_count == 0);
}

/* The translation as the specification words it: bit by bit. */
static long hart_mask_by_bits(unsigned long n, unsigned long mask,
			      unsigned long base, uint64_t *vcpus)
{
	uint64_t selected = 0;
	unsigned int bit;

	if (base == -1UL) {
		*vcpus = n >= 64 ? ~0ULL : (1ULL << n) - 1;
		return SBI_SUCCESS;
	}
	for (bit = 0; bit < 64; bit++) {
		unsigned long vhart = base + bit;

		if (!(mask & (1UL << bit)))
			continue;
		if (vhart < base || vhart >= n)
			return SBI_ERR_INVALID_PARAM;
		selected |= 1ULL << vhart;
	}
	*vcpus = selected;
	return SBI_SUCCESS;
}

TEST(hart_mask_agrees_with_the_bit_by_bit_translation)
{
	static const unsigned long counts[] = { 1, 2, 3, 5, 63, 64 };
	static const unsigned long masks[] = {
		0, 1, 2, 3, 4, 0x5, 0x10, 0xff, 1UL << 62, 1UL << 63,
		3UL << 62, 0x8000000000000001UL, ~0UL, 0x0123456789abcdefUL,
	};
	static const unsigned long bases[] = {
		0, 1, 2, 3, 4, 5, 62, 63, 64, 65, 1UL << 32, 1UL << 63,
		ULONG_MAX - 64, ULONG_MAX - 1, ULONG_MAX,
	};
	struct bh_capsule c = { .name = "wide" };
	size_t i, j, k;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		c.vcpu_count = counts[i];
		for (j = 0; j < sizeof(masks) / sizeof(masks[0]); j++) {
			for (k = 0; k < sizeof(bases) / sizeof(bases[0]); k++) {
				uint64_t got = 0xdead, want = 0xdead;
				long err = bh_sbi_hart_mask(&c, masks[j],
							    bases[k], &got);

				CHECK(err == hart_mask_by_bits(counts[i],
							       masks[j],
							       bases[k],
							       &want));
				CHECK(got == want);
			}
		}
	}
}

TEST(ipi_to_self_injects_ssip_when_served)
{
	struct bh_sbiret r = call(2, SBI_EXT_IPI, 0, 1, 0, 0);

	CHECK(r.error == SBI_SUCCESS);
	bh_mailbox_service(hart_state(2));
	CHECK(fake.ssip[2] == 1);
}

TEST(dbcn_write_inside_capsule_prints_with_prefix)
{
	static const char text[] = "hello\n";
	struct bh_sbiret r;

	memcpy(guest_ptr(ALPHA_BASE + 0x100), text, 6);
	r = call(0, SBI_EXT_DBCN, 0, 6, ALPHA_BASE + 0x100, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == 6);
	CHECK(!strcmp(take_output(), "[alpha] hello\r\n"));
}

TEST(dbcn_buffer_straddling_the_end_of_memory_is_rejected)
{
	uint64_t end = ALPHA_BASE + FAKE_MEM_SIZE;
	struct bh_sbiret r = call(0, SBI_EXT_DBCN, 0, 2, end - 1, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_DBCN, 1, 2, end - 1, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	/* The last byte alone is the capsule's. */
	*(char *)guest_ptr(end - 1) = 'x';
	r = call(0, SBI_EXT_DBCN, 0, 1, end - 1, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == 1);
}

TEST(dbcn_buffer_that_wraps_around_is_rejected)
{
	struct bh_sbiret r = call(0, SBI_EXT_DBCN, 0, 0x20, -0x10UL, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_DBCN, 0, ULONG_MAX, ALPHA_BASE + 8, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(!strcmp(take_output(), ""));
}

TEST(dbcn_buffer_in_another_capsule_or_high_half_is_rejected)
{
	struct bh_sbiret r = call(0, SBI_EXT_DBCN, 0, 4, BETA_BASE, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_DBCN, 1, 4, BETA_BASE, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_DBCN, 0, 4, ALPHA_BASE, 1);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_DBCN, 0, 4, 0x80000000UL, 0);	/* hypervisor */
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
}

TEST(dbcn_write_is_bounded_per_call)
{
	struct bh_sbiret r;

	memset(guest_ptr(ALPHA_BASE), 'a', 1000);
	r = call(0, SBI_EXT_DBCN, 0, 1000, ALPHA_BASE, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == BH_DBCN_CHUNK);
}

TEST(dbcn_read_returns_queued_input_of_the_focused_capsule)
{
	struct bh_sbiret r;

	fake.in = "ls\n";
	r = call(0, SBI_EXT_DBCN, 1, 8, ALPHA_BASE + 0x200, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == 3);
	CHECK(!memcmp(guest_ptr(ALPHA_BASE + 0x200), "ls\n", 3));
	/* beta is not focused: it gets nothing, and alpha's input stays. */
	fake.in = "x";
	r = call(2, SBI_EXT_DBCN, 1, 8, BETA_BASE, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == 0);
}

TEST(legacy_getchar_returns_minus_one_without_input_and_leaves_a1)
{
	struct bh_sbiret r = call(0, SBI_EXT_LEGACY_GETCHAR, 0, 0, 77, 0);

	CHECK(r.error == -1);
	CHECK(r.value == 77);
	fake.in = "q";
	r = call(0, SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0);
	CHECK(r.error == 'q');
}

TEST(unknown_extension_and_function_are_not_supported)
{
	uint64_t epc = vcpu_on(0)->frame.mepc;
	struct bh_sbiret r = call(0, 0x12345678, 0, 0, 0, 0);

	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
	CHECK(vcpu_on(0)->frame.mepc == epc + 4);
	r = call(0, SBI_EXT_BASE, 7, 0, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
	r = call(0, SBI_EXT_HSM, 4, 0, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
	r = call(0, SBI_EXT_TIME, 1, 0, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
}

TEST(base_reports_version_implementation_and_extensions)
{
	struct bh_sbiret r = call(0, SBI_EXT_BASE, 0, 0, 0, 0);

	CHECK(r.error == 0 && r.value == 0x02000000);
	r = call(0, SBI_EXT_BASE, 1, 0, 0, 0);
	CHECK(r.value == 0x42554c4b);
	r = call(0, SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0);
	CHECK(r.value == 1);
	r = call(0, SBI_EXT_BASE, 3, SBI_EXT_SRST, 0, 0);
	CHECK(r.value == 1);
	r = call(0, SBI_EXT_BASE, 3, 0x504d55, 0, 0);	/* PMU */
	CHECK(r.error == 0 && r.value == 0);
}

TEST(base_probe_answers_for_every_extension_it_serves)
{
	static const unsigned long served[] = {
		SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_GETCHAR, SBI_EXT_BASE,
		SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
		SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_BULKHEAD,
	};
	struct bh_sbiret r;
	size_t i;

	for (i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
		r = call(0, SBI_EXT_BASE, 3, served[i], 0, 0);
		CHECK(r.error == SBI_SUCCESS && r.value == 1);
	}
	/* The other legacy calls, e.g. set_timer and shutdown, are not. */
	r = call(0, SBI_EXT_BASE, 3, 0x00, 0, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == 0);
	r = call(0, SBI_EXT_BASE, 3, 0x08, 0, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == 0);
}

/*
 * The extension table is indexed by the EID's low bits: an EID that shares
 * its slot with a served extension, or differs from one only above bit 31,
 * or lands in an empty slot, is absent, and a call to it is not supported.
 */
TEST(eids_that_share_a_slot_or_find_none_are_absent)
{
	static const unsigned long absent[] = {
		0x00,				/* legacy set_timer: BASE's slot */
		0x20,				/* BASE's slot */
		0x06, 0x07, 0x08,		/* legacy calls: empty slots */
		0x504d55,			/* PMU: TIME's slot */
		SBI_EXT_TIME | 1UL << 32,
		SBI_EXT_BASE | 1UL << 63,
		SBI_EXT_LEGACY_PUTCHAR + BH_SBI_SLOTS,
		-1UL,
	};
	uint64_t epc = vcpu_on(0)->frame.mepc;
	struct bh_sbiret r;
	size_t i;

	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		r = call(0, SBI_EXT_BASE, 3, absent[i], 0, 0);
		CHECK(r.error == SBI_SUCCESS && r.value == 0);
		r = call(0, absent[i], 0, 0, 55, 0);
		CHECK(r.error == SBI_ERR_NOT_SUPPORTED && r.value == 55);
		CHECK(fake.ipi_count == 0 && fake.timer[0] == 0);
	}
	/* Every call stepped over its ecall, the unsupported ones too. */
	CHECK(vcpu_on(0)->frame.mepc == epc + 2 * 4 * i);
}

/* What the fast path reads: each served extension in its own slot. */
TEST(extension_table_holds_each_extension_in_its_slot)
{
	size_t i, served = 0;

	for (i = 0; i < BH_SBI_SLOTS; i++) {
		const struct bh_sbi_extension *ext = &bh_sbi_extensions[i];

		if (!ext->handler)
			continue;
		served++;
		CHECK(BH_SBI_SLOT(ext->eid) == i);
		CHECK(bh_sbi_find(ext->eid) == ext);
	}
	CHECK(served == 10);
}

TEST(base_reports_implementation_version_and_machine_ids)
{
	struct bh_sbiret r = call(0, SBI_EXT_BASE, 2, 0, 0, 0);

	CHECK(r.error == SBI_SUCCESS && r.value == BH_VERSION);
	r = call(0, SBI_EXT_BASE, 4, 0, 0, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == FAKE_MVENDORID);
	r = call(0, SBI_EXT_BASE, 5, 0, 0, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == FAKE_MARCHID);
	r = call(0, SBI_EXT_BASE, 6, 0, 0, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == FAKE_MIMPID);
}

/* The legacy calls (EIDs 0x00-0x0F) answer in a0 and leave a1 alone. */
TEST(legacy_putchar_answers_in_a0_only)
{
	struct bh_sbiret r = call(0, SBI_EXT_LEGACY_PUTCHAR, 0, 'x', 77, 0);

	CHECK(r.error == 0 && r.value == 77);
	r = call(0, SBI_EXT_BASE, 0, 0, 77, 0);
	CHECK(r.error == 0 && r.value == 0x02000000);
}

TEST(time_sets_this_harts_timer)
{
	struct bh_sbiret r = call(1, SBI_EXT_TIME, 0, 123456, 0, 0);

	CHECK(r.error == SBI_SUCCESS);
	CHECK(fake.timer[1] == 123456 && fake.timer[0] == 0);
}

TEST(hsm_start_checks_hart_and_address)
{
	struct bh_sbiret r = call(0, SBI_EXT_HSM, 0, 2, ALPHA_BASE, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_HSM, 0, 1, BETA_BASE, 0);
	CHECK(r.error == SBI_ERR_INVALID_ADDRESS);
	r = call(0, SBI_EXT_HSM, 0, 1, ALPHA_BASE + FAKE_MEM_SIZE - 1, 0);
	CHECK(r.error == SBI_ERR_INVALID_ADDRESS);
	r = call(0, SBI_EXT_HSM, 0, -1UL, ALPHA_BASE, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(fake.ipi_count == 0);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_STOPPED);
}

TEST(hsm_start_makes_the_vcpu_start_pending_once)
{
	struct bh_sbiret r = call(0, SBI_EXT_HSM, 0, 1, ALPHA_BASE + 0x40, 99);

	CHECK(r.error == SBI_SUCCESS);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_START_PENDING);
	CHECK(vcpu_on(1)->start_addr == ALPHA_BASE + 0x40);
	CHECK(vcpu_on(1)->start_arg == 99);
	CHECK(fake.ipi_count == 1 && fake.ipis[0] == 1);
	/* A pending start counts as started: SBI 2.0 has no other error. */
	r = call(0, SBI_EXT_HSM, 0, 1, ALPHA_BASE, 0);
	CHECK(r.error == SBI_ERR_ALREADY_AVAILABLE);
	CHECK(fake.ipi_count == 1);
	r = call(0, SBI_EXT_HSM, 0, 0, ALPHA_BASE, 0);
	CHECK(r.error == SBI_ERR_ALREADY_AVAILABLE);
	r = call(0, SBI_EXT_HSM, 2, 1, 0, 0);
	CHECK(r.error == SBI_SUCCESS && r.value == BH_HSM_START_PENDING);
}

TEST(hsm_start_refused_while_the_capsule_stops)
{
	struct bh_sbiret r;

	bh_capsule_states[0].run = BH_CAPSULE_STOPPING;
	r = call(0, SBI_EXT_HSM, 0, 1, ALPHA_BASE, 0);
	CHECK(r.error == SBI_ERR_FAILED);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_STOPPED && fake.ipi_count == 0);
}

TEST(hsm_get_status_uses_virtual_hart_ids)
{
	struct bh_sbiret r = call(2, SBI_EXT_HSM, 2, 0, 0, 0);

	CHECK(r.error == SBI_SUCCESS && r.value == BH_HSM_STARTED);
	r = call(2, SBI_EXT_HSM, 2, 1, 0, 0);	/* beta has one vCPU */
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
}

TEST(hsm_stop_parks_the_caller_after_the_call)
{
	struct bh_sbiret r = call(0, SBI_EXT_HSM, 1, 0, 0, 0);

	CHECK(r.error == SBI_SUCCESS);
	CHECK(vcpu_on(0)->leave == BH_LEAVE_HART_STOP);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_STOP_PENDING);
}

TEST(hsm_suspend_checks_type_and_resume_address)
{
	struct bh_sbiret r = call(0, SBI_EXT_HSM, 3, 1, 0, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_HSM, 3, 0x80000001UL, ALPHA_BASE, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_HSM, 3, SBI_HSM_SUSPEND_NON_RETENTIVE, BETA_BASE, 0);
	CHECK(r.error == SBI_ERR_INVALID_ADDRESS);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_STARTED);
}

TEST(hsm_suspend_waits_in_the_hart_loop_for_an_interrupt)
{
	struct bh_sbiret r;

	r = call(0, SBI_EXT_HSM, 3, SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
	CHECK(r.error == SBI_SUCCESS);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_SUSPENDED);
	CHECK(vcpu_on(0)->leave == BH_LEAVE_SUSPEND && !vcpu_on(0)->resume_at_start);
	vcpu_on(0)->leave = BH_LEAVE_NONE;	/* as bh_vcpu_leave does */
	fake.irq_pending = true;
	CHECK(run_hart(0) == FAKE_RESUMED && fake.ran == vcpu_on(0));
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_STARTED);
	r = call(0, SBI_EXT_HSM, 3, SBI_HSM_SUSPEND_NON_RETENTIVE,
		 ALPHA_BASE + 0x80, 5);
	CHECK(r.error == SBI_SUCCESS);
	CHECK(vcpu_on(0)->leave == BH_LEAVE_SUSPEND);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	CHECK(run_hart(0) == FAKE_ENTERED && fake.ran == vcpu_on(0));
	CHECK(fake.enter_pc == ALPHA_BASE + 0x80 && fake.enter_arg == 5);
}

TEST(a_suspended_vcpu_waits_until_its_interrupt)
{
	call(0, SBI_EXT_HSM, 3, SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	fake.stop_waiting = true;
	CHECK(run_hart(0) == FAKE_WAITED);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_SUSPENDED);
}

TEST(a_suspended_vcpu_wakes_to_be_stopped)
{
	call(0, SBI_EXT_HSM, 3, SBI_HSM_SUSPEND_NON_RETENTIVE, ALPHA_BASE, 0);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	bh_mailbox_post(vcpu_on(0), BH_MSG_STOP);
	fake.stop_waiting = false;
	/* The loop serves the mailbox, wakes it, and it leaves to park. */
	CHECK(run_hart(0) == FAKE_LEFT && vcpu_on(0)->stop_pending);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_STARTED);
}

TEST(srst_acts_on_the_capsule_unless_it_may_reset_the_system)
{
	struct bh_sbiret r = call(0, SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, 0, 0);

	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_SHUTDOWN);
	r = call(1, SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, 1, 0);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(1)->leave == BH_LEAVE_REBOOT);
	r = call(2, SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, 0, 0);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(2)->leave == BH_LEAVE_SYSTEM_OFF);
}

/* beta's guest warm-reboots only when it panicked (its manifest says so). */
TEST(srst_warm_reboot_of_a_guest_that_panics_so_is_a_panic)
{
	struct bh_sbiret r = call(2, SBI_EXT_SRST, 0, SBI_SRST_WARM_REBOOT, 0, 0);

	CHECK(r.error == SBI_SUCCESS && vcpu_on(2)->leave == BH_LEAVE_PANIC);
	r = call(2, SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, 0, 0);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(2)->leave == BH_LEAVE_SYSTEM_RESET);
	r = call(0, SBI_EXT_SRST, 0, SBI_SRST_WARM_REBOOT, 0, 0);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_REBOOT);
}

TEST(srst_rejects_reserved_types_and_reasons)
{
	struct bh_sbiret r = call(0, SBI_EXT_SRST, 0, 3, 0, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_SRST, 0, 0, 2, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_SRST, 0, 0xf0000000UL, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
	r = call(0, SBI_EXT_SRST, 0, 0, 0xdfffffffUL, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(vcpu_on(0)->leave == BH_LEAVE_NONE);
}

/* Bits a guest may leave in a register above a 32-bit parameter. */
#define UPPER	0xdeadbeef00000000UL

TEST(srst_type_is_32_bits_wide)
{
	struct bh_sbiret r = call(0, SBI_EXT_SRST, 0,
				  UPPER | SBI_SRST_COLD_REBOOT, 0, 0);

	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_REBOOT);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	r = call(0, SBI_EXT_SRST, 0, (1UL << 32) | SBI_SRST_SHUTDOWN, 0, 0);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_SHUTDOWN);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	/* The low 32 bits are still checked. */
	r = call(0, SBI_EXT_SRST, 0, UPPER | 3, 0, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_SRST, 0, UPPER | 0xf0000000UL, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
	CHECK(vcpu_on(0)->leave == BH_LEAVE_NONE);
}

TEST(srst_reason_is_32_bits_wide)
{
	struct bh_sbiret r = call(0, SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN,
				  UPPER | SBI_SRST_REASON_FAILURE, 0);

	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_SHUTDOWN);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	r = call(0, SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, 1UL << 63, 0);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_SHUTDOWN);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	/* SBI-specific and vendor reasons stay valid; reserved ones do not. */
	r = call(0, SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, UPPER | 0xf0000000UL, 0);
	CHECK(r.error == SBI_SUCCESS);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	r = call(0, SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, UPPER | 2, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(vcpu_on(0)->leave == BH_LEAVE_NONE);
}

TEST(hsm_suspend_type_is_32_bits_wide)
{
	struct bh_sbiret r;

	r = call(0, SBI_EXT_HSM, 3, UPPER | SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_SUSPEND);
	CHECK(!vcpu_on(0)->resume_at_start);
	vcpu_on(0)->hsm_state = BH_HSM_STARTED;
	r = call(0, SBI_EXT_HSM, 3, UPPER | SBI_HSM_SUSPEND_NON_RETENTIVE,
		 ALPHA_BASE + 0x80, 5);
	CHECK(r.error == SBI_SUCCESS && vcpu_on(0)->leave == BH_LEAVE_SUSPEND);
	CHECK(vcpu_on(0)->start_addr == ALPHA_BASE + 0x80);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	/* The low 32 bits are still checked, and so is the address. */
	r = call(0, SBI_EXT_HSM, 3, UPPER | 1, 0, 0);
	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	r = call(0, SBI_EXT_HSM, 3, UPPER | SBI_HSM_SUSPEND_NON_RETENTIVE,
		 BETA_BASE, 0);
	CHECK(r.error == SBI_ERR_INVALID_ADDRESS);
	CHECK(vcpu_on(0)->leave == BH_LEAVE_NONE);
}

TEST(dbcn_write_byte_and_legacy_putchar_use_the_low_byte)
{
	struct bh_sbiret r = call(0, SBI_EXT_DBCN, 2, UPPER | 0xff00 | 'o',
				  0, 0);

	CHECK(r.error == SBI_SUCCESS);
	call(0, SBI_EXT_LEGACY_PUTCHAR, 0, UPPER | 0x100 | 'k', 0, 0);
	call(0, SBI_EXT_DBCN, 2, UPPER | '\n', 0, 0);
	CHECK(!strcmp(take_output(), "[alpha] ok\r\n"));
}

TEST(hsm_suspend_wakes_on_the_multiplexed_timer)
{
	/* Without Sstc MTIP wakes the hart; only the poll makes it STIP. */
	call(0, SBI_EXT_HSM, 3, SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
	vcpu_on(0)->leave = BH_LEAVE_NONE;
	fake.timer_fired = true;
	CHECK(run_hart(0) == FAKE_RESUMED);
	CHECK(fake.timer_polls >= 1 && vcpu_on(0)->hsm_state == BH_HSM_STARTED);
}

TEST(rfence_fences_exactly_the_named_vcpus_and_waits)
{
	struct bh_sbiret r;

	fake.autoservice = true;
	r = call(0, SBI_EXT_RFENCE, 1, 0x2, 0, 0);	/* vhart 1 only */
	CHECK(r.error == SBI_SUCCESS);
	CHECK(fake.sfence[1] == 1 && fake.fence_i[1] == 0);
	CHECK(fake.last_fence[1].vma_all);	/* start 0, size 0: all */
	CHECK(fake.sfence[0] == 0 && fake.sfence[2] == 0);
	CHECK(vcpu_on(1)->fence_done == vcpu_on(1)->fence_req);
	r = call(0, SBI_EXT_RFENCE, 0, 0, -1UL, 0);	/* all: both vCPUs */
	CHECK(r.error == SBI_SUCCESS);
	CHECK(fake.fence_i[0] == 1 && fake.fence_i[1] == 1);
	CHECK(fake.sfence[0] == 0 && fake.sfence[1] == 1);	/* fence.i only */
	CHECK(fake.fence_i[2] == 0);
}

/* remote_sfence_vma(_asid)'s start_addr, size and asid (a2..a4). */
static struct bh_sbiret rfence_range(unsigned long fid, unsigned long start,
				     unsigned long size, unsigned long asid)
{
	vcpu_on(0)->frame.regs[BH_REG_A2 + 1] = size;
	vcpu_on(0)->frame.regs[BH_REG_A2 + 2] = asid;
	return call(0, SBI_EXT_RFENCE, fid, 0x2, 0, start);
}

TEST(rfence_passes_a_short_range_and_widens_a_long_one)
{
	const struct bh_fence *f = &fake.last_fence[1];

	fake.autoservice = true;
	CHECK(rfence_range(2, 0x40201000, 4096, (1UL << 32) | 9).error ==
	      SBI_SUCCESS);
	CHECK(f->vma && !f->vma_all && f->start == 0x40201000 && f->size == 4096);
	CHECK(f->asid_only && f->asid == 9);	/* the low 32 bits */
	CHECK(rfence_range(1, 0x40201000, 4096, 9).error == SBI_SUCCESS);
	CHECK(!f->vma_all && !f->asid_only);	/* sfence_vma: every asid */
	CHECK(rfence_range(2, 0x40201000, 4097, 9).error == SBI_SUCCESS);
	CHECK(f->vma_all && f->asid_only && f->asid == 9);	/* past a page */
	CHECK(rfence_range(1, 0x40000000, 65 * 4096, 0).error == SBI_SUCCESS);
	CHECK(f->vma_all && !f->asid_only);
	CHECK(rfence_range(1, 0x1000, -1UL, 0).error == SBI_SUCCESS);
	CHECK(f->vma_all);	/* size -1 */
	CHECK(rfence_range(1, -4096UL, 8192, 0).error == SBI_SUCCESS);
	CHECK(f->vma_all);	/* wraps */
}

TEST(rfence_with_a_bad_mask_requests_nothing)
{
	struct bh_sbiret r = call(0, SBI_EXT_RFENCE, 2, 0x4, 0, 0);

	CHECK(r.error == SBI_ERR_INVALID_PARAM);
	CHECK(vcpu_on(1)->fence_req == 0 && fake.ipi_count == 0);
	r = call(0, SBI_EXT_RFENCE, 3, 0x1, 0, 0);	/* hfence */
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED);
	CHECK(fake.ipi_count == 0);
}
