# SPDX-License-Identifier: MIT
"""Isolation under attack on qemu-attack (docs/security.md).

`attacker` tries every attack docs/security.md lists, and `attacker_vuart`
every attack on the virtual UART emulation; each must fail in the
documented way and be reported as `PASS attack <id>: ...`, and the lists
must match row for row. `victim` runs alongside: its heartbeat checksum must
never change, nothing may interrupt it, and it must keep beating after the
attacker has asked for a system reset it is not allowed (which must stop
only the attacker). `fuzzer` makes a seeded stream of random SBI calls
meanwhile and must find every return code defined and its own confinement
unchanged afterwards. Then the test types `q` to the victim, which shuts
down, and QEMU must exit by itself with status 0.
"""

import re

import pytest

import qemu

CONFIG = "qemu-attack"
# Hang guards, not speed targets.
ATTACK_TIMEOUT = 120
BEATS_TIMEOUT = 30
EXIT_TIMEOUT = 60
BEATS_AFTER_ATTACK = 2

DOC = qemu.ROOT / "docs" / "security.md"
DOC_ROW = re.compile(r"^\| `([^`]+)` \|")
ATTACK_LINE = re.compile(r"^(PASS|FAIL) attack ([^:]+): (.*)$")
HEARTBEAT = re.compile(r"^victim: heartbeat (\d+) checksum ([0-9a-f]+)$")
DONE = re.compile(r"^attacker: done, (\d+) attacks, (\d+) went through$")
FUZZ_CALLS = re.compile(r"^PASS fuzz-calls: (\d+) calls, seed (\d+),")


# The capsule whose output each docs/security.md section describes.
SECTIONS = {"attacker": "## Attacks and expected results",
            "attacker_vuart": "## Attacks on the virtual UART emulation"}


def documented_attacks(heading):
    """Attack IDs from the tables of one section of docs/security.md."""
    text = DOC.read_text()
    assert heading in text, f"{DOC} has no section {heading!r}"
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    ids = [m.group(1) for m in map(DOC_ROW.match, section.splitlines()) if m]
    assert ids, f"{DOC} lists no attacks under {heading!r}"
    return ids


def attacker_done_index(lines):
    for i, (name, text) in enumerate(lines):
        if name == "attacker" and DONE.match(text):
            return i
    return None


def beats_after_attack(lines):
    done = attacker_done_index(lines)
    if done is None:
        return 0
    return sum(1 for name, text in lines[done + 1:]
               if name == "victim" and HEARTBEAT.match(text))


@pytest.fixture(scope="module")
def boot():
    qemu.build(CONFIG)
    live = qemu.LiveBoot(CONFIG)
    try:
        live.wait_for(lambda lines: attacker_done_index(lines) is not None,
                      ATTACK_TIMEOUT)
        live.wait_for(lambda lines: beats_after_attack(lines) >= BEATS_AFTER_ATTACK,
                      BEATS_TIMEOUT)
        live.wait_for(lambda lines: ("fuzzer", "fuzzer: done") in lines, ATTACK_TIMEOUT)
        live.wait_for(lambda lines: any(name == "attacker_vuart" and DONE.match(text)
                                        for name, text in lines), ATTACK_TIMEOUT)
        live.send("q")
        return live.finish(EXIT_TIMEOUT)
    finally:
        live.kill()


def fail(boot, message):
    names = ["attacker", "attacker_vuart", "victim", "fuzzer", "bulkhead", ""]
    pytest.fail(f"{message}\n{boot.report(names)}\n"
                f"--- whole console: {boot.log_path()} ---", pytrace=False)


def test_qemu_exits_by_itself(boot):
    if boot.timed_out:
        fail(boot, f"QEMU still ran {EXIT_TIMEOUT} s after 'q' was typed to the "
                   "victim (killed)")
    if boot.returncode != 0:
        fail(boot, f"make run exited with status {boot.returncode}, expected 0")


