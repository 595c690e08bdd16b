# SPDX-License-Identifier: MIT
"""qemu-hello end to end: two bare-metal `hello` capsules on the PMP backend.

Builds `make CONFIG=qemu-hello`, boots `make run` with no terminal on stdin
and expects, for every capsule, one PASS line per self-check of
guests/hello/hello.c (qemu.HELLO_CHECKS; among them `delegation`: ebreak and
an illegal instruction reach the guest's stvec with the right scause, sepc,
stval and sstatus, and `forwarding`: so do access faults the hypervisor
forwards), no FAIL line, the device tree the config describes
(vCPU count, memory size, bootargs, timebase), and QEMU to exit by itself
with status 0 once both capsules have shut down. The whole console is kept
in build/qemu-hello/boot.log.
"""

import re

import pytest

import qemu

CONFIG = "qemu-hello"
BOOT_TIMEOUT = 120  # hang guard for the whole boot, not a speed target

HEADER = re.compile(r"^hello: vhart (\d+) of (\d+), memory ([0-9a-f]+)\+([0-9a-f]+), "
                    r"timebase (\d+)(, sstc)?, bootargs \"(.*)\"$")
UART_LINE = re.compile(r"^hello: uart ns16550 at ([0-9a-f]+) works$")

CONFIG_DATA = qemu.load_config(CONFIG)
BOARD = qemu.load_board(CONFIG)
CAPSULES = [c["name"] for c in CONFIG_DATA["capsules"]]


def parse_size(text):
    m = re.fullmatch(r"(\d+)\s*([KMG]i?B)?", str(text))
    assert m, f"cannot read size {text!r} in configs/{CONFIG}.yaml"
    unit = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, None: 1}
    return int(m.group(1)) * unit[m.group(2)]


def capsule_config(name):
    return qemu.capsule_config(CONFIG, name)


@pytest.fixture(scope="module")
def boot():
    return qemu.build_and_run(CONFIG, BOOT_TIMEOUT)


def test_qemu_exits_by_itself(boot):
    qemu.assert_exited_cleanly(
        boot, f"QEMU still ran after {BOOT_TIMEOUT} s (killed)",
        why_status_0="the hypervisor powers off when the last capsule is off, "
                     "and every capsule shut down cleanly")
    if "powering off: every capsule ended cleanly" not in boot.lines("bulkhead"):
        qemu.fail(boot, "the hypervisor did not log 'powering off: every capsule "
                        "ended cleanly'")


def test_no_panic(boot):
    qemu.assert_no_panic(boot)


def test_vcpu_entries_are_not_logged_at_info_level(boot):
    """qemu-hello runs at log-level info; the per-entry PMP digest lines are
    debug messages, so a guest starting and stopping harts in a loop cannot
    flood the console with them."""
    entries = [line for line in boot.lines("bulkhead") if " pmp " in line]
    if entries:
        qemu.fail(boot, f"vCPU entry/exit logged at info level: {entries[:3]}")


@pytest.mark.parametrize("name", CAPSULES)
def test_every_check_passes(boot, name):
    problems = qemu.hello_problems(boot, CONFIG, name)
    if problems:
        qemu.fail(boot, f"{name}:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("name", CAPSULES)
def test_guest_sees_its_device_tree(boot, name):
    capsule = capsule_config(name)
    headers = [m for m in map(HEADER.match, boot.lines(name)) if m]
    if len(headers) != 1:
        qemu.fail(boot, f"{name}: expected one 'hello: vhart ...' line, found {len(headers)}")
    vhart, vcpus, base, size, timebase, sstc, bootargs = headers[0].groups()
    want = {
        "boot vhart": (int(vhart), 0),
        "vCPU count": (int(vcpus), capsule["vcpus"]),
        "memory size": (int(size, 16), parse_size(capsule["memory"]["size"])),
        "timebase": (int(timebase), BOARD["timebase-frequency"]),
        "sstc in the ISA": (bool(sstc), "sstc" in capsule.get(
            "isa-extensions", BOARD["isa"]["extensions"])),
        "bootargs": (bootargs, capsule["payload"].get("bootargs", "")),
    }
    if "base" in capsule["memory"]:
        want["memory base"] = (int(base, 16), int(str(capsule["memory"]["base"]), 0))
    wrong = [f"{what}: guest saw {got!r}, config says {exp!r}"
             for what, (got, exp) in want.items() if got != exp]
    if wrong:
        qemu.fail(boot, f"{name}: " + "; ".join(wrong))


@pytest.mark.parametrize("name", CAPSULES)
def test_consoles_reach_the_capsule_stream(boot, name):
    """DBCN and the virtual UART both end up as `[name] ` lines; the UART is
    at the board console's address."""
    lines = boot.lines(name)
    if "hello: dbcn console_write works" not in lines:
        qemu.fail(boot, f"{name}: the DBCN console_write line is missing")
    if qemu.hello_expected(CONFIG, name)["uart"] != "PASS":
        return
    uarts = [m for m in map(UART_LINE.match, lines) if m]
    if len(uarts) != 1:
        qemu.fail(boot, f"{name}: expected one line written through the virtual UART, "
                        f"found {len(uarts)}")
    console = BOARD["devices"][BOARD["hypervisor-devices"]["console"]]
    if int(uarts[0].group(1), 16) != console["base"]:
        qemu.fail(boot, f"{name}: virtual UART at {uarts[0].group(1)}, the board console "
                        f"is at {console['base']:#x}")
