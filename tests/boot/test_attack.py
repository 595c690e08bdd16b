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
unchanged afterwards, and the hypervisor's digest of its hart's PMP CSRs
must be the one its generated tables give, on entry and after fuzzing.
Then the test types `q` to the victim, which shuts
down, and QEMU must exit by itself with status 0.
"""

import re
import subprocess

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
RTC_IRQS = re.compile(r"^victim: rtc interrupts (\d+)$")
DONE = re.compile(r"^attacker: done, (\d+) attacks, (\d+) went through$")
FUZZ_CALLS = re.compile(r"^PASS fuzz-calls: (\d+) calls, seed (\d+),")
PMP_LOG = re.compile(r"^hart (\d+) pmp ([0-9a-f]{16}): capsule (\S+) vcpu (\d+) (enters|leaves)$")
GEN = qemu.ROOT / "build" / CONFIG / "gen"
ELF = qemu.ROOT / "build" / CONFIG / "bulkhead.elf"
PAGE_SIZE = 0x1000
FNV64_OFFSET = 0xcbf29ce484222325
FNV64_PRIME = 0x100000001b3


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


def test_qemu_exits_by_itself(boot):
    qemu.assert_exited_cleanly(
        boot, f"QEMU still ran {EXIT_TIMEOUT} s after 'q' was typed to the victim (killed)")


def test_no_panic(boot):
    qemu.assert_no_panic(boot)


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
        qemu.fail(boot, "\n  ".join([f"{name}:"] + problems))


def test_uart_survives_the_divisor_attack(boot):
    line = "attacker: the uart still prints after a divisor change"
    if line not in boot.lines("attacker_vuart"):
        qemu.fail(boot, f"attacker_vuart: {line!r} did not reach the console intact")


def test_forbidden_reset_stops_only_the_attacker(boot):
    lines = qemu.ordered_lines(boot.output)
    done = attacker_done_index(lines)
    if done is None:
        qemu.fail(boot, "the attacker never reached its final reset")
    after = [text for name, text in lines[done + 1:] if name == "attacker"]
    if after:
        qemu.fail(boot, f"the attacker kept running after its SBI system reset: {after}")
    beats = beats_after_attack(lines)
    if beats < BEATS_AFTER_ATTACK:
        qemu.fail(boot, f"the victim printed {beats} heartbeats after the attacker's reset "
                        f"within {BEATS_TIMEOUT} s, expected {BEATS_AFTER_ATTACK}")


def test_victim_unharmed(boot):
    lines = boot.lines("victim")
    failures = [line for line in lines if line.startswith("FAIL")]
    if failures:
        qemu.fail(boot, "the victim saw the attack:\n" + "\n".join(failures))
    sums = {m.group(2) for m in map(HEARTBEAT.match, lines) if m}
    if not sums:
        qemu.fail(boot, "the victim printed no heartbeat")
    if len(sums) != 1:
        qemu.fail(boot, f"the victim's memory checksum changed: {sorted(sums)}")
    if not any(line.startswith("victim: done after") for line in lines):
        qemu.fail(boot, "the victim did not shut down on 'q'")


def test_victim_rtc_interrupts_keep_arriving(boot):
    """The victim owns the RTC (configs/qemu-attack.yaml): its interrupt
    count grows from heartbeat to heartbeat while the attacker pokes at
    the PLIC, and still after the attacker is gone."""
    lines = qemu.ordered_lines(boot.output)
    done = attacker_done_index(lines)
    if done is None:
        qemu.fail(boot, "the attacker never finished")
    counts = [(i, int(m.group(1))) for i, (name, text) in enumerate(lines)
              if name == "victim" and (m := RTC_IRQS.match(text))]
    if not counts:
        qemu.fail(boot, "the victim printed no 'rtc interrupts' line: no RTC in its device tree?")
    during = [n for i, n in counts if i < done]
    after = [n for i, n in counts if i > done]
    if not during or not after or len(set(during)) < 2 or max(after) <= max(during):
        qemu.fail(boot, f"the victim's RTC interrupts stopped: during the attack {during}, "
                        f"after it {after}")


def test_sbi_fuzzing_changes_nothing(boot):
    lines = boot.lines("fuzzer")
    bootargs = qemu.capsule_config(CONFIG, "fuzzer")["payload"]["bootargs"]
    count = int(re.search(r"count=(\d+)", bootargs).group(1))
    seed = int(re.search(r"seed=(\d+)", bootargs).group(1))
    failures = [line for line in lines if line.startswith("FAIL")]
    if failures:
        qemu.fail(boot, "the SBI fuzzer found a problem:\n" + "\n".join(failures))
    calls = [m for m in map(FUZZ_CALLS.match, lines) if m]
    if len(calls) != 1 or (int(calls[0].group(1)), int(calls[0].group(2))) != (count, seed):
        qemu.fail(boot, f"expected one 'PASS fuzz-calls: {count} calls, seed {seed}' line")
    for line in ("PASS fuzz-isolation", "fuzzer: done"):
        if line not in lines:
            qemu.fail(boot, f"the fuzzer did not print {line!r}")


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


def fnv1a_u64(words):
    """FNV-1a 64 over the little-endian bytes of 64-bit words, as the
    hypervisor's bh_isolation_digest() computes it."""
    digest = FNV64_OFFSET
    for word in words:
        for byte in word.to_bytes(8, "little"):
            digest = ((digest ^ byte) * FNV64_PRIME) & (2**64 - 1)
    return digest


