// SPDX-License-Identifier: MIT
/*
 * Capsule lifecycle: a restart (reboot, restart-on-fault) brings back the
 * pristine payloads in cleared memory and starts vCPU 0; a halt leaves the
 * capsule off; the board powers off when the last capsule is off, with
 * the failure exit status when a capsule ended uncleanly.
 */
#include <string.h>

#include "bulkhead/capsule.h"
#include "bulkhead/mailbox.h"
#include "bulkhead/sbi.h"
#include "fake.h"
#include "runner.h"

/* Stop alpha from hart h; returns how the stopping hart left. */
static int stop_alpha(uint32_t h, enum bh_policy then, const char *why)
{
	int how;

	fake.hart = h;
	/* alpha's other vCPU parks when it sees the STOP. */
	vcpu_on(h ^ 1)->parked = 1;
	how = setjmp(fake.leave);
	if (!how)
		bh_capsule_stop(vcpu_on(h), then, why);
	return how;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

TEST(restart_reloads_the_pristine_payload_into_cleared_memory)
{
	uint8_t *mem = guest_ptr(ALPHA_BASE);
	int how;

	memset(fake.store, 0x5a, ALPHA_PAYLOAD);
	memset(mem, 0xee, FAKE_MEM_SIZE);	/* the guest's own writes */
	how = stop_alpha(0, BH_POLICY_RESTART, "rebooted");
	CHECK(how == FAKE_PARKED && fake.parked_hart == 0);
	CHECK(all_bytes(mem, ALPHA_PAYLOAD, 0x5a));
	CHECK(all_bytes(mem + ALPHA_PAYLOAD, FAKE_MEM_SIZE - ALPHA_PAYLOAD, 0));
	CHECK(!fake.stray);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_RUNNING);
	/* vCPU 0 starts again at the entry with the DTB; vCPU 1 stays off. */
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_START_PENDING);
	CHECK(vcpu_on(0)->start_addr == bh_capsules[0].entry);
	CHECK(vcpu_on(0)->start_arg == bh_capsules[0].dtb);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_STOPPED);
	CHECK(strstr(take_output(), "capsule alpha rebooted; restarting"));
}

TEST(restart_asked_from_vcpu_1_starts_vcpu_0_on_its_hart)
{
	int how = stop_alpha(1, BH_POLICY_RESTART, "rebooted");

	CHECK(how == FAKE_PARKED && fake.parked_hart == 1);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_START_PENDING);
	CHECK(vcpu_on(0)->mailbox & BH_MSG_START);
}

TEST(halt_leaves_memory_alone_and_the_board_on_while_others_run)
{
	uint8_t *mem = guest_ptr(ALPHA_BASE);
	int how;

	memset(mem, 0xee, FAKE_MEM_SIZE);
	how = stop_alpha(0, BH_POLICY_HALT, "powered off");
	CHECK(how == FAKE_PARKED);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_OFF);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_STOPPED);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_STOPPED);
	CHECK(all_bytes(mem, FAKE_MEM_SIZE, 0xee));
	CHECK(!strstr(take_output(), "all capsules are off"));
}

TEST(the_board_powers_off_when_the_last_capsule_is_off)
{
	int how;

	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	how = stop_alpha(0, BH_POLICY_HALT, "powered off");
	CHECK(how == FAKE_POWEROFF);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_OFF);
	CHECK(strstr(take_output(), "all capsules are off"));
}

TEST(a_capsule_already_stopping_only_parks_the_late_hart)
{
	int how;

	bh_capsule_states[0].run = BH_CAPSULE_STOPPING;
	how = stop_alpha(1, BH_POLICY_RESTART, "rebooted");
	CHECK(how == FAKE_PARKED && fake.parked_hart == 1);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_STOPPING);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_STARTED);
}

