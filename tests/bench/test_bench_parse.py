# SPDX-License-Identifier: MIT
"""What `make bench` reads from guests and how it turns samples into its
tables, without QEMU: irqbench's and the bench guest's consoles (on
Bulkhead, prefixed, and on OpenSBI), busybox `time`, the ratios of the
interrupt, I/O and firmware-cost tables, the firmware-cost table itself,
the direct QEMU command built from Bulkhead's, and a run that hangs."""

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
    assert disk[:4] == ("virtio-blk sequential read", (400.0, 500.0, 600.0),
                        (500.0, 500.0, 500.0), 1.0)
    assert disk[5] == 3
    assert net[0] == "virtio-net host to guest"
    assert net[3] == pytest.approx(21.0 / 22.0)
    # The i-th samples of the two ways pair up: 20/20 and 22/24.
    mean, low, high = net[4]
    assert mean == pytest.approx((22.0 / 24.0) ** 0.5)
    assert low == pytest.approx(22.0 / 24.0) and high == pytest.approx(1.0)


def test_paired_ratio_is_a_geometric_mean_with_a_repeatable_interval():
    ratios = [0.8, 1.25, 1.0, 0.9, 1.1]
    mean, low, high = bench.paired_ratio(ratios)
    assert mean == pytest.approx(1.0 * (0.9 * 1.1) ** 0.2)
    assert 0.8 < low < mean < high < 1.25
    assert bench.paired_ratio(ratios) == (mean, low, high)
    assert bench.paired_ratio([1.5] * 4) == pytest.approx((1.5, 1.5, 1.5))


def test_mib_per_s():
    assert bench.mib_per_s(4 * (256 << 20), 2.0) == 512.0


def test_direct_machine_swaps_firmware_and_harts():
    qemu = "qemu-system-riscv64 -M virt -smp 4 -m 1024M -bios none -nographic -cpu rv64,h=false"
    direct = bench.direct_machine(qemu.split(), 1)
    assert direct == ["qemu-system-riscv64", "-M", "virt", "-smp", "1", "-m", "1024M",
                      "-bios", bench.OPENSBI, "-nographic", "-cpu", "rv64,h=false"]
    assert bench.direct_machine(qemu.split())[4] == "4"
    assert bench.direct_machine(qemu.split(), 2, "build/opensbi/fw_dynamic.bin")[8] == \
        "build/opensbi/fw_dynamic.bin"


def test_parts_option():
    assert bench.parse_parts("irq,io") == ["irq", "io"]
    assert bench.parse_parts("sbi") == ["sbi"]
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


# ---- the bench guest (guests/bench) -----------------------------------------

SBI_BULKHEAD_CONSOLE = """\
[bulkhead] Bulkhead 1: system qemu-bench-sbi on qemu-virt, 4 harts, 1 capsules
[bench] bench: hart 0, harts 2, timebase 10000000, reps 1000, loops 9, kib 1, on Bulkhead
[bench] bench: calibration count 4999937 ticks 50000
[bench] bench: overhead count 1
[bench] bench: sbi-null count n 1000 median 238 min 238 max 240 traps 1000
[bench] bench: ipi-round-trip count n 1000 median 1953 min 1953 max 1953 traps 2000
[bench] SKIP rfence-one: the caller spins until the other hart fenced, which QEMU 7.2 -icount never schedules
[bench] bench: timer-sstc count n 1000 median 0 min 0 max 0 traps 0
[bench] bench: timer-sstc ticks n 1000 median 0 min 0 max 1
[bench] bench-fill 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP
[bench] bench-fill 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP
[bench] bench: uart-console bytes 1024 count 1463706 ticks 14637 traps 2048
[bench] bench: done
[bulkhead] capsule bench powered off; halted
[bulkhead] capsule bench vcpu 0 hart 0 traps: m-soft 2000 load-access 66536 ecall-s 34331
"""

SBI_OPENSBI_CONSOLE = """\
OpenSBI v1.1
Boot HART ID              : 0
bench: hart 0, harts 2, timebase 10000000, reps 1000, loops 9, kib 1, not on Bulkhead
bench: calibration count 10516126 ticks 50000
bench: overhead count 120
bench: sbi-null count n 1000 median 1664 min 1588 max 37206
bench: timer-sstc count n 1000 median 16800 min 1132 max 52348
bench: timer-sstc ticks n 1000 median 83 min 78 max 25343
bench-fill 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP
bench: uart-console bytes 1024 count 2545544 ticks 12120
SKIP dbcn-console: no DBCN extension
bench: done
"""


def test_bench_guest_on_bulkhead():
    run = bench.parse_sbibench(SBI_BULKHEAD_CONSOLE)
    assert run.timebase == 10000000
    assert run.calibration == (4999937, 50000)
    assert run.figures == {
        ("sbi-null", "count"): (1000, 238, 238, 240, 1000),
        ("ipi-round-trip", "count"): (1000, 1953, 1953, 1953, 2000),
        ("timer-sstc", "count"): (1000, 0, 0, 0, 0),
        ("timer-sstc", "ticks"): (1000, 0, 0, 1, None),
    }
    assert run.consoles == {"uart-console": (1024, 1463706, 14637, 2048)}
    assert run.skips == {"rfence-one": "the caller spins until the other hart fenced, "
                                       "which QEMU 7.2 -icount never schedules"}


