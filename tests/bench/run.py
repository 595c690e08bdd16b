#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: Bulkhead's cost next to Linux booted without it.

Boot time: seconds from starting QEMU to each capsule's login prompt, under
Bulkhead (`make run CONFIG=qemu-2guest`: both capsules in one QEMU) and for
the same kernel, initramfs and command line booted directly on QEMU with
Debian's OpenSBI (fw_dynamic). The fair comparison runs one direct QEMU per
capsule *at the same time*, each with the capsule's vCPU count and memory:
the same guest harts compete for the same host cores as under Bulkhead. One
direct QEMU alone is shown as well. The ratio is Bulkhead / direct
(concurrent), of the medians and of the fastest boots (the least disturbed by
other work on the host); the target is <= 1.05. Rounds alternate the order
of the three.
The host CPU time QEMU used until the prompts is reported too: it depends
less on what else the host runs than wall-clock time does.

The login prompt is timed by getty's banner line (/etc/issue), printed just
before "NAME login: ": a whole line, so Bulkhead shows it for every capsule,
focused or not.

A boot that shows no login prompt in time is reported in one line on
stderr (which boot, which capsules, attempt n of N) and timed again; its
whole console goes to a file under build/bench/, never to the terminal.

Interrupt latency (--parts irq): the irqbench guest (configs/
qemu-bench-irq.yaml) owns the goldfish RTC and measures, in its S-mode
handler, how long after the alarm's deadline it runs: retired instructions
under -icount shift=0 (exact, deterministic) and ns of wall time without.
The same binary runs directly on QEMU with OpenSBI on the same QEMU machine.

