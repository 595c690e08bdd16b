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

Footprint: the figures the link prints, from the same script
(hypervisor/scripts/footprint.sh), and the SLOC of hypervisor/. Figures
only; nothing here passes or fails.
"""

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import yaml

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
                            r"RAM per hart (\d+) \(stack \+ state\), total (\d+) bytes")
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

    def direct_command(self):
        # bulkhead.capsule=NAME gives the guest the name the device tree
        # gives it under Bulkhead (guests/linux/rootfs/init).
        return ["qemu-system-riscv64", "-M", "virt", "-nographic",
                "-smp", str(self.vcpus), "-m", f"{self.memory >> 20}M",
                "-bios", OPENSBI, "-kernel", str(self.kernel),
                "-initrd", str(self.initrd),
                "-append", f"{self.bootargs} bulkhead.capsule={self.name}"]


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


def boot_times(config, capsules, runs, timeout):
    gen = ROOT / "build" / config / "gen"
    qemu = (gen / "qemu.args").read_text().split()
    elf = ROOT / "build" / config / "bulkhead.elf"
    names = [c.name for c in capsules]
    first = capsules[0]
    samples = {"bulkhead": {n: [] for n in names},
               "concurrent": {n: [] for n in names},
               "alone": {n: [] for n in names},
               "cpu": {"bulkhead": [], "concurrent": []}}
    # Keyed by the sample kind, named as the report's columns.
    phases = {
        ("bulkhead", "Bulkhead"): lambda: [
            Launch("Bulkhead", qemu + ["-kernel", str(elf)], names, True)],
        ("concurrent", "direct, concurrent"): lambda: [
            Launch(f"direct {c.name}", c.direct_command(), [c.name], False)
            for c in capsules],
        ("alone", "direct, alone"): lambda: [
            Launch(f"direct {first.name} alone", first.direct_command(),
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
        bulkhead, direct = done["bulkhead"], done["concurrent"]
        samples["cpu"]["bulkhead"].append(sum(l.cpu for l in bulkhead))
        samples["cpu"]["concurrent"].append(sum(l.cpu for l in direct))
    return samples, hangs


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


def report(config, capsules, samples, hangs, runs, sizes, lines):
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
    text, data, bss, per_hart, total = sizes
    print("\n## Hypervisor footprint (bytes, as the link prints it)\n")
    print("| text | rodata+data | bss | total | RAM per hart (stack + state) "
          "| Bao (published, not measured here) |")
    print("|---|---|---|---|---|---|")
    print(f"| {text} | {data} | {bss} | {total} = {total / 1024:.1f} KiB | {per_hart} "
          f"| {BAO_FOOTPRINT_KIB} KiB |")
    print("\n## SLOC of hypervisor/ (non-blank, non-comment)\n")
    print("| " + " | ".join(sorted(lines)) + " | total |")
    print("|" + "---|" * (len(lines) + 1))
    print("| " + " | ".join(str(lines[k]) for k in sorted(lines))
          + f" | {sum(lines.values())} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="qemu-2guest",
                        help="system whose Linux capsules are timed (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5,
                        help="boot rounds; medians are reported (default %(default)s)")
    parser.add_argument("--boot-timeout", type=float, default=BOOT_TIMEOUT,
                        help="seconds a boot may take before it counts as hung "
                        "(default %(default)s)")
    args = parser.parse_args()
    try:
        if not os.path.exists(OPENSBI):
            raise BenchError(f"{OPENSBI} is missing; install the opensbi package")
        if not shutil.which("qemu-system-riscv64"):
            raise BenchError("qemu-system-riscv64 is missing; install qemu-system-misc")
        build(args.config)
        config = yaml.safe_load((ROOT / "configs" / f"{args.config}.yaml").read_text())
        capsules = [Capsule(node) for node in config["capsules"]]
        clear_logs(LOG_DIR)
        samples, hangs = boot_times(args.config, capsules, args.runs, args.boot_timeout)
        sizes = footprint(ROOT / "build" / args.config / "bulkhead.elf")
        lines = sloc(ROOT / "hypervisor")
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(1)
    report(args.config, capsules, samples, hangs, args.runs, sizes, lines)


if __name__ == "__main__":
    main()
