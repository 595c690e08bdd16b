"""The generated guest device trees, read back with pylibfdt."""

import os
import re
import subprocess

import libfdt
import pytest
import yaml

from conftest import build, load


def fdt(out, name):
    with open(os.path.join(out, "gen", f"capsule-{name}.dtb"), "rb") as stream:
        return libfdt.Fdt(stream.read())


def prop_str(tree, path, name):
    return tree.getprop(tree.path_offset(path), name).as_str()


def prop_strs(tree, path, name):
    raw = bytes(tree.getprop(tree.path_offset(path), name))
    return raw.rstrip(b"\0").decode().split("\0")


def prop_cells(tree, path, name):
    raw = bytes(tree.getprop(tree.path_offset(path), name))
    return [int.from_bytes(raw[i:i + 4], "big") for i in range(0, len(raw), 4)]


def test_hello0_tree(root):
    result, out = build(root, "configs/qemu-hello.yaml")
    assert result.rc == 0, result.err
    tree = fdt(out, "hello0")
    assert prop_str(tree, "/", "compatible") == "bulkhead,capsule"
    assert prop_cells(tree, "/", "#address-cells") == [2]
    assert prop_cells(tree, "/cpus", "timebase-frequency") == [10000000]
    for vcpu in (0, 1):
        cpu = f"/cpus/cpu@{vcpu}"
        assert prop_cells(tree, cpu, "reg") == [vcpu]
        assert prop_str(tree, cpu, "device_type") == "cpu"
        assert prop_str(tree, cpu, "riscv,isa") == (
            "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc")
        assert prop_str(tree, cpu, "riscv,isa-base") == "rv64i"
        assert "sstc" in prop_strs(tree, cpu, "riscv,isa-extensions")
        assert prop_str(tree, cpu, "mmu-type") == "riscv,sv48"
        intc = cpu + "/interrupt-controller"
        assert prop_str(tree, intc, "compatible") == "riscv,cpu-intc"
        assert prop_cells(tree, intc, "#interrupt-cells") == [1]
    assert tree.path_offset("/cpus/cpu@2", libfdt.QUIET_NOTFOUND) < 0
    assert prop_cells(tree, "/memory@81000000", "reg") == [0, 0x81000000, 0, 0x1000000]
    assert prop_str(tree, "/chosen", "bootargs") == "hello from capsule 0 end=hart-stop"
    assert prop_str(tree, "/chosen", "stdout-path") == "/soc/serial@10000000:4000000n8"
    assert prop_str(tree, "/chosen", "bulkhead,capsule") == "hello0"
    serial = "/soc/serial@10000000"
    assert prop_str(tree, serial, "compatible") == "ns16550a"
    assert prop_cells(tree, serial, "reg") == [0, 0x10000000, 0, 0x100]
    # Virtual: divisor 1 (the reset DLL) is 4000000 baud, and a poll of
    # Linux's 8250 driver fills all of a 1 KiB FIFO.
    assert prop_cells(tree, serial, "clock-frequency") == [64000000]
    assert prop_cells(tree, serial, "current-speed") == [4000000]
    assert prop_cells(tree, serial, "fifo-size") == [1024]
    assert prop_cells(tree, serial, "tx-threshold") == [0]
    assert tree.getprop(tree.path_offset(serial), "interrupts", libfdt.QUIET_NOTFOUND) \
        == -libfdt.NOTFOUND