I/O throughput (--parts io): a Linux capsule (configs/qemu-bench-io.yaml)
reads its virtio disk with dd (iflag=direct, timed by busybox `time` in the
guest) and receives data the host sends to a forwarded port (timed on the
host until the guest's reply after the last byte); the same kernel, initrd
and a copy of the disk are booted directly on QEMU with OpenSBI.

Console (--parts console): a Linux capsule (configs/qemu-bench-console.yaml)
cats `seq 1 5000` (23,893 bytes) and 300 lines of 80 bytes, and echoes a
typed line, timed on the host
through a pseudo-terminal; the same kernel, initrd and command line are
booted directly on QEMU with OpenSBI and compared.

What the firmware costs a guest (--parts sbi): the bench guest
(configs/qemu-bench-sbi.yaml, guests/bench) times SBI calls, IPIs, remote
fences, HSM starts, timer interrupts, the virtual UART, the consoles and its
own loops by instret differences, as a Bulkhead capsule and directly on
QEMU with Debian 12's OpenSBI and with Debian testing's (the newest, locked
in tests/bench/opensbi.lock, fetched into build/opensbi/ by
tests/bench/fetch_opensbi.py): under -icount shift=0, instructions of the
whole machine, exact; without, wall time.

The scheduler (--parts sched): the instructions of each switch from one
vCPU to another on configs/qemu-sched.yaml, from QEMU's trace of the
hypervisor's own instructions under -icount; the window-start jitter the
`windows` capsules measure there, under -icount and without; and Linux
boot to login in configs/qemu-shared.yaml (two 2-vCPU capsules sharing 2
harts) beside qemu-2guest (the same capsules on 4 harts of their own).

Builds (--parts build): a clean and a no-op build of qemu-2guest in a
scratch copy of the tree, its image size, and `bulkhead-gen build` on
generated systems of 4 to 64 harts and 2 to 32 capsules.

Footprint: the figures the link prints, from the same script
(hypervisor/scripts/footprint.sh), and the SLOC of hypervisor/. Figures
only; nothing here passes or fails.
"""

import argparse
import json
import math
import os
import random
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect
import yaml

# tests/scratch.py: the scratch copy of the repository the build part times;
# tests/unix_socket.py: QMP's socket.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import scratch  # noqa: E402
import unix_socket  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
BANNER = re.compile(rb"Log in as root, no password\.")
PREFIXED = re.compile(rb"^\[([A-Za-z0-9_]+)\] ")
BOOT_TIMEOUT = 120
# Attempts per timed boot before a hang ends the benchmark.
ATTEMPTS = 3
# Where a failed boot's whole console is saved.
LOG_DIR = ROOT / "build" / "bench"
# The one definition of the footprint, run by the link as well.
FOOTPRINT_SCRIPT = ROOT / "hypervisor" / "scripts" / "footprint.sh"
# The nm the hypervisor's Makefile uses.
NM = os.environ.get("CROSS_COMPILE", "riscv64-unknown-elf-") + "nm"
FOOTPRINT_LINE = re.compile(r"footprint: text (\d+), rodata\+data (\d+), bss (\d+), "
                            r"RAM per hart (\d+) \(stack \+ state\), vCPU states (\d+), "
                            r"total (\d+) bytes")
# Bao's published footprint, a reference figure not measured here.
BAO_FOOTPRINT_KIB = 48


class BenchError(Exception):
    pass


class BootHang(BenchError):
    """A QEMU that showed no login prompt in time: counted, reported and
    timed again, so one stuck boot neither ends the run nor hides."""


class QemuExited(BenchError):
    """A QEMU that exited before all its login prompts: ends the run."""

    def __init__(self, launch):
        super().__init__(launch.label)
        self.launch = launch


def parse_size(text):
    m = re.fullmatch(r"(\d+)\s*([KMG]i?B)?", str(text))
    if not m:
        raise BenchError(f"cannot read memory size {text!r}")
    unit = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, None: 1}
    return int(m.group(1)) * unit[m.group(2)]


class Capsule:
    def __init__(self, node):
        self.name = node["name"]
        self.vcpus = node["vcpus"]
        self.memory = parse_size(node["memory"]["size"])
        payload = node["payload"]
        guest = {}
        if "guest" in payload:
            manifest = ROOT / "guests" / payload["guest"] / "guest.yaml"
            guest = yaml.safe_load(manifest.read_text())
        merged = {**guest, **payload}
        for key in ("kernel", "initrd", "bootargs"):
            if key not in merged:
                raise BenchError(f"capsule {self.name}: payload has no {key}; the "
                                 "direct boot needs a Linux kernel, initrd and bootargs")
        self.kernel = ROOT / merged["kernel"]
        self.initrd = ROOT / merged["initrd"]
        self.bootargs = merged["bootargs"]


class Launch:
    """One QEMU being timed: which capsules' banners it waits for."""

    def __init__(self, label, command, names, prefixed):
        self.label = label
        self.command = command
        self.names = names
        self.prefixed = prefixed
        self.times = {}
        self.cpu = 0.0     # QEMU's CPU seconds when its last prompt showed
        self.pending = b""
        self.output = []
        self.child = None

    def start(self, t0):
        self.t0 = t0
        self.child = pexpect.spawn(self.command[0], self.command[1:], cwd=str(ROOT),
                                   dimensions=(50, 200))

    def poll(self):
        try:
            data = self.child.read_nonblocking(65536, 0.05)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            raise QemuExited(self)
        now = time.monotonic()
        self.output.append(data)
        *lines, self.pending = (self.pending + data).split(b"\n")
        for line in lines:
            self.line(line, now)

    def line(self, line, now):
        if not BANNER.search(line):
            return
        name = self.names[0]
        if self.prefixed:
            m = PREFIXED.match(line)
            if not m or m.group(1).decode() not in self.names:
                return
            name = m.group(1).decode()
        if name not in self.times:
            self.times[name] = now - self.t0
            self.cpu = self.cpu_seconds()

    def cpu_seconds(self):
        """User and system time QEMU has used so far (Linux /proc)."""
        with open(f"/proc/{self.child.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15 of stat(5); 12 and 13 here.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def missing(self):
        """The capsules whose login prompt has not shown yet."""
        return [n for n in self.names if n not in self.times]

    def done(self):
        return not self.missing()

    def stop(self):
        if self.child and self.child.isalive():
            self.child.terminate(force=True)


def time_launches(launches, timeout):
    """Starts every launch at once; returns when each has shown all its
    login prompts, raises BootHang if that takes over timeout seconds."""
    t0 = time.monotonic()
    try:
        for launch in launches:
            launch.start(t0)
        while not all(launch.done() for launch in launches):
            if time.monotonic() - t0 > timeout:
                raise BootHang()
            for launch in launches:
                if not launch.done():
                    launch.poll()
    finally:
        for launch in launches:
            launch.stop()


def generated(config):
    """build/CONFIG and the QEMU command words the generator wrote for it."""
    out = ROOT / "build" / config
    return out, (out / "gen" / "qemu.args").read_text().split()


def build(config):
    result = subprocess.run(["make", f"CONFIG={config}"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise BenchError(f"make CONFIG={config} failed:\n{tail}")


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def shown(path):
    """path as the user can open it from where the bench was started."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def save_console(launches, log_dir, name):
    """Writes every launch's command and whole console to log_dir/NAME.log,
    so a failed boot can be studied without flooding the terminal."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / f"{slug(name)}.log"
    with open(path, "wb") as f:
        for launch in launches:
            missing = launch.missing()
            state = (f"no login prompt from {', '.join(missing)}" if missing
                     else "every login prompt shown")
            f.write(f"==== {launch.label}: {state}\n$ {shlex.join(launch.command)}\n"
                    .encode())
            f.write(b"".join(launch.output) + b"\n")
    return path


def timed(boot, make_launches, hangs, timeout, log_dir, attempts=ATTEMPTS):
    """Times fresh launches of one boot until an attempt completes. Each hang
    is counted in hangs[boot] and reported in one line, its console saved."""
    for attempt in range(1, attempts + 1):
        launches = make_launches()
        try:
            time_launches(launches, timeout)
            return launches
        except BootHang:
            hangs[boot] = hangs.get(boot, 0) + 1
            log = save_console(launches, log_dir, f"{boot} hang {hangs[boot]}")
            late = [n for launch in launches for n in launch.missing()]
            print(f"bench: warning: {boot} boot hung: no login prompt from "
                  f"{', '.join(late)} within {timeout:g} s (attempt {attempt} of "
                  f"{attempts}); console log: {shown(log)}", file=sys.stderr)
        except QemuExited as e:
            log = save_console(launches, log_dir, f"{boot} exit")
            raise BenchError(f"{boot} boot: QEMU ({e.launch.label}) exited before the "
                             f"login prompt of {', '.join(e.launch.missing())} (attempt "
                             f"{attempt} of {attempts}); console log: {shown(log)}")
    raise BenchError(f"{boot} boot hung {attempts} times in a row; giving up")


def clear_logs(log_dir):
    """An earlier run's console logs would read as this run's."""
    for old in log_dir.glob("*.log"):
        old.unlink()


def own_devices(device_args, name):
    """The QEMU words of capsule name's devices among Bulkhead's (flag and
    value pairs; the generator names them NAME-virtioK)."""
    words = []
    for flag, value in zip(device_args[::2], device_args[1::2]):
        if re.search(rf"(?:^|[=,]){re.escape(name)}-virtio\d", value):
            words += [flag, value]
    return words


def boot_times(config, capsules, runs, timeout):
    out, qemu = generated(config)
    elf = out / "bulkhead.elf"
    names = [c.name for c in capsules]
    first = capsules[0]
    device_args = qemu[qemu.index("-cpu") + 2:]

    def direct(c):
        # The same initrd (with its devices' modules) and devices as under
        # Bulkhead, so both boots load and bring up the same things.
        return direct_linux(qemu, c, capsule_initrd(out, c), own_devices(device_args, c.name))

    samples = {"bulkhead": {n: [] for n in names},
               "concurrent": {n: [] for n in names},
               "alone": {n: [] for n in names},
               "cpu": {"bulkhead": [], "concurrent": []}}
    # Keyed by the sample kind, named as the report's columns.
    phases = {
        ("bulkhead", "Bulkhead"): lambda: [
            Launch("Bulkhead", qemu + ["-kernel", str(elf)], names, True)],
        ("concurrent", "direct, concurrent"): lambda: [
            Launch(f"direct {c.name}", direct(c), [c.name], False)
            for c in capsules],
        ("alone", "direct, alone"): lambda: [
            Launch(f"direct {first.name} alone", direct(first),
                   [first.name], False)],
    }
    hangs = {}
    for run in range(runs):
        print(f"bench: boot round {run + 1} of {runs}", file=sys.stderr)
        # Alternate the order, so a change in the host's other load over the
        # run weighs on every column alike.
        order = list(phases) if run % 2 == 0 else list(reversed(phases))
        done = {kind: timed(boot, phases[kind, boot], hangs, timeout, LOG_DIR)
                for kind, boot in order}
        for kind, launches in done.items():
            for launch in launches:
                for n, t in launch.times.items():
                    samples[kind][n].append(t)
        samples["cpu"]["bulkhead"].append(sum(l.cpu for l in done["bulkhead"]))
        samples["cpu"]["concurrent"].append(sum(l.cpu for l in done["concurrent"]))
    return samples, hangs


# ---- passthrough interrupt latency ----------------------------------------

IRQ_CONFIG = "qemu-bench-irq"
IRQ_GUEST_ELF = ROOT / "build" / "guests" / "irqbench" / "irqbench.elf"
IRQ_TIMEOUT = 120
# The RTC follows QEMU's virtual clock: under -icount, 1 ns per instruction.
IRQ_MODES = {"icount": ["-icount", "shift=0", "-rtc", "clock=vm"],
             "wall": ["-rtc", "clock=vm"]}
IRQ_SAMPLE = re.compile(r"^(?:\[\w+\] )?irqbench: sample (\d+) insn (-?\d+) ns (-?\d+)\s*$",
                        re.MULTILINE)
IRQ_TRAPS = re.compile(r"irqbench: hypervisor traps on this hart during the rounds: (\d+)")
IRQ_FAIL = re.compile(r"^(?:\[\w+\] )?(FAIL .*)$", re.MULTILINE)
TRAP_LINE = re.compile(r"^\[bulkhead\] (capsule \S+ vcpu \d+ hart \d+ traps: .*?)\s*$",
                       re.MULTILINE)


def parse_irqbench(text):
    """(samples, traps, trap count lines) of one irqbench run's console:
    samples as (insn, ns) pairs; traps the hypervisor's count during the
    rounds (None off Bulkhead). BenchError on a FAIL line or without
    `irqbench: done`."""
    failed = IRQ_FAIL.search(text)
    if failed:
        raise BenchError(f"irqbench: {failed.group(1)}")
    if not re.search(r"irqbench: done", text):
        raise BenchError("irqbench did not finish (no `irqbench: done`)")
    samples = [(int(m.group(2)), int(m.group(3))) for m in IRQ_SAMPLE.finditer(text)]
    if not samples:
        raise BenchError("irqbench printed no samples")
    traps = IRQ_TRAPS.search(text)
    return (samples, int(traps.group(1)) if traps else None,
            [m.group(1) for m in TRAP_LINE.finditer(text)])


def run_console(label, command, timeout, log_dir, attempts=ATTEMPTS):
    """Runs a QEMU that exits by itself; returns its console. A run that
    takes over timeout seconds is reported in one line and run again."""
    for attempt in range(1, attempts + 1):
        try:
            result = subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    timeout=timeout)
            return result.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            log_dir.mkdir(parents=True, exist_ok=True)
            log = log_dir / f"{slug(label)}-hang-{attempt}.log"
            log.write_bytes(f"$ {shlex.join(command)}\n".encode() + (e.stdout or b""))
            print(f"bench: warning: {label} hung: not done within {timeout:g} s "
                  f"(attempt {attempt} of {attempts}); console log: {shown(log)}",
                  file=sys.stderr)
    raise BenchError(f"{label} hung {attempts} times in a row; giving up")


def direct_machine(qemu_args, harts=None, firmware=OPENSBI):
    """Bulkhead's QEMU command with an OpenSBI (Debian's by default) instead
    of -bios none: the same machine (memory, CPU model, devices), with
    `harts` harts if given."""
    args = list(qemu_args)
    args[args.index("-bios") + 1] = str(firmware)
    if harts is not None:
        args[args.index("-smp") + 1] = str(harts)
    return args


def bare_metal_bench(config, guest_elf):
    """Builds a bench config whose one capsule runs the bare-metal guest
    guest_elf. Returns its QEMU words, the Bulkhead command, the capsule's
    node, and the words that run the same guest directly (-kernel, -append
    the capsule's bootargs)."""
    build(config)
    out, qemu = generated(config)
    capsule = yaml.safe_load((ROOT / "configs" / f"{config}.yaml").read_text())["capsules"][0]
    guest = ["-kernel", str(guest_elf), "-append", capsule["payload"]["bootargs"]]
    return qemu, qemu + ["-kernel", str(out / "bulkhead.elf")], capsule, guest


def irq_latency(runs, timeout):
    qemu, bulkhead, capsule, guest = bare_metal_bench(IRQ_CONFIG, IRQ_GUEST_ELF)
    bootargs = capsule["payload"]["bootargs"]
    # "direct": as many harts as the capsule has vCPUs (as the boot times
    # compare); "direct, N harts": Bulkhead's whole machine.
    ways = {"Bulkhead": bulkhead,
            "direct": direct_machine(qemu, capsule["vcpus"]) + guest,
            "direct, board": direct_machine(qemu) + guest}
    result = {(mode, way): [] for mode in IRQ_MODES for way in ways}
    traps, trap_lines = [], []
    for run in range(runs):
        print(f"bench: interrupt latency round {run + 1} of {runs}", file=sys.stderr)
        # Each way takes each place in the order equally often over a
        # multiple of three runs: the place alone moves the wall figure.
        order = list(ways)[run % 3:] + list(ways)[:run % 3]
        for mode, extra in IRQ_MODES.items():
            for way in order:
                text = run_console(f"irqbench {way} {mode}", ways[way] + extra,
                                   timeout, LOG_DIR)
                samples, count, lines = parse_irqbench(text)
                result[mode, way] += samples
                if way == "Bulkhead":
                    traps.append(count)
                    trap_lines = lines
    harts = qemu[qemu.index("-smp") + 1]
    return result, traps, trap_lines, bootargs, (capsule["vcpus"], harts)


def irq_rows(result):
    """Rows (mode, figure, Bulkhead, direct, direct on the board's harts,
    ratio Bulkhead / direct of the medians, samples per column) of the
    interrupt latency table, each column (min, median, max): instructions
    under icount, ns of wall time without."""
    rows = []
    stats = lambda v: (min(v), median(v), max(v))
    for mode, column, unit in (("icount", 0, "instructions"), ("wall", 1, "ns")):
        b, d, board = ([s[column] for s in result[mode, way]]
                       for way in ("Bulkhead", "direct", "direct, board"))
        rows.append((mode, unit, stats(b), stats(d), stats(board),
                     median(b) / median(d), len(b)))
    return rows


# ---- virtio throughput in a Linux capsule ---------------------------------

IO_CONFIG = "qemu-bench-io"
IO_COMMAND_TIMEOUT = 180
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
BUSYBOX_REAL = re.compile(r"^real\s+(?:(\d+)h\s*)?(\d+)m\s*([\d.]+)s\s*$", re.MULTILINE)
NET_REPLY = b"done\n"


def parse_busybox_time(text):
    """Seconds of the `real` line busybox `time` prints ("real\t0m 1.23s")."""
    m = BUSYBOX_REAL.search(text)
    if not m:
        raise BenchError(f"no `real` line from busybox time in {text!r}")
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def mib_per_s(nbytes, seconds):
    return nbytes / (1 << 20) / seconds


class GuestShell:
    """A root shell on a Linux guest's console, with or without Bulkhead's
    `[name] ` line prefix (only the one capsule prints)."""

    def __init__(self, command, name, log):
        self.name = name
        self.log = log
        self.raw = bytearray()
        self.lines = []     # cleaned complete lines, each ending in "\n"
        self.done = 0       # bytes of raw that self.lines covers
        self.serial = 0
        log.parent.mkdir(parents=True, exist_ok=True)
        self.child = pexpect.spawn(command[0], command[1:], cwd=str(ROOT),
                                   dimensions=(50, 200))

    def _clean(self, data):
        clean = ANSI.sub(b"", bytes(data)).replace(b"\r", b"").decode(errors="replace")
        return re.sub(rf"(?m)^\[{self.name}\] ", "", clean)

    def text(self):
        """The console so far, prefixes, ANSI sequences and CRs removed.
        Complete lines are cleaned once (a long output would otherwise make
        the host, not the guest, the slow side)."""
        end = self.raw.rfind(b"\n") + 1
        if end > self.done:
            self.lines.append(self._clean(self.raw[self.done:end]))
            self.done = end
            self.lines = ["".join(self.lines)]
        return self.lines[0] + self._clean(self.raw[self.done:]) if self.lines \
            else self._clean(self.raw)

    def wait_for(self, pattern, timeout, start=0):
        regex = re.compile(pattern, re.DOTALL)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.text(), start)
            if m:
                return m
            if time.monotonic() > deadline:
                raise BootHang()
            try:
                self.raw += self.child.read_nonblocking(65536, 0.2)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                raise BenchError(f"QEMU exited; console log: {shown(self.save())}")

    def send(self, text):
        # Small pieces: the hypervisor queues 64 input bytes per capsule.
        for i in range(0, len(text), 16):
            self.child.send(text[i:i + 16])
            time.sleep(0.02)

    def login(self, timeout):
        self.wait_for(rf"{self.name} login: ", timeout)
        self.send("root\r")
        self.wait_for(rf"root@{self.name}:[^\n]*# ", IO_COMMAND_TIMEOUT)

    def run(self, command, timeout=IO_COMMAND_TIMEOUT):
        self.serial += 1
        start = len(self.text())
        self.send(f'echo BH""-BEGIN-{self.serial}; {command}; echo BH""-END-{self.serial}\r')
        m = self.wait_for(rf"\nBH-BEGIN-{self.serial}\n(.*?)BH-END-{self.serial}\n",
                          timeout, start)
        return m.group(1)

    def poweroff(self, timeout):
        """poweroff; returns the console once QEMU has exited."""
        self.send("poweroff\r")
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            pass
        self.raw += self.child.before or b""
        return self.text()

    def save(self):
        path = self.log
        path.write_bytes(bytes(self.raw))
        return path

    def stop(self):
        if self.child.isalive():
            self.child.terminate(force=True)


def disk_sample(shell, disk, passes):
    """MiB/s of `passes` whole sequential reads of /dev/vda, O_DIRECT (no
    guest page cache), timed by busybox time in the guest."""
    out = shell.run("time sh -c 'for i in " + " ".join(str(i) for i in range(passes))
                    + "; do dd if=/dev/vda of=/dev/null bs=1M iflag=direct 2>/dev/null; "
                    "done'")
    return mib_per_s(disk * passes, parse_busybox_time(out))


def net_sample(shell, port, guest_port, mib):
    """MiB/s of mib MiB sent by the host to 127.0.0.1:port: the guest's
    busybox nc hands the connection to `cat >/dev/null; echo done`, so the
    reply comes after the last byte arrived; timed on the host."""
    shell.run(f"(nc -l -p {guest_port} -e sh -c 'cat >/dev/null; echo done' &)")
    time.sleep(1)
    chunk = b"\0" * (1 << 20)
    with socket.create_connection(("127.0.0.1", port), timeout=IO_COMMAND_TIMEOUT) as s:
        t0 = time.monotonic()
        for _ in range(mib):
            s.sendall(chunk)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            data = s.recv(4096)
            if not data:
                break
            reply += data
        seconds = time.monotonic() - t0
    if reply != NET_REPLY:
        raise BenchError(f"the guest's nc answered {reply!r}, not {NET_REPLY!r}: "
                         "was it listening?")
    return mib_per_s(mib << 20, seconds)


class Qmp:
    """QEMU's machine protocol on a Unix socket, for `stop` and `cont`: a
    stopped machine runs no vCPU and its clocks stand still, so the guest
    sees no time pass while the other machine is measured."""

    def __init__(self, path, timeout=IO_COMMAND_TIMEOUT):
        try:
            self.sock = unix_socket.connect(path, timeout)
        except TimeoutError as e:
            raise BenchError(f"QEMU's QMP: {e}") from None
        self.file = self.sock.makefile("rb")
        self.reply()
        self.execute("qmp_capabilities")

    def reply(self):
        while True:
            line = self.file.readline()
            if not line:
                raise BenchError("QEMU closed its QMP socket")
            message = json.loads(line)
            if "event" not in message:
                return message

    def execute(self, command):
        self.sock.sendall(json.dumps({"execute": command}).encode() + b"\n")
        answer = self.reply()
        if "return" not in answer:
            raise BenchError(f"QMP {command}: {answer}")

    def close(self):
        self.file.close()
        self.sock.close()


class IoMachine:
    """One booted machine of the I/O figures, logged in, its QMP open."""

    def __init__(self, label, command, capsule, qmp_path, boot_timeout):
        qmp_path.unlink(missing_ok=True)
        self.qmp = None
        self.shell = GuestShell(command + ["-qmp", f"unix:{qmp_path},server=on,wait=off"],
                                capsule.name, LOG_DIR / f"{slug(label)}.log")
        try:
            self.qmp = Qmp(qmp_path)
            self.shell.login(boot_timeout)
        except BaseException:
            self.shell.save()
            self.stop()
            raise

    def pause(self):
        self.qmp.execute("stop")

    def resume(self):
        self.qmp.execute("cont")

    def poweroff(self):
        """Powers off; returns the trap count lines the console printed."""
        text = self.shell.poweroff(IO_COMMAND_TIMEOUT)
        return [m.group(1) for m in TRAP_LINE.finditer(text)]

    def stop(self):
        if self.qmp:
            self.qmp.close()
        self.shell.stop()


def capsule_initrd(out, capsule):
    """The initrd the capsule boots: the generator's, with the modules of its
    devices appended (generator/bulkhead/initrd.py), or the guest's own."""
    initrd = out / "gen" / f"capsule-{capsule.name}.initrd"
    return initrd if initrd.exists() else capsule.initrd


def direct_linux(qemu, capsule, initrd, devices=()):
    """The capsule's kernel, initrd and command line directly on QEMU with
    Debian's OpenSBI: its vCPUs and memory, Bulkhead's CPU model, devices."""
    cpu = qemu.index("-cpu")
    return ["qemu-system-riscv64", "-M", "virt", "-nographic",
            "-smp", str(capsule.vcpus), "-m", f"{capsule.memory >> 20}M",
            *qemu[cpu:cpu + 2], "-bios", OPENSBI, "-kernel", str(capsule.kernel),
            "-initrd", str(initrd),
            "-append", f"{capsule.bootargs} bulkhead.capsule={capsule.name}", *devices]


def attempts(kind, way, boot, session):
    """session(label) of one boot; a boot that hangs (BootHang) is reported
    in one line, its console named, and tried again, up to ATTEMPTS times."""
    for attempt in range(1, ATTEMPTS + 1):
        label = f"{kind} {way} boot {boot + 1} attempt {attempt}"
        try:
            return session(label)
        except BootHang:
            print(f"bench: warning: {kind} {way} boot {boot + 1} hung: no login prompt "
                  f"or command output in time (attempt {attempt} of {ATTEMPTS}); "
                  f"console log: {shown(LOG_DIR / (slug(label) + '.log'))}", file=sys.stderr)
    raise BenchError(f"{kind} {way} boot {boot + 1} hung {ATTEMPTS} times in a row; giving up")


def alternating_boots(kind, ways, boots, session):
    """{way: [session(way, label) of each boot]}: `boots` rounds, the ways'
    order alternating, each boot tried as attempts() does."""
    results = {way: [] for way in ways}
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for run in range(boots):
        order = list(ways) if run % 2 == 0 else list(reversed(list(ways)))
        for way in order:
            print(f"bench: {kind} boot {run + 1} of {boots}: {way}", file=sys.stderr)
            results[way].append(attempts(kind, way, run, lambda label: session(way, label)))
    return results


def free_port():
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def io_rounds(machines, order_of, args, ports):
    """args.io_runs rounds; in each, every machine in turn is resumed alone
    and takes one disk and one network sample, then is paused again.
    Returns {way: {"disk": [...], "net": [...]}}."""
    samples = {way: {"disk": [], "net": []} for way in machines}
    for run in range(args.io_runs):
        for way in order_of(run):
            m = machines[way]
            m.resume()
            disk = disk_sample(m.shell, args.disk_bytes, args.disk_passes)
            net = net_sample(m.shell, ports[way], args.net_guest_port, args.net_mib)
            m.pause()
            print(f"bench: io round {run + 1} of {args.io_runs}: {way}: disk {disk:.1f} "
                  f"MiB/s, net {net:.1f} MiB/s", file=sys.stderr)
            samples[way]["disk"].append(disk)
            samples[way]["net"].append(net)
    return samples


def io_throughput(args):
    """Both machines boot (each while the other is paused) and stay up; the
    samples then alternate between them, one machine running at a time, so
    a slow spell of the host falls on both alike and each ratio compares
    samples taken seconds apart. args.io_boots such pairs of boots."""
    build(IO_CONFIG)
    out, qemu = generated(IO_CONFIG)
    config = yaml.safe_load((ROOT / "configs" / f"{IO_CONFIG}.yaml").read_text())
    capsule = Capsule(config["capsules"][0])
    forward = next(d["network"]["forward"][0] for d in config["capsules"][0]["devices"]
                   if isinstance(d, dict) and d.get("network"))
    args.net_guest_port = forward["guest"]
    image = next(Path(a.split("file=", 1)[1].split(",", 1)[0])
                 for a in qemu if a.startswith("file="))
    args.disk_bytes = (ROOT / image).stat().st_size
    machine_end = qemu.index("-cpu") + 2
    devices = qemu[machine_end:]
    # Both machines are up at once, so the direct one forwards another port.
    ports = {"Bulkhead": forward["host"], "direct": free_port()}
    fwd = f"hostfwd=tcp:127.0.0.1:{forward['host']}-"
    ways = ("Bulkhead", "direct")

    def make(way, label):
        # A fresh copy each boot: mounting writes to the file system.
        copy = LOG_DIR / f"io-{slug(way)}.img"
        shutil.copyfile(ROOT / image, copy)
        own = [a.replace(f"file={image}", f"file={copy}")
               .replace(fwd, f"hostfwd=tcp:127.0.0.1:{ports[way]}-") for a in devices]
        if way == "Bulkhead":
            command = qemu[:machine_end] + own + ["-kernel", str(out / "bulkhead.elf")]
        else:
            command = direct_linux(qemu, capsule, capsule_initrd(out, capsule), own)
        return IoMachine(label, command, capsule, LOG_DIR / f"io-{slug(way)}.qmp",
                         args.boot_timeout)

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    samples = {way: {"disk": [], "net": []} for way in ways}
    trap_lines = []
    for boot in range(args.io_boots):
        first = ways if boot % 2 == 0 else ways[::-1]
        machines = {}
        try:
            for way in first:
                for m in machines.values():
                    m.pause()
                print(f"bench: io boot {boot + 1} of {args.io_boots}: {way}",
                      file=sys.stderr)
                machines[way] = attempts("io", way, boot,
                                         lambda label, way=way: make(way, label))
            machines[first[-1]].pause()
            got = io_rounds(machines, lambda run: first if run % 2 else first[::-1],
                            args, ports)
            for way in ways:
                for kind in ("disk", "net"):
                    samples[way][kind] += got[way][kind]
            for way in ways:
                machines[way].resume()
                lines = machines[way].poweroff()
                if way == "Bulkhead":
                    trap_lines = lines
        finally:
            for m in machines.values():
                m.stop()
    return samples, trap_lines, args.disk_bytes, capsule


def paired_ratio(ratios, resamples=4000):
    """(geometric mean, low, high) of paired ratios: low and high bound its
    95 % bootstrap interval (the pairs resampled with a fixed seed, so the
    same samples always give the same interval)."""
    logs = [math.log(r) for r in ratios]
    rng = random.Random(0)
    means = sorted(statistics.fmean(rng.choices(logs, k=len(logs)))
                   for _ in range(resamples))
    return (math.exp(statistics.fmean(logs)), math.exp(means[int(0.025 * resamples)]),
            math.exp(means[int(0.975 * resamples) - 1]))


def io_rows(samples):
    """Rows (figure, Bulkhead (min, median, max), direct (...), ratio of the
    medians, paired_ratio of the rounds, samples each) in MiB/s; higher is
    better, so a ratio is Bulkhead / direct. The samples pair up by round
    (io_rounds): the i-th of each way were taken together."""
    rows = []
    stats = lambda v: (min(v), median(v), max(v))
    for kind, label in (("disk", "virtio-blk sequential read"),
                        ("net", "virtio-net host to guest")):
        b, d = samples["Bulkhead"][kind], samples["direct"][kind]
        pairs = paired_ratio([x / y for x, y in zip(b, d)])
        rows.append((label, stats(b), stats(d), median(b) / median(d), pairs, len(b)))
    return rows


# ---- console of a Linux capsule -------------------------------------------

CONSOLE_CONFIG = "qemu-bench-console"
# The files `cat` prints: the one issue 13 measured, `seq 1 5000` (23,893
# bytes of short lines: the worst case for Bulkhead, which prefixes every
# line), and lines as long as a kernel log's (300 of 80 bytes).
CONSOLE_FILES = (
    ("seq", "seq 1 5000", 23893, "`cat` of `seq 1 5000` (23893 bytes)"),
    ("long", "awk 'BEGIN { for (i = 1; i <= 300; i++) printf \"%05d %073d\\n\", i, i }'",
     24000, "`cat` of 300 lines of 80 bytes (24000 bytes)"),
)
ECHO_TEXT = "typed-line-0123456789abcdef"


def console_sample(shell, name, nbytes):
    """KiB/s of `cat` of /tmp/console-NAME as a person sees it: from sending
    the command until its last line shows, less the same for an empty
    command."""
    empty_start = time.monotonic()
    shell.run("true")
    empty = time.monotonic() - empty_start
    start = time.monotonic()
    out = shell.run(f"cat /tmp/console-{name}")
    seconds = time.monotonic() - start - empty
    if len(out) != nbytes:
        raise BenchError(f"cat of /tmp/console-{name} showed {len(out)} bytes, not {nbytes}")
    return nbytes / 1024 / seconds


def echo_sample(shell):
    """Seconds from sending a typed line (no Enter) until all of it is echoed;
    the line is then erased with Ctrl-U."""
    start_at = len(shell.text())
    start = time.monotonic()
    shell.child.send(ECHO_TEXT)
    shell.wait_for(re.escape(ECHO_TEXT), IO_COMMAND_TIMEOUT, start_at)
    seconds = time.monotonic() - start
    shell.child.send("\x15")
    time.sleep(0.2)
    return seconds


def console_session(label, command, name, args, log_dir):
    """Boots, logs in, takes args.console_runs samples of each figure,
    powers off. Returns {figure: [samples]}."""
    shell = GuestShell(command, name, log_dir / f"{slug(label)}.log")
    try:
        shell.login(args.boot_timeout)
        samples = {"echo": []}
        for figure, make, _, _ in CONSOLE_FILES:
            shell.run(f"{make} > /tmp/console-{figure}")
            samples[figure] = []
        for _ in range(args.console_runs):
            for figure, _, nbytes, _ in CONSOLE_FILES:
                samples[figure].append(console_sample(shell, figure, nbytes))
            samples["echo"].append(echo_sample(shell) * 1000)
        shell.poweroff(IO_COMMAND_TIMEOUT)
        return samples
    except BootHang:
        shell.save()
        raise
    finally:
        shell.stop()


def console_throughput(args):
    build(CONSOLE_CONFIG)
    out, qemu = generated(CONSOLE_CONFIG)
    config = yaml.safe_load((ROOT / "configs" / f"{CONSOLE_CONFIG}.yaml").read_text())
    capsule = Capsule(config["capsules"][0])
    commands = {"Bulkhead": qemu + ["-kernel", str(out / "bulkhead.elf")],
                "direct": direct_linux(qemu, capsule, capsule_initrd(out, capsule))}
    results = alternating_boots(
        "console", commands, args.console_boots,
        lambda way, label: console_session(label, commands[way], capsule.name, args,
                                           LOG_DIR))
    figures = [f[0] for f in CONSOLE_FILES] + ["echo"]
    return {way: {f: [x for r in runs for x in r[f]] for f in figures}
            for way, runs in results.items()}


def console_rows(samples):
    """Rows (figure, unit, Bulkhead (min, median, max), direct (...), ratio
    Bulkhead / direct of the medians, samples each)."""
    stats = lambda v: (min(v), median(v), max(v))
    labels = [(figure, label, "KiB/s") for figure, _, _, label in CONSOLE_FILES]
    labels.append(("echo", f"echo of a typed line ({len(ECHO_TEXT)} keys)", "ms"))
    rows = []
    for kind, label, unit in labels:
        b, d = samples["Bulkhead"][kind], samples["direct"][kind]
        rows.append((label, unit, stats(b), stats(d), median(b) / median(d), len(b)))
    return rows


def report_console(rows, args):
    print(f"\n## Console of a Linux capsule, {CONSOLE_CONFIG}, {args.console_boots} boots "
          f"of each, {args.console_runs} samples per boot\n")
    print("Timed on the host through a pseudo-terminal, as a person sees it: the `cat` "
          "from sending the command until its last line shows, less an empty "
          "command's round trip; the echo from sending the keys until all show. "
          "Direct: the same kernel, initrd and command line on QEMU with OpenSBI and "
          "the real ns16550. Median (min-max); ratio Bulkhead / direct of the medians "
          "(throughput goal >= 0.5, ideally 1).\n")
    print("| figure | unit | Bulkhead | direct (OpenSBI) | ratio | samples each |")
    print("|---|---|---|---|---|---|")
    for label, unit, b, d, ratio, n in rows:
        print(f"| {label} | {unit} | {spread3(b, '.1f')} | {spread3(d, '.1f')} "
              f"| {ratio:.3f} | {n} |")
# ---- what the firmware costs a guest ----------------------------------------

SBI_CONFIG = "qemu-bench-sbi"
SBI_GUEST_ELF = ROOT / "build" / "guests" / "bench" / "bench.elf"
SBI_TIMEOUT = 300
# Debian testing's OpenSBI, the newest release (tests/bench/fetch_opensbi.py).
OPENSBI_LOCK = ROOT / "tests" / "bench" / "opensbi.lock"
OPENSBI_NEW_DIR = ROOT / "build" / "opensbi"
FETCH_OPENSBI = ROOT / "tests" / "bench" / "fetch_opensbi.py"
SBI_MODES = {"icount": ["-icount", "shift=0"], "wall": []}
# The table's rows, in order: the guest's name of each figure and its label.
SBI_ROWS = [
    ("sbi-null", "SBI null call (BASE get_spec_version)"),
    ("sbi-probe", "SBI probe_extension"),
    ("sbi-set-timer", "SBI set_timer"),
    ("ipi-send", "IPI send to the other vCPU"),
    ("ipi-round-trip", "IPI round trip"),
    ("rfence-one", "remote_sfence_vma (a page) to the other vCPU"),
    ("rfence-all", "remote_sfence_vma (a page) to both vCPUs"),
    ("hsm-start", "HSM hart_start to the first instruction"),
    ("timer-sbi", "timer interrupt, SBI set_timer: deadline to handler"),
    ("timer-sstc", "timer interrupt, stimecmp (Sstc): deadline to handler"),
    ("uart-read", "virtual UART register read (SCR)"),
    ("uart-write", "virtual UART register write (SCR)"),
    ("uart-read-sv39", "the same read, the guest paging (Sv39)"),
    ("uart-write-sv39", "the same write, the guest paging (Sv39)"),
    ("uart-console", "console through the UART (THR, polling LSR)"),
    ("dbcn-console", "console through DBCN console_write"),
    ("compute", "compute loop (100000 xorshift rounds)"),
    ("memory", "memory loop (8 passes over 1 MiB)"),
]
SBI_CONSOLES = ("uart-console", "dbcn-console")
SBI_TIMERS = ("timer-sbi", "timer-sstc")
# A line of the bench guest, with or without Bulkhead's `[name] ` prefix.
GUEST_LINE = r"^(?:\[\w+\] )?"
SBI_FIGURE = re.compile(GUEST_LINE + r"bench: (\S+) (count|ticks) n (\d+) median (-?\d+) "
                        r"min (-?\d+) max (-?\d+)(?: traps (\d+))?\s*$", re.MULTILINE)
SBI_CONSOLE = re.compile(GUEST_LINE + r"bench: (\S+) bytes (\d+) count (-?\d+) ticks (\d+)"
                         r"(?: traps (\d+))?\s*$", re.MULTILINE)
SBI_HEADER = re.compile(GUEST_LINE + r"bench: hart \d+, harts \d+, timebase (\d+), ",
                        re.MULTILINE)
SBI_CALIBRATION = re.compile(GUEST_LINE + r"bench: calibration count (\d+) ticks (\d+)\s*$",
                             re.MULTILINE)
SBI_SKIP = re.compile(GUEST_LINE + r"SKIP (\S+): (.*?)\s*$", re.MULTILINE)
OPENSBI_BANNER = re.compile(r"^OpenSBI v(\d+\.\d+)", re.MULTILINE)


class SbiRun:
    """What one run of the bench guest printed: timebase, calibration (instret
    counts in so many rdtime ticks), figures {(name, unit): (n, median, min,
    max, traps)}, consoles {name: (bytes, count, ticks, traps)} and skips
    {name: why}; traps is None off Bulkhead."""

    def __init__(self, timebase, calibration, figures, consoles, skips):
        self.timebase = timebase
        self.calibration = calibration
        self.figures = figures
        self.consoles = consoles
        self.skips = skips

    def ns_per_count(self):
        """Wall time of one instret count (without -icount: host cycles)."""
        count, ticks = self.calibration
        return ticks * 1e9 / self.timebase / count


def optional_int(text):
    return int(text) if text is not None else None


def parse_sbibench(text):
    """The SbiRun of one bench guest console. BenchError on a FAIL line or
    without `bench: done`; the console fill lines (bench-fill) are skipped."""
    failed = IRQ_FAIL.search(text)
    if failed:
        raise BenchError(f"bench guest: {failed.group(1)}")
    if not re.search(GUEST_LINE + r"bench: done\s*$", text, re.MULTILINE):
        raise BenchError("the bench guest did not finish (no `bench: done`)")
    header, calibration = SBI_HEADER.search(text), SBI_CALIBRATION.search(text)
    if not header or not calibration:
        raise BenchError("the bench guest printed no header or calibration line")
    figures = {(m.group(1), m.group(2)): (int(m.group(3)), int(m.group(4)), int(m.group(5)),
                                          int(m.group(6)), optional_int(m.group(7)))
               for m in SBI_FIGURE.finditer(text)}
    consoles = {m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4)),
                             optional_int(m.group(5)))
                for m in SBI_CONSOLE.finditer(text)}
    skips = {m.group(1): m.group(2) for m in SBI_SKIP.finditer(text)}
    return SbiRun(int(header.group(1)), (int(calibration.group(1)), int(calibration.group(2))),
                  figures, consoles, skips)


