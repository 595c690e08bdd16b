"""Each boards/qemu-*.yaml describes the machine QEMU really builds.

QEMU dumps the device tree it would hand to firmware (-M MACHINE,dumpdtb=...,
with the board's own command line); every device (address, size,
compatible, interrupts, clock, PLIC sources and contexts, restart pin), RAM
bank, the timebase, the harts and each hart's ISA and paging in the board
file are checked against it. The PMP, which no device tree describes, is
measured: pmp_probe/probe.S runs on the machine and counts its entries and
grain.
"""

import os
import re
import subprocess
import time

import libfdt
import pytest
import yaml

from board_dt import (BY_REFERENCE, as_int, cells, cpus as cpu_nodes, device_mismatches,
                      node_at, nodes, plic_contexts, props)
from conftest import REPO

# A board named qemu-* is a QEMU machine; the others are real boards.
BOARDS = sorted(n[:-5] for n in os.listdir(os.path.join(REPO, "boards"))
                if n.startswith("qemu-") and n.endswith(".yaml"))
PAGING = ["sv39", "sv48", "sv57"]


def has_virtio_slots(name):
    with open(os.path.join(REPO, "boards", f"{name}.yaml")) as stream:
        devices = yaml.safe_load(stream)["devices"]
    return any(d.get("kind") == "virtio-mmio" for d in devices.values())


VIRTIO_BOARDS = [name for name in BOARDS if has_virtio_slots(name)]


def board_path(name):
    return os.path.join(REPO, "boards", f"{name}.yaml")


@pytest.fixture(scope="module", params=BOARDS)
def name(request):
    return request.param


@pytest.fixture(scope="module")
def board(name):
    with open(board_path(name)) as stream:
        return yaml.safe_load(stream)


@pytest.fixture(scope="module")
def model(name):
    """The generator's own reading of the board (hart kinds resolved)."""
    from bulkhead.model import Board
    from bulkhead.schema import Ctx, BOARD as BOARD_SCHEMA
    from bulkhead.diag import Diagnostics
    from bulkhead.yamlload import load
    diags = Diagnostics()
    path = f"boards/{name}.yaml"
    rec = BOARD_SCHEMA.validate(load(board_path(name), path, diags), Ctx(path, diags), "")
    assert not diags, diags
    return Board(path, rec)


@pytest.fixture(scope="module")
def fdt(board, tmp_path_factory):
    path = tmp_path_factory.mktemp("qemu") / f"{board['board']}.dtb"
    ram = sum(as_int(bank["size"]) for bank in board["ram"])
    qemu = board["qemu"]
    # The same command line as `make run` (qemu.args), plus dumpdtb.
    subprocess.run([qemu["binary"], "-M", f"{qemu['machine']},dumpdtb={path}", "-smp",
                    str(board["harts"]), "-m", f"{ram >> 20}M"] + qemu["args"],
                   check=True, capture_output=True, timeout=60)
    return libfdt.Fdt(path.read_bytes())


def test_every_device_matches(board, fdt):
    """A clock QEMU gives by reference only (sifive_u: the PRCI's tlclk) is
    the machine's documented rate in the board file."""
    wrong = [w for name, device in board["devices"].items()
             for w in device_mismatches(fdt, name, device, BY_REFERENCE)]
    assert wrong == []


def test_restart_pin_is_qemus_gpio_restart(board, fdt):
    """A board whose restart-pin device ends the machine: QEMU's
    /gpio-restart node names that controller and pin, active low."""
    pinned = {n: d for n, d in board["devices"].items() if "restart-pin" in d}
    node = fdt.path_offset("/gpio-restart", libfdt.QUIET_NOTFOUND)
    if not pinned:
        assert node < 0 or board["hypervisor-devices"]["poweroff"] != "gpio"
        return
    assert node >= 0, "QEMU has no /gpio-restart node"
    [(name, device)] = pinned.items()
    phandle, pin, flags = cells(fdt, node, "gpios")
    assert fdt.node_offset_by_phandle(phandle) == node_at(fdt, device["base"]), name
    assert (pin, flags) == (device["restart-pin"], 1), name   # 1: GPIO_ACTIVE_LOW