def test_time_of_day_placeholder_is_where_the_tables_say(root):
    """Each capsule's /chosen/bulkhead,time-of-day is two 64-bit zero cells
    that the hypervisor overwrites at each start of the capsule; the tables
    give it the address of exactly that value: the DTB's load address plus
    the value's offset in the DTB (docs/design.md, "Time of day")."""
    result, out = build(root, "configs/qemu-hello.yaml")
    assert result.rc == 0, result.err
    with open(os.path.join(out, "gen", "tables.c")) as stream:
        tables = stream.read()
    for name in ("hello0", "hello1"):
        m = re.search(rf'\.name = "{name}",.*?\.dtb = (0x[0-9a-f]+),\n'
                      rf'\t\t\.time_of_day = (0x[0-9a-f]+),\t/\* DTB \+ (0x[0-9a-f]+): '
                      rf'/chosen/bulkhead,time-of-day of capsule-{name}\.dtb \*/', tables,
                      re.DOTALL)
        assert m, f"no .time_of_day line for {name}"
        dtb, address, offset = (int(g, 16) for g in m.groups())
        assert address == dtb + offset and offset % 4 == 0
        with open(os.path.join(out, "gen", f"capsule-{name}.dtb"), "rb") as stream:
            blob = bytearray(stream.read())
        chosen = libfdt.Fdt(blob).path_offset("/chosen")
        assert bytes(libfdt.Fdt(blob).getprop(chosen, "bulkhead,time-of-day")) == bytes(16)
        # What the hypervisor stores there is what the guest reads back.
        blob[offset:offset + 16] = bytes(range(1, 17))
        assert bytes(libfdt.Fdt(blob).getprop(chosen, "bulkhead,time-of-day")) == \
            bytes(range(1, 17))


def test_no_plic_or_clint_in_guest_tree(root):
    _, out = build(root, "configs/qemu-hello.yaml")
    tree = fdt(out, "hello1")
    names = []
    offset = tree.first_subnode(tree.path_offset("/soc"))
    while offset >= 0:
        names.append(tree.get_name(offset))
        offset = tree.next_subnode(offset, libfdt.QUIET_NOTFOUND)
    assert names == ["serial@10000000"]


def test_linux_tree_has_initrd_range(root):
    result, out = build(root, "configs/qemu-2guest.yaml")
    assert result.rc == 0, result.err
    tree = fdt(out, "linux1")
    start = prop_cells(tree, "/chosen", "linux,initrd-start")
    end = prop_cells(tree, "/chosen", "linux,initrd-end")
    start = start[0] << 32 | start[1]
    end = end[0] << 32 | end[1]
    # The guest's initramfs followed by linux1's modules archive.
    assert end - start == os.path.getsize(os.path.join(out, "gen", "capsule-linux1.initrd"))
    assert end - start > (3 << 20) + 2
    memory = [n for n in ("/memory@90000000", "/memory@a0000000")
              if tree.path_offset(n, libfdt.QUIET_NOTFOUND) >= 0]
    assert len(memory) == 1
    base, size = prop_cells(tree, memory[0], "reg")[1], prop_cells(tree, memory[0], "reg")[3]
    assert base <= start and end <= base + size
    assert prop_str(tree, "/chosen", "bulkhead,capsule") == "linux1"
    assert len(prop_strs(tree, "/chosen", "bootargs")) == 1


def test_sbi_console_has_no_uart(root):
    path = os.path.join(root, "configs", "qemu-hello.yaml")
    text = open(path).read().replace("console: uart", "console: sbi", 1)
    open(path, "w").write(text)
    line = text.splitlines().index("    console: sbi") + 1
    result, out = build(root, "configs/qemu-hello.yaml")
    assert result.rc == 0, result.err
    tree = fdt(out, "hello0")
    assert tree.path_offset("/soc", libfdt.QUIET_NOTFOUND) < 0
    chosen = tree.path_offset("/chosen")
    assert tree.getprop(chosen, "stdout-path", libfdt.QUIET_NOTFOUND) == -libfdt.NOTFOUND
    with open(os.path.join(out, "gen", "tables.c")) as stream:
        assert (".vuart = { .base = 0, .size = 0 },	/* console: sbi, "
                f"configs/qemu-hello.yaml:{line} */") in stream.read()


