# SPDX-License-Identifier: MIT
"""may-reset-system on qemu-reset: `boss` (a hello capsule with the
permission) ends with SBI SRST shutdown, which must power off the whole
board while `victim` is still running. The opposite case, a capsule
without the permission stopping only itself, is in test_attack.py.
"""

import pytest

import qemu

CONFIG = "qemu-reset"
BOOT_TIMEOUT = 120  # hang guard, not a speed target


@pytest.fixture(scope="module")
def boot():
    return qemu.build_and_run(CONFIG, BOOT_TIMEOUT)


def test_boss_shutdown_powers_off_the_board(boot):
    qemu.assert_exited_cleanly(boot, f"QEMU still ran after {BOOT_TIMEOUT} s: boss's "
                                     "SRST shutdown did not power off the board")
    problems = qemu.hello_problems(boot, CONFIG, "boss")
    if problems:
        qemu.fail(boot, "boss:\n  " + "\n  ".join(problems))


def test_victim_was_still_running(boot):
    victim = boot.lines("victim")
    if any(line.startswith("victim: done") for line in victim):
        qemu.fail(boot, "the victim shut itself down; it should have been cut off by boss")
    stopped = [line for line in boot.lines("bulkhead") if line.startswith("capsule victim")
               and ("powered off" in line or "halted" in line)]
    if stopped:
        qemu.fail(boot, f"the hypervisor stopped the victim on its own: {stopped}")
    failures = [line for line in victim if line.startswith("FAIL")]
    if failures:
        qemu.fail(boot, "victim: " + "\n".join(failures))


def test_no_panic(boot):
    qemu.assert_no_panic(boot)
