# SPDX-License-Identifier: MIT
"""The qemu-2guest demo end to end: two stock Linux capsules on one console.

Boots `make run CONFIG=qemu-2guest`, logs into each capsule through the
console focus keys (Ctrl-] then its digit) and checks, in each: the hostname
is the capsule's name, 2 CPUs are online, MemTotal fits the capsule's memory,
`uname -r` is the packaged kernel's, and what one capsule runs never shows
in the other's output. It then reboots one capsule and checks that it comes
back from its pristine image, powers one capsule off, shows that the other
still answers, powers that one off too and expects QEMU to exit by itself.

The capsules' own devices (issue 9): linux0's virtio disk is mounted at
/data and a file written there survives a reboot of the capsule (while the
initramfs, its RAM, comes back pristine); every capsule with a network card
has the address QEMU's DHCP server gives; linux1's httpd page is fetched
from the host through the port forwarded to 127.0.0.1; in each capsule
/proc/interrupts shows its virtio interrupts counting on its own CPUs.

The time of day (issue 13): /init sets each capsule's clock from the time
of day the hypervisor wrote into its device tree; `date` in each capsule,
and the modification time of a file linux0 writes to its disk, are the
host's time within qemu.TIME_OF_DAY_SLACK, and still are after linux0's
reboot.

A second test builds the Linux guest twice, under different paths, time
zones, locales and umasks, and expects identical bytes.

Every wait has a hang guard; a failure shows the tail of each capsule's
console, and the whole console is kept in build/qemu-2guest/test_2guest.log.
"""

import os
import re
import secrets
import signal
import subprocess
import time
import urllib.request

import pexpect
import pytest
import yaml

import qemu
from linux_console import (BOOT_TIMEOUT, COMMAND_TIMEOUT, ISSUE, KERNEL_RESERVE, Capsule,
                           SystemConsole)
from qemu import ROOT

CONFIG = "qemu-2guest"
# In config order: a capsule's index is its focus digit.
CAPSULES = [c["name"] for c in qemu.load_config(CONFIG)["capsules"]]
LOG = ROOT / "build" / CONFIG / "test_2guest.log"
INPUTS_LOCK = ROOT / "build" / "guests" / "linux" / "inputs.lock"

EXIT_TIMEOUT = 60

# QEMU user networking's DHCP server gives the first guest this address.
DHCP_ADDRESS = "10.0.2.15"


def capsule_devices(name):
    """{slot: device entry} of the capsule's virtio devices in the config."""
    entries = qemu.capsule_config(CONFIG, name).get("devices", [])
    return {e["name"]: e for e in entries if isinstance(e, dict)}


def forwarded_port(name):
    """The host port forwarded to the capsule's httpd (bulkhead.httpd=PORT)."""
    bootargs = qemu.capsule_config(CONFIG, name)["payload"]["bootargs"]
    guest = int(re.search(r"bulkhead\.httpd=(\d+)", bootargs).group(1))
    for device in capsule_devices(name).values():
        for rule in device.get("network", {}).get("forward", []):
            if rule["guest"] == guest:
                return rule["host"]
    raise AssertionError(f"{name}: no forward to its httpd port {guest} in {CONFIG}")


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


def capsule_memory(name):
    return qemu.parse_size(qemu.capsule_config(CONFIG, name)["memory"]["size"])


def packaged_kernel_release():
    inputs = yaml.safe_load(INPUTS_LOCK.read_text())
    kernels = [p for p in inputs["packages"] if p["role"] == "kernel"]
    assert kernels, f"{INPUTS_LOCK} names no kernel package"
    return kernels[0]["kernel-release"]


def check_devices(console, capsule):
    """The capsule's disk is mounted, its network has its DHCP address, and
    its virtio interrupts count on its own CPUs."""
    devices = capsule_devices(capsule.name)
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


# A known file of KNOWN_LINES lines, numbered and of lengths 6..205, with
# every printable ASCII character: made by busybox awk in the capsule, and
# by known_file() here.
KNOWN_LINES = 200
KNOWN_AWK = ("awk 'BEGIN { for (i = 1; i <= %d; i++) { s = sprintf(\"%%05d \", i); "
             "for (j = 0; j < (i * 37) %% 200; j++) s = s sprintf(\"%%c\", 33 + (i + j) %% 94); "
             "print s } }'" % KNOWN_LINES)


def known_file():
    lines = []
    for i in range(1, KNOWN_LINES + 1):
        lines.append(f"{i:05d} " + "".join(chr(33 + (i + j) % 94)
                                           for j in range((i * 37) % 200)))
    return "".join(line + "\n" for line in lines)