def test_bench_guest_on_opensbi_has_no_trap_figures():
    run = bench.parse_sbibench(SBI_OPENSBI_CONSOLE)
    assert run.figures[("sbi-null", "count")] == (1000, 1664, 1588, 37206, None)
    assert run.consoles == {"uart-console": (1024, 2545544, 12120, None)}
    assert run.skips == {"dbcn-console": "no DBCN extension"}
    assert bench.opensbi_version(SBI_OPENSBI_CONSOLE) == "1.1"


@pytest.mark.parametrize("console, message", [
    (SBI_OPENSBI_CONSOLE.replace("bench: done\n", ""), "did not finish"),
    (SBI_OPENSBI_CONSOLE.replace("bench: calibration", "bench: calibrated"),
     "no header or calibration line"),
    ("[bench] FAIL ipi-round-trip: no answer within 1 s\n[bench] bench: done\n",
     "ipi-round-trip: no answer within 1 s"),
])
def test_bench_guest_failures_end_the_bench(console, message):
    with pytest.raises(bench.BenchError, match=re.escape(message)):
        bench.parse_sbibench(console)


def test_a_direct_run_without_an_opensbi_banner_ends_the_bench():
    with pytest.raises(bench.BenchError, match="no `OpenSBI vX.Y` banner"):
        bench.opensbi_version(SBI_BULKHEAD_CONSOLE)


def sbi_runs():
    bulkhead = bench.parse_sbibench(SBI_BULKHEAD_CONSOLE)
    opensbi = bench.parse_sbibench(SBI_OPENSBI_CONSOLE)
    faster = bench.parse_sbibench(SBI_BULKHEAD_CONSOLE.replace(
        "sbi-null count n 1000 median 238 min 238 max 240",
        "sbi-null count n 1000 median 236 min 230 max 250"))
    return {("icount", "Bulkhead"): [bulkhead, faster],
            ("icount", "opensbi"): [bulkhead, bulkhead],
            ("wall", "Bulkhead"): [opensbi],
            ("wall", "opensbi"): [opensbi]}


def row(rows, mode, name):
    return next(r for r in rows[mode] if r[0] == name)


def test_sbi_rows_pool_the_runs_and_count_traps_per_operation():
    rows = bench.sbi_rows(sbi_runs())
    assert [r[0] for r in rows["icount"]] == [name for name, _ in bench.SBI_ROWS]
    name, label, cells, traps = row(rows, "icount", "sbi-null")
    assert label == "SBI null call (BASE get_spec_version)"
    # Lowest min, median of the runs' medians, highest max.
    assert cells["Bulkhead"] == (230, 237, 250)
    assert cells["opensbi"] == (238, 238, 240)
    assert traps == 1
    assert row(rows, "icount", "ipi-round-trip")[3] == 2
    # Instructions per byte, and traps per byte, for a console.
    _, _, cells, traps = row(rows, "icount", "uart-console")
    assert cells["Bulkhead"][1] == pytest.approx(1463706 / 1024)
    assert traps == 2
    # A figure the guest skipped.
    assert row(rows, "icount", "rfence-one")[2]["Bulkhead"] is None


def test_sbi_rows_in_wall_time():
    rows = bench.sbi_rows(sbi_runs())
    ns_per_count = 50000 * 100 / 10516126   # 100 ns per tick of 10 MHz
    _, _, cells, traps = row(rows, "wall", "sbi-null")
    assert cells["opensbi"] == pytest.approx((1588 * ns_per_count, 1664 * ns_per_count,
                                              37206 * ns_per_count))
    assert traps is None
    # A timer: deadline to handler in rdtime ticks, not the spin's count.
    assert row(rows, "wall", "timer-sstc")[2]["opensbi"] == (7800, 8300, 2534300)
    # A console: KiB/s over the ticks it took.
    assert row(rows, "wall", "uart-console")[2]["opensbi"][1] == pytest.approx(
        1 / (12120 / 10000000))


def test_sbi_ratio():
    assert bench.sbi_ratio((1, 238, 240), (1, 245, 245)) == "0.97"
    assert bench.sbi_ratio((0, 0, 0), (0, 0, 0)) == "-"
    assert bench.sbi_ratio(None, (1, 2, 3)) == "n/a"


