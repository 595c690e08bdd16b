# SPDX-License-Identifier: MIT
"""No hart keeps an M-level interrupt pending that the hypervisor masks
(docs/design.md, "Boot").

Such an interrupt is never taken, so nothing ever clears it, and it is not
free: QEMU, while any mip bit is set, takes its global lock to look for a
deliverable interrupt each time a hart leaves translated code; a capsule's
devices then wait on that lock. (mtimecmp resets to 0 on QEMU, so MTIP was
pending on every hart of a board with Sstc, whose mtimecmp nothing wrote.)

qemu-console runs `shell` on hart 0 and `victim` on hart 1; harts 2 and 3
have no capsule. Once the shell's prompt and a heartbeat show, QEMU's
monitor reads mip and mie of every hart three times; MSIP, MTIP and MEIP
must never be pending where mie masks them. (One pending and enabled is an
interrupt on its way, taken at once.) Then the test types `poweroff` and
`q` and QEMU exits by itself.
"""

import re
import time

import qemu
import unix_socket

CONFIG = "qemu-console"
HARTS = 4
# Hang guards, not speed targets.
READY_TIMEOUT = 60
EXIT_TIMEOUT = 60
MONITOR_TIMEOUT = 30
SNAPSHOTS = 3

M_LEVEL = {"MSIP": 1 << 3, "MTIP": 1 << 7, "MEIP": 1 << 11}
CSR_LINE = re.compile(r"^\s*(mip|mie)\s+([0-9a-f]+)\s*$", re.MULTILINE)


class Monitor:
    """QEMU's human monitor on a Unix socket."""

    def __init__(self, path):
        self.sock = unix_socket.connect(path, MONITOR_TIMEOUT)
        self.read_until_prompt()

    def read_until_prompt(self):
        text = b""
        while not text.endswith(b"(qemu) "):
            data = self.sock.recv(65536)
            assert data, "QEMU closed its monitor"
            text += data
        return text.decode(errors="replace")

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self.read_until_prompt()

    def close(self):
        self.sock.close()


def harts_mip_mie(monitor):
    """[(mip, mie)] of every hart, from `info registers -a`."""
    text = monitor.command("info registers -a")
    values = [(name, int(value, 16)) for name, value in CSR_LINE.findall(text)]
    pairs = [(values[i][1], values[i + 1][1]) for i in range(0, len(values), 2)
             if values[i][0] == "mip" and values[i + 1][0] == "mie"]
    assert len(pairs) == HARTS, f"mip and mie of {len(pairs)} harts in:\n{text}"
    return pairs


def masked_pending(mip, mie):
    return [name for name, bit in M_LEVEL.items() if mip & bit and not mie & bit]


def test_no_hart_keeps_a_masked_m_level_interrupt_pending(tmp_path):
    qemu.build(CONFIG)
    sock = tmp_path / "monitor.sock"
    live = qemu.LiveBoot(CONFIG, [f"QEMU_EXTRA=-monitor unix:{sock},server=on,wait=off"])
    monitor = None
    try:
        ready = live.wait_for(
            lambda lines: any(n == "shell" and t.startswith("shell: ") for n, t in lines)
            and any(n == "victim" and "heartbeat" in t for n, t in lines), READY_TIMEOUT)
        assert ready, f"no shell banner and heartbeat within {READY_TIMEOUT} s"
        monitor = Monitor(sock)
        problems = []
        for snapshot in range(SNAPSHOTS):
            for hart, (mip, mie) in enumerate(harts_mip_mie(monitor)):
                pending = masked_pending(mip, mie)
                if pending:
                    problems.append(f"snapshot {snapshot}: hart {hart} mip {mip:#x} "
                                    f"mie {mie:#x}: {', '.join(pending)} pending, masked")
            time.sleep(0.3)
        live.send("poweroff\r")
        live.wait_for(lambda lines: any(n == "bulkhead" and "console focus: victim" in t
                                        for n, t in lines), READY_TIMEOUT)
        live.send("q")
        boot = live.finish(EXIT_TIMEOUT)
    finally:
        if monitor:
            monitor.close()
        live.kill()
    assert not problems, "\n".join(problems)
    qemu.assert_exited_cleanly(boot, f"QEMU still ran {EXIT_TIMEOUT} s after 'q' (killed)")