def test_ram_matches(board, fdt):
    offset = fdt.path_offset("/memory@80000000")
    reg = cells(fdt, offset, "reg")
    qemu_banks = [((reg[i] << 32 | reg[i + 1]), (reg[i + 2] << 32 | reg[i + 3]))
                  for i in range(0, len(reg), 4)]
    assert qemu_banks == [(bank["base"], as_int(bank["size"])) for bank in board["ram"]]


def test_harts_timebase_isa_and_paging_match(board, model, fdt):
    """Every hart's own ISA (its hart-kinds entry's, or the board's) is in
    QEMU's riscv,isa for that hart. Paging: none means QEMU's node has no
    mmu-type; otherwise QEMU's mode is at least the board's (QEMU 7.2's
    sifive_u tree says sv48 for its U54s, whose hardware pages with sv39,
    and its model takes both)."""
    cpus = fdt.path_offset("/cpus")
    assert cells(fdt, cpus, "timebase-frequency") == [board["timebase-frequency"]]
    harts = cpu_nodes(fdt)
    assert sorted(harts) == list(range(board["harts"]))
    for hart, offset in harts.items():
        isa = fdt.getprop(offset, "riscv,isa").as_str()
        first, *multi = isa.split("_")
        base, extensions = model.hart_isa(hart)
        assert first.startswith(base[:4])
        qemu_extensions = set(first[4:]) | set(multi)
        assert set(extensions) <= qemu_extensions, (hart, isa)
        mmu = props(fdt, offset).get("mmu-type")
        if model.hart_mmu(hart) == "none":
            assert mmu is None, hart
        else:
            qemu_mmu = mmu.rstrip(b"\0").decode().removeprefix("riscv,")
            assert PAGING.index(model.hart_mmu(hart)) <= PAGING.index(qemu_mmu), hart


def test_harts_without_s_mode_have_no_supervisor_interrupts(model, fdt):
    """A hart the board says has no S-mode has no supervisor external (9)
    or timer/software interrupt target anywhere in QEMU's tree, and no
    paging; a hart with S-mode has QEMU's S-mode PLIC context."""
    targets = {}
    for offset in nodes(fdt):
        raw = cells(fdt, offset, "interrupts-extended")
        for phandle, irq in zip((raw or [])[::2], (raw or [])[1::2]):
            cpu = fdt.parent_offset(fdt.node_offset_by_phandle(phandle))
            targets.setdefault(cells(fdt, cpu, "reg")[0], set()).add(irq)
    for hart in range(model.harts):
        assert (9 in targets.get(hart, set())) == model.hart_supervisor(hart), hart


def test_hypervisor_devices_are_the_right_kind(board):
    devices = board["devices"]
    roles = board["hypervisor-devices"]
    assert devices[roles["timer"]]["kind"] == "clint"
    console = devices[roles["console"]]
    assert (console["kind"], console["compatible"]) in [
        ("ns16550", ["ns16550a"]), ("sifive-uart", ["sifive,uart0"])]
    poweroff = devices[roles["poweroff"]]
    assert "sifive,test0" in poweroff["compatible"] or (
        poweroff["compatible"] == ["sifive,gpio0"] and "restart-pin" in poweroff)
    if "clock" in roles:
        assert devices[roles["clock"]]["compatible"] == ["google,goldfish-rtc"]
    if "host-settings" in roles:
        assert devices[roles["host-settings"]]["compatible"] == ["qemu,fw-cfg-mmio"]


