# SPDX-License-Identifier: MIT
"""Driving Linux capsules through Bulkhead's one console from a boot test:
the console split into one stream per `[name] ` prefix, waits on a
stream, logging in and running commands in a capsule through the focus
keys (Ctrl-] then its digit), rebooting and powering it off.
"""

import re
import time

import pexpect
import pytest

import qemu
from qemu import PREFIXED

BOOT_TIMEOUT = 180  # every capsule to its login prompt
COMMAND_TIMEOUT = 30
ESCAPE = "\x1d"  # Ctrl-]
# getty prints /etc/issue just before "NAME login: "; being a whole line, it
# shows even while the capsule does not have the console focus (a partial
# line like the prompt itself is printed only for the focused capsule).
ISSUE = "Log in as root, no password."
# The kernel keeps its own image, page structures and early allocations out
# of MemTotal: about 72 MiB of a 256 MiB machine for Debian's kernel.
KERNEL_RESERVE = 96 << 20


class SystemConsole:
    """Splits Bulkhead's console into one stream per `[name]` prefix.

    The hypervisor prints every capsule line as `[name] text` and starts
    anybody else's output on a fresh line; on this terminal it erases the
    focused capsule's unfinished line first and redraws it after. So each
    line, as the terminal shows it, belongs to one prefix. The unterminated
    last line counts too: a focused capsule's prompt is shown before its
    newline.
    """

    def __init__(self, child, capsules, log):
        self.child = child
        self.capsules = capsules  # names in config order: index = focus digit
        self.log = log  # where the whole console is saved
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
    """One Linux capsule behind the shared console."""

    def __init__(self, console, name):
        self.console = console
        self.name = name
        self.digit = str(console.capsules.index(name))
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
                              BOOT_TIMEOUT, "the login prompt")
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
        self.console.wait_for(self.name, re.escape(ISSUE), BOOT_TIMEOUT,
                              "getty's banner after the reboot")
        self.login()

    def poweroff(self):
        self.focus()
        self.console.send("poweroff\r")
        self.console.wait_for(self.name, r"reboot: Power down", COMMAND_TIMEOUT,
                              "the kernel's power-down message")
