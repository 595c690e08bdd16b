# SPDX-License-Identifier: MIT
"""Driving stock Linux capsules through Bulkhead's one console, for the boot
tests of Linux systems (test_2guest, test_shared): a console split into one
stream per capsule, and per capsule: focus, login, run a command, reboot,
power off; and the virtio lines of /proc/interrupts."""

import os
import re
import signal
import time

import pexpect
import pytest

import qemu
from qemu import PREFIXED, ROOT

COMMAND_TIMEOUT = 30
ESCAPE = "\x1d"  # Ctrl-]
# getty prints /etc/issue just before "NAME login: "; being a whole line, it
# shows even while the capsule does not have the console focus (a partial
# line like the prompt itself is printed only for the focused capsule).
ISSUE = "Log in as root, no password."
# The kernel keeps its own image, page structures and early allocations out
# of MemTotal: about 72 MiB of a 256 MiB machine for Debian's kernel.
KERNEL_RESERVE = 96 << 20
# QEMU user networking's DHCP server gives the first guest this address.
DHCP_ADDRESS = "10.0.2.15"


def virtio_interrupts(table):
    """{device: total count} of the virtio lines of /proc/interrupts."""
    lines = table.splitlines()
    cpus = len(lines[0].split()) if lines else 0
    counts = {}
    for line in lines[1:]:
        fields = line.split()
        if fields and "virtio" in line:
            counts[fields[-1]] = sum(int(f) for f in fields[1:1 + cpus])
    return counts


