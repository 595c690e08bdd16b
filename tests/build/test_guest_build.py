# SPDX-License-Identifier: MIT
"""The bare-metal guest build (guests/common/guest.mk).

One binary must serve every capsule base, so the build links each guest at
two addresses and refuses an image that differs: a guest with an absolute
address in its data must fail to build, naming the relocation. A good
guest builds, and a second `make` does nothing.

Each test builds in a scratch tree holding a copy of guests/common, so the
work tree is never touched.
"""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 300  # hang guard

MAKEFILE = """GUEST := {name}
SRCS := {name}.c
include ../common/guest.mk
"""

GOOD = """#include "runtime.h"

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	printf("good: vhart %lu, dtb %p\\n", hartid, dtb);
}
"""

# A pointer in initialised data: its value is an absolute address.
BAD = """#include "runtime.h"

static const char message[] = "bad";
const char *const message_pointer = message;

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	(void)hartid;
	(void)dtb;
	printf("%s\\n", message_pointer);
}
"""


def scratch_guest(tmp_path, name, source):
    guests = tmp_path / "guests"
    shutil.copytree(ROOT / "guests" / "common", guests / "common")
    (guests / name).mkdir()
    (guests / name / "Makefile").write_text(MAKEFILE.format(name=name))
    (guests / name / f"{name}.c").write_text(source)
    return guests / name, tmp_path / "build" / "guests" / name


def make(directory, out):
    return subprocess.run(["make", "-C", str(directory), f"OUT={out}"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT)


def test_position_independent_guest_builds_once(tmp_path):
    directory, out = scratch_guest(tmp_path, "good", GOOD)
    first = make(directory, out)
    assert first.returncode == 0, first.stdout + first.stderr
    image = out / "good.bin"
    assert image.stat().st_size > 0
    assert (out / "good.elf").exists()
    second = make(directory, out)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Nothing to be done" in second.stdout, second.stdout


def test_absolute_address_fails_the_build(tmp_path):
    directory, out = scratch_guest(tmp_path, "bad", BAD)
    result = make(directory, out)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "not position independent" in output, output
    assert "R_RISCV_64" in output, output
    assert "message" in output, output
    assert not (out / "bad.bin").exists(), "a rejected image was left behind"