def test_isa_subset_and_passthrough_device(root):
    path = os.path.join(root, "configs", "qemu-hello.yaml")
    text = open(path).read().replace(
        "    console: uart\n",
        "    console: uart\n    isa-extensions: [zicsr, c, i, m, a, sstc]\n"
        "    devices: [{name: virtio5, dma-reaches-all-memory: true}, rtc]\n", 1)
    open(path, "w").write(text)
    result, out = build(root, "configs/qemu-hello.yaml")
    assert result.rc == 0, result.err
    tree = fdt(out, "hello0")
    cpu = "/cpus/cpu@1"
    assert prop_str(tree, cpu, "riscv,isa") == "rv64imac_zicsr_sstc"
    assert prop_strs(tree, cpu, "riscv,isa-extensions") == ["i", "m", "a", "c", "zicsr",
                                                            "sstc"]
    virtio = "/soc/virtio_mmio@10006000"
    assert prop_strs(tree, virtio, "compatible") == ["virtio,mmio"]
    assert prop_cells(tree, virtio, "reg") == [0, 0x10006000, 0, 0x1000]
    rtc = "/soc/rtc@101000"
    assert prop_strs(tree, rtc, "compatible") == ["google,goldfish-rtc"]
    plic = "/soc/interrupt-controller@c000000"
    phandle = prop_cells(tree, plic, "phandle")
    for node, source in ((virtio, 6), (rtc, 11)):
        assert prop_cells(tree, node, "interrupts") == [source]
        assert prop_cells(tree, node, "interrupt-parent") == phandle
    # hello0 runs on harts 0 and 1: their supervisor contexts 1 and 3.
    intc = [prop_cells(tree, f"/cpus/cpu@{v}/interrupt-controller", "phandle")[0]
            for v in (0, 1)]
    assert prop_cells(tree, plic, "interrupts-extended") == [
        intc[0], 0xffffffff, intc[0], 9, intc[0], 0xffffffff, intc[1], 9]
    other = fdt(out, "hello1")
    assert other.path_offset("/soc/virtio_mmio@10006000", libfdt.QUIET_NOTFOUND) < 0


def walk(tree):
    """{node path: {property name: bytes}} of every node of tree."""
    nodes = {}

    def visit(offset, path):
        props = {}
        prop = tree.first_property_offset(offset, libfdt.QUIET_NOTFOUND)
        while prop >= 0:
            value = tree.get_property_by_offset(prop)
            props[value.name] = bytes(value)
            prop = tree.next_property_offset(prop, libfdt.QUIET_NOTFOUND)
        nodes[path] = props
        child = tree.first_subnode(offset, libfdt.QUIET_NOTFOUND)
        while child >= 0:
            visit(child, path.rstrip("/") + "/" + tree.get_name(child))
            child = tree.next_subnode(child, libfdt.QUIET_NOTFOUND)

    visit(0, "/")
    return nodes


def string(text):
    return text.encode() + b"\0"


def strings(*texts):
    return b"".join(string(t) for t in texts)


def cells(*values):
    return b"".join(v.to_bytes(4, "big") for v in values)


def cells64(*values):
    return b"".join(cells(v >> 32, v & 0xffffffff) for v in values)


SLOTS = {"linux0": ["virtio0", "virtio1"], "linux1": ["virtio2"]}


