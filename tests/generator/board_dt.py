"""Reading a device tree to check a board file against it: shared by
test_board_matches_qemu.py (the tree QEMU dumps for its machine) and
test_real_boards.py (the trees Debian ships for real boards).

Every helper takes a libfdt.Fdt; addresses and sizes are the /soc bus's
two cells each, as on every board here.
"""

import libfdt

# The interrupt a PLIC context raises at its hart's local interrupt
# controller: machine external (11) or supervisor external (9). A cell of
# 0xffffffff names the hart but no interrupt: Linux's trees write the
# contexts it must not use that way (the machine contexts of the FU740).
CONTEXT_MODES = {11: "machine", 9: "supervisor"}
CONTEXT_NOT_FOR_LINUX = 0xffffffff


def parse_size(text):
    from bulkhead.schema import SIZE_RE, UNITS, parse_int
    value = parse_int(text)
    if value is not None:
        return value
    match = SIZE_RE.match(text)
    return parse_int(match.group(1)) * UNITS[match.group(2)]


def as_int(value):
    return value if isinstance(value, int) else parse_size(value)


def props(fdt, offset):
    """{name: bytes} of a node's properties. Walking the properties, not
    asking for one by name: python3-libfdt's getprop of a missing property
    drops a reference to None each time, and enough of them crash Python."""
    out = {}
    prop = fdt.first_property_offset(offset, libfdt.QUIET_NOTFOUND)
    while prop >= 0:
        value = fdt.get_property_by_offset(prop)
        out[value.name] = bytes(value)
        prop = fdt.next_property_offset(prop, libfdt.QUIET_NOTFOUND)
    return out


def cells(fdt, offset, name):
    raw = props(fdt, offset).get(name)
    if raw is None:
        return None
    return [int.from_bytes(raw[i:i + 4], "big") for i in range(0, len(raw), 4)]


def strings(fdt, offset, name):
    raw = props(fdt, offset).get(name)
    if raw is None:
        return None
    return raw.rstrip(b"\0").decode().split("\0")


def nodes(fdt, offset=0):
    """Offsets of the node at offset and of every node below it."""
    out = [offset]
    child = fdt.first_subnode(offset, libfdt.QUIET_NOTFOUND)
    while child >= 0:
        out += nodes(fdt, child)
        child = fdt.next_subnode(child, libfdt.QUIET_NOTFOUND)
    return out


def reg_ranges(fdt, offset):
    """[(base, size)] of a node's reg (two address and two size cells)."""
    reg = cells(fdt, offset, "reg") or []
    return [((reg[i] << 32 | reg[i + 1]), (reg[i + 2] << 32 | reg[i + 3]))
            for i in range(0, len(reg) - 3, 4)]


def nodes_at(fdt, base):
    """Nodes whose first reg range starts at base (cpu nodes, with one
    address cell, never match)."""
    return [offset for offset in nodes(fdt)
            if len(cells(fdt, offset, "reg") or []) >= 4
            and reg_ranges(fdt, offset)[0][0] == base]


def node_at(fdt, base):
    """The one node whose first reg range starts at base."""
    found = nodes_at(fdt, base)
    assert len(found) == 1, f"{len(found)} device-tree nodes at {base:#x}"
    return found[0]


# clock_from for device_mismatches: a device whose node gives its clock
# only by reference (clocks = <&controller N>, QEMU sifive_u's PRCI) may
# state the machine's documented rate.
BY_REFERENCE = "by reference"


def device_mismatches(fdt, name, device, clock_from=None):
    """What differs between a board file's device and the tree's node at
    its base: [] when the address, size, compatible list and interrupts
    agree, and the clock, source count and register layout the board file
    states. A clock the board states must be the node's clock-frequency;
    when the node has none, clock_from says where it is: the path of the
    node whose clock-frequency it is, or BY_REFERENCE."""
    offset = node_at(fdt, device["base"])
    wrong = []

    def differs(what, board_value, tree_value):
        if board_value != tree_value:
            wrong.append(f"{name}: {what} is {board_value!r} in the board file, "
                         f"{tree_value!r} in the device tree")

    differs("size", as_int(device["size"]), reg_ranges(fdt, offset)[0][1])
    differs("compatible", device["compatible"], strings(fdt, offset, "compatible"))
    differs("interrupts", device.get("interrupts"), cells(fdt, offset, "interrupts"))
    if "clock-frequency" in device:
        own = cells(fdt, offset, "clock-frequency")
        if own is not None or clock_from is None:
            differs("clock-frequency", [device["clock-frequency"]], own)
        elif clock_from == BY_REFERENCE:
            differs("clock reference", True, cells(fdt, offset, "clocks") is not None)
        else:
            differs(f"clock-frequency (of {clock_from})", [device["clock-frequency"]],
                    cells(fdt, fdt.path_offset(clock_from), "clock-frequency"))
    if "sources" in device:
        differs("sources", [device["sources"]], cells(fdt, offset, "riscv,ndev"))
    for key, default in (("reg-shift", 0), ("reg-io-width", 1)):
        differs(key, [device.get(key, default)], cells(fdt, offset, key) or [default])
    return wrong


def memory_banks(fdt):
    """[(base, size)] of every device_type = "memory" node, in order."""
    banks = []
    for offset in nodes(fdt):
        if strings(fdt, offset, "device_type") == ["memory"]:
            banks += reg_ranges(fdt, offset)
    return banks


def cpus(fdt):
    """{hart ID: offset} of the /cpus/cpu@N nodes."""
    parent = fdt.path_offset("/cpus")
    out = {}
    offset = fdt.first_subnode(parent)
    while offset >= 0:
        if fdt.get_name(offset).startswith("cpu@"):
            out[cells(fdt, offset, "reg")[0]] = offset
        offset = fdt.next_subnode(offset, libfdt.QUIET_NOTFOUND)
    return out


def timebase(fdt):
    return cells(fdt, fdt.path_offset("/cpus"), "timebase-frequency")[0]


def hart_extensions(fdt, offset):
    """A cpu node's extensions: riscv,isa-extensions, or else the letters
    and _-separated names of riscv,isa after rv64."""
    listed = strings(fdt, offset, "riscv,isa-extensions")
    if listed is not None:
        return set(listed)
    isa = strings(fdt, offset, "riscv,isa")[0]
    first, *multi = isa.split("_")
    assert first.startswith("rv64"), isa
    return set(first[4:]) | set(multi)


def hart_mmu(fdt, offset):
    """sv39/sv48/sv57 from mmu-type, or "none" without one."""
    mmu = strings(fdt, offset, "mmu-type")
    return mmu[0][len("riscv,"):] if mmu else "none"


def plic_contexts(fdt, offset):
    """[(hart, mode)] of a PLIC's interrupts-extended, in context order;
    mode None for a context the tree names for a hart but with the cell
    0xffffffff (CONTEXT_NOT_FOR_LINUX)."""
    raw = cells(fdt, offset, "interrupts-extended")
    out = []
    for phandle, irq in zip(raw[::2], raw[1::2]):
        cpu = fdt.parent_offset(fdt.node_offset_by_phandle(phandle))
        hart = cells(fdt, cpu, "reg")[0]
        out.append((hart, None if irq == CONTEXT_NOT_FOR_LINUX else CONTEXT_MODES[irq]))
    return out
