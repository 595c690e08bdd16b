# SPDX-License-Identifier: MIT
"""Soak on qemu-soak: both capsules hammer timers, IPIs, remote fences and
the console on all four harts for a bounded number of rounds
(guests/soak/soak.c). Expected: every numbered round line of each capsule
arrives, once and in order (no lost console line); the totals agree (every
timer armed fired, every IPI sent arrived, every fence counted); no FAIL,
no panic, and QEMU exits by itself with status 0.
"""

import re

import pytest

import qemu

CONFIG = "qemu-soak"
BOOT_TIMEOUT = 300  # hang guard for the whole run, not a speed target

CAPSULES = qemu.load_config(CONFIG)["capsules"]
ROUND = re.compile(r"^soak: round (\d+) timers \d+ ipis \d+ fences \d+$")
DONE = re.compile(r"^soak: done, (\d+) rounds; timers (\d+) armed (\d+) fired; "
                  r"ipis (\d+) sent (\d+) received; fences (\d+)$")


@pytest.fixture(scope="module")
def boot():
    return qemu.build_and_run(CONFIG, BOOT_TIMEOUT)


def test_qemu_exits_by_itself(boot):
    qemu.assert_exited_cleanly(boot, f"QEMU still ran after {BOOT_TIMEOUT} s (killed)")


def test_no_panic(boot):
    qemu.assert_no_panic(boot)


@pytest.mark.parametrize("capsule", CAPSULES, ids=[c["name"] for c in CAPSULES])
def test_every_round_and_consistent_totals(boot, capsule):
    name = capsule["name"]
    rounds = int(re.search(r"rounds=(\d+)", capsule["payload"]["bootargs"]).group(1))
    lines = boot.lines(name)
    failures = [line for line in lines if line.startswith("FAIL")]
    if failures:
        qemu.fail(boot, f"{name}: " + "\n".join(failures))
    numbers = [int(m.group(1)) for m in map(ROUND.match, lines) if m]
    if numbers != list(range(1, rounds + 1)):
        missing = sorted(set(range(1, rounds + 1)) - set(numbers))[:10]
        qemu.fail(boot, f"{name}: {len(numbers)} round lines, expected 1..{rounds} in order; "
                        f"first missing: {missing}")
    done = [m for m in map(DONE.match, lines) if m]
    if len(done) != 1:
        qemu.fail(boot, f"{name}: expected one 'soak: done' line, found {len(done)}")
    total_rounds, armed, fired, sent, received, fences = map(int, done[0].groups())
    per_round = 2  # two vCPUs: two timers, two IPIs and two fence calls a round
    want = {"rounds": (total_rounds, rounds),
            "timers armed": (armed, per_round * rounds),
            "timers fired": (fired, armed),
            "IPIs sent": (sent, per_round * rounds),
            "IPIs received": (received, sent),
            "fences": (fences, per_round * rounds)}
    wrong = [f"{what} {got}, expected {exp}" for what, (got, exp) in want.items()
             if got != exp]
    if wrong:
        qemu.fail(boot, f"{name}: " + "; ".join(wrong))