def opensbi_version(text):
    """The version in OpenSBI's banner, e.g. "1.1"."""
    m = OPENSBI_BANNER.search(text)
    if not m:
        raise BenchError("no `OpenSBI vX.Y` banner on a direct run's console")
    return m.group(1)


def sbi_value(run, name, mode):
    """(min, median, max) of one figure of one run, or None when the guest
    skipped it. icount: instructions, and instructions per byte for a
    console. wall: ns (for a timer from its ticks line, the deadline to the
    handler), and KiB/s for a console."""
    if name in SBI_CONSOLES:
        if name not in run.consoles:
            return None
        nbytes, count, ticks, _ = run.consoles[name]
        value = (count / nbytes if mode == "icount"
                 else nbytes / 1024 / (ticks / run.timebase))
        return value, value, value
    if mode == "wall" and name in SBI_TIMERS:
        figure, scale = run.figures.get((name, "ticks")), 1e9 / run.timebase
    else:
        figure = run.figures.get((name, "count"))
        scale = 1 if mode == "icount" else run.ns_per_count()
    if figure is None:
        return None
    _, mid, low, high, _ = figure
    return low * scale, mid * scale, high * scale


def sbi_traps(run, name):
    """Bulkhead's traps per operation (per byte for a console), or None."""
    if name in SBI_CONSOLES:
        entry = run.consoles.get(name)
        return entry[3] / entry[0] if entry and entry[3] is not None else None
    figure = run.figures.get((name, "count"))
    return figure[4] / figure[0] if figure and figure[4] is not None else None


