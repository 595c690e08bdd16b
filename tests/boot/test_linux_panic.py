# SPDX-License-Identifier: MIT
"""A Linux kernel panic ends in the capsule's on-fault policy (issue 8,
item 12), on configs/qemu-linux-panic.yaml.

The `linux` guest's manifest appends `panic=-1 reboot=panic_warm` to every
Linux capsule's bootargs, so a panicking kernel reboots at once with an SBI
SRST *warm* reboot, and says `warm-reboot: panic`, so the hypervisor applies
`on-fault` instead of `on-reboot`. The panicker (rdinit names no program,
no root file system) must panic, restart once (restart-limit 1), panic
again and stay halted; QEMU exits by itself with the unclean status. A
hello capsule beside it passes every check.
"""

import pytest

import qemu

CONFIG = "qemu-linux-panic"
BOOT_TIMEOUT = 300  # hang guard for two Linux boots, not a speed target
PANICKED = ("capsule panicker panicked (its guest's SBI warm reboot means a panic); ")


@pytest.fixture(scope="module")
def boot():
    return qemu.build_and_run(CONFIG, BOOT_TIMEOUT)


def test_qemu_exits_by_itself_with_the_unclean_status(boot):
    qemu.assert_exited_with(boot, qemu.UNCLEAN_EXIT,
                            f"QEMU still ran after {BOOT_TIMEOUT} s (killed): a Linux "
                            "panic hung instead of ending in the on-fault policy",
                            why="a capsule halted by on-fault ended uncleanly")


def test_the_kernel_panicked_on_every_boot(boot):
    panics = [line for line in boot.lines("panicker") if "Kernel panic - not syncing" in line]
    if len(panics) != 2:
        qemu.fail(boot, f"expected 2 kernel panics (one restart), saw {len(panics)}")


def test_each_panic_applied_on_fault_restart_then_halt(boot):
    ends = [line[len(PANICKED):] for line in boot.lines("bulkhead")
            if line.startswith(PANICKED)]
    if ends != ["restarting", "halted"]:
        qemu.fail(boot, f"on-fault with restart-limit 1 means 'restarting' then "
                        f"'halted' after '{PANICKED}', got {ends}")
    if any("rebooted" in line for line in boot.lines("bulkhead")):
        qemu.fail(boot, "a panic was taken for an ordinary reboot (on-reboot)")


def test_bystander_unaffected(boot):
    problems = qemu.hello_problems(boot, CONFIG, "bystander")
    if problems:
        qemu.fail(boot, "bystander:\n  " + "\n  ".join(problems))