def test_sbi_report_says_what_was_skipped(capsys):
    runs = sbi_runs()
    labels = {"Bulkhead": "Bulkhead", "opensbi": "OpenSBI 1.1"}
    bench.report_sbi(bench.sbi_rows(runs), labels, bench.sbi_skips(runs, labels),
                     "reps=1000", 2, ["capsule bench vcpu 0 hart 0 traps: ecall-s 3"])
    out = capsys.readouterr().out
    assert ("| metric | unit | Bulkhead | OpenSBI 1.1 | Bulkhead/1.1 | "
            "Bulkhead traps per op |") in out
    assert "| SBI null call (BASE get_spec_version) | instructions | 237 (230-250) | " \
           "238 (238-240) | 1.00 | 1 |" in out
    assert "| timer interrupt, stimecmp (Sstc): deadline to handler | instructions | " \
           "0 (0-0) | 0 (0-0) | - | 0 |" in out
    assert "n/a rfence-one (Bulkhead icount, OpenSBI 1.1 icount): the caller spins" in out
    assert "n/a dbcn-console (Bulkhead wall, OpenSBI 1.1 wall): no DBCN extension" in out
    assert "    capsule bench vcpu 0 hart 0 traps: ecall-s 3" in out


def test_generated_systems_share_their_harts_out_and_are_valid(tmp_path):
    """Each generated system gives every hart to one capsule and passes
    `bulkhead-gen check` (in a scratch tree, with a stand-in hello.bin)."""
    import subprocess
    import yaml
    for harts, capsules in bench.GEN_SIZES:
        config = bench.generated_config(harts, capsules)
        owned = sorted(h for c in config["capsules"] for h in c["harts"])
        assert owned == list(range(harts))
        board = bench.generated_board(harts)
        assert len(board["devices"]["plic"]["contexts"]) == 2 * harts
    tree = bench.scratch.copy_tree(tmp_path / "tree")
    # check needs the payload to exist, not to be the real guest.
    payload = tree / "build" / "guests" / "hello" / "hello.bin"
    payload.parent.mkdir(parents=True)
    payload.write_bytes(b"\0" * 4096)
    harts, capsules = bench.GEN_SIZES[-1]
    (tree / "boards" / f"bench-gen-{harts}.yaml").write_text(
        yaml.safe_dump(bench.generated_board(harts)))
    path = tree / "configs" / "gen.yaml"
    path.write_text(yaml.safe_dump(bench.generated_config(harts, capsules)))
    result = subprocess.run([sys.executable, "generator/bulkhead-gen", "check",
                             "--config", str(path)], cwd=tree, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_build_table_shows_every_generated_size(capsys):
    generator = {size: [0.5, 0.4, 0.6] for size in bench.GEN_SIZES}
    bench.report_build((61.2, [0.31, 0.30, 0.35], 40721656, generator), 3)
    out = capsys.readouterr().out
    assert "| 61.2 | 0.31 (0.30-0.35) | 40721656 bytes = 38.8 MiB |" in out
    for harts, capsules in bench.GEN_SIZES:
        assert f"| {harts} | {capsules} | 0.50 (0.40-0.60) | {0.5 / capsules:.3f} |" in out


# A trace of the hypervisor's instructions alone: two traps on cpu 0 (one
# switching straight to another vCPU, one that waited in idle time) and one
# on cpu 1 that switched nothing.
SYMS = {"bh_trap_entry": (0x100, 4), "bh_sched_follow": (0x200, 0x40),
        "bh_arch_wait": (0x300, 8)}


def trace_line(cpu, pc):
    return f"Trace {cpu}: 0x7f0000000000 [0000000000000000/{pc:016x}/00000000/00000000] \n"


def test_switch_costs_count_direct_switches_only(tmp_path):
    lines = ([trace_line(0, 0x100), trace_line(0, 0x104), trace_line(0, 0x210),
              trace_line(0, 0x214), trace_line(0, 0x400)]              # 5: a switch
             + [trace_line(1, 0x100), trace_line(1, 0x400)]            # cpu 1: no switch
             + [trace_line(0, 0x100), trace_line(0, 0x210), trace_line(0, 0x300)]
             + [trace_line(0, 0x100)])                                 # closes the wait
    trace = tmp_path / "trace.log"
    trace.write_text("".join(lines))
    assert bench.switch_costs(trace, SYMS) == [5]


def test_sched_summary_line():
    text = ("[ctl] windows: 1000 windows, length 1487..1489, period 4999..5001, "
            "jitter 1 ticks\n[hog] windows: 12 windows, length 3..4, period 5..6\n")
    found = {m.group(1): m.groups()[1:] for m in bench.SCHED_SUMMARY.finditer(text)}
    assert found == {"ctl": ("1000", "1487", "1489", "4999", "5001", "1")}


def test_own_devices_picks_the_capsules_device_words():
    args = ["-drive", "file=d.img,if=none,format=raw,id=linux0-virtio0",
            "-device", "virtio-blk-device,drive=linux0-virtio0,bus=virtio-mmio-bus.0",
            "-netdev", "user,id=linux1-virtio2,restrict=on",
            "-device", "virtio-net-device,netdev=linux1-virtio2,bus=virtio-mmio-bus.2",
            "-netdev", "user,id=linux10-virtio3,restrict=on"]
    assert bench.own_devices(args, "linux0") == args[:4]
    assert bench.own_devices(args, "linux1") == args[4:8]
    assert bench.own_devices(args, "io") == []
