# SPDX-License-Identifier: MIT
"""The real boards' boot flow, in QEMU: Debian's U-Boot SPL for the HiFive
Unleashed (u-boot-sifive, sifive_unleashed/u-boot-spl.bin, fetched and
locked by tools/fetch-boards) runs in QEMU sifive_u as its ROM would run it
(-bios, MSEL 11: boot from the SD card), reads build/sifive-u-hello/bulkhead.itb
from the SD card image tools/mksdcard lays out (GPT, the FIT at sector 2082
where SPL looks for U-Boot), loads the hypervisor and every payload at their
addresses and starts the hypervisor on all five harts, as it starts U-Boot.
The same hello checks must pass as with `make run`, and QEMU must exit by
itself (the hypervisor's GPIO restart; -no-reboot).

The HiFive Unmatched and the VisionFive 2 load the same kind of FIT with the
same SPL code (docs/boards.md); QEMU models neither board, so this is as far
as their flow is proven here.
"""

import re
import subprocess
from pathlib import Path

import pytest

import qemu

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "sifive-u-hello"
SPL = ROOT / "build" / "boards" / "sifive_unleashed-u-boot-spl.bin"
BOOT_TIMEOUT = 180  # hang guard, not a speed target
# What the SPL needs of the machine: the Unleashed's 8 GiB (it sizes its DDR
# controller for it and faults with less), and MSEL 11, its SD card mode.
SPL_MACHINE = ["-M", "sifive_u,msel=11", "-smp", "5", "-m", "8G"]


@pytest.fixture(scope="module")
def boot(tmp_path_factory):
    subprocess.run([str(ROOT / "tools" / "fetch-boards"), "fetch"], check=True, timeout=600)
    qemu.build(CONFIG)
    itb = ROOT / "build" / CONFIG / "bulkhead.itb"
    card = tmp_path_factory.mktemp("spl") / "sd.img"
    subprocess.run([str(ROOT / "tools" / "mksdcard"), "--itb", str(itb), "--out", str(card)],
                   check=True)
    board = qemu.load_board(CONFIG)
    args = [a for a in board["qemu"]["args"] if a not in ("-bios", "none")]
    cmd = [board["qemu"]["binary"], *SPL_MACHINE, *args, "-bios", str(SPL),
           "-drive", f"file={card},if=sd,format=raw"]
    result = qemu.run_command_to_exit(CONFIG, cmd, BOOT_TIMEOUT)
    (ROOT / "build" / CONFIG / "spl-boot.log").write_text(result.output)
    return result


def test_spl_loads_the_fit_from_the_sd_card(boot):
    lines = boot.lines("")
    if not any(re.match(r"^U-Boot SPL 20\d\d\.\d\d", line) for line in lines):
        qemu.fail(boot, "no U-Boot SPL banner: QEMU did not run Debian's SPL")
    if "Trying to boot from MMC1" not in lines:
        qemu.fail(boot, "SPL did not boot from the SD card (MMC1)")
    banner = [line for line in boot.lines("bulkhead") if line.startswith("Bulkhead ")]
    if len(banner) != 1 or f"system {CONFIG} on qemu-sifive-u, 5 harts" not in banner[0]:
        qemu.fail(boot, f"expected one hypervisor banner for {CONFIG}, found {banner}")
    # Nothing but SPL's own lines comes before the hypervisor's.
    first = boot.output.index("[bulkhead] Bulkhead ")
    unexpected = [line for line in boot.output[:first].splitlines()
                  if line.strip() and not line.startswith(("U-Boot SPL", "Trying to boot"))]
    if unexpected:
        qemu.fail(boot, f"SPL said more than its banner before the hypervisor: {unexpected}")


def test_qemu_exits_by_itself(boot):
    qemu.assert_exited_cleanly(boot, f"QEMU still ran after {BOOT_TIMEOUT} s (killed)",
                               why_status_0="the GPIO restart ends QEMU (-no-reboot)")
    if "powering off: every capsule ended cleanly" not in boot.lines("bulkhead"):
        qemu.fail(boot, "the hypervisor did not log 'powering off: every capsule "
                        "ended cleanly'")


def test_no_panic(boot):
    qemu.assert_no_panic(boot)


@pytest.mark.parametrize("name", ["hello0", "hello1"])
def test_every_check_passes(boot, name):
    problems = qemu.hello_problems(boot, CONFIG, name)
    if problems:
        qemu.fail(boot, f"{name}:\n  " + "\n  ".join(problems))
