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

Footprint: text, data and bss of bulkhead.elf without its payload sections,
and the SLOC of hypervisor/. Figures only; nothing here passes or fails.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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
# Bao's published footprint, a reference figure not measured here.
BAO_FOOTPRINT_KIB = 48


class BenchError(Exception):
    pass


class BootHang(BenchError):
    """A QEMU that showed no login prompt in time: counted, reported and
    timed again, so one stuck boot neither ends the run nor hides."""


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
            raise BenchError(f"{self.label}: QEMU exited before every login prompt:\n"
                             + self.tail())
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

    def done(self):
        return len(self.times) == len(self.names)

    def tail(self):
        text = b"".join(self.output).decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-20:])

    def stop(self):
        if self.child and self.child.isalive():
            self.child.terminate(force=True)


def time_launches(launches):
    """Starts every launch at once; returns when each has shown all its
    login prompts."""
    t0 = time.monotonic()
    try:
        for launch in launches:
            launch.start(t0)
        while not all(launch.done() for launch in launches):
            if time.monotonic() - t0 > BOOT_TIMEOUT:
                late = [f"{l.label}: {sorted(set(l.names) - set(l.times))}"
                        for l in launches if not l.done()]
                raise BootHang(f"no login prompt within {BOOT_TIMEOUT} s from "
                                 + "; ".join(late) + "\n"
                                 + "\n".join(l.tail() for l in launches if not l.done()))
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


def timed(make_launches, hangs):
    """Times fresh launches until one attempt completes; counts the hangs."""
    for attempt in range(ATTEMPTS):
        launches = make_launches()
        try:
            time_launches(launches)
            return launches
        except BootHang as e:
            label = launches[0].label.split()[0]
            hangs[label] = hangs.get(label, 0) + 1
            print(f"bench: warning: {e}", file=sys.stderr)
    raise BenchError(f"{ATTEMPTS} attempts in a row hung; giving up")


def boot_times(config, capsules, runs):
    gen = ROOT / "build" / config / "gen"
    qemu = (gen / "qemu.args").read_text().split()
    elf = ROOT / "build" / config / "bulkhead.elf"
    names = [c.name for c in capsules]
    first = capsules[0]
    samples = {"bulkhead": {n: [] for n in names},
               "concurrent": {n: [] for n in names},
               "alone": {n: [] for n in names},
               "cpu": {"bulkhead": [], "concurrent": []}}
    hangs = {}
    for run in range(runs):
        print(f"bench: boot round {run + 1} of {runs}", file=sys.stderr)
        phases = {
            "bulkhead": lambda: [Launch("Bulkhead", qemu + ["-kernel", str(elf)],
                                        names, True)],
            "direct": lambda: [Launch(f"direct {c.name}", c.direct_command(),
                                      [c.name], False) for c in capsules],
            "alone": lambda: [Launch(f"direct {first.name} alone",
                                     first.direct_command(), [first.name], False)],
        }
        # Alternate the order, so a change in the host's other load over the
        # run weighs on every column alike.
        order = list(phases) if run % 2 == 0 else list(reversed(phases))
        done = {phase: timed(phases[phase], hangs) for phase in order}
        bulkhead, direct, alone = done["bulkhead"], done["direct"], done["alone"]
        for launch in bulkhead + direct + alone:
            kind = ("bulkhead" if launch.prefixed else
                    "alone" if launch.label.endswith("alone") else "concurrent")
            for n, t in launch.times.items():
                samples[kind][n].append(t)
        samples["cpu"]["bulkhead"].append(sum(l.cpu for l in bulkhead))
        samples["cpu"]["concurrent"].append(sum(l.cpu for l in direct))
    return samples, hangs


def footprint(elf):
    """text, data, bss of elf without the payload and pristine sections."""
    with tempfile.TemporaryDirectory() as tmp:
        bare = os.path.join(tmp, "hypervisor.elf")
        # objcopy warns about the segments the removed sections leave empty.
        strip = subprocess.run(["riscv64-unknown-elf-objcopy",
                                "--remove-section=.payload.*",
                                "--remove-section=.pristine.*", str(elf), bare],
                               capture_output=True, text=True)
        if strip.returncode != 0:
            raise BenchError(f"objcopy of {elf} failed:\n{strip.stderr}")
        out = subprocess.run(["riscv64-unknown-elf-size", "-B", bare], check=True,
                             capture_output=True, text=True).stdout
    fields = out.splitlines()[1].split()
    return int(fields[0]), int(fields[1]), int(fields[2])


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
              + ", ".join(f"{label} {count}" for label, count in sorted(hangs.items())))
    text, data, bss = sizes
    total = text + data + bss
    print("\n## Hypervisor footprint (bulkhead.elf without payload sections)\n")
    print("| text | data | bss | total | Bao (published, not measured here) |")
    print("|---|---|---|---|---|")
    print(f"| {text} B | {data} B | {bss} B | {total} B = {total / 1024:.1f} KiB "
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
    args = parser.parse_args()
    try:
        if not os.path.exists(OPENSBI):
            raise BenchError(f"{OPENSBI} is missing; install the opensbi package")
        if not shutil.which("qemu-system-riscv64"):
            raise BenchError("qemu-system-riscv64 is missing; install qemu-system-misc")
        build(args.config)
        config = yaml.safe_load((ROOT / "configs" / f"{args.config}.yaml").read_text())
        capsules = [Capsule(node) for node in config["capsules"]]
        samples, hangs = boot_times(args.config, capsules, args.runs)
        sizes = footprint(ROOT / "build" / args.config / "bulkhead.elf")
        lines = sloc(ROOT / "hypervisor")
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(1)
    report(args.config, capsules, samples, hangs, args.runs, sizes, lines)


if __name__ == "__main__":
    main()