def pooled(values):
    """(lowest min, median of the medians, highest max) of per-run values;
    None when any run lacks the figure."""
    if not values or any(v is None for v in values):
        return None
    return (min(v[0] for v in values), median([v[1] for v in values]),
            max(v[2] for v in values))


def sbi_rows(runs):
    """runs: {(mode, way): [SbiRun]}, ways "Bulkhead" and the OpenSBIs in
    column order. Returns {mode: [(name, label, {way: pooled or None},
    Bulkhead traps per operation or None)]}."""
    ways = list(dict.fromkeys(way for _, way in runs))
    rows = {}
    for mode in SBI_MODES:
        rows[mode] = []
        for name, label in SBI_ROWS:
            cells = {way: pooled([sbi_value(r, name, mode) for r in runs[mode, way]])
                     for way in ways}
            traps = [sbi_traps(r, name) for r in runs[mode, "Bulkhead"]]
            rows[mode].append((name, label, cells,
                               median(traps) if traps and None not in traps else None))
    return rows


def sbi_ratio(bulkhead, other):
    """Bulkhead / other of the medians: "n/a" if either is missing, "-" if
    the other is 0."""
    if bulkhead is None or other is None:
        return "n/a"
    if other[1] == 0:
        return "-"
    return f"{bulkhead[1] / other[1]:.2f}"