@pytest.mark.parametrize("name", ["linux0", "linux1"])
def test_linux_tree_holds_only_what_linux_needs(root, name):
    """Issue 3, issue 9: a Linux capsule's tree has the root, /chosen, the
    vCPUs (from 0, with their interrupt controllers), its memory, the virtual
    UART without an interrupt, its virtio slots and a PLIC that hands a stock
    Linux exactly the capsule's supervisor contexts; nothing of the CLINT,
    the test device, other slots or any other board device."""
    result, out = build(root, "configs/qemu-2guest.yaml")
    assert result.rc == 0, result.err
    capsule = next(c for c in load(root, "configs/qemu-2guest.yaml").capsules
                   if c.name == name)
    with open(os.path.join(root, "configs", "qemu-2guest.yaml")) as stream:
        config = next(c for c in yaml.safe_load(stream)["capsules"] if c["name"] == name)
    with open(os.path.join(root, "boards", "qemu-virt.yaml")) as stream:
        board = yaml.safe_load(stream)
    memory_size = int(config["memory"]["size"].removesuffix("MiB")) << 20
    tree = fdt(out, name)
    nodes = walk(tree)
    memory = f"/memory@{capsule.base:x}"
    vcpus = [f"/cpus/cpu@{v}" for v in range(config["vcpus"])]
    slots = {slot: f"/soc/virtio_mmio@{board['devices'][slot]['base']:x}"
             for slot in SLOTS[name]}
    assert sorted(nodes) == sorted(
        ["/", "/chosen", "/cpus", memory, "/soc", "/soc/serial@10000000",
         "/soc/interrupt-controller@c000000"] + list(slots.values())
        + vcpus + [cpu + "/interrupt-controller" for cpu in vcpus])
    assert tree.num_mem_rsv() == 0

    assert nodes["/"] == {"#address-cells": cells(2), "#size-cells": cells(2),
                          "compatible": string("bulkhead,capsule"),
                          "model": string(f"Bulkhead capsule {name} on qemu-virt")}

    chosen = nodes["/chosen"]
    assert sorted(chosen) == ["bootargs", "bulkhead,capsule", "bulkhead,time-of-day",
                              "linux,initrd-end", "linux,initrd-start", "stdout-path"]
    assert chosen["bulkhead,time-of-day"] == bytes(16)
    # The linux manifest's append-bootargs follow the config's own.
    assert chosen["bootargs"] == string(config["payload"]["bootargs"]
                                        + " panic=-1 reboot=panic_warm")
    assert chosen["stdout-path"] == string("/soc/serial@10000000:4000000n8")
    assert chosen["bulkhead,capsule"] == string(name)
    start = int.from_bytes(chosen["linux,initrd-start"], "big")
    end = int.from_bytes(chosen["linux,initrd-end"], "big")
    assert len(chosen["linux,initrd-start"]) == len(chosen["linux,initrd-end"]) == 8
    # The initrd lies in the capsule's memory, past the 24 MiB the fake
    # kernel's header (conftest.make_root) says it runs in.
    initrd_size = os.path.getsize(os.path.join(out, "gen", f"capsule-{name}.initrd"))
    assert end - start == initrd_size
    assert capsule.base + (24 << 20) <= start and end <= capsule.base + memory_size

    assert nodes["/cpus"] == {"#address-cells": cells(1), "#size-cells": cells(0),
                              "timebase-frequency": cells(board["timebase-frequency"])}
    extensions = board["isa"]["extensions"]
    assert "sstc" in extensions
    phandles = []
    for vcpu, cpu in enumerate(vcpus):
        assert nodes[cpu] == {
            "device_type": string("cpu"), "reg": cells(vcpu), "status": string("okay"),
            "compatible": string("riscv"),
            "riscv,isa": string("rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"),
            "riscv,isa-base": string(board["isa"]["base"]),
            "riscv,isa-extensions": strings(*extensions),
            "mmu-type": string("riscv," + board["mmu"])}
        intc = dict(nodes[cpu + "/interrupt-controller"])
        phandles.append(intc.pop("phandle"))
        assert intc == {"#address-cells": cells(0), "#interrupt-cells": cells(1),
                        "interrupt-controller": b"",
                        "compatible": string("riscv,cpu-intc")}
    assert len(set(phandles)) == len(vcpus) and cells(0) not in phandles

    assert nodes[memory] == {"device_type": string("memory"),
                             "reg": cells64(capsule.base, memory_size)}
    assert capsule.base % (2 << 20) == 0
    assert nodes["/soc"] == {"#address-cells": cells(2), "#size-cells": cells(2),
                             "compatible": string("simple-bus"), "ranges": b""}
    uart = board["devices"]["uart0"]
    assert nodes["/soc/serial@10000000"] == {
        "compatible": strings(*uart["compatible"]),
        "reg": cells64(uart["base"], uart["size"]),
        "clock-frequency": cells(64000000), "current-speed": cells(4000000),
        "fifo-size": cells(1024), "tx-threshold": cells(0)}

    # The PLIC: every context up to the capsule's last; its own supervisor
    # contexts (2h + 1 of its hart h) go to its vCPUs' controllers with 9,
    # the supervisor external interrupt; the others to -1, which Linux skips.
    plic = dict(nodes["/soc/interrupt-controller@c000000"])
    plic_phandle = plic.pop("phandle")
    assert plic_phandle not in phandles
    owned = {2 * hart + 1: vcpu for vcpu, hart in enumerate(config["harts"])}
    targets = []
    for context in range(max(owned) + 1):
        if context in owned:
            targets += [int.from_bytes(phandles[owned[context]], "big"), 9]
        else:
            targets += [int.from_bytes(phandles[0], "big"), 0xffffffff]
    spec = board["devices"]["plic"]
    assert plic == {"compatible": strings(*spec["compatible"]),
                    "reg": cells64(spec["base"], spec["size"]),
                    "#address-cells": cells(0), "#interrupt-cells": cells(1),
                    "interrupt-controller": b"", "riscv,ndev": cells(spec["sources"]),
                    "interrupts-extended": cells(*targets)}
    assert [spec["contexts"][c] for c in owned] == [
        {"hart": hart, "mode": "supervisor"} for hart in config["harts"]]
    for slot, path in slots.items():
        device = board["devices"][slot]
        assert nodes[path] == {"compatible": string("virtio,mmio"),
                               "reg": cells64(device["base"], device["size"]),
                               "interrupt-parent": plic_phandle,
                               "interrupts": cells(*device["interrupts"])}

    dtc = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", "-o", os.devnull,
                          os.path.join(out, "gen", f"capsule-{name}.dtb")],
                         capture_output=True, text=True, timeout=60)
    assert dtc.returncode == 0 and dtc.stderr == "", dtc.stderr


