# SPDX-License-Identifier: MIT
"""Capsule-fault policies on qemu-faults (docs/security.md, "Fault policies").

Three `faulter` capsules break their trap vector and fault, each in its own
way (bootargs mode=illegal|forward|double). A capsule with `on-fault:
restart` must start again, memory cleared, exactly restart-limit times and
then stay halted; one with `on-fault: halt` must start once. Nothing a
faulter prints after its start line may appear (the fault was contained),
the hypervisor must log each fault, and the `hello` bystander must pass all
of its checks. QEMU must exit by itself with the status that says a
capsule ended uncleanly (docs/design.md, "Exit status"): every faulter ends
halted.
"""

import re

import pytest

import qemu

CONFIG = "qemu-faults"
BOOT_TIMEOUT = 120  # hang guard, not a speed target

CAPSULES = qemu.load_config(CONFIG)["capsules"]
FAULTERS = [c for c in CAPSULES if c["payload"].get("guest") == "faulter"]
BYSTANDERS = [c["name"] for c in CAPSULES if c["payload"].get("guest") == "hello"]


@pytest.fixture(scope="module")
def boot():
    return qemu.build_and_run(CONFIG, BOOT_TIMEOUT)


def starts_expected(capsule):
    if capsule.get("on-fault", "halt") == "restart":
        return 1 + capsule.get("restart-limit", 3)
    return 1


def test_qemu_exits_by_itself_with_the_unclean_status(boot):
    qemu.assert_exited_with(boot, qemu.UNCLEAN_EXIT,
                            f"QEMU still ran after {BOOT_TIMEOUT} s (killed): "
                            "a faulting capsule was neither halted nor counted as off",
                            why="capsules halted by on-fault ended uncleanly")
    want = f"powering off: {len(FAULTERS)} capsules ended uncleanly, exit status {qemu.UNCLEAN_EXIT}"
    if want not in boot.lines("bulkhead"):
        qemu.fail(boot, f"the hypervisor did not log '{want}'")


def test_no_panic(boot):
    qemu.assert_no_panic(boot, why="a capsule fault must not stop the hypervisor")


@pytest.mark.parametrize("capsule", FAULTERS, ids=[c["name"] for c in FAULTERS])
def test_fault_policy(boot, capsule):
    name = capsule["name"]
    mode = re.search(r"mode=(\w+)", capsule["payload"]["bootargs"]).group(1)
    lines = boot.lines(name)
    starts = [line for line in lines if line == f"faulter: start, mode {mode}"]
    others = [line for line in lines if line not in starts]
    want = starts_expected(capsule)
    if others:
        qemu.fail(boot, f"{name}: printed after its fault, which was not contained: {others}")
    if len(starts) != want:
        qemu.fail(boot, f"{name}: started {len(starts)} times; on-fault "
                        f"{capsule.get('on-fault', 'halt')} with restart-limit "
                        f"{capsule.get('restart-limit', 3)} means {want}")
    logged = [line for line in boot.lines("bulkhead")
              if line.startswith(f"capsule {name} faulted")]
    if len(logged) != want:
        qemu.fail(boot, f"{name}: the hypervisor logged {len(logged)} faults, expected {want}")


@pytest.mark.parametrize("name", BYSTANDERS)
def test_bystander_unaffected(boot, name):
    problems = qemu.hello_problems(boot, CONFIG, name)
    if problems:
        qemu.fail(boot, f"{name}:\n  " + "\n  ".join(problems))