def expected_pmp_digests():
    """(capsule name, vCPU) -> the digest of the PMP CSRs the generated
    tables give: every pmpcfg register (entry i is byte i % 8 of register
    i // 8; an entry for another vCPU alone is off), then every pmpaddr
    register, zero past the capsule's entries."""
    entries = int(re.search(r"#define BH_PMP_ENTRIES\s+(\d+)",
                            (GEN / "bulkhead_config.h").read_text()).group(1))
    tables = (GEN / "tables.c").read_text()
    arrays = {name: [(int(addr, 16), int(cfg, 16), int(only or 0)) for addr, cfg, only in
                     re.findall(r"\.addr = (0x[0-9a-f]+), \.cfg = (0x[0-9a-f]+)"
                                r"(?:, \.only_vcpu = (\d+))?", body)]
              for name, body in re.findall(
                  r"static const struct bh_pmp_entry (\w+)\[\] = \{(.*?)\n\};", tables, re.S)}
    digests = {}
    for name, vcpus, array in re.findall(
            r'\.name = "([^"]+)",\s*\.vcpu_count = (\d+),(?:(?!\.name = ).)*?\.pmp = (\w+),',
            tables, re.S):
        pmp = arrays[array]
        for vcpu in range(int(vcpus)):
            cfgs = [0] * ((entries + 7) // 8)
            for i, (_, cfg, only) in enumerate(pmp):
                if not only or only == vcpu + 1:
                    cfgs[i // 8] |= cfg << (8 * (i % 8))
            addrs = [addr for addr, _, _ in pmp] + [0] * (entries - len(pmp))
            digests[name, vcpu] = f"{fnv1a_u64(cfgs + addrs):016x}"
    return digests


def test_pmp_unchanged_by_sbi_fuzzing(boot):
    expected = expected_pmp_digests()
    fuzzer = qemu.capsule_config(CONFIG, "fuzzer")
    logged = [m.groups() for m in map(PMP_LOG.match, boot.lines("bulkhead")) if m]
    if not logged:
        qemu.fail(boot, "the hypervisor logged no 'hart N pmp DIGEST: capsule ...' line")
    wrong = [f"hart {hart} pmp {digest}: capsule {name} vcpu {vcpu} {what}, "
             f"tables give {expected.get((name, int(vcpu)))}"
             for hart, digest, name, vcpu, what in logged
             if digest != expected.get((name, int(vcpu)))]
    if wrong:
        qemu.fail(boot, "a hart's PMP CSRs differ from its capsule's tables:\n"
                        + "\n".join(wrong))
    fuzz = [(int(hart), what) for hart, _, name, _, what in logged if name == "fuzzer"]
    want = [(fuzzer["harts"][0], "enters"), (fuzzer["harts"][0], "leaves")]
    if fuzz != want:
        qemu.fail(boot, f"the fuzzer's PMP digest was logged as {fuzz}, expected once on "
                        f"entry and once when it leaves after fuzzing: {want}")


def test_hypervisor_pages_cover_stacks_and_hart_data():
    """The attacker's hypervisor-pages probes (every page of hypervisor= in
    its bootargs) must cover the hypervisor's whole image, its stacks and
    its per-hart data, wherever the linker put them."""
    qemu.build(CONFIG)
    bootargs = qemu.capsule_config(CONFIG, "attacker")["payload"]["bootargs"]
    m = re.search(r"hypervisor=(0x[0-9a-f]+)\+(0x[0-9a-f]+)", bootargs)
    assert m, "the attacker's bootargs in configs/qemu-attack.yaml lack hypervisor="
    base, size = int(m.group(1), 16), int(m.group(2), 16)
    assert base % PAGE_SIZE == 0 and size % PAGE_SIZE == 0, (
        f"hypervisor={base:#x}+{size:#x} is not whole pages")
    nm = subprocess.run(["riscv64-unknown-elf-nm", "-S", str(ELF)], capture_output=True,
                        text=True, check=True).stdout
    symbols = {}
    for line in nm.splitlines():
        fields = line.split()
        if len(fields) == 4:
            symbols[fields[3]] = (int(fields[0], 16), int(fields[1], 16))
        elif len(fields) == 3:
            symbols[fields[2]] = (int(fields[0], 16), 0)
    spans = {"image": (symbols["__image_start"][0], symbols["_end"][0])}
    for name in ("bh_stacks", "bh_hart_states", "bh_vcpus"):
        assert name in symbols, f"{ELF} has no symbol {name}"
        start, length = symbols[name]
        assert length, f"{ELF}: nm gives {name} no size"
        spans[name] = (start, start + length)
    outside = [f"{name} [{lo:#x}, {hi:#x})" for name, (lo, hi) in spans.items()
               if not (base <= lo and hi <= base + size)]
    assert not outside, (f"hypervisor={base:#x}+{size:#x} in the attacker's bootargs "
                         f"misses: {', '.join(outside)}")