def test_each_vcpu_has_its_own_harts_isa_and_mmu(root):
    """boards/hetero.yaml: hart 1 has the board's isa and Sv48, hart 3 (kind
    lite) fewer extensions and Sv39; a vCPU's node says what its hart has."""
    write_config(root, "hetero-isa", "board: hetero\ncapsules:\n  - name: a\n"
                 "    vcpus: 2\n    harts: [1, 3]\n    memory: {size: 16MiB}\n"
                 "    payload: {guest: hello}\n")
    result, out = build(root, "configs/hetero-isa.yaml")
    assert result.rc == 0, result.err
    tree = fdt(out, "a")
    assert prop_str(tree, "/cpus/cpu@0", "riscv,isa") == (
        "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc")
    assert prop_str(tree, "/cpus/cpu@0", "mmu-type") == "riscv,sv48"
    assert prop_str(tree, "/cpus/cpu@1", "riscv,isa") == "rv64imafdc_zicsr_zifencei_sstc"
    assert prop_strs(tree, "/cpus/cpu@1", "riscv,isa-extensions") == [
        "i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "sstc"]
    assert prop_str(tree, "/cpus/cpu@1", "mmu-type") == "riscv,sv39"
    dts = open(os.path.join(out, "gen", "capsule-a.dts")).read()
    assert "vCPU 1 runs on hart 3: configs/hetero-isa.yaml:5; its ISA: hart kind 'lite', " \
           "boards/hetero.yaml:" in dts


def write_config(root, name, text):
    with open(os.path.join(root, "configs", f"{name}.yaml"), "w") as stream:
        stream.write(text)
