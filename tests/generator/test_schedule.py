"""Schedules: the timeline and latencies of `info`, the SVG bars, the
window tables, and the arithmetic behind them (docs/design.md, "Scheduler").

cases/shared.yaml: capsules a and b (2 vCPUs each) share harts 0 and 1 on
explicit windows with idle gaps; c and e share hart 2 by weight 3:1; d is
pinned 1:1 on hart 3.
"""

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

from conftest import FIXTURES, REPO, build, load, run_gen
from test_render import CROSS_GCC

CASE = os.path.join(FIXTURES, "..", "cases", "shared.yaml")


def with_case(root):
    shutil.copy(CASE, os.path.join(root, "configs", "shared.yaml"))
    return "configs/shared.yaml"


def test_info_prints_each_shared_harts_timeline_and_latency(root):
    result = run_gen(root, "info", "--config", with_case(root), "--out", "build/shared")
    assert result.rc == 0, result.err
    out = result.out
    start = out.index("Harts:")
    assert out[start:out.index("PMP entries")] == """Harts:
  hart 0: shared by schedules[0]
  hart 1: shared by schedules[0]
  hart 2: shared by schedules[1]
  hart 3: capsule d vCPU 0

Schedule 0 (harts 0, 1): frame 10ms = 100000 ticks at 10000000 Hz; times from the frame's start, half-open:
  hart 0:
    [0, 3ms)                   3ms  capsule a vCPU 0
    [3ms, 7ms)                 4ms  capsule b vCPU 0
    [7ms, 8ms)                 1ms  idle
    [8ms, 9ms)                 1ms  capsule a vCPU 0
    [9ms, 10ms)                1ms  idle
  note: hart 0 idles 2ms of every frame: [7ms, 8ms), [9ms, 10ms)
  hart 1:
    [0, 3ms)                   3ms  capsule a vCPU 1
    [3ms, 7ms)                 4ms  capsule b vCPU 1
    [7ms, 8ms)                 1ms  idle
    [8ms, 9ms)                 1ms  capsule a vCPU 1
    [9ms, 10ms)                1ms  idle
  note: hart 1 idles 2ms of every frame: [7ms, 8ms), [9ms, 10ms)
  Worst-case interrupt latency, the schedule's part (from the end of a window to the start of the capsule's next; add a switch):
    a: 5ms (runs 4ms of every 10ms)
    b: 6ms (runs 4ms of every 10ms)

Schedule 1 (harts 2): frame 5ms = 50000 ticks at 10000000 Hz; times from the frame's start, half-open:
  hart 2:
    [0, 3750us)             3750us  capsule c vCPU 0
    [3750us, 5ms)           1250us  capsule e vCPU 0
  Worst-case interrupt latency, the schedule's part (from the end of a window to the start of the capsule's next; add a switch):
    c: 1250us (runs 3750us of every 5ms)
    e: 3750us (runs 1250us of every 5ms)

"""
    assert "  context 1   hart 0 supervisor capsule a vCPU 0, capsule b vCPU 0 (by schedule)" \
        in out


def test_svg_draws_a_shared_hart_as_a_frame_coloured_by_capsule(root):
    result = run_gen(root, "info", "--config", with_case(root), "--out", "build/shared")
    assert result.rc == 0, result.err
    ns = "{http://www.w3.org/2000/svg}"
    tree = ElementTree.parse(os.path.join(root, "build", "shared", "system.svg"))
    texts = [t.text for t in tree.iter(ns + "text")]
    assert "hart 0: schedules[0], frame 10ms" in texts
    assert "d vCPU 0" in texts
    # Hart 0's bar: 250 px for 10 ms, a at 0 and 8 ms, b at 3 ms, idle at 7 and 9 ms.
    bars = {}
    for group in tree.iter(ns + "g"):
        title = group.find(ns + "title").text
        box = group.find(ns + "rect")
        bars[title] = (box.get("x"), box.get("width"), box.get("fill"))
    assert bars["a vCPU 0: [0, 3ms)"] == ("480", "75", "#8dd3c7")
    assert bars["b vCPU 0: [3ms, 7ms)"] == ("555", "100", "#bebada")
    assert bars["a vCPU 0: [8ms, 9ms)"] == ("680", "25", "#8dd3c7")
    idle = [(r.get("x"), r.get("width")) for r in tree.iter(ns + "rect")
            if r.get("stroke-dasharray") and r.get("height") == "24"]
    assert ("655", "25") in idle and ("705", "25") in idle


def test_tables_hold_each_shared_harts_windows_in_ticks(root, tmp_path):
    result, out = build(root, with_case(root))
    assert result.rc == 0, result.err
    tables = open(os.path.join(out, "gen", "tables.c")).read()
    windows = re.findall(r"\{ \.start = (\d+), \.length = (\d+), \.capsule = (\d+), "
                         r"\.vcpu = (\d+) \}", tables[tables.index("hart1_windows[]"):
                                                     tables.index("hart1_schedule =")])
    assert windows == [("0", "30000", "0", "1"), ("30000", "40000", "1", "1"),
                       ("80000", "10000", "0", "1")]
    assert ".frame = 50000," in tables
    assert "[2] = { .capsule = -1, .vcpu = 0, .schedule = &hart2_schedule },\t/* shared by " \
           "schedules[1]: configs/shared.yaml:" in tables
    assert "[3] = { .capsule = 3, .vcpu = 0 }," in tables
    gen = os.path.join(out, "gen")
    proc = subprocess.run([CROSS_GCC, "-Wall", "-Wextra", "-Werror", "-mcmodel=medany",
                           "-ffreestanding", "-I", os.path.join(REPO, "hypervisor", "include"),
                           "-I", gen, "-c", os.path.join(gen, "tables.c"), "-o",
                           str(tmp_path / "t.o")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_latency_is_the_longest_wait_across_the_frame_wrap(root):
    system = load(root, with_case(root))
    first, second = system.schedules
    a, b, c, d, e = system.capsules
    # a runs [0, 3) and [8, 9) of 10 ms: from 3 to 8 is longer than from 9 to 10.
    assert first.latency(a) == 50000
    # b runs [3, 7): it waits from 7 to the next frame's 3.
    assert first.latency(b) == 60000
    assert second.latency(c) == 12500 and second.latency(e) == 37500
    assert first.gaps(0) == [(70000, 10000), (90000, 10000)]
    assert second.gaps(2) == []


def test_a_system_without_schedules_pins_every_hart(root):
    result, out = build(root, "configs/qemu-hello.yaml")
    assert result.rc == 0, result.err
    tables = open(os.path.join(out, "gen", "tables.c")).read()
    assert "bh_window" not in tables and ".schedule" not in tables
