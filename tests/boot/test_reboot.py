# SPDX-License-Identifier: MIT
"""SBI SRST reboot under `on-reboot: restart` on qemu-reboot
(docs/security.md, "Reboot").

The `rebooter` capsule (two vCPUs) cannot count its own boots: a restart
leaves nothing of the previous one in it, which is what is checked. So this
test drives it through its console: after the first boot's prompt it types
`r` (the guest starts its second vCPU, scribbles over its image, its DTB and
all free memory, and asks SBI SRST for a cold reboot), after the second
boot's prompt `q` (the guest shuts down and QEMU exits by itself).

Expected: exactly two boots, the hypervisor's restart line between them,
every check (image stamps, free memory all zero, other vCPU stopped, and
`state`: every CSR S-mode can write, f0-f31 and fcsr at their reset values
although the guest dirtied them all before the reboot) passing on both boots, and each boot's CRC-32 of its image and DTB equal to
the files the build produced, the DTB's time of day aside: the hypervisor
writes it at each start (docs/design.md, "Time of day"), so each boot has
its own, the host's time then, the second later than the first. The whole
console is kept in build/qemu-reboot/boot.log.
"""

import re
import zlib

import pytest

import qemu

CONFIG = "qemu-reboot"
NAME = "rebooter"
PROMPT_TIMEOUT = 60  # hang guards, not speed targets
EXIT_TIMEOUT = 60
CHECKS = ["image", "cleared", "vcpus", "state"]
BOOT_LINE = re.compile(r"^rebooter: boot, image crc32 ([0-9a-f]{8}) \((\d+) bytes\), "
                       r"dtb crc32 ([0-9a-f]{8}) \((\d+) bytes\), started at (\d+)\.(\d{9}) s$")
PROMPT = "rebooter: r reboots, q shuts down"
SCRIBBLED = re.compile(r"^rebooter: scribbled over its image, its DTB and (\d+) bytes "
                       r"of free memory; rebooting$")
RESTART_LOG = f"capsule {NAME} rebooted; restarting"


def prompts(lines):
    return sum(1 for prefix, text in lines if prefix == NAME and text == PROMPT)


@pytest.fixture(scope="module")
def boot():
    qemu.build(CONFIG)
    live = qemu.LiveBoot(CONFIG)
    try:
        for count, key in enumerate("rq", start=1):
            if not live.wait_for(lambda lines, n=count: prompts(lines) >= n,
                                 PROMPT_TIMEOUT):
                break
            live.send(key)
        return live.finish(EXIT_TIMEOUT)
    finally:
        live.kill()


def boots(boot):
    """The rebooter's lines, split into one list per boot line."""
    runs = []
    for line in boot.lines(NAME):
        if BOOT_LINE.match(line):
            runs.append([])
        if runs:
            runs[-1].append(line)
    return runs


def test_qemu_exits_by_itself(boot):
    qemu.assert_exited_cleanly(
        boot, f"QEMU still ran {EXIT_TIMEOUT} s after the second `q` was typed")


def test_no_panic(boot):
    qemu.assert_no_panic(boot)


def test_booted_twice_with_one_restart_between(boot):
    order = []
    for prefix, text in qemu.ordered_lines(boot.output):
        if prefix == NAME and BOOT_LINE.match(text):
            order.append("boot")
        elif prefix == NAME and SCRIBBLED.match(text):
            order.append("scribbled")
        elif (prefix == "bulkhead" and text.startswith(f"capsule {NAME} ")
              and not qemu.TRAP_COUNTS.match(text)):
            order.append(text)
        elif prefix == NAME and text == "rebooter: done":
            order.append("done")
    want = ["boot", "scribbled", RESTART_LOG, "boot", "done",
            f"capsule {NAME} powered off; halted"]
    if order != want:
        qemu.fail(boot, f"boots, scribbles and the hypervisor's lines about {NAME} came as "
                        f"{order}, expected {want}")


def test_every_check_passes_on_every_boot(boot):
    runs = boots(boot)
    if len(runs) != 2:
        qemu.fail(boot, f"{NAME} booted {len(runs)} times, expected 2")
    for number, lines in enumerate(runs, start=1):
        results = qemu.check_results(lines)
        problems = [f"{check}: {results.get(check)}" for check in CHECKS
                    if results.get(check) != [("PASS", "")]]
        problems += [f"unexpected check {check}: {got}"
                     for check, got in results.items() if check not in CHECKS]
        if problems:
            qemu.fail(boot, f"boot {number}: " + "; ".join(problems))


def test_image_and_dtb_are_as_built_on_every_boot(boot):
    image = (qemu.ROOT / "build/guests/rebooter/rebooter.bin").read_bytes()
    dtb = (qemu.ROOT / f"build/{CONFIG}/gen/capsule-{NAME}.dtb").read_bytes()
    want = (f"{zlib.crc32(image):08x}", len(image), f"{zlib.crc32(dtb):08x}", len(dtb))
    seen = [m.groups()[:4] for m in map(BOOT_LINE.match, boot.lines(NAME)) if m]
    if len(seen) != 2:
        qemu.fail(boot, f"{NAME} printed {len(seen)} boot lines, expected 2")
    for number, (image_crc, image_len, dtb_crc, dtb_len) in enumerate(seen, start=1):
        got = (image_crc, int(image_len), dtb_crc, int(dtb_len))
        if got != want:
            qemu.fail(boot, f"boot {number}: image crc32 {got[0]} ({got[1]} bytes), dtb crc32 "
                            f"{got[2]} ({got[3]} bytes); the built files have {want[0]} "
                            f"({want[1]} bytes) and {want[2]} ({want[3]} bytes)")


def test_each_boot_has_the_time_of_day_of_its_start(boot):
    """The hypervisor wrote the time of day into the DTB at the boot and
    again at the restart, after the pristine DTB (zeros there) came back."""
    starts = [int(m.group(5)) * 10**9 + int(m.group(6))
              for m in map(BOOT_LINE.match, boot.lines(NAME)) if m]
    if len(starts) != 2:
        qemu.fail(boot, f"{NAME} printed {len(starts)} boot lines, expected 2")
    problems = []
    for number, start in enumerate(starts, start=1):
        problems += qemu.time_of_day_problems(boot, start // 10**9,
                                              f"boot {number} started at")
    if starts[1] <= starts[0]:
        problems.append(f"the restart's time of day {starts[1]} ns is not later than the "
                        f"boot's {starts[0]} ns")
    if problems:
        qemu.fail(boot, "; ".join(problems))


def test_scribbled_before_the_reboot(boot):
    """Without the scribble the second boot would prove nothing."""
    scribbles = [m for m in map(SCRIBBLED.match, boot.lines(NAME)) if m]
    if len(scribbles) != 1 or int(scribbles[0].group(1)) == 0:
        qemu.fail(boot, f"expected one scribble over free memory before the reboot, "
                        f"found {len(scribbles)}")