def sbi_cell(stats, fmt):
    return "n/a" if stats is None else spread3(stats, fmt)


def sbi_skips(runs, labels):
    """[(name, where, why)] of every figure a run skipped, where naming the
    columns and modes ("OpenSBI 1.1 icount, ...")."""
    notes = {}
    for (mode, way), rs in runs.items():
        for r in rs:
            for name, why in r.skips.items():
                where = notes.setdefault((name, why), [])
                if f"{labels[way]} {mode}" not in where:
                    where.append(f"{labels[way]} {mode}")
    return [(name, ", ".join(where), why) for (name, why), where in notes.items()]


def sbi_run(way, command, mode, timeout):
    """One bench guest run: its SbiRun and its console."""
    text = run_console(f"bench {way} {mode}", command + SBI_MODES[mode], timeout, LOG_DIR)
    return parse_sbibench(text), text


def fetch_new_opensbi():
    """build/opensbi/fw_dynamic.bin from the locked Debian testing package."""
    result = subprocess.run([sys.executable, str(FETCH_OPENSBI), "fetch", "--lock",
                             str(OPENSBI_LOCK), "--out", str(OPENSBI_NEW_DIR)],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"fetching OpenSBI from Debian testing failed:\n{result.stderr}")
    return OPENSBI_NEW_DIR / "fw_dynamic.bin"


