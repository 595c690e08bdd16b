"""boards/visionfive2.yaml and boards/hifive-unmatched.yaml describe the
boards their device trees describe.

The trees are the ones Debian ships, fetched and locked by tools/fetch-boards
(boards/packages.lock) into build/boards/: the kernel's tree of each board
and, for what the kernel's tree of the HiFive Unmatched leaves out (its
CLINT), the tree U-Boot carries for that board. Every device's address,
size, compatible list and interrupts, the RAM, the harts (count, ISA
extensions, MMU), the timebase and the PLIC's context map are checked.
"""

import os
import subprocess

import libfdt
import pytest
import yaml

from board_dt import (BY_REFERENCE, as_int, cpus, device_mismatches, hart_extensions, hart_mmu,
                      memory_banks, nodes_at, plic_contexts, timebase)
from conftest import REPO

# Board -> the fetched kernel tree it is written from.
KERNEL_TREES = {"visionfive2": "visionfive2.dtb", "hifive-unmatched": "hifive-unmatched.dtb"}
# Devices the kernel's tree has no node for, and the tree that has one.
OTHER_TREES = {("hifive-unmatched", "clint"): "hifive-unmatched-u-boot.dtb"}
# Board clocks the device's node does not state: the fixed clock they are,
# or BY_REFERENCE: the node names its clock controller only (the rate is
# the board file's documented number, unverified: docs/boards.md).
CLOCK_SOURCES = {("visionfive2", "uart0"): "/oscillator",
                 ("hifive-unmatched", "uart0"): BY_REFERENCE}


@pytest.fixture(scope="module")
def trees():
    """{file name: libfdt.Fdt} of build/boards/, fetched as the lock says."""
    out = os.path.join(REPO, "build", "boards")
    subprocess.run([os.path.join(REPO, "tools", "fetch-boards"), "fetch", "--out", out],
                   check=True, timeout=600)
    names = set(KERNEL_TREES.values()) | set(OTHER_TREES.values())
    return {name: libfdt.Fdt(open(os.path.join(out, name), "rb").read()) for name in names}


def board_file(name):
    with open(os.path.join(REPO, "boards", f"{name}.yaml")) as stream:
        return yaml.safe_load(stream)


@pytest.fixture(params=sorted(KERNEL_TREES))
def real(request, trees):
    """(board name, board file, its kernel tree)."""
    name = request.param
    return name, board_file(name), trees[KERNEL_TREES[name]]


def test_every_device_matches(real, trees):
    name, board, fdt = real
    wrong = []
    for device_name, device in board["devices"].items():
        other = OTHER_TREES.get((name, device_name))
        if other:
            assert nodes_at(fdt, device["base"]) == [], \
                f"{device_name} is in the kernel's tree now: drop it from OTHER_TREES"
            wrong += device_mismatches(trees[other], device_name, device)
        else:
            wrong += device_mismatches(fdt, device_name, device,
                                       CLOCK_SOURCES.get((name, device_name)))
    assert wrong == []


def test_ram_matches(real):
    _, board, fdt = real
    assert memory_banks(fdt) == [(bank["base"], as_int(bank["size"])) for bank in board["ram"]]


def test_timebase_matches(real):
    _, board, fdt = real
    assert timebase(fdt) == board["timebase-frequency"]


def hart_view(board, hart):
    """(extensions, mmu, supervisor) the board file gives hart."""
    for kind in board.get("hart-kinds", []):
        if hart in kind["harts"]:
            isa = kind.get("isa", board["isa"])
            return (set(isa["extensions"]), kind.get("mmu", board["mmu"]),
                    kind.get("supervisor", True))
    return set(board["isa"]["extensions"]), board["mmu"], True


def test_harts_match(real):
    """Each hart's ISA extensions are exactly the tree's, its MMU the
    tree's mmu-type; a hart without S-mode is one the tree gives no MMU."""
    _, board, fdt = real
    harts = cpus(fdt)
    assert sorted(harts) == list(range(board["harts"]))
    for hart, offset in harts.items():
        extensions, mmu, supervisor = hart_view(board, hart)
        assert (extensions, mmu) == (hart_extensions(fdt, offset), hart_mmu(fdt, offset)), hart
        assert supervisor == (mmu != "none"), hart


def test_plic_contexts_match(real):
    """Context N of the board file is the N-th entry of the PLIC's
    interrupts-extended: the same hart, and the same mode, where the tree
    says one (11 machine, 9 supervisor); a context the tree writes as
    0xffffffff (the FU740's machine contexts, not Linux's) is machine."""
    _, board, fdt = real
    plic = board["devices"]["plic"]
    tree = plic_contexts(fdt, nodes_at(fdt, plic["base"])[0])
    stated = [(c["hart"], c["mode"]) for c in plic["contexts"]]
    assert [hart for hart, _ in stated] == [hart for hart, _ in tree]
    assert [mode if tree_mode is None else tree_mode for (_, mode), (_, tree_mode)
            in zip(stated, tree)] == [mode for _, mode in stated]
    assert all(mode == "machine" for (_, mode), (_, tree_mode) in zip(stated, tree)
               if tree_mode is None)


def test_fetch_is_locked_and_repeatable(trees, tmp_path):
    """A second fetch into another directory gives the same bytes and an
    inputs.lock naming exactly the locked packages (no substitutes)."""
    out = tmp_path / "boards"
    subprocess.run([os.path.join(REPO, "tools", "fetch-boards"), "fetch", "--out", str(out)],
                   check=True, timeout=600)
    first = os.path.join(REPO, "build", "boards")
    for name in sorted(os.listdir(out)):
        assert (out / name).read_bytes() == open(os.path.join(first, name), "rb").read(), name
    with open(os.path.join(REPO, "boards", "packages.lock")) as stream:
        lock = yaml.safe_load(stream)
    inputs = yaml.safe_load((out / "inputs.lock").read_text())
    assert inputs["packages"] == lock["packages"]
    assert inputs["files"] == lock["files"]
