# SPDX-License-Identifier: MIT
"""sifive-u-linux end to end: a Debian Linux capsule with 2 vCPUs beside a
bare-metal `hello` capsule on QEMU sifive_u, the second machine.

Boots `make run CONFIG=sifive-u-linux`, logs into linux0 through the console
focus keys and checks: `nproc` is its 2 vCPUs, MemTotal fits its memory,
each CPU's device-tree node says the U54's ISA and Sv39 (the hart it runs
on, not the E51 monitor core) and the kernel pages with Sv39. Meanwhile
hello0 passes every check it can on this board. Then linux0 powers off and
QEMU exits by itself (the hypervisor resets the machine through its GPIO
restart pin, which QEMU run with -no-reboot turns into an exit).

The whole console is kept in build/sifive-u-linux/test_sifive_linux.log.
"""

import os
import re
import signal
import time

import pexpect
import pytest

import qemu
from linux_console import BOOT_TIMEOUT, ISSUE, KERNEL_RESERVE, Capsule, SystemConsole
from qemu import ROOT

CONFIG = "sifive-u-linux"
CAPSULES = [c["name"] for c in qemu.load_config(CONFIG)["capsules"]]
LINUX, HELLO = CAPSULES
LOG = ROOT / "build" / CONFIG / "test_sifive_linux.log"
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
    child = pexpect.spawn("make", ["--no-print-directory", "run", f"CONFIG={CONFIG}"],
                          cwd=str(ROOT), encoding="utf-8", codec_errors="replace",
                          dimensions=(50, 200))
    console = SystemConsole(child, CAPSULES, LOG)
    yield console
    console.save()
    if child.isalive():
        # pexpect made make the leader of its own session: QEMU goes too.
        os.killpg(child.pid, signal.SIGKILL)
        child.close(force=True)


def check_cpus_and_memory(console, linux):
    capsule = qemu.capsule_config(CONFIG, LINUX)
    cpus = linux.run("nproc").strip()
    if cpus != str(capsule["vcpus"]):
        console.fail(f"{LINUX}: nproc is {cpus!r}, the config gives {capsule['vcpus']} vCPUs")
    meminfo = linux.run("grep MemTotal /proc/meminfo")
    m = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    if not m:
        console.fail(f"{LINUX}: no MemTotal in {meminfo!r}")
    total = int(m.group(1)) << 10
    size = qemu.parse_size(capsule["memory"]["size"])
    if not size - KERNEL_RESERVE <= total <= size:
        console.fail(f"{LINUX}: MemTotal is {total >> 10} kB; a {size >> 20} MiB capsule "
                     f"should show {(size - KERNEL_RESERVE) >> 10}..{size >> 10} kB")


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
    linux = Capsule(console, LINUX)
    console.wait_for(LINUX, re.escape(ISSUE), BOOT_TIMEOUT, "getty's banner (/etc/issue)")
    linux.login()
    check_cpus_and_memory(console, linux)
    check_isa_and_paging(console, linux)

    console.wait_for(HELLO, r"hello: done\n", BOOT_TIMEOUT, "hello's last line")
    problems = qemu.hello_problems(Streams(console), CONFIG, HELLO)
    if problems:
        console.fail(f"{HELLO}:\n  " + "\n  ".join(problems))

    linux.poweroff()
    deadline = time.monotonic() + EXIT_TIMEOUT
    while console.child.isalive() and time.monotonic() < deadline:
        try:
            console.pump(1.0)
        except pexpect.EOF:
            break
    if console.child.isalive():
        console.fail(f"QEMU still runs {EXIT_TIMEOUT} s after both capsules ended")
    console.child.close()
    if console.child.exitstatus != 0:
        console.fail(f"make run exited with status {console.child.exitstatus}, expected 0")
    if "powering off: every capsule ended cleanly" not in console.stream("bulkhead"):
        console.fail("the hypervisor did not log 'powering off: every capsule ended "
                     "cleanly'")