def sbi_costs(runs, timeout):
    """Runs the bench guest on Bulkhead and directly on both OpenSBIs, in
    both modes, runs times. Returns (runs {(mode, way): [SbiRun]}, column
    labels {way: label}, bootargs, Bulkhead's trap count lines)."""
    qemu, bulkhead, capsule, guest = bare_metal_bench(SBI_CONFIG, SBI_GUEST_ELF)
    new_opensbi = fetch_new_opensbi()
    bootargs = capsule["payload"]["bootargs"]
    # The direct runs: Bulkhead's machine, with as many harts as the
    # capsule has vCPUs.
    ways = {"Bulkhead": bulkhead,
            "opensbi-debian12": direct_machine(qemu, capsule["vcpus"]) + guest,
            "opensbi-testing": direct_machine(qemu, capsule["vcpus"], new_opensbi) + guest}
    result = {(mode, way): [] for mode in SBI_MODES for way in ways}
    labels = {"Bulkhead": "Bulkhead"}
    trap_lines = []
    for n in range(runs):
        print(f"bench: firmware costs round {n + 1} of {runs}", file=sys.stderr)
        order = list(ways) if n % 2 == 0 else list(reversed(ways))
        for mode in SBI_MODES:
            for way in order:
                run, text = sbi_run(way, ways[way], mode, timeout)
                result[mode, way].append(run)
                if way == "Bulkhead":
                    trap_lines = [m.group(1) for m in TRAP_LINE.finditer(text)]
                else:
                    labels[way] = f"OpenSBI {opensbi_version(text)}"
    return result, labels, bootargs, trap_lines


def report_sbi(rows, labels, skips, bootargs, runs, trap_lines):
    ways = list(labels)
    others = ways[1:]
    short = {way: labels[way].replace("OpenSBI ", "") for way in others}
    header = ("| metric | unit | " + " | ".join(labels[w] for w in ways) + " | "
              + " | ".join(f"Bulkhead/{short[w]}" for w in others))
    units = {"icount": ("instructions", "instructions/byte"), "wall": ("ns", "KiB/s")}
    print(f"\n## What the firmware costs a guest (guests/bench `{bootargs}`, "
          f"{runs} runs of each)\n")
    print("The same guest as a Bulkhead capsule (2 vCPUs) and directly on QEMU with each "
          "OpenSBI (-smp 2). Median (min-max) of every run's samples; ratios of the "
          "medians (\"-\": the other is 0). Direct runs: Bulkhead's QEMU machine with "
          "-bios fw_dynamic.bin.\n")
    for mode, title in (("icount", "-icount shift=0: instructions of the whole machine "
                                   "(every hart, M-mode included), exact"),
                        ("wall", "Wall time, no -icount (noisy); the consoles in KiB/s, "
                                 "higher is better")):
        print(f"### {title}\n")
        trap_column = mode == "icount"
        print(header + (" | Bulkhead traps per op |" if trap_column else " |"))
        print("|" + "---|" * (2 + len(ways) + len(others) + trap_column))
        for name, label, cells, traps in rows[mode]:
            unit = units[mode][name in SBI_CONSOLES]
            fmt = ".1f" if name in SBI_CONSOLES else ".0f"
            line = (f"| {label} | {unit} | "
                    + " | ".join(sbi_cell(cells[w], fmt) for w in ways) + " | "
                    + " | ".join(sbi_ratio(cells["Bulkhead"], cells[w]) for w in others))
            if trap_column:
                line += " | " + ("n/a" if traps is None else f"{traps:.3g}")
            print(line + " |")
        print()
    for name, where, why in skips:
        print(f"n/a {name} ({where}): {why}")
    if trap_lines:
        print("\nBulkhead's trap counts when the capsule ended (since boot):")
    for line in trap_lines:
        print(f"    {line}")


# ---- builds and the generator ---------------------------------------------

BUILD_CONFIG = "qemu-2guest"
# (harts, capsules) of the generated systems the generator is timed on.
GEN_SIZES = ((4, 2), (16, 8), (32, 16), (64, 32))
GEN_CAPSULE_MEMORY = 16 << 20


def timed_make(tree, config):
    start = time.monotonic()
    result = subprocess.run(["make", "--no-print-directory", f"CONFIG={config}"], cwd=tree,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise BenchError(f"make CONFIG={config} in {tree} failed:\n{tail}")
    return seconds


def generated_board(harts):
    """boards/qemu-virt.yaml with `harts` harts, a supervisor and a machine
    PLIC context each, and RAM for GEN_SIZES' largest system."""
    board = yaml.safe_load((ROOT / "boards" / "qemu-virt.yaml").read_text())
    board["board"] = f"bench-gen-{harts}"
    board["harts"] = harts
    board["ram"] = [{"base": 0x80000000, "size": "2GiB"}]
    board["devices"]["plic"]["contexts"] = [
        {"hart": h, "mode": mode} for h in range(harts) for mode in ("machine", "supervisor")]
    return board


def generated_config(harts, capsules):
    """`capsules` hello capsules sharing `harts` harts out equally."""
    per = harts // capsules
    return {"board": f"bench-gen-{harts}",
            "hypervisor": {"log-level": "info"},
            "capsules": [{"name": f"g{i}", "vcpus": per,
                          "harts": list(range(i * per, (i + 1) * per)),
                          "memory": {"size": f"{GEN_CAPSULE_MEMORY >> 20}MiB"},
                          "payload": {"guest": "hello", "bootargs": f"hello {i}"},
                          "console": "uart"} for i in range(capsules)]}


def generator_times(tree, runs):
    """{(harts, capsules): [seconds of `bulkhead-gen build`]} in tree, whose
    guests are built."""
    times = {}
    for harts, capsules in GEN_SIZES:
        board = generated_board(harts)
        (tree / "boards" / f"{board['board']}.yaml").write_text(yaml.safe_dump(board))
        name = f"bench-gen-{harts}-{capsules}"
        config = tree / "configs" / f"{name}.yaml"
        config.write_text(yaml.safe_dump(generated_config(harts, capsules)))
        command = [sys.executable, "generator/bulkhead-gen", "build", "--config",
                   str(config), "--out", str(tree / "build" / name)]
        times[harts, capsules] = []
        for _ in range(runs):
            start = time.monotonic()
            result = subprocess.run(command, cwd=tree, capture_output=True, text=True)
            times[harts, capsules].append(time.monotonic() - start)
            if result.returncode != 0:
                raise BenchError(f"bulkhead-gen build of {name} failed:\n"
                                 + result.stdout + result.stderr)
    return times


def build_figures(args):
    """Clean and no-op build of BUILD_CONFIG in a scratch copy of the tree
    (guests included; downloads come from the cache), its image size, and
    the generator's time on generated systems."""
    with tempfile.TemporaryDirectory(prefix="bulkhead-bench-") as tmp:
        tree = scratch.copy_tree(Path(tmp) / "tree")
        print(f"bench: clean build of {BUILD_CONFIG} in {tree}", file=sys.stderr)
        clean = timed_make(tree, BUILD_CONFIG)
        noop = [timed_make(tree, BUILD_CONFIG) for _ in range(args.build_runs)]
        image = (tree / "build" / BUILD_CONFIG / "bulkhead.elf").stat().st_size
        print("bench: the generator on generated systems", file=sys.stderr)
        hello = subprocess.run(["make", "-C", "guests/hello",
                                f"OUT={tree / 'build' / 'guests' / 'hello'}"],
                               cwd=tree, capture_output=True, text=True)
        if hello.returncode != 0:
            raise BenchError("building guests/hello failed:\n" + hello.stdout + hello.stderr)
        generator = generator_times(tree, args.build_runs)
    return clean, noop, image, generator


def report_build(figures, runs):
    clean, noop, image, generator = figures
    print(f"\n## Building {BUILD_CONFIG} (seconds) and its image\n")
    print("From a copy of the tree without build/ (the guests built too; the Linux "
          f"guest's downloads from the cache); no-op: `make` again, {runs} times.\n")
    print("| clean build | no-op build | image (bulkhead.elf) |")
    print("|---|---|---|")
    print(f"| {clean:.1f} | {spread3((min(noop), median(noop), max(noop)), '.2f')} "
          f"| {image} bytes = {image / (1 << 20):.1f} MiB |")
    print(f"\n## The generator on generated systems (`bulkhead-gen build`, seconds, "
          f"median (min-max) of {runs})\n")
    print("hello capsules sharing the harts out equally, 16 MiB each, on qemu-virt "
          "with more harts (a machine and a supervisor PLIC context each).\n")
    print("| harts | capsules | seconds | per capsule |")
    print("|---|---|---|---|")
    for (harts, capsules), times in generator.items():
        stats = (min(times), median(times), max(times))
        print(f"| {harts} | {capsules} | {spread3(stats, '.2f')} "
              f"| {median(times) / capsules:.3f} |")


def footprint(elf):
    """(text, rodata+data, bss, RAM per hart, total) in bytes, read from the
    footprint line the link prints, made by the same script."""
    result = subprocess.run(["sh", str(FOOTPRINT_SCRIPT), NM, str(elf)],
                            capture_output=True, text=True)
    m = FOOTPRINT_LINE.search(result.stdout)
    if result.returncode != 0 or not m:
        raise BenchError(f"{FOOTPRINT_SCRIPT.relative_to(ROOT)} on {elf} failed:\n"
                         + result.stdout + result.stderr)
    return tuple(int(field) for field in m.groups())


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.DOTALL)