/* hart h calls HSM hart_stop, then parks as bh_vcpu_before_return does. */
static int hart_stop(uint32_t h)
{
	static const unsigned long args[6];
	struct bh_sbiret r;
	int how;

	fake.hart = h;
	r = bh_sbi_hsm(vcpu_on(h), 1, args);
	if (r.error || vcpu_on(h)->leave != BH_LEAVE_HART_STOP)
		return -1;
	how = setjmp(fake.leave);
	if (!how)
		bh_vcpu_park(vcpu_on(h));
	return how;
}

TEST(a_capsule_whose_vcpus_all_hart_stop_is_off)
{
	vcpu_on(1)->hsm_state = BH_HSM_STARTED;
	CHECK(hart_stop(1) == FAKE_PARKED);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_RUNNING);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_STOPPED);
	CHECK(!strstr(take_output(), "stopped all its vCPUs"));
	/* The last one applies on_poweroff (halt): off, beta still runs. */
	CHECK(hart_stop(0) == FAKE_PARKED);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_OFF);
	CHECK(vcpu_on(0)->hsm_state == BH_HSM_STOPPED);
	CHECK(strstr(take_output(), "capsule alpha stopped all its vCPUs; halted"));
	CHECK(bh_capsule_states[1].run == BH_CAPSULE_RUNNING);
}

TEST(the_last_vcpu_to_stop_powers_the_board_off_after_the_last_capsule)
{
	CHECK(hart_stop(2) == FAKE_PARKED);	/* beta: its only vCPU */
	CHECK(bh_capsule_states[1].run == BH_CAPSULE_OFF);
	CHECK(hart_stop(0) == FAKE_POWEROFF);	/* alpha's vCPU 1 never ran */
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_OFF);
	CHECK(strstr(take_output(), "powering off: every capsule ended cleanly"));
}

TEST(a_vcpu_whose_start_is_pending_keeps_the_capsule_alive)
{
	static const unsigned long start[6] = { 1, ALPHA_BASE, 0 };

	fake.hart = 0;
	CHECK(bh_sbi_hsm(vcpu_on(0), 0, start).error == SBI_SUCCESS);
	CHECK(hart_stop(0) == FAKE_PARKED);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_RUNNING);
	CHECK(vcpu_on(1)->hsm_state == BH_HSM_START_PENDING);
}

TEST(vcpus_stopping_or_suspended_keep_the_capsule_alive)
{
	vcpu_on(1)->hsm_state = BH_HSM_STOP_PENDING;	/* parks next */
	CHECK(hart_stop(0) == FAKE_PARKED);
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_RUNNING);
	vcpu_on(0)->hsm_state = BH_HSM_SUSPENDED;
	fake.hart = 1;
	if (!setjmp(fake.leave))
		bh_vcpu_park(vcpu_on(1));
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_RUNNING);
	/* Once both are parked the second one turned the capsule off. */
	vcpu_on(0)->hsm_state = BH_HSM_STOPPED;
	vcpu_on(1)->hsm_state = BH_HSM_STOP_PENDING;
	if (!setjmp(fake.leave))
		bh_vcpu_park(vcpu_on(1));
	CHECK(bh_capsule_states[0].run == BH_CAPSULE_OFF);
}

/* The capsule on hart h calls SBI SRST; the hart then leaves as vcpu.c does. */
static int srst_and_leave(uint32_t h, unsigned long type, unsigned long reason)
{
	unsigned long args[6] = { type, reason };
	struct bh_sbiret r;
	int how;

	fake.hart = h;
	r = bh_sbi_srst(vcpu_on(h), 0, args);
	if (r.error)
		return -1;
	if (h < 2)
		vcpu_on(h ^ 1)->parked = 1;
	how = setjmp(fake.leave);
	if (how)
		return how;
	if (vcpu_on(h)->leave == BH_LEAVE_SYSTEM_OFF)
		bh_capsule_power_off_board(vcpu_on(h));
	bh_capsule_stop(vcpu_on(h), BH_POLICY_HALT, "powered off");
}

