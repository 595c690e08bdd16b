# SPDX-License-Identifier: MIT
"""sifive-u-linux end to end: a Debian Linux capsule with 2 vCPUs beside a
bare-metal `hello` capsule on QEMU sifive_u, the second machine.

Boots `make run CONFIG=sifive-u-linux`, logs into linux0 through the console
focus keys and checks: its hostname, its 2 vCPUs online, MemTotal fits its memory,
each CPU's device-tree node says the U54's ISA and Sv39 (the hart it runs
on, not the E51 monitor core) and the kernel pages with Sv39. Meanwhile
hello0 passes every check it can on this board. Then linux0 powers off and
QEMU exits by itself (the hypervisor resets the machine through its GPIO
restart pin, which QEMU run with -no-reboot turns into an exit).

The whole console is kept in build/sifive-u-linux/test_sifive_linux.log.
"""

import re

import pytest

import qemu
from linux_console import ISSUE, Capsule, check_identity, spawn, wait_for_exit
from qemu import ROOT

CONFIG = "sifive-u-linux"
CAPSULES = [c["name"] for c in qemu.load_config(CONFIG)["capsules"]]
LINUX, HELLO = CAPSULES
LOG = ROOT / "build" / CONFIG / "test_sifive_linux.log"
BOOT_TIMEOUT = 180  # every capsule to its login prompt
EXIT_TIMEOUT = 60


class Streams:
    """What qemu.hello_problems reads of a boot: the lines of one stream."""

    def __init__(self, console):
        self.console = console

    def lines(self, name):
        return self.console.stream(name).splitlines()


@pytest.fixture(scope="module")
def system():
    qemu.build(CONFIG)
    yield from spawn(CONFIG, LOG)


def check_isa_and_paging(console, linux):
    """The U54's ISA and Sv39 in every CPU node, and the kernel uses Sv39."""
    for cpu in range(qemu.capsule_config(CONFIG, LINUX)["vcpus"]):
        node = f"/proc/device-tree/cpus/cpu@{cpu}"
        # Device-tree strings end in NUL: a separator like any other here.
        said = linux.run(f"cat {node}/riscv,isa; echo; cat {node}/mmu-type").replace(
            "\0", " ").split()
        if said != ["rv64imafdc_zicsr_zifencei", "riscv,sv39"]:
            console.fail(f"{LINUX}: cpu@{cpu} says {said}, expected the U54's "
                         "rv64imafdc_zicsr_zifencei and riscv,sv39")
    modes = set(re.findall(r"^mmu\s*:\s*(\S+)$", linux.run("cat /proc/cpuinfo"),
                           re.MULTILINE))
    if modes != {"sv39"}:
        console.fail(f"{LINUX}: /proc/cpuinfo says mmu {sorted(modes)}, expected sv39")


def test_linux_beside_hello_on_sifive_u(system):
    console = system
    linux = Capsule(console, LINUX, BOOT_TIMEOUT)
    console.wait_for(LINUX, re.escape(ISSUE), BOOT_TIMEOUT, "getty's banner (/etc/issue)")
    linux.login()
    check_identity(console, linux)
    check_isa_and_paging(console, linux)

    console.wait_for(HELLO, r"hello: done\n", BOOT_TIMEOUT, "hello's last line")
    problems = qemu.hello_problems(Streams(console), CONFIG, HELLO)
    if problems:
        console.fail(f"{HELLO}:\n  " + "\n  ".join(problems))

    linux.poweroff()
    wait_for_exit(console, EXIT_TIMEOUT)
    if "powering off: every capsule ended cleanly" not in console.stream("bulkhead"):
        console.fail("the hypervisor did not log 'powering off: every capsule ended "
                     "cleanly'")