def sloc(directory):
    """Non-blank lines outside comments of the C, header and assembly files."""
    counts = {}
    for path in sorted(directory.rglob("*")):
        if path.suffix not in (".c", ".h", ".S", ".ld") or not path.is_file():
            continue
        code = strip_c_comments(path.read_text(errors="replace"))
        lines = sum(1 for line in code.splitlines() if line.strip())
        kind = path.suffix
        counts[kind] = counts.get(kind, 0) + lines
    return counts


def median(values):
    return statistics.median(values)


def spread(values):
    return f"{min(values):.2f}-{max(values):.2f}"


def report_boot(config, capsules, samples, hangs, runs):
    print(f"\n## Boot to login prompt, {config}, median of {runs} runs (seconds)\n")
    print("| capsule | Bulkhead | direct, concurrent | ratio | ratio of fastest "
          "| direct, alone |")
    print("|---|---|---|---|---|---|")
    for c in capsules:
        b = samples["bulkhead"][c.name]
        d = samples["concurrent"][c.name]
        a = samples["alone"][c.name]
        alone = f"{median(a):.2f} ({spread(a)})" if a else "-"
        print(f"| {c.name} ({c.vcpus} vCPU, {c.memory >> 20} MiB) "
              f"| {median(b):.2f} ({spread(b)}) | {median(d):.2f} ({spread(d)}) "
              f"| {median(b) / median(d):.3f} | {min(b) / min(d):.3f} | {alone} |")
    cb, cd = samples["cpu"]["bulkhead"], samples["cpu"]["concurrent"]
    print(f"\n## Host CPU time to every login prompt, median of {runs} runs (seconds)\n")
    print("Less sensitive to other load on the host than the wall-clock times above.\n")
    print("| capsules | Bulkhead (one QEMU) | direct, concurrent (both QEMUs) | ratio |")
    print("|---|---|---|---|")
    print(f"| {', '.join(c.name for c in capsules)} | {median(cb):.2f} ({spread(cb)}) "
          f"| {median(cd):.2f} ({spread(cd)}) | {median(cb) / median(cd):.3f} |")
    if hangs:
        print("\nBoots that hung and were timed again: "
              + "; ".join(f"{boot}: {count}" for boot, count in sorted(hangs.items()))
              + f" (console logs in {shown(LOG_DIR)})")


# ---- the scheduler --------------------------------------------------------

SCHED_CONFIG = "qemu-sched"
SCHED_ICOUNT = ["-icount", "shift=0,sleep=off"]
SCHED_TIMEOUT = 300
SCHED_TRACE_WINDOWS = 30  # windows per capsule when tracing the switches
SCHED_SUMMARY = re.compile(r"^\[(\w+)\] windows: (\d+) windows, length (\d+)\.\.(\d+), "
                           r"period (\d+)\.\.(\d+), jitter (\d+) ticks", re.MULTILINE)
TRACE_LINE = re.compile(r"^Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/")


def symbols(elf):
    """{name: (address, size)} of the ELF's functions."""
    out = subprocess.run([NM, "-S", str(elf)], capture_output=True, text=True,
                         check=True).stdout
    found = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTW":
            found[fields[3]] = (int(fields[0], 16), int(fields[1], 16))
        elif len(fields) == 3:
            found.setdefault(fields[2], (int(fields[0], 16), 0))
    return found


def sched_trace_config():
    """qemu-sched with SCHED_TRACE_WINDOWS windows per capsule, as a config
    file under build/bench (make builds a config given by its path)."""
    config = yaml.safe_load((ROOT / "configs" / f"{SCHED_CONFIG}.yaml").read_text())
    for capsule in config["capsules"]:
        payload = capsule["payload"]
        payload["bootargs"] = re.sub(r"windows=\d+", f"windows={SCHED_TRACE_WINDOWS}",
                                     payload["bootargs"])
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / "bench-sched-trace.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def switch_costs(trace, syms):
    """Instructions of each trap (bh_trap_entry to the mret, the trace
    holding the hypervisor's instructions only) that switched from one vCPU
    straight to another: it ran bh_sched_follow and never waited."""
    entry = syms["bh_trap_entry"][0]
    ranges = [syms[name] for name in ("bh_sched_follow", "bh_arch_wait")]

    def inside(pc, index):
        base, size = ranges[index]
        return base <= pc < base + size

    costs, current = [], {}
    with open(trace) as f:
        for line in f:
            m = TRACE_LINE.match(line)
            if not m:
                continue
            cpu, pc = int(m.group(1)), int(m.group(2), 16)
            if pc == entry:
                seg = current.get(cpu)
                if seg and seg["follow"] and not seg["waited"]:
                    costs.append(seg["count"])
                current[cpu] = {"count": 0, "follow": False, "waited": False}
            seg = current.get(cpu)
            if seg is None:
                continue
            seg["count"] += 1
            seg["follow"] = seg["follow"] or inside(pc, 0)
            seg["waited"] = seg["waited"] or inside(pc, 1)
    return costs


def sched_switch(timeout):
    """Instruction counts of direct switches, from QEMU's trace of the
    hypervisor's own code (-singlestep -d exec,nochain -dfilter) under
    -icount, where QEMU's mcycle counts one cycle per instruction too."""
    path = sched_trace_config()
    build(str(path))
    out, qemu = generated(path.stem)
    elf = out / "bulkhead.elf"
    syms = symbols(elf)
    text_end = syms["__etext"][0]
    trace = LOG_DIR / "sched-trace.log"
    command = qemu + SCHED_ICOUNT + [
        "-singlestep", "-d", "exec,nochain", "-D", str(trace),
        "-dfilter", f"{syms['_start'][0]:#x}..{text_end - 1:#x}", "-kernel", str(elf)]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise BenchError(f"the traced {SCHED_CONFIG} run failed (status "
                         f"{result.returncode}): {shlex.join(command)}")
    costs = switch_costs(trace, syms)
    trace.unlink()
    if not costs:
        raise BenchError(f"no switch from one vCPU to another in the trace of {path}")
    return costs


def sched_jitter(mode, timeout):
    """{capsule: (windows, length min, max, period min, max, jitter)} of one
    qemu-sched run; mode "icount" (exact) or "wall" (QEMU's threads as the
    host schedules them)."""
    out, qemu = generated(SCHED_CONFIG)
    command = qemu + (SCHED_ICOUNT if mode == "icount" else []) + [
        "-kernel", str(out / "bulkhead.elf")]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, errors="replace", timeout=timeout)
    found = {m.group(1): tuple(int(g) for g in m.groups()[1:])
             for m in SCHED_SUMMARY.finditer(result.stdout)}
    if not found:
        raise BenchError(f"{SCHED_CONFIG} ({mode}) printed no window summary")
    return found


def shared_boots(runs, timeout):
    """{config: {capsule: [seconds to its login prompt]}} of qemu-shared and
    qemu-2guest under Bulkhead, rounds alternating their order."""
    configs = ["qemu-shared", "qemu-2guest"]
    samples = {config: {} for config in configs}
    launches = {}
    hangs = {}
    for config in configs:
        build(config)
        out, qemu = generated(config)
        names = [c["name"] for c in
                 yaml.safe_load((ROOT / "configs" / f"{config}.yaml").read_text())["capsules"]]
        launches[config] = (qemu + ["-kernel", str(out / "bulkhead.elf")], names)
    for run in range(runs):
        print(f"bench: shared-hart boot round {run + 1} of {runs}", file=sys.stderr)
        for config in (configs if run % 2 == 0 else reversed(configs)):
            command, names = launches[config]
            done = timed(config, lambda: [Launch(config, command, names, True)],
                         hangs, timeout, LOG_DIR)
            for name, seconds in done[0].times.items():
                samples[config].setdefault(name, []).append(seconds)
    return samples