def check_console_file(console, printer, other):
    """printer cats a known file of over 20 KB while other prints lines of
    its own: every byte of the file arrives in order, in whole lines, each
    with printer's prefix, and none of other's lines is in it."""
    expected = known_file()
    assert len(expected) >= 20000
    printer.focus()
    # What makes the polled console fast (docs/design.md, "Console speed"):
    # the driver took the tree's FIFO size and the command line's speed.
    port = printer.run("cat /sys/class/tty/ttyS0/xmit_fifo_size; "
                       "stty -a 2>/dev/null | sed -n 's/^speed \\([0-9]*\\) baud.*/\\1/p'").split()
    if port != ["1024", "4000000"]:
        console.fail(f"{printer.name}: ttyS0 FIFO size and speed are {port}, expected "
                     "['1024', '4000000']: Linux polls the virtual UART slowly")
    printer.run(f"{KNOWN_AWK} > /tmp/known")
    other.focus()
    other.run("(for i in $(seq 1 40); do echo tick-$i; sleep 0.1; done &)")
    printer.focus()
    shown = printer.run("cat /tmp/known")
    if shown != expected:
        got, want = shown.splitlines(), expected.splitlines()
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                     min(len(got), len(want)))
        console.fail(f"{printer.name}: cat of a {len(expected)}-byte file showed "
                     f"{len(shown)} bytes; first difference at line {first + 1}: "
                     f"{got[first] if first < len(got) else '(missing)'!r} instead of "
                     f"{want[first] if first < len(want) else '(nothing)'!r}")
    console.wait_for(other.name, r"tick-40\n", COMMAND_TIMEOUT, "the last tick line")


def check_time_of_day(console, capsule):
    """`date +%s`, and the modification time of a file written to the
    capsule's disk at /data, are the host's time while the command ran,
    within qemu.TIME_OF_DAY_SLACK: /init set the clock (a kernel without
    it starts in 1970)."""
    name = capsule.name
    commands = {"date +%s": "date +%s"}
    if any("disk" in d for d in capsule_devices(name).values()):
        commands["the mtime of a file written to /data"] = \
            "touch /data/clock && stat -c %Y /data/clock"
    slack = qemu.TIME_OF_DAY_SLACK
    for what, command in commands.items():
        before = time.time()
        out = capsule.run(command).strip()
        after = time.time()
        if not out.isdigit():
            console.fail(f"{name}: `{command}` printed {out!r}")
        if not before - slack <= int(out) <= after + slack:
            console.fail(f"{name}: {what} is {out} s since 1970, but the host's clock read "
                         f"{before:.0f}..{after:.0f} s meanwhile (off by more than {slack} s)")


def check_httpd_from_the_host(console, capsule):
    """The capsule's page, fetched from the host through 127.0.0.1."""
    name = capsule.name
    url = f"http://127.0.0.1:{forwarded_port(name)}/"
    # /init started it before getty's banner, which the test waited for.
    capsule.focus()
    if not capsule.run("pidof httpd").strip():
        console.fail(f"{name}: httpd is not running (bulkhead.httpd in its bootargs)")
    try:
        with urllib.request.urlopen(url, timeout=COMMAND_TIMEOUT) as reply:
            page = reply.read().decode(errors="replace")
    except OSError as err:
        console.fail(f"{name}: fetching {url} from the host failed: {err}")
    if f"Bulkhead capsule {name}" not in page:
        console.fail(f"{name}: {url} returned {page[:200]!r}")


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