def test_no_panic(boot):
    panics = [line for line in boot.output.splitlines() if qemu.PANIC.search(line)]
    if panics:
        fail(boot, "panic on the console:\n" + "\n".join(panics))


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_every_documented_attack_fails(boot, name):
    documented = documented_attacks(SECTIONS[name])
    reported = {}
    for line in boot.lines(name):
        m = ATTACK_LINE.match(line)
        if m:
            reported.setdefault(m.group(2), []).append((m.group(1), m.group(3)))
    problems = []
    for attack in documented:
        got = reported.get(attack, [])
        if len(got) != 1:
            problems.append(f"{attack}: reported {len(got)} times, expected once")
        elif got[0][0] != "PASS":
            problems.append(f"{attack}: went through: {got[0][1]}")
    undocumented = sorted(set(reported) - set(documented))
    if undocumented:
        problems.append("attacks missing from docs/security.md: " + ", ".join(undocumented))
    done = [m for m in map(DONE.match, boot.lines(name)) if m]
    if not done:
        problems.append("no 'attacker: done' line: it did not survive its attacks")
    elif (int(done[0].group(1)), int(done[0].group(2))) != (len(documented), 0):
        problems.append(f"it counted {done[0].group(1)} attacks, "
                        f"{done[0].group(2)} through; expected {len(documented)}, 0")
    failures = [line for line in boot.lines(name) if line.startswith("FAIL")]
    problems += [line for line in failures if not ATTACK_LINE.match(line)]
    if problems:
        fail(boot, "\n  ".join([f"{name}:"] + problems))


def test_uart_survives_the_divisor_attack(boot):
    line = "attacker: the uart still prints after a divisor change"
    if line not in boot.lines("attacker_vuart"):
        fail(boot, f"attacker_vuart: {line!r} did not reach the console intact")


def test_forbidden_reset_stops_only_the_attacker(boot):
    lines = qemu.ordered_lines(boot.output)
    done = attacker_done_index(lines)
    if done is None:
        fail(boot, "the attacker never reached its final reset")
    after = [text for name, text in lines[done + 1:] if name == "attacker"]
    if after:
        fail(boot, f"the attacker kept running after its SBI system reset: {after}")
    beats = beats_after_attack(lines)
    if beats < BEATS_AFTER_ATTACK:
        fail(boot, f"the victim printed {beats} heartbeats after the attacker's reset "
                   f"within {BEATS_TIMEOUT} s, expected {BEATS_AFTER_ATTACK}")


def test_victim_unharmed(boot):
    lines = boot.lines("victim")
    failures = [line for line in lines if line.startswith("FAIL")]
    if failures:
        fail(boot, "the victim saw the attack:\n" + "\n".join(failures))
    sums = {m.group(2) for m in map(HEARTBEAT.match, lines) if m}
    if not sums:
        fail(boot, "the victim printed no heartbeat")
    if len(sums) != 1:
        fail(boot, f"the victim's memory checksum changed: {sorted(sums)}")
    if not any(line.startswith("victim: done after") for line in lines):
        fail(boot, "the victim did not shut down on 'q'")


def test_sbi_fuzzing_changes_nothing(boot):
    lines = boot.lines("fuzzer")
    bootargs = qemu.capsule_config(CONFIG, "fuzzer")["payload"]["bootargs"]
    count = int(re.search(r"count=(\d+)", bootargs).group(1))
    seed = int(re.search(r"seed=(\d+)", bootargs).group(1))
    failures = [line for line in lines if line.startswith("FAIL")]
    if failures:
        fail(boot, "the SBI fuzzer found a problem:\n" + "\n".join(failures))
    calls = [m for m in map(FUZZ_CALLS.match, lines) if m]
    if len(calls) != 1 or (int(calls[0].group(1)), int(calls[0].group(2))) != (count, seed):
        fail(boot, f"expected one 'PASS fuzz-calls: {count} calls, seed {seed}' line")
    for line in ("PASS fuzz-isolation", "fuzzer: done"):
        if line not in lines:
            fail(boot, f"the fuzzer did not print {line!r}")


def test_pristine_target_is_the_pristine_store():
    """The attacker's pristine= target must be where the generator put the
    pristine store, or its pristine-* attacks would test something else."""
    qemu.build(CONFIG)
    capsule = qemu.capsule_config(CONFIG, "attacker")
    m = re.search(r"pristine=(0x[0-9a-f]+)\+(0x[0-9a-f]+)", capsule["payload"]["bootargs"])
    assert m, "the attacker's bootargs in configs/qemu-attack.yaml lack pristine="
    base, size = int(m.group(1), 16), int(m.group(2), 16)
    memory_map = (qemu.ROOT / "build" / CONFIG / "gen" / "memory-map.txt").read_text()
    stores = [(int(lo, 16), int(hi, 16)) for lo, hi in re.findall(
        r"^\s*\[(0x[0-9a-f]+), (0x[0-9a-f]+)\)\s+\S+ \S+\s+pristine store", memory_map, re.M)]
    assert stores, f"build/{CONFIG}/gen/memory-map.txt shows no pristine store"
    assert any(lo <= base and base + size <= hi for lo, hi in stores), (
        f"pristine={base:#x}+{size:#x} is not inside the pristine store {stores}")
