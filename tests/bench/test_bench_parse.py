# SPDX-License-Identifier: MIT
"""What `make bench` reads from guests and how it turns samples into its
tables, without QEMU: irqbench's console (on Bulkhead, prefixed, and on
OpenSBI), busybox `time`, the ratios of the interrupt and I/O tables, the
direct QEMU command built from Bulkhead's, and a run that hangs."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parent / "run.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_run_parse", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()

BULKHEAD_CONSOLE = """\
[bulkhead] Bulkhead 1: system qemu-bench-irq on qemu-virt, 4 harts, 1 capsules
[irqbench] irqbench: hart 0, rtc 101000 source 11, plic c000000 context 1, rounds 3, lead 200000 ns, Bulkhead
[irqbench] irqbench: sample 0 insn 63 ns 80
[irqbench] irqbench: sample 1 insn 64 ns 81
[irqbench] irqbench: sample 2 insn 63 ns 80
[irqbench] irqbench: hypervisor traps on this hart during the rounds: 0
[irqbench] irqbench: done
[bulkhead] capsule irqbench powered off; halted
[bulkhead] capsule irqbench vcpu 0 hart 0 traps: load-access 2 store-access 4 ecall-s 208
"""

OPENSBI_CONSOLE = """\
OpenSBI v1.1
Boot HART MIDELEG         : 0x0000000000001666
irqbench: hart 0, rtc 101000 source 11, plic c000000 context 1, rounds 2, lead 200000 ns, not Bulkhead
irqbench: sample 0 insn 238546 ns 9521
irqbench: sample 1 insn -5 ns 12000
irqbench: done
"""


def test_irqbench_on_bulkhead():
    samples, traps, lines = bench.parse_irqbench(BULKHEAD_CONSOLE)
    assert samples == [(63, 80), (64, 81), (63, 80)]
    assert traps == 0
    assert lines == ["capsule irqbench vcpu 0 hart 0 traps: load-access 2 "
                     "store-access 4 ecall-s 208"]


def test_irqbench_on_opensbi_has_no_trap_figures():
    samples, traps, lines = bench.parse_irqbench(OPENSBI_CONSOLE)
    assert samples == [(238546, 9521), (-5, 12000)]
    assert traps is None and lines == []


@pytest.mark.parametrize("console, message", [
    (OPENSBI_CONSOLE.replace("irqbench: done\n", ""), "did not finish"),
    ("[irqbench] FAIL irqbench: no RTC interrupt within 1 s in round 4\n"
     "[irqbench] irqbench: done\n", "no RTC interrupt within 1 s in round 4"),
    ("irqbench: done\n", "no samples"),
])
def test_irqbench_failures_end_the_bench(console, message):
    with pytest.raises(bench.BenchError, match=re.escape(message)):
        bench.parse_irqbench(console)


@pytest.mark.parametrize("text, seconds", [
    ("BH\nreal\t0m 2.07s\nuser\t0m 0.12s\nsys\t0m 1.19s\n", 2.07),
    ("real\t1m 3.50s\n", 63.5),
    ("real\t1h 2m 3.00s\n", 3723.0),
])
def test_busybox_time(text, seconds):
    assert bench.parse_busybox_time(text) == pytest.approx(seconds)


def test_busybox_time_missing():
    with pytest.raises(bench.BenchError, match="no `real` line"):
        bench.parse_busybox_time("sh: time: not found\n")


def test_irq_rows_ratio_of_medians():
    result = {
        ("icount", "Bulkhead"): [(63, 80)] * 3,
        ("icount", "direct"): [(63, 80)] * 3,
        ("icount", "direct, board"): [(91, 108)] * 3,
        ("wall", "Bulkhead"): [(0, 20000), (0, 30000), (0, 10 ** 7)],
        ("wall", "direct"): [(0, 10000), (0, 15000), (0, 16000)],
        ("wall", "direct, board"): [(0, 1), (0, 2), (0, 3)],
    }
    icount, wall = bench.irq_rows(result)
    assert icount == ("icount", "instructions", (63, 63, 63), (63, 63, 63),
                      (91, 91, 91), 1.0, 3)
    assert wall[:2] == ("wall", "ns")
    assert wall[2] == (20000, 30000, 10 ** 7)
    assert wall[5] == pytest.approx(2.0)


def test_io_rows_ratio_is_bulkhead_over_direct():
    samples = {"Bulkhead": {"disk": [400.0, 500.0, 600.0], "net": [20.0, 22.0]},
               "direct": {"disk": [500.0, 500.0, 500.0], "net": [20.0, 24.0]}}
    disk, net = bench.io_rows(samples)
    assert disk == ("virtio-blk sequential read", (400.0, 500.0, 600.0),
                    (500.0, 500.0, 500.0), 1.0, 3)
    assert net[0] == "virtio-net host to guest"
    assert net[3] == pytest.approx(21.0 / 22.0)


def test_mib_per_s():
    assert bench.mib_per_s(4 * (256 << 20), 2.0) == 512.0


def test_direct_machine_swaps_firmware_and_harts():
    qemu = "qemu-system-riscv64 -M virt -smp 4 -m 1024M -bios none -nographic -cpu rv64,h=false"
    direct = bench.direct_machine(qemu.split(), 1)
    assert direct == ["qemu-system-riscv64", "-M", "virt", "-smp", "1", "-m", "1024M",
                      "-bios", bench.OPENSBI, "-nographic", "-cpu", "rv64,h=false"]
    assert bench.direct_machine(qemu.split())[4] == "4"


def test_parts_option():
    assert bench.parse_parts("irq,io") == ["irq", "io"]
    with pytest.raises(Exception, match="unknown part"):
        bench.parse_parts("irq,speed")


def test_hung_run_prints_one_line_per_attempt(tmp_path, capsys):
    command = [sys.executable, "-c", "print('raw-console-marker', flush=True); "
               "import time; time.sleep(30)"]
    with pytest.raises(bench.BenchError, match="hung 2 times in a row"):
        bench.run_console("irqbench direct icount", command, 0.5, tmp_path, attempts=2)
    out, err = capsys.readouterr()
    assert out == "" and "raw-console-marker" not in err
    lines = err.splitlines()
    assert len(lines) == 2
    for attempt, line in enumerate(lines, 1):
        m = re.fullmatch(r"bench: warning: irqbench direct icount hung: not done within "
                         r"0\.5 s \(attempt (\d) of 2\); console log: (\S+)", line)
        assert m and int(m.group(1)) == attempt, line
        assert "raw-console-marker" in Path(m.group(2)).read_text()
