# SPDX-License-Identifier: MIT
"""configs/qemu-shared.yaml end to end: two stock Linux capsules of two
vCPUs each sharing a 2-hart QEMU virt on a schedule.

Boots `make run CONFIG=qemu-shared`, waits for both capsules' login banners,
logs into each through the console focus keys and checks: the hostname is
the capsule's, 2 CPUs are online (each capsule has both harts, in its own
windows), MemTotal fits its memory, its network card got QEMU's DHCP
address and its virtio interrupts count (they reach it through the harts'
shared PLIC contexts, only in its windows), a command runs and its output
shows only in that capsule's stream. linux0 then reboots: its restart
(memory cleared and refilled from the pristine store) happens on the
shared harts while linux1 keeps its windows, and both answer afterwards.
Then both power off and QEMU exits by itself. The whole console is kept in build/qemu-shared/test_shared.log.
"""

import re
import secrets

import pytest

import qemu
from linux_console import ISSUE, Capsule, check_devices, check_identity, spawn, wait_for_exit
from qemu import ROOT

CONFIG = "qemu-shared"
LOG = ROOT / "build" / CONFIG / "test_shared.log"
# Both capsules to their login prompts, each with half of two harts.
BOOT_TIMEOUT = 300
EXIT_TIMEOUT = 60


@pytest.fixture(scope="module")
def system():
    qemu.build(CONFIG)
    yield from spawn(CONFIG, LOG)


def test_two_linux_capsules_share_two_harts(system):
    console = system
    capsules = {name: Capsule(console, name, BOOT_TIMEOUT) for name in console.capsules}
    for name in capsules:
        console.wait_for(name, re.escape(ISSUE), BOOT_TIMEOUT,
                         "getty's banner (/etc/issue)")
    markers = {}
    for name, capsule in capsules.items():
        capsule.login()
        check_identity(console, capsule)
        check_devices(console, capsule)
        markers[name] = f"marker-{name}-{secrets.token_hex(6)}"
        out = capsule.run(f"echo {markers[name]} $((6 * 7))")
        if f"{markers[name]} 42" not in out:
            console.fail(f"{name}: the command printed {out!r}")
    for name, marker in markers.items():
        for other in capsules:
            if other != name and marker in console.stream(other):
                console.fail(f"{name}'s marker {marker} shows in {other}'s output")
    rebooted, other = capsules["linux0"], capsules["linux1"]
    rebooted.focus()
    rebooted.run("echo before-reboot > /root/witness")
    rebooted.reboot()
    after = rebooted.run("cat /root/witness 2>&1")
    if "No such file" not in after:
        console.fail(f"linux0: /root/witness survived the reboot ({after!r})")
    check_identity(console, rebooted)
    other.focus()
    if "still-42" not in other.run("echo still-$((40 + 2))"):
        console.fail("linux1 stopped answering while linux0 restarted")
    for capsule in capsules.values():
        capsule.poweroff()
    wait_for_exit(console, EXIT_TIMEOUT)