class SystemConsole:
    """Splits Bulkhead's console into one stream per `[name]` prefix.

    The hypervisor prints every capsule line as `[name] text` and starts
    anybody else's output on a fresh line; on this terminal it erases the
    focused capsule's unfinished line first and redraws it after. So each
    line, as the terminal shows it, belongs to one prefix. The unterminated
    last line counts too: a focused capsule's prompt is shown before its
    newline.
    """

    def __init__(self, child, config, log):
        self.child = child
        self.config = config
        # In config order: a capsule's index is its focus digit.
        self.capsules = [c["name"] for c in qemu.load_config(config)["capsules"]]
        self.log = log
        self.lines = []   # (name, text), in arrival order
        self.tail_raw = ""  # the unterminated last line, as it came
        self.tail = ""   # ... as the terminal shows it
        self.raw = []
        self.cursor = {}  # stream -> offset already consumed

    def _take(self, data):
        self.raw.append(data)
        *complete, self.tail_raw = (self.tail_raw + data).split("\n")
        for line in complete:
            self.lines.append(self._split(qemu.shown(line)))
        self.tail = qemu.shown(self.tail_raw)

    @staticmethod
    def _split(line):
        m = PREFIXED.match(line)
        return (m.group(1), m.group(2)) if m else ("", line)

    def stream(self, name):
        text = "".join(t + "\n" for n, t in self.lines if n == name)
        tail_name, tail_text = self._split(self.tail)
        if self.tail and tail_name == name:
            text += tail_text
        return text

    def pump(self, timeout):
        try:
            self._take(self.child.read_nonblocking(65536, timeout))
        except pexpect.TIMEOUT:
            pass

    def wait_for(self, name, pattern, timeout, what):
        """Waits until pattern shows in name's stream after what earlier
        waits consumed; returns the match and consumes through it."""
        regex = re.compile(pattern, re.DOTALL)
        deadline = time.monotonic() + timeout
        while True:
            start = self.cursor.get(name, 0)
            m = regex.search(self.stream(name), start)
            if m:
                self.cursor[name] = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail(f"no {what} from {name} within {timeout} s")
            try:
                self.pump(min(left, 1.0))
            except pexpect.EOF:
                self.fail(f"QEMU exited while waiting for {what} from {name}")

    def send(self, text):
        # Small pieces: the hypervisor queues 64 input bytes per capsule.
        for i in range(0, len(text), 16):
            self.child.send(text[i:i + 16])
            time.sleep(0.02)

    def save(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.write_text("".join(self.raw))

    def report(self):
        names = self.capsules + ["bulkhead", ""]
        out = []
        for name in names:
            lines = self.stream(name).splitlines()[-25:]
            label = f"[{name}]" if name else "unprefixed output"
            out.append(f"--- last {len(lines)} lines of {label} ---")
            out.extend(lines)
        out.append(f"--- whole console: {self.log} ---")
        return "\n".join(out)

    def fail(self, message):
        self.save()
        pytest.fail(f"{message}\n{self.report()}", pytrace=False)


class Capsule:
    """One Linux capsule behind the shared console; boot_timeout bounds
    the wait for its login prompt."""

    def __init__(self, console, name, boot_timeout):
        self.console = console
        self.name = name
        self.digit = str(console.capsules.index(name))
        self.boot_timeout = boot_timeout
        self.serial = 0

    def focus(self):
        self.console.send(ESCAPE + self.digit)
        self.console.wait_for("bulkhead", rf"console focus: {self.name}\n",
                              COMMAND_TIMEOUT, "the focus switch message")

    def login(self):
        self.focus()
        # The prompt may have shown and been consumed by nobody yet, or
        # be printed only now that the capsule has the focus.
        self.console.wait_for(self.name, rf"{self.name} login: ",
                              self.boot_timeout, "the login prompt")
        self.console.send("root\r")
        self.console.wait_for(self.name, rf"root@{self.name}:[^\n]*# ",
                              COMMAND_TIMEOUT, "a root shell prompt after login")

    def run(self, command):
        """Runs command in the focused capsule's shell; returns its output.
        The markers are split with "" so the echoed command line never
        matches them."""
        self.serial += 1
        begin, end = f"BH-BEGIN-{self.serial}", f"BH-END-{self.serial}"
        self.console.send(f'echo BH""-BEGIN-{self.serial}; {command}; '
                          f'echo BH""-END-{self.serial}\r')
        m = self.console.wait_for(self.name, rf"\n{begin}\n(.*?){end}\n",
                                  COMMAND_TIMEOUT, f"the output of `{command}`")
        return m.group(1)

    def reboot(self):
        """Reboots the capsule and logs in again once it is back."""
        self.focus()
        self.console.send("reboot\r")
        self.console.wait_for(self.name, r"reboot: Restarting system", COMMAND_TIMEOUT,
                              "the kernel's restart message")
        self.console.wait_for(self.name, re.escape(ISSUE), self.boot_timeout,
                              "getty's banner after the reboot")
        self.login()

    def poweroff(self):
        self.focus()
        self.console.send("poweroff\r")
        self.console.wait_for(self.name, r"reboot: Power down", COMMAND_TIMEOUT,
                              "the kernel's power-down message")


def spawn(config, log):
    """`make run CONFIG=config` on a pseudo-terminal, as a SystemConsole;
    a generator for a fixture: it saves the console and ends QEMU after."""
    child = pexpect.spawn("make", ["--no-print-directory", "run", f"CONFIG={config}"],
                          cwd=str(ROOT), encoding="utf-8", codec_errors="replace",
                          dimensions=(50, 200))
    console = SystemConsole(child, config, log)
    yield console
    console.save()
    if child.isalive():
        # pexpect made make the leader of its own session: QEMU goes too.
        os.killpg(child.pid, signal.SIGKILL)
        child.close(force=True)


def wait_for_exit(console, timeout):
    """Pumps the console until QEMU exits; fails after timeout seconds, or
    when make run's status is not 0."""
    deadline = time.monotonic() + timeout
    while console.child.isalive() and time.monotonic() < deadline:
        try:
            console.pump(1.0)
        except pexpect.EOF:
            break
    if console.child.isalive():
        console.fail(f"QEMU still runs {timeout} s after every capsule powered off")
    console.child.close()
    if console.child.exitstatus != 0:
        console.fail(f"make run exited with status {console.child.exitstatus}, "
                     "expected 0 (QEMU powered off by the hypervisor)")


def capsule_devices(config, name):
    """{slot: device entry} of the capsule's virtio devices in the config."""
    entries = qemu.capsule_config(config, name).get("devices", [])
    return {e["name"]: e for e in entries if isinstance(e, dict)}


def check_identity(console, capsule):
    """The hostname is the capsule's name, as many CPUs are online as it has
    vCPUs, and MemTotal fits its memory."""
    config = qemu.capsule_config(console.config, capsule.name)
    hostname = capsule.run("hostname").strip()
    if hostname != capsule.name:
        console.fail(f"{capsule.name}: hostname is {hostname!r}, not the capsule's name")
    cpus = capsule.run("grep -c ^processor /proc/cpuinfo").strip()
    if cpus != str(config["vcpus"]):
        console.fail(f"{capsule.name}: /proc/cpuinfo lists {cpus!r} processors, "
                     f"expected {config['vcpus']}")
    meminfo = capsule.run("grep MemTotal /proc/meminfo")
    m = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    if not m:
        console.fail(f"{capsule.name}: no MemTotal in {meminfo!r}")
    total, size = int(m.group(1)) << 10, qemu.parse_size(config["memory"]["size"])
    if not size - KERNEL_RESERVE <= total <= size:
        console.fail(f"{capsule.name}: MemTotal is {total >> 10} kB; a {size >> 20} MiB "
                     f"capsule should show {(size - KERNEL_RESERVE) >> 10}..{size >> 10} kB")


def check_devices(console, capsule):
    """The capsule's disk is mounted, its network has its DHCP address, and
    its virtio interrupts count on its own CPUs."""
    devices = capsule_devices(console.config, capsule.name)
    disks = [d for d in devices.values() if "disk" in d]
    nets = [d for d in devices.values() if "network" in d]
    if disks:
        mounts = capsule.run("grep ' /data ' /proc/mounts")
        if not re.search(r"^/dev/vda /data ext4 ", mounts, re.MULTILINE):
            console.fail(f"{capsule.name}: /dev/vda is not mounted at /data: {mounts!r}")
    if nets:
        addresses = capsule.run("ip -4 addr show eth0")
        if f"inet {DHCP_ADDRESS}/" not in addresses:
            console.fail(f"{capsule.name}: eth0 has no DHCP address {DHCP_ADDRESS}: "
                         f"{addresses!r}")
    # Reading the disk and the network above made both interrupt.
    counts = virtio_interrupts(capsule.run("cat /proc/interrupts"))
    if len(counts) != len(devices) or not all(counts.values()):
        console.fail(f"{capsule.name}: /proc/interrupts virtio counts {counts}, expected "
                     f"{len(devices)} devices, each with interrupts")
