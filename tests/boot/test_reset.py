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
    qemu.build(CONFIG)
    return qemu.run_to_exit(CONFIG, timeout=BOOT_TIMEOUT)


def fail(boot, message):
    pytest.fail(f"{message}\n{boot.report(['boss', 'victim', 'bulkhead', ''])}\n"
                f"--- whole console: {boot.log_path()} ---", pytrace=False)


def test_boss_shutdown_powers_off_the_board(boot):
    if boot.timed_out:
        fail(boot, f"QEMU still ran after {BOOT_TIMEOUT} s: boss's SRST shutdown "
                   "did not power off the board")
    if boot.returncode != 0:
        fail(boot, f"make run exited with status {boot.returncode}, expected 0")
    problems = qemu.hello_problems(boot, CONFIG, "boss")
    if problems:
        fail(boot, "boss:\n  " + "\n  ".join(problems))


def test_victim_was_still_running(boot):
    victim = boot.lines("victim")
    if any(line.startswith("victim: done") for line in victim):
        fail(boot, "the victim shut itself down; it should have been cut off by boss")
    stopped = [line for line in boot.lines("bulkhead") if line.startswith("capsule victim")
               and ("powered off" in line or "halted" in line)]
    if stopped:
        fail(boot, f"the hypervisor stopped the victim on its own: {stopped}")
    failures = [line for line in victim if line.startswith("FAIL")]
    if failures:
        fail(boot, "victim: " + "\n".join(failures))


def test_no_panic(boot):
    panics = [line for line in boot.output.splitlines() if qemu.PANIC.search(line)]
    if panics:
        fail(boot, "panic on the console:\n" + "\n".join(panics))
