# SPDX-License-Identifier: MIT
"""configs/qemu-mixed.yaml: a Linux capsule and a bare-metal periodic
capsule sharing hart 0 of a 2-hart QEMU virt on a schedule.

Boots `make run CONFIG=qemu-mixed`; linux0 (its vCPU 0 shares hart 0 with
ctl, its vCPU 1 has hart 1 to itself) reaches its login prompt, logs in,
sees 2 CPUs and runs a command; meanwhile ctl keeps reporting its windows,
and its registers survive every switch (PASS state-survives). Without
-icount the window timings follow the host's scheduling of QEMU's threads,
so only their presence is checked here: tests/boot/test_sched.py measures
them exactly. QEMU is stopped at the end (ctl runs for ever).
"""

import re

import pytest

import qemu
from linux_console import ISSUE, Capsule, check_identity, spawn
from qemu import ROOT

CONFIG = "qemu-mixed"
LOG = ROOT / "build" / CONFIG / "test_mixed.log"
BOOT_TIMEOUT = 300
SUMMARY = r"windows: 1000 windows, length \d+\.\.\d+, period \d+\.\.\d+\n"


@pytest.fixture(scope="module")
def system():
    qemu.build(CONFIG)
    yield from spawn(CONFIG, LOG)


def test_linux_beside_a_periodic_capsule(system):
    console = system
    linux = Capsule(console, "linux0", BOOT_TIMEOUT)
    console.wait_for("linux0", re.escape(ISSUE), BOOT_TIMEOUT, "getty's banner")
    linux.login()
    check_identity(console, linux)
    out = linux.run("echo mixed-$((6 * 7))")
    if "mixed-42" not in out:
        console.fail(f"linux0: the command printed {out!r}")
    for _ in range(2):
        console.wait_for("ctl", SUMMARY, BOOT_TIMEOUT, "a summary of 1000 windows")
        console.wait_for("ctl", r"PASS state-survives: ", BOOT_TIMEOUT,
                         "its state check after those windows")
    if "FAIL" in console.stream("ctl"):
        console.fail("ctl reported a failed check")
