# SPDX-License-Identifier: MIT
"""The scheduler, measured from inside (configs/qemu-sched.yaml, and
configs/qemu-sched-nosstc.yaml on a board without Sstc, where the guests'
timers and the window boundaries share mtimecmp).

Two `windows` capsules share hart 0 on a schedule; QEMU runs with
`-icount shift=0,sleep=off`, so the time CSR counts retired instructions
(1 ns each) and idle time jumps straight to the next timer: time is exact
and the same on every machine. Each capsule measures its own windows (a
jump in the time CSR is time it did not run) and prints their lengths,
periods and jitter, and checks every S-mode register and f0-f31 after each
switch. The test compares what they measured with the schedule in the
YAML (not with the bootargs): each window as long as the YAML says, less
the switch, within SLACK_TICKS; one window per frame, every frame, within
SLACK_TICKS. ctl then arms timers with deadlines in its own window (fired
on time, with no switch) and outside it (fired as its next window starts);
hog spins through all of it and changes nothing of ctl's windows.
"""

import re

import pytest

import qemu

CONFIGS = ["qemu-sched", "qemu-sched-nosstc"]
BOOT_TIMEOUT = 300  # hang guard for the whole run, not a speed target
ICOUNT = "QEMU_EXTRA=-icount shift=0,sleep=off"
# How far a measured window or period may be from the YAML's, in timer
# ticks: the switch (a few hundred instructions, at 100 per tick) and the
# guest's own loop. Measured: 11-13 short, period jitter 1.
SLACK_TICKS = 20
SUMMARY = re.compile(r"^windows: (\d+) windows, length (\d+)\.\.(\d+), "
                     r"period (\d+)\.\.(\d+), jitter (\d+) ticks$")
DURATION = re.compile(r"^(\d+)(us|ms|s)$")
UNIT_NS = {"us": 1000, "ms": 1000000, "s": 1000000000}


def ticks(text, timebase):
    m = DURATION.match(text)
    assert m, f"cannot read duration {text!r}"
    return int(m.group(1)) * UNIT_NS[m.group(2)] * timebase // 1000000000


def schedule(name):
    """(frame, {capsule: window length}) in ticks, from config name's YAML."""
    config = qemu.load_config(name)
    timebase = qemu.load_board(name)["timebase-frequency"]
    (sched,) = config["schedules"]
    lengths = {w["capsule"]: ticks(w["length"], timebase) for w in sched["windows"]}
    return ticks(sched["frame"], timebase), lengths


@pytest.fixture(scope="module", params=CONFIGS)
def boot(request):
    qemu.build(request.param)
    return qemu.run_to_exit(request.param, timeout=BOOT_TIMEOUT, extra_args=[ICOUNT])


def summary(boot, name):
    found = [m for m in map(SUMMARY.match, boot.lines(name)) if m]
    if len(found) != 1:
        qemu.fail(boot, f"{name}: expected one 'windows: N windows...' summary")
    return tuple(int(g) for g in found[0].groups())


def test_qemu_exits_cleanly(boot):
    qemu.assert_exited_cleanly(boot, "the windows capsules did not end")
    qemu.assert_no_panic(boot)


@pytest.mark.parametrize("name", ["ctl", "hog"])
def test_windows_are_as_long_as_the_yaml_says(boot, name):
    frame, lengths = schedule(boot.config)
    count, shortest, longest, _, _, _ = summary(boot, name)
    want = lengths[name]
    assert count >= 1000, f"{name} saw only {count} windows"
    assert want - SLACK_TICKS <= shortest <= longest <= want, (
        f"{name}: windows {shortest}..{longest} ticks long, the YAML gives {want}")


@pytest.mark.parametrize("name", ["ctl", "hog"])
def test_one_window_every_frame(boot, name):
    frame, _ = schedule(boot.config)
    _, _, _, low, high, jitter = summary(boot, name)
    assert frame - SLACK_TICKS <= low <= high <= frame + SLACK_TICKS, (
        f"{name}: windows start {low}..{high} ticks apart, the frame is {frame}")
    assert jitter <= SLACK_TICKS


@pytest.mark.parametrize("name", ["ctl", "hog"])
def test_state_survives_every_switch(boot, name):
    results = qemu.check_results(boot.lines(name))
    assert results.get("state-survives") == [("PASS", results["state-survives"][0][1])], (
        f"{name}: {results.get('state-survives')}")
    switches = int(re.search(r"after (\d+) switches", results["state-survives"][0][1]).group(1))
    assert switches >= 1000


def test_timer_fires_only_in_its_own_windows(boot):
    results = qemu.check_results(boot.lines("ctl"))
    assert [v for v, _ in results.get("timer-in-window", [])] == ["PASS"], (
        results.get("timer-in-window"))


def test_no_check_failed(boot):
    for name in ("ctl", "hog"):
        failed = [line for line in boot.lines(name) if line.startswith("FAIL")]
        assert not failed, f"{name}: {failed}"


def test_the_hypervisor_switched_at_window_ends_only(boot):
    """Each window ends with one M-mode timer trap of its vCPU, no more;
    besides the measured windows come ctl's 20 timer rounds (a window or
    two each) and, without Sstc, its 20 deadlines on mtimecmp."""
    for name in ("ctl", "hog"):
        traps = [line for line in boot.lines("bulkhead")
                 if line.startswith(f"capsule {name} vcpu 0 hart 0 traps:")]
        assert len(traps) == 1, boot.report(["bulkhead"])
        timer = int(re.search(r"m-timer (\d+)", traps[0]).group(1))
        count = summary(boot, name)[0]
        assert count <= timer <= count + 80, traps[0]
