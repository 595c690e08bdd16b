# SPDX-License-Identifier: MIT
"""qemu-bench-sbi: the bench guest (guests/bench) runs every measurement of
`make bench`'s firmware-cost table under Bulkhead and exits cleanly, and
the same ELF does directly on Debian 12's OpenSBI and on the newest.

Not a speed test (`make run`, no -icount): it checks that the guest reports
each figure in the format tests/bench/run.py parses, with as many samples as
its bootargs ask, non-zero where an operation cannot take no time, nothing
skipped (the capsule has two vCPUs, the virtual UART, DBCN and Sstc), and
the hypervisor traps Bulkhead's design fixes: one per SBI call and per
emulated UART access, none for a timer interrupt with Sstc (set_timer
writes stimecmp; so may the guest) and none in the guest's own loops.
"""

import importlib.util
from pathlib import Path

import pytest

import qemu

CONFIG = "qemu-bench-sbi"
BOOT_TIMEOUT = 180  # hang guard, not a speed target
RUN_PY = Path(__file__).resolve().parents[1] / "bench" / "run.py"

# Figures whose window holds exactly one SBI call or one emulated access.
ONE_TRAP_EACH = ["sbi-null", "sbi-probe", "sbi-set-timer", "ipi-send", "rfence-one",
                 "rfence-all", "uart-read", "uart-write", "uart-read-sv39", "uart-write-sv39"]
NO_TRAPS = ["timer-sbi", "timer-sstc", "compute", "memory"]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_run_boot", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def bootargs():
    capsule = qemu.capsule_config(CONFIG, "bench")
    return dict(arg.split("=") for arg in capsule["payload"]["bootargs"].split())


@pytest.fixture(scope="module")
def boot():
    return qemu.build_and_run(CONFIG, BOOT_TIMEOUT)


@pytest.fixture(scope="module")
def run(boot):
    try:
        return bench.parse_sbibench(boot.output)
    except bench.BenchError as e:
        qemu.fail(boot, str(e))


def test_exits_cleanly(boot):
    qemu.assert_exited_cleanly(boot, f"QEMU still ran after {BOOT_TIMEOUT} s (killed)",
                               why_status_0="the guest shuts its capsule down with SRST")
    qemu.assert_no_panic(boot)


def test_every_figure_is_reported(boot, run):
    args = bootargs()
    if run.skips:
        qemu.fail(boot, f"skipped on Bulkhead: {run.skips}")
    for name, _ in bench.SBI_ROWS:
        if name in bench.SBI_CONSOLES:
            nbytes, count, ticks, traps = run.consoles[name]
            assert nbytes == int(args["kib"]) * 1024, name
            assert count > 0 and ticks > 0 and traps > 0, (name, run.consoles[name])
            continue
        n, mid, low, high, traps = run.figures[name, "count"]
        want = int(args["loops"] if name in ("compute", "memory") else args["reps"])
        assert n == want, (name, n)
        assert low <= mid <= high, (name, run.figures[name, "count"])
        assert traps is not None, name
        if name in bench.SBI_TIMERS:
            # Ticks from the deadline to the handler: the handler never runs early.
            assert low >= 0, (name, low)
            assert run.figures[name, "ticks"][2] >= 0, (name, run.figures[name, "ticks"])
        else:
            assert low > 0, (name, low)


def test_traps_as_the_design_says(run):
    for name in ONE_TRAP_EACH:
        n, traps = run.figures[name, "count"][0], run.figures[name, "count"][4]
        assert traps == n, f"{name}: {traps} traps in {n} samples, want one each"
    for name in NO_TRAPS:
        assert run.figures[name, "count"][4] == 0, name
    # The round trip's call and the hart_start call trap; what follows may too.
    for name in ("ipi-round-trip", "hsm-start"):
        n, traps = run.figures[name, "count"][0], run.figures[name, "count"][4]
        assert traps >= n, name
    # A polling driver: one LSR read and one THR write per byte, both emulated.
    nbytes, _, _, traps = run.consoles["uart-console"]
    assert traps == 2 * nbytes


# What a firmware lacks, by its column in make bench: OpenSBI 1.1 has no DBCN.
FIRMWARE_SKIPS = {"opensbi-debian12": {"dbcn-console"}, "opensbi-testing": set()}


@pytest.mark.parametrize("way", sorted(FIRMWARE_SKIPS))
def test_runs_directly_on_each_opensbi(way):
    """The same bench.elf directly on QEMU with Debian 12's OpenSBI and with
    the newest (fetched and locked as make bench does): every figure but
    what the firmware lacks, and QEMU exits by itself."""
    args, _, capsule, guest = bench.bare_metal_bench(CONFIG, bench.SBI_GUEST_ELF)
    firmware = bench.fetch_new_opensbi() if way == "opensbi-testing" else bench.OPENSBI
    command = bench.direct_machine(args, capsule["vcpus"], firmware) + guest
    try:
        text = bench.run_console(f"test {way}", command, BOOT_TIMEOUT, bench.LOG_DIR,
                                 attempts=1)
        run = bench.parse_sbibench(text)
    except bench.BenchError as e:
        pytest.fail(f"{way}: {e}", pytrace=False)
    assert set(run.skips) == FIRMWARE_SKIPS[way], run.skips
    for name, _ in bench.SBI_ROWS:
        if name in run.skips:
            continue
        if name in bench.SBI_CONSOLES:
            assert run.consoles[name][1] > 0, (way, name, run.consoles[name])
        else:
            assert run.figures[name, "count"][0] > 0, (way, name)
            assert run.figures[name, "count"][4] is None, (way, name)  # no trap counts
