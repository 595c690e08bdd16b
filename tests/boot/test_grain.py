# SPDX-License-Identifier: MIT
"""A board with a 4 KiB PMP grain, end to end (issue 8, item 1).

In a scratch copy of the tree, boards/qemu-virt.yaml gets `granularity:
4KiB` and hello1 of qemu-hello gets the goldfish RTC passed through. QEMU's
PMP has a 4-byte grain, so whatever the generator emits on 4 KiB boundaries
runs there unchanged; the hypervisor, built with BH_PMP_GRAIN 0x1000,
decodes every entry as 4 KiB-grain hardware would and refuses the tables at
boot when one reaches beyond its capsule.

- The generated entries all sit on the grain and the boot passes its check:
  every hello check passes, QEMU exits by itself with status 0.
- The same tables with the RTC's entry turned into NA4 (fine with a 4-byte
  grain, not selectable with 4 KiB) stop the boot with a panic before any
  capsule runs.

Timeouts are hang guards, not speed targets.
"""

import re
import subprocess

import pytest

import scratch

CONFIG = "qemu-hello"
BUILD_TIMEOUT = 900
BOOT_TIMEOUT = 120
RTC_ENTRY = re.compile(r"\{ \.addr = (0x[0-9a-f]+), \.cfg = 0x1b \},\t/\* rtc NAPOT "
                       r"\[0x101000, 0x102000\)")


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{path}: no {old!r} to edit"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    dest = scratch.copy_tree(tmp_path_factory.mktemp("grain") / "tree")
    edit(dest / "boards/qemu-virt.yaml", "  granularity: 4\n", "  granularity: 4KiB\n")
    edit(dest / f"configs/{CONFIG}.yaml", '      bootargs: "hello from capsule 1"\n',
         '      bootargs: "hello from capsule 1"\n    devices: [rtc]\n')
    return dest


def make(tree, *args):
    return subprocess.run(["make", "--no-print-directory", f"CONFIG={CONFIG}", *args],
                          cwd=tree, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=BUILD_TIMEOUT)


def boot(tree):
    """QEMU's status and console for the image in tree/build/CONFIG."""
    words = (tree / "build" / CONFIG / "gen" / "qemu.args").read_text().split()
    result = subprocess.run([*words, "-kernel", f"build/{CONFIG}/bulkhead.elf"], cwd=tree,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=BOOT_TIMEOUT)
    return result.returncode, result.stdout.replace("\r", "")


@pytest.fixture(scope="module")
def built(tree):
    result = make(tree)
    if result.returncode != 0:
        pytest.fail(f"make CONFIG={CONFIG} with a 4 KiB grain failed:\n"
                    + (result.stdout + result.stderr)[-3000:], pytrace=False)
    return (tree / "build" / CONFIG / "gen" / "tables.c").read_text()


def test_the_hypervisor_is_built_for_the_4k_grain(tree, built):
    header = (tree / "build" / CONFIG / "gen" / "bulkhead_config.h").read_text()
    assert re.search(r"#define BH_PMP_GRAIN\s+0x1000\b", header), header


def test_every_entry_sits_on_the_grain(built):
    entries = re.findall(r"\{ \.addr = (0x[0-9a-f]+), \.cfg = (0x[0-9a-f]+)"
                         r"(?:, \.only_vcpu = \d+)? \}", built)
    assert entries, built
    for addr, cfg in (tuple(int(v, 16) for v in e) for e in entries):
        mode = cfg & 0x18
        assert mode != 0x10, f"NA4 entry {addr:#x} under a 4 KiB grain"
        if mode == 0x18:   # NAPOT: at least 9 trailing ones (4 KiB)
            assert addr & 0x1ff == 0x1ff, f"NAPOT {addr:#x} finer than 4 KiB"
        else:              # TOR or its OFF bottom: on a 4 KiB boundary
            assert (addr << 2) % 0x1000 == 0, f"TOR bound {addr << 2:#x} off the grain"
    assert RTC_ENTRY.search(built), "hello1's RTC entry is missing from tables.c"


def test_the_boot_check_accepts_the_generated_tables(tree, built):
    status, output = boot(tree)
    assert status == 0, f"QEMU exited with status {status}:\n{output[-3000:]}"
    assert "PANIC" not in output, output[-3000:]
    for name in ("hello0", "hello1"):
        assert re.search(rf"^\[{name}\] hello: done$", output, re.MULTILINE), output[-3000:]
        fails = re.findall(rf"^\[{name}\] FAIL .*$", output, re.MULTILINE)
        assert not fails, fails


def test_an_entry_the_grain_cannot_hold_stops_the_boot(tree, built):
    match = RTC_ENTRY.search(built)
    napot = int(match.group(1), 16)
    na4 = f"{{ .addr = {(napot & ~0x1ff):#x}, .cfg = 0x13 }},"
    tables = tree / "build" / CONFIG / "gen" / "tables.c"
    tables.write_text(built.replace(match.group(0).split("\t")[0], na4, 1))
    try:
        result = subprocess.run(["make", "--no-print-directory", "-C", "hypervisor",
                                 f"GEN={tree}/build/{CONFIG}/gen",
                                 f"OUT={tree}/build/{CONFIG}"],
                                cwd=tree, capture_output=True, text=True,
                                timeout=BUILD_TIMEOUT)
        assert result.returncode == 0, result.stdout + result.stderr
        status, output = boot(tree)
    finally:
        tables.write_text(built)
    assert status != 0, f"QEMU exited with status 0:\n{output[-3000:]}"
    assert re.search(r"^\[bulkhead\] PANIC hart 0: the generated tables are inconsistent: "
                     r"capsule hello1 PMP entry \d+ \(addr 0x40400, cfg 0x13\) cannot be held "
                     r"with a 0x1000-byte grain$", output, re.MULTILINE), output[-3000:]
    assert not re.search(r"^\[hello", output, re.MULTILINE), "a capsule ran"