def test_two_linux_capsules(system):
    console = system
    capsules = {name: Capsule(console, name) for name in CAPSULES}
    for name in CAPSULES:
        console.wait_for(name, re.escape(ISSUE), BOOT_TIMEOUT,
                         "getty's banner (/etc/issue)")

    release = packaged_kernel_release()
    markers = {}
    for name, capsule in capsules.items():
        capsule.login()
        hostname = capsule.run("hostname").strip()
        if hostname != name:
            console.fail(f"{name}: hostname is {hostname!r}, not the capsule's name")
        cpus = capsule.run("grep -c ^processor /proc/cpuinfo").strip()
        if cpus != "2":
            console.fail(f"{name}: /proc/cpuinfo lists {cpus!r} processors, expected 2")
        meminfo = capsule.run("grep MemTotal /proc/meminfo")
        m = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
        if not m:
            console.fail(f"{name}: no MemTotal in {meminfo!r}")
        total, size = int(m.group(1)) << 10, capsule_memory(name)
        if not size - KERNEL_RESERVE <= total <= size:
            console.fail(f"{name}: MemTotal is {total >> 10} kB; a {size >> 20} MiB "
                         f"capsule should show {(size - KERNEL_RESERVE) >> 10}.."
                                                 f"{size >> 10} kB")
        uname = capsule.run("uname -r").strip()
        if uname != release:
            console.fail(f"{name}: uname -r is {uname!r}, the packaged kernel is "
                         f"{release!r} ({INPUTS_LOCK})")
        markers[name] = f"marker-{name}-{secrets.token_hex(6)}"
        echoed = capsule.run(f"echo {markers[name]}")
        if markers[name] not in echoed:
            console.fail(f"{name}: echo printed {echoed!r}, not {markers[name]}")

        check_devices(console, capsule)
        check_time_of_day(console, capsule)

    for name, marker in markers.items():
        for other in CAPSULES:
            if other != name and marker in console.stream(other):
                console.fail(f"{name}'s marker {marker} shows in {other}'s output")

    check_httpd_from_the_host(console, capsules[CAPSULES[1]])
    check_console_file(console, capsules[CAPSULES[0]], capsules[CAPSULES[1]])

    # A reboot restarts the capsule from its pristine payload: what it wrote
    # into its RAM (the initramfs is RAM) is gone afterwards, what it wrote
    # to its own disk is still there.
    rebooted = capsules[CAPSULES[0]]
    kept = f"kept-{secrets.token_hex(6)}"
    rebooted.focus()
    rebooted.run(f"echo before-reboot > /root/witness; echo {kept} > /data/witness; sync")
    rebooted.reboot()
    after = rebooted.run("cat /root/witness 2>&1")
    if "No such file" not in after:
        console.fail(f"{rebooted.name}: /root/witness survived the reboot ({after!r}); "
                     "the capsule did not restart from its pristine image")
    on_disk = rebooted.run("cat /data/witness 2>&1")
    if kept not in on_disk:
        console.fail(f"{rebooted.name}: /data/witness is {on_disk!r} after the reboot, "
                     f"not {kept}: the disk did not keep what the capsule wrote")
    hostname = rebooted.run("hostname").strip()
    if hostname != rebooted.name:
        console.fail(f"{rebooted.name}: hostname after the reboot is {hostname!r}")
    # The restart wrote the time of day anew into the pristine device tree.
    check_time_of_day(console, rebooted)

    # One capsule off; the other must not notice.
    stopped, survivor = capsules[CAPSULES[1]], capsules[CAPSULES[0]]
    stopped.poweroff()
    survivor.focus()
    alive = survivor.run("echo still-$((40 + 2))")
    if "still-42" not in alive:
        console.fail(f"{survivor.name} stopped answering after {stopped.name} powered off")

    survivor.poweroff()
    deadline = time.monotonic() + EXIT_TIMEOUT
    while console.child.isalive() and time.monotonic() < deadline:
        try:
            console.pump(1.0)
        except pexpect.EOF:
            break
    if console.child.isalive():
        console.fail(f"QEMU still runs {EXIT_TIMEOUT} s after both capsules powered off")
    console.child.close()
    if console.child.exitstatus != 0:
        console.fail(f"make run exited with status {console.child.exitstatus}, "
                     "expected 0 (QEMU powered off by the hypervisor)")


def test_linux_guest_is_reproducible(tmp_path):
    """Two builds of the Linux guest, under different output paths, time
    zones, locales and umasks, give identical bytes."""
    settings = [("a", "UTC", "C", 0o022),
                ("second-build-with-a-longer-path", "Pacific/Chatham", "C.UTF-8", 0o077)]
    outs = []
    for name, tz, locale, umask in settings:
        out = tmp_path / name
        env = dict(os.environ, TZ=tz, LC_ALL=locale)
        result = subprocess.run(["make", "--no-print-directory", "-C", "guests/linux",
                                 f"OUT={out}"], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=600, preexec_fn=lambda: os.umask(umask))
        if result.returncode != 0:
            pytest.fail(f"make -C guests/linux OUT={out} failed:\n"
                        + result.stdout + result.stderr, pytrace=False)
        outs.append(out)
    for artifact in ("Image", "initramfs.cpio.gz", "inputs.lock"):
        first, second = (out / artifact for out in outs)
        if first.read_bytes() != second.read_bytes():
            pytest.fail(f"{artifact} differs between {first} and {second}", pytrace=False)
