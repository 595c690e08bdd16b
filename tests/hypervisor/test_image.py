# SPDX-License-Identifier: MIT
"""The hypervisor image as `make` builds it, in a scratch copy of the tree
whose board lacks Sstc.

- A build prints the footprint (text, data, bss, RAM per hart, total) and
  the parts add up to the image's RAM; `make bench` reports the same figures
  for the image, to the byte.
- A second `make` prints nothing and rewrites nothing.
- Without Sstc the hypervisor is built with BH_HAS_SSTC 0 (menvcfg.STCE
  untouched, mtimecmp multiplexed for the guest's timer): qemu-hello on
  QEMU with `sstc=false` passes every check except timer-sstc, which it
  skips, and QEMU exits by itself.

The copy leaves the work tree alone, so other builds there do not disturb
these tests. Timeouts are hang guards, not speed targets.
"""

import importlib.util
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

import scratch

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "qemu-hello"
BOARD = Path("boards", "qemu-virt.yaml")
BUILD_TIMEOUT = 900
BOOT_TIMEOUT = 120

FOOTPRINT = re.compile(r"footprint: text (\d+), rodata\+data (\d+), bss (\d+), "
                       r"RAM per hart (\d+) \(stack \+ state\), vCPU states (\d+), "
                       r"total (\d+) bytes")
CHECK_LINE = re.compile(r"^\[([A-Za-z0-9_.-]+)\] (PASS|FAIL|SKIP) ([a-z0-9-]+)")
DONE_LINE = re.compile(r"^\[([A-Za-z0-9_.-]+)\] hello: done$")


def without_sstc(text):
    """The board file with Sstc gone from its ISA and from QEMU's CPU."""
    isa = re.compile(r"^(  extensions: \[.*), sstc\]$", re.MULTILINE)
    cpu = re.compile(r'"rv64,h=false"')
    assert isa.search(text), f"{BOARD}: no 'extensions: [..., sstc]' line to edit"
    assert cpu.search(text), f'{BOARD}: no "rv64,h=false" QEMU CPU to edit'
    return cpu.sub('"rv64,h=false,sstc=false"', isa.sub(r"\1]", text))


def make(tree, *args, timeout=BUILD_TIMEOUT):
    return subprocess.run(["make", "--no-print-directory", f"CONFIG={CONFIG}", *args],
                          cwd=tree, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def snapshot(directory):
    """{path: (size, mtime_ns)} of every file under directory."""
    return {p: (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    dest = scratch.copy_tree(tmp_path_factory.mktemp("image") / "tree")
    board = dest / BOARD
    board.write_text(without_sstc(board.read_text()))
    return dest


@pytest.fixture(scope="module")
def first_build(tree):
    result = make(tree)
    if result.returncode != 0:
        pytest.fail(f"make CONFIG={CONFIG} in {tree} failed:\n"
                    + result.stdout + result.stderr, pytrace=False)
    return result.stdout + result.stderr


def test_build_prints_the_footprint(first_build):
    lines = FOOTPRINT.findall(first_build)
    assert len(lines) == 1, f"expected one footprint line in:\n{first_build}"
    text, data, bss, per_hart, vcpus, total = map(int, lines[0])
    assert text > 0 and data > 0 and bss > 0
    assert text + data + bss == total, f"footprint parts do not add up: {lines[0]}"
    harts = yaml.safe_load((ROOT / BOARD).read_text())["harts"]
    assert 0 < per_hart * harts + vcpus <= bss, "stacks, hart and vCPU states live in bss"


def test_bench_reports_the_build_footprint(tree, first_build):
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "tests/bench/run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    built = tuple(map(int, FOOTPRINT.search(first_build).groups()))
    assert bench.footprint(tree / "build" / CONFIG / "bulkhead.elf") == built


def test_second_make_does_nothing(tree, first_build):
    out = tree / "build" / CONFIG
    before = snapshot(out)
    result = make(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == "", (
        "a no-op rebuild printed:\n" + result.stdout + result.stderr)
    after = snapshot(out)
    changed = [str(p.relative_to(out)) for p in after if before.get(p) != after[p]]
    assert not changed, f"a no-op rebuild rewrote: {', '.join(changed)}"


def test_board_without_sstc_builds_without_stce(tree, first_build):
    config = (tree / "build" / CONFIG / "gen" / "bulkhead_config.h").read_text()
    assert re.search(r"^#define BH_HAS_SSTC\s+0$", config, re.MULTILINE), config


def boot(tree):
    """`make run` with no terminal on stdin until QEMU exits or the guard."""
    proc = subprocess.Popen(["make", "--no-print-directory", "run", f"CONFIG={CONFIG}"],
                            cwd=tree, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=BOOT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"QEMU still ran after {BOOT_TIMEOUT} s (killed):\n{output}",
                    pytrace=False)
    return proc.returncode, output.replace("\r", "")


def test_hello_passes_with_the_timer_multiplexed(tree, first_build):
    status, output = boot(tree)
    assert status == 0, f"make run exited with {status}:\n{output}"
    verdicts = {}
    for line in output.splitlines():
        m = CHECK_LINE.match(line)
        if m:
            verdicts.setdefault(m.group(1), {})[m.group(3)] = m.group(2)
    done = {m.group(1) for m in map(DONE_LINE.match, output.splitlines()) if m}
    assert set(verdicts) == {"hello0", "hello1"} == done, output
    for name, checks in verdicts.items():
        failed = [c for c, v in checks.items() if v == "FAIL"]
        assert not failed, f"{name} failed {failed}:\n{output}"
        assert checks.get("timer-sstc") == "SKIP", f"{name}: {checks}"
        for check in ("timer-sbi", "time", "ipi", "hsm", "isolation"):
            assert checks.get(check) == "PASS", f"{name}: {check} {checks.get(check)}"
    assert "[bulkhead] powering off: every capsule ended cleanly" in output, output
