"""Allocation and PMP encoding."""

import os

import pytest

from conftest import load, write
from bulkhead.diag import Failed
from bulkhead.alloc import PMP_NA4, PMP_NAPOT, PMP_TOR, napot_blocks, pmp_entries


def decode_napot(addr):
    """Inverse of the NAPOT encoding (privileged spec, table 'NAPOT range encoding')."""
    ones = (~addr & (addr + 1)).bit_length() - 1  # trailing one bits
    size = 8 << ones
    base = (addr & ~((1 << ones) - 1)) << 2
    return base, size


@pytest.mark.parametrize("base,size", [
    (0x80000000, 0x200000), (0x81000000, 0x1000000), (0x10000000, 0x1000),
    (0x10001000, 0x1000), (0x90000000, 0x10000000), (0x0, 8), (0x100, 0x100),
])
def test_napot_encoding_round_trips(base, size):
    (entry,) = pmp_entries(base, size, 7, "x", "t.yaml:1")
    assert entry.cfg == 7 | PMP_NAPOT
    assert entry.addr == (base | (size // 2 - 1)) >> 2
    assert decode_napot(entry.addr) == (base, size)


def test_napot_known_value():
    # 16 MiB at 0x81000000: pmpaddr = 0x81000000 >> 2 | (8 MiB - 1) >> 2
    (entry,) = pmp_entries(0x81000000, 16 << 20, 7, "memory", "t.yaml:1")
    assert entry.addr == 0x205fffff
    assert entry.cfg == 0x1f


def test_two_blocks_use_two_napot_entries():
    entries = pmp_entries(0x82000000, 24 << 20, 7, "m", "t.yaml:1")
    assert [decode_napot(e.addr) for e in entries] == [(0x82000000, 16 << 20),
                                                       (0x83000000, 8 << 20)]


def test_unaligned_region_uses_tor():
    entries = pmp_entries(0x80201000, 0x7000, 3, "m", "t.yaml:1")
    assert [(e.addr, e.cfg) for e in entries] == [(0x80201000 >> 2, 0),
                                                  (0x80208000 >> 2, 3 | PMP_TOR)]


def test_napot_blocks_cover_exactly():
    blocks = napot_blocks(0x80201000, 0x7000)
    assert blocks == [(0x80201000, 0x1000), (0x80202000, 0x2000), (0x80204000, 0x4000)]
    assert sum(size for _, size in blocks) == 0x7000


def test_qemu_hello_layout(root):
    system = load(root, "configs/qemu-hello.yaml")
    assert (system.hypervisor.base, system.hypervisor.size) == (0x80000000, 2 << 20)
    assert [(c.name, c.base) for c in system.capsules] == [("hello0", 0x81000000),
                                                           ("hello1", 0x82000000)]
    for capsule in system.capsules:
        # Memory, and the threshold/claim page of each vCPU's supervisor
        # PLIC context, each for its own vCPU only.
        assert len(capsule.pmp) == 1 + capsule.vcpus
        assert [e.comment for e in capsule.pmp[1:]] == [
            f"PLIC context {2 * h + 1} NAPOT [{0xc200000 + 0x1000 * (2 * h + 1):#x}, "
            f"{0xc200000 + 0x1000 * (2 * h + 2):#x}), vCPU {v} only"
            for v, h in enumerate(capsule.harts)]
        assert [e.vcpu for e in capsule.pmp] == [None] + list(range(capsule.vcpus))
        kernel, dtb = capsule.payloads
        assert kernel.load_addr == capsule.base
        assert dtb.load_addr == capsule.base + capsule.memory_size - (64 << 10)
    # Both capsules boot the same file: one pristine copy, plus one per DTB.
    assert [c.describe() for c in system.pristine] == [
        "build/guests/hello/hello.bin", "DTB of capsule hello0", "DTB of capsule hello1"]
    assert system.capsules[0].payloads[0].pristine == system.capsules[1].payloads[0].pristine
    assert system.pristine[0].base == system.hypervisor.end


def config(root, name, capsules, extra=""):
    path = os.path.join(root, "configs", name)
    write(path, "board: qemu-virt\n" + extra + "capsules:\n" + capsules)
    return f"configs/{name}"


CAPSULE = """  - name: {name}
    vcpus: 1
    harts: [{hart}]
    memory: {{size: {size}{base}}}
    payload: {{kernel: {kernel}}}
    on-reboot: halt
"""


def capsule(name, hart, size, base=None, kernel="build/fake/small.bin"):
    return CAPSULE.format(name=name, hart=hart, size=size, kernel=kernel,
                          base=f", base: {base:#x}" if base is not None else "")


def test_no_restart_no_pristine_store(root):
    system = load(root, config(root, "a.yaml", capsule("a", 0, "16MiB")))
    assert system.pristine == []
    assert system.capsules[0].base == 0x81000000


def test_natural_alignment_for_non_power_of_two(root):
    system = load(root, config(root, "a.yaml", capsule("a", 0, "24MiB")))
    (a,) = system.capsules
    assert a.base % (32 << 20) == 0
    assert len(a.pmp) == 2 + 1  # two NAPOT blocks, the PLIC context page


def test_fixed_base_honoured_and_others_avoid_it(root):
    text = capsule("a", 0, "16MiB") + capsule("b", 1, "16MiB", base=0x81000000)
    system = load(root, config(root, "a.yaml", text))
    assert [(c.name, c.base) for c in system.capsules] == [("a", 0x82000000),
                                                           ("b", 0x81000000)]


def test_small_capsule_packs_after_hypervisor(root):
    system = load(root, config(root, "a.yaml", capsule("a", 0, "1MiB")))
    assert system.capsules[0].base == 0x80200000


def test_linux_capsule_is_2mib_aligned(root):
    text = capsule("a", 0, "0x41000") + capsule("b", 1, "64MiB", kernel="build/fake/Image")
    system = load(root, config(root, "a.yaml", text))
    a, b = system.capsules
    assert b.kind == "linux"
    assert b.base % (2 << 20) == 0 and b.base >= a.base + a.memory_size


def test_initrd_below_dtb(root):
    text = capsule("a", 0, "64MiB", kernel="build/fake/Image").replace(
        "payload: {kernel: build/fake/Image}",
        "payload: {kernel: build/fake/Image, initrd: build/fake/initrd.gz}")
    system = load(root, config(root, "a.yaml", text))
    (a,) = system.capsules
    kernel, initrd, dtb = a.payloads
    assert initrd.load_addr % 0x1000 == 0
    assert initrd.load_addr + initrd.size <= dtb.load_addr
    assert dtb.load_addr - (initrd.load_addr + initrd.size) < 0x1000


def test_payloads_avoid_loader_reserved(root):
    # The top 256 MiB of RAM is free, but a 256 MiB capsule there would put
    # its DTB into the 2 MiB QEMU reserves: it must not be placed there.
    text = (capsule("a", 0, "256MiB") + capsule("b", 1, "256MiB")
            + capsule("c", 2, "256MiB"))
    with pytest.raises(Failed) as failed:
        load(root, config(root, "a.yaml", text))
    (diag,) = failed.value.diags.items
    assert diag.rule == "memory-exhausted"
    assert diag.message == ("no free RAM for capsule 'c' (0x10000000 bytes, 256 MiB); the "
                            "largest free range is 0x10000000 bytes (256 MiB)")


def test_dtb_may_end_just_below_loader_reserved(root):
    text = capsule("a", 0, "0x3fc00000")
    system = load(root, config(root, "a.yaml", text))
    (a,) = system.capsules
    assert (a.base, a.base + a.memory_size) == (0x80200000, 0xbfe00000)
    assert a.payloads[-1].load_addr == 0xbfdf0000


def test_pristine_copies_shared_by_content_not_name(root):
    # Same bytes under two names share one copy; different bytes do not.
    write(os.path.join(root, "build", "fake", "copy.bin"),
          open(os.path.join(root, "build", "fake", "small.bin"), "rb").read())
    restart = "    on-fault: restart\n"
    text = (capsule("a", 0, "16MiB") + restart
            + capsule("b", 1, "16MiB", kernel="build/fake/copy.bin") + restart
            + capsule("c", 2, "16MiB", kernel="build/fake/big.bin").replace(
                "16MiB", "32MiB") + restart
            + capsule("d", 3, "16MiB"))
    system = load(root, config(root, "a.yaml", text))
    assert [c.describe() for c in system.pristine] == [
        "build/fake/small.bin", "DTB of capsule a", "DTB of capsule b", "build/fake/big.bin",
        "DTB of capsule c"]
    a, b, c, d = system.capsules
    assert a.payloads[0].pristine == b.payloads[0].pristine != c.payloads[0].pristine
    assert [p.pristine for p in d.payloads] == [None, None]
    for copy in system.pristine:
        assert copy.base % 0x1000 == 0
    ends = [(copy.base, copy.base + copy.size) for copy in system.pristine]
    assert all(end <= next_base for (_, end), (next_base, _) in zip(ends, ends[1:]))


# A 4 KiB PMP grain (boards/grain-4k.yaml, a test fixture): every PMP entry
# grants whole grains, so no pmpaddr has meaningful bits below the grain.

def test_pmp_entries_round_out_to_the_grain():
    # A 256-byte device: NAPOT of its whole 4 KiB grain, not of 256 bytes.
    (entry,) = pmp_entries(0x10010100, 0x100, 3, "gpio1", "t.yaml:1", grain=0x1000)
    assert decode_napot(entry.addr) == (0x10010000, 0x1000)


def test_no_na4_below_the_grain():
    # On a 4-byte grain 4 bytes are one NA4 entry; on a 4 KiB grain, a grain.
    (na4,) = pmp_entries(0x10000004, 4, 3, "r", "t.yaml:1")
    assert na4.cfg == 3 | PMP_NA4
    (whole,) = pmp_entries(0x10000004, 4, 3, "r", "t.yaml:1", grain=0x1000)
    assert (whole.cfg, decode_napot(whole.addr)) == (3 | PMP_NAPOT, (0x10000000, 0x1000))


def test_tor_boundaries_on_the_grain():
    # [0x10001100, 0x10004100) is [0x10001000, 0x10005000) in grains: 3 blocks.
    entries = pmp_entries(0x10001100, 0x3000, 3, "r", "t.yaml:1", grain=0x1000)
    assert [(e.addr << 2, e.cfg) for e in entries] == [(0x10001000, 0),
                                                       (0x10005000, 3 | PMP_TOR)]


def test_grain_board_tables(root):
    path = os.path.join(root, "configs", "g.yaml")
    write(path, "board: grain-4k\ncapsules:\n" + capsule("a", 0, "0x13000")
          + "    devices: [gpio0, gpio1]\n" + capsule("b", 1, "16MiB"))
    system = load(root, "configs/g.yaml")
    for c in system.capsules:
        assert c.base % 0x1000 == 0 and c.memory_size % 0x1000 == 0
        for entry in c.pmp:
            assert entry.cfg & 0x18 != PMP_NA4
            if entry.cfg & 0x18 == PMP_NAPOT:
                base, size = decode_napot(entry.addr)
                assert base % 0x1000 == 0 and size >= 0x1000
            else:
                assert (entry.addr << 2) % 0x1000 == 0
    # One capsule owns both devices of the shared grain: one 4 KiB NAPOT each.
    assert [decode_napot(e.addr) for e in system.capsules[0].pmp[-3:-1]] == [
        (0x10010000, 0x1000), (0x10010000, 0x1000)]