@pytest.mark.parametrize("name", VIRTIO_BOARDS, indirect=True)
def test_virtio_slot_is_its_qemu_bus(board, model):
    """The generator puts slot virtioK's device on virtio-mmio-bus.K
    (Board.virtio_bus); QEMU's own device tree shows which transport each
    bus is: a net device on every bus must sit at its slot's address."""
    slots = [d for d in model.devices.values() if d.virtio_slot]
    devices = []
    for slot in slots:
        bus = model.virtio_bus(slot)
        devices += ["-netdev", f"user,id=n{bus},restrict=on",
                    "-device", f"virtio-net-device,netdev=n{bus},bus=virtio-mmio-bus.{bus}"]
    qemu = board["qemu"]
    args = [a for a in qemu["args"] if a != "-nographic"]
    result = subprocess.run([qemu["binary"], "-M", qemu["machine"], "-smp",
                             str(board["harts"]), "-display", "none", "-serial", "null",
                             "-S", "-monitor", "stdio"] + args + devices,
                            input="info qtree\nquit\n", capture_output=True, text=True,
                            timeout=60)
    at = {}
    address = None
    for line in result.stdout.splitlines():
        words = line.split()
        if words[:1] == ["mmio"]:
            address = int(words[1].split("/")[0], 16)
        elif words[:1] == ["netdev"]:
            at[words[2].strip('"')] = address
    assert at == {f"n{model.virtio_bus(s)}": s.base for s in slots}


def test_plic_contexts_match(board, model, fdt):
    """Context N of the board file is the N-th entry of the PLIC's
    interrupts-extended in QEMU's tree: a hart's controller with 11
    (machine external) or 9 (supervisor external)."""
    plic = node_at(fdt, model.plic.base)
    contexts = [{"hart": hart, "mode": mode} for hart, mode in plic_contexts(fdt, plic)]
    assert board["devices"][board["hypervisor-devices"]["interrupt-controller"]][
        "contexts"] == contexts


PROBE = os.path.join(REPO, "tests", "generator", "pmp_probe", "probe.S")
PROBE_RESULT = 0x80100000
PROBE_MAGIC = 0x504d5050524f4245
PROBE_TIMEOUT = 30  # hang guard


def probe_pmp(board, elf):
    """(entries, pmpaddr read back after all ones) from probe.S on the
    board's machine, read through QEMU's monitor once the probe wrote them."""
    qemu = board["qemu"]
    ram = sum(as_int(bank["size"]) for bank in board["ram"])
    args = [a for a in qemu["args"] if a != "-nographic"]
    proc = subprocess.Popen([qemu["binary"], "-M", qemu["machine"], "-smp",
                             str(board["harts"]), "-m", f"{ram >> 20}M"] + args +
                            ["-display", "none", "-serial", "null", "-monitor", "stdio",
                             "-kernel", str(elf)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    words = re.compile(r"^([0-9a-f]{16}): ((?:0x[0-9a-f]+ ?)+)")
    deadline = time.monotonic() + PROBE_TIMEOUT
    try:
        while time.monotonic() < deadline:
            proc.stdin.write(f"xp /3gx {PROBE_RESULT:#x}\n")
            proc.stdin.flush()
            values = []
            while len(values) < 3:
                m = words.match(proc.stdout.readline().strip())
                if m:
                    values += [int(v, 16) for v in m.group(2).split()]
            if values[0] == PROBE_MAGIC:
                return values[1], values[2]
            time.sleep(0.1)
        raise AssertionError(f"the PMP probe wrote no result in {PROBE_TIMEOUT} s")
    finally:
        proc.kill()
        proc.communicate()


def test_pmp_entries_and_grain_are_the_machines(board, tmp_path):
    elf = tmp_path / "probe.elf"
    subprocess.run(["riscv64-unknown-elf-gcc", "-march=rv64imac_zicsr", "-mabi=lp64",
                    "-nostdlib", "-Wl,-Ttext=0x80000000", "-o", str(elf), PROBE],
                   check=True, capture_output=True)
    entries, address = probe_pmp(board, elf)
    assert entries == board["pmp"]["entries"]
    low_zeros = (address & -address).bit_length() - 1
    assert 4 << low_zeros == as_int(board["pmp"]["granularity"])