def report_sched(costs, jitter, boots, runs):
    print("\n## The scheduler (configs/qemu-sched.yaml, configs/qemu-shared.yaml)\n")
    print("| figure | Bulkhead | goal |")
    print("|---|---|---|")
    print(f"| switch from one vCPU to another: instructions from the timer trap to the "
          f"mret, with the PMP backend ({len(costs)} switches, -icount) "
          f"| {median(costs):.0f} ({spread(costs)}) | <= 400 |")
    print("| the same in cycles | QEMU counts one cycle per instruction under -icount "
          "(no cycle model): as above | |")
    for mode in ("icount", "wall"):
        for name, (count, lmin, lmax, pmin, pmax, jit) in sorted(jitter[mode].items()):
            print(f"| window-start jitter, {name}, {mode} ({count} windows; period "
                  f"{pmin}..{pmax}, length {lmin}..{lmax}) | {jit} ticks | |")
    for config, capsules in boots.items():
        for name, times in capsules.items():
            print(f"| boot to login, {config} {name} (median of {runs}) "
                  f"| {median(times):.2f} s ({spread(times)}) | |")


def report_footprint(sizes, lines):
    text, data, bss, per_hart, vcpus, total = sizes
    print("\n## Hypervisor footprint (bytes, as the link prints it)\n")
    print("| text | rodata+data | bss | total | RAM per hart (stack + state) "
          "| vCPU states | Bao (published, not measured here) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {text} | {data} | {bss} | {total} = {total / 1024:.1f} KiB | {per_hart} "
          f"| {vcpus} | {BAO_FOOTPRINT_KIB} KiB |")
    print("\n## SLOC of hypervisor/ (non-blank, non-comment)\n")
    print("| " + " | ".join(sorted(lines)) + " | total |")
    print("|" + "---|" * (len(lines) + 1))
    print("| " + " | ".join(str(lines[k]) for k in sorted(lines))
          + f" | {sum(lines.values())} |")


def spread3(stats, fmt):
    low, mid, high = stats
    return f"{mid:{fmt}} ({low:{fmt}}-{high:{fmt}})"


def report_irq(rows, traps, trap_lines, bootargs, runs, harts):
    vcpus, board = harts
    print(f"\n## Passthrough interrupt latency, RTC alarm deadline to the S-mode handler "
          f"(irqbench `{bootargs}`, {runs} runs of each)\n")
    print("Median (min-max) of every sample; the ratio is Bulkhead / direct of the "
          "medians (1.00 is the goal). Direct: the same guest ELF on QEMU with OpenSBI, "
          f"-smp {vcpus} (the capsule's vCPUs); the last column on Bulkhead's whole "
          f"machine, -smp {board}.\n")
    print(f"| QEMU clock | figure | Bulkhead | direct (OpenSBI) | ratio "
          f"| direct, -smp {board} | samples each |")
    print("|---|---|---|---|---|---|---|")
    for mode, unit, b, d, board_stats, ratio, n in rows:
        clock = "-icount shift=0" if mode == "icount" else "wall (no -icount)"
        print(f"| {clock} | {unit} | {spread3(b, '.0f')} | {spread3(d, '.0f')} "
              f"| {ratio:.3f} | {spread3(board_stats, '.0f')} | {n} |")
    if any(t is not None for t in traps):
        print(f"\nHypervisor traps on the capsule's hart during the rounds, each run: "
              f"{', '.join(str(t) for t in traps)}")
    for line in trap_lines:
        print(f"At the end (since boot, setup included): {line}")


def report_io(rows, trap_lines, disk, args):
    print(f"\n## Throughput in a Linux capsule, {IO_CONFIG} (MiB/s, higher is better), "
          f"{args.io_boots} boots of each, {args.io_runs} rounds per boot\n")
    print(f"virtio-blk: {args.disk_passes} whole reads of the {disk >> 20} MiB disk "
          "(`dd if=/dev/vda of=/dev/null bs=1M iflag=direct`, busybox `time` in the "
          f"guest); virtio-net: {args.net_mib} MiB from the host to a forwarded port "
          "(busybox nc, then `cat >/dev/null`), timed on the host until the guest's "
          "reply. Both machines stay booted; in each round one runs while the other is "
          "paused (QMP `stop`), and each takes one sample of each figure. Median "
          "(min-max); ratio Bulkhead / direct of the medians; the rounds' ratios "
          "(Bulkhead / direct of each pair), their geometric mean and its 95 % "
          "bootstrap interval (goal >= 0.95).\n")
    print("| figure | Bulkhead | direct (OpenSBI) | ratio | pairs: mean [95 % interval] "
          "| samples each |")
    print("|---|---|---|---|---|---|")
    for label, b, d, ratio, (mean, low, high), n in rows:
        print(f"| {label} | {spread3(b, '.1f')} | {spread3(d, '.1f')} | {ratio:.3f} "
              f"| {mean:.3f} [{low:.3f}, {high:.3f}] | {n} |")
    for line in trap_lines:
        print(f"\nBulkhead trap counts at the capsule's end (since boot): {line}")


PARTS = ("boot", "irq", "io", "console", "sbi", "build", "sched")


def parse_parts(text):
    parts = [p for p in text.split(",") if p]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(unknown) or '(none)'}; parts: {', '.join(PARTS)}")
    return parts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", type=parse_parts, default=list(PARTS),
                        help="comma-separated parts to run: boot, irq, io, console, sbi, build, "
                        "sched "
                        "(default all; the footprint is always printed)")
    parser.add_argument("--config", default="qemu-2guest",
                        help="system whose Linux capsules are timed (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5,
                        help="boot rounds; medians are reported (default %(default)s)")
    parser.add_argument("--boot-timeout", type=float, default=BOOT_TIMEOUT,
                        help="seconds a boot may take before it counts as hung "
                        "(default %(default)s)")
    parser.add_argument("--irq-runs", type=int, default=6,
                        help="irqbench runs of each kind; a multiple of 3 gives each "
                        "kind each place in the order equally (default %(default)s)")
    parser.add_argument("--io-boots", type=int, default=2,
                        help="pairs of boots (Bulkhead and direct up together, one "
                        "paused while the other is measured) for the I/O figures "
                        "(default %(default)s)")
    parser.add_argument("--io-runs", type=int, default=8,
                        help="rounds per pair of boots, each a disk and a network sample "
                        "of both (default %(default)s)")
    parser.add_argument("--disk-passes", type=int, default=4,
                        help="whole-disk reads per disk sample (default %(default)s)")
    parser.add_argument("--net-mib", type=int, default=64,
                        help="MiB the host sends per network sample (default %(default)s)")
    parser.add_argument("--console-boots", type=int, default=2,
                        help="boots of each kind for the console figures "
                        "(default %(default)s)")
    parser.add_argument("--console-runs", type=int, default=3,
                        help="console samples per boot (default %(default)s)")
    parser.add_argument("--sbi-runs", type=int, default=3,
                        help="bench guest runs of each kind for the firmware costs "
                        "(default %(default)s)")
    parser.add_argument("--sched-runs", type=int, default=3,
                        help="boots of qemu-shared and qemu-2guest for the scheduler "
                        "figures (default %(default)s)")
    parser.add_argument("--build-runs", type=int, default=3,
                        help="no-op builds and generator runs of each size "
                        "(default %(default)s)")
    args = parser.parse_args()
    try:
        if not os.path.exists(OPENSBI):
            raise BenchError(f"{OPENSBI} is missing; install the opensbi package")
        if not shutil.which("qemu-system-riscv64"):
            raise BenchError("qemu-system-riscv64 is missing; install qemu-system-misc")
        clear_logs(LOG_DIR)
        build(args.config)
        if "boot" in args.parts:
            config = yaml.safe_load((ROOT / "configs" / f"{args.config}.yaml").read_text())
            capsules = [Capsule(node) for node in config["capsules"]]
            samples, hangs = boot_times(args.config, capsules, args.runs, args.boot_timeout)
            report_boot(args.config, capsules, samples, hangs, args.runs)
        if "irq" in args.parts:
            result, traps, trap_lines, bootargs, harts = irq_latency(args.irq_runs,
                                                                     IRQ_TIMEOUT)
            report_irq(irq_rows(result), traps, trap_lines, bootargs, args.irq_runs, harts)
        if "io" in args.parts:
            io_samples, trap_lines, disk, _ = io_throughput(args)
            report_io(io_rows(io_samples), trap_lines, disk, args)
        if "console" in args.parts:
            report_console(console_rows(console_throughput(args)), args)
        if "sbi" in args.parts:
            runs, labels, bootargs, trap_lines = sbi_costs(args.sbi_runs, SBI_TIMEOUT)
            report_sbi(sbi_rows(runs), labels, sbi_skips(runs, labels), bootargs,
                       args.sbi_runs, trap_lines)
        if "build" in args.parts:
            report_build(build_figures(args), args.build_runs)
        if "sched" in args.parts:
            build(SCHED_CONFIG)
            jitter = {mode: sched_jitter(mode, SCHED_TIMEOUT) for mode in ("icount", "wall")}
            report_sched(sched_switch(SCHED_TIMEOUT), jitter,
                         shared_boots(args.sched_runs, args.boot_timeout), args.sched_runs)
        sizes = footprint(ROOT / "build" / args.config / "bulkhead.elf")
        lines = sloc(ROOT / "hypervisor")
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(1)
    report_footprint(sizes, lines)


if __name__ == "__main__":
    main()