/* beta (hart 2, on-fault halt) faults and is halted. */
static void halt_beta_by_fault(void)
{
	fake.hart = 2;
	if (!setjmp(fake.leave))
		bh_capsule_fault(vcpu_on(2), 2, BETA_BASE, 0, "test");
}

TEST(every_capsule_shut_down_without_a_reason_powers_off_with_status_0)
{
	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	bh_capsule_states[1].end = BH_END_CLEAN;
	CHECK(srst_and_leave(0, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE) ==
	      FAKE_POWEROFF);
	CHECK(bh_capsule_states[0].end == BH_END_CLEAN);
	CHECK(strstr(take_output(), "every capsule ended cleanly"));
}

TEST(a_shutdown_for_system_failure_makes_the_exit_status_a_failure)
{
	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	bh_capsule_states[1].end = BH_END_CLEAN;
	CHECK(srst_and_leave(0, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE) ==
	      FAKE_POWEROFF_FAIL);
	CHECK(fake.exit_code == BH_EXIT_CAPSULE_UNCLEAN);
	CHECK(bh_capsule_states[0].end == BH_END_FAILED);
	CHECK(strstr(take_output(), "1 capsule ended uncleanly, exit status 3"));
}

TEST(a_reboot_into_halt_counts_by_its_reason)
{
	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	bh_capsule_states[1].end = BH_END_CLEAN;
	CHECK(srst_and_leave(0, SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE) ==
	      FAKE_POWEROFF);
	fake_reset();
	bh_capsule_states[1].run = BH_CAPSULE_OFF;
	bh_capsule_states[1].end = BH_END_CLEAN;
	CHECK(srst_and_leave(0, SBI_SRST_WARM_REBOOT, 0xe0000000UL) ==
	      FAKE_POWEROFF_FAIL);
}

TEST(a_capsule_halted_by_a_fault_makes_the_exit_status_a_failure)
{
	halt_beta_by_fault();
	CHECK(bh_capsule_states[1].run == BH_CAPSULE_OFF);
	CHECK(bh_capsule_states[1].end == BH_END_HALTED);
	CHECK(srst_and_leave(0, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE) ==
	      FAKE_POWEROFF_FAIL);
	CHECK(fake.exit_code == BH_EXIT_CAPSULE_UNCLEAN);
}

TEST(a_capsule_that_may_reset_the_system_powers_off_by_its_reason)
{
	/* alpha still runs: cut off, it does not count. */
	CHECK(srst_and_leave(2, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE) ==
	      FAKE_POWEROFF);
	fake_reset();
	CHECK(srst_and_leave(2, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE) ==
	      FAKE_POWEROFF_FAIL);
	CHECK(fake.exit_code == BH_EXIT_CAPSULE_UNCLEAN);
}

TEST(a_clean_board_power_off_still_fails_when_a_capsule_had_halted)
{
	bh_capsule_states[0].run = BH_CAPSULE_OFF;
	bh_capsule_states[0].end = BH_END_HALTED;
	CHECK(srst_and_leave(2, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE) ==
	      FAKE_POWEROFF_FAIL);
}

TEST(a_guest_panic_applies_the_on_fault_policy_and_is_unclean)
{
	int how;

	fake.hart = 2;
	bh_capsule_states[0].run = BH_CAPSULE_OFF;
	bh_capsule_states[0].end = BH_END_CLEAN;
	how = setjmp(fake.leave);
	if (!how)
		bh_capsule_panicked(vcpu_on(2));
	CHECK(how == FAKE_POWEROFF_FAIL);
	CHECK(fake.exit_code == BH_EXIT_CAPSULE_UNCLEAN);
	CHECK(bh_capsule_states[1].end == BH_END_HALTED);
	CHECK(strstr(take_output(), "capsule beta panicked (its guest's SBI warm reboot means a panic); halted"));
}
