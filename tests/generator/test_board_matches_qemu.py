"""boards/qemu-virt.yaml describes the machine QEMU really builds.

QEMU dumps the device tree it would hand to firmware (-M virt,dumpdtb=...);
every device, RAM bank, the timebase, the hart count and the ISA in the
board file are checked against it.
"""

import os
import subprocess

import libfdt
import pytest
import yaml

from board_dt import as_int, cells, device_mismatches, plic_contexts
from conftest import REPO

BOARD = os.path.join(REPO, "boards", "qemu-virt.yaml")


@pytest.fixture(scope="module")
def board():
    with open(BOARD) as stream:
        return yaml.safe_load(stream)


@pytest.fixture(scope="module")
def fdt(board, tmp_path_factory):
    path = tmp_path_factory.mktemp("qemu") / "virt.dtb"
    ram = sum(as_int(bank["size"]) for bank in board["ram"])
    qemu = board["qemu"]
    # The same command line as `make run` (qemu.args), plus dumpdtb.
    subprocess.run([qemu["binary"], "-M", f"{qemu['machine']},dumpdtb={path}", "-smp",
                    str(board["harts"]), "-m", f"{ram >> 20}M"] + qemu["args"],
                   check=True, capture_output=True, timeout=60)
    return libfdt.Fdt(path.read_bytes())


def test_every_device_matches(board, fdt):
    wrong = [w for name, device in board["devices"].items()
             for w in device_mismatches(fdt, name, device)]
    assert wrong == []


def test_ram_matches(board, fdt):
    offset = fdt.path_offset("/memory@80000000")
    reg = cells(fdt, offset, "reg")
    qemu_banks = [((reg[i] << 32 | reg[i + 1]), (reg[i + 2] << 32 | reg[i + 3]))
                  for i in range(0, len(reg), 4)]
    assert qemu_banks == [(bank["base"], as_int(bank["size"])) for bank in board["ram"]]


def test_harts_timebase_and_isa_match(board, fdt):
    cpus = fdt.path_offset("/cpus")
    assert cells(fdt, cpus, "timebase-frequency") == [board["timebase-frequency"]]
    harts = []
    offset = fdt.first_subnode(cpus)
    while offset >= 0:
        if fdt.get_name(offset).startswith("cpu@"):
            harts.append(offset)
        offset = fdt.next_subnode(offset, libfdt.QUIET_NOTFOUND)
    assert len(harts) == board["harts"]
    for offset in harts:
        isa = fdt.getprop(offset, "riscv,isa").as_str()
        first, *multi = isa.split("_")
        assert first.startswith("rv64")
        qemu_extensions = set(first[4:]) | set(multi)
        assert set(board["isa"]["extensions"]) <= qemu_extensions, isa
        assert fdt.getprop(offset, "mmu-type").as_str() == "riscv," + board["mmu"]


def test_hypervisor_devices_are_the_right_kind(board):
    devices = board["devices"]
    roles = board["hypervisor-devices"]
    assert devices[roles["timer"]]["kind"] == "clint"
    assert devices[roles["console"]]["compatible"] == ["ns16550a"]
    assert "sifive,test0" in devices[roles["poweroff"]]["compatible"]
    assert devices[roles["clock"]]["compatible"] == ["google,goldfish-rtc"]
    assert devices[roles["host-settings"]]["compatible"] == ["qemu,fw-cfg-mmio"]


def test_virtio_slot_is_its_qemu_bus(board):
    """The generator puts slot virtioK's device on virtio-mmio-bus.K
    (Board.virtio_bus); QEMU's own device tree shows which transport each
    bus is: a net device on every bus must sit at its slot's address."""
    from bulkhead.model import Board
    from bulkhead.schema import Ctx, BOARD as BOARD_SCHEMA
    from bulkhead.diag import Diagnostics
    from bulkhead.yamlload import load
    diags = Diagnostics()
    rec = BOARD_SCHEMA.validate(load(BOARD, "boards/qemu-virt.yaml", diags),
                                Ctx("boards/qemu-virt.yaml", diags), "")
    model = Board("boards/qemu-virt.yaml", rec)
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


def test_plic_contexts_match(board, fdt):
    """Context N of the board file is the N-th entry of the PLIC's
    interrupts-extended in QEMU's tree: a hart's controller with 11
    (machine external) or 9 (supervisor external)."""
    plic = fdt.path_offset("/soc/plic@c000000")
    contexts = [{"hart": hart, "mode": mode} for hart, mode in plic_contexts(fdt, plic)]
    assert board["devices"]["plic"]["contexts"] == contexts
