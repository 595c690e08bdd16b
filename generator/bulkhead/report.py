"""The human-readable views of a system: memory map, system report, SVG."""

from .diag import hexrange
from .plic import capsule_contexts
from .schedule import duration, schedule_of

MIB = 1 << 20


def human(size):
    """Exact when a unit divides the size, else two decimals of MiB or KiB."""
    for unit, shift in (("GiB", 30), ("MiB", 20)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    if size >= MIB:
        return f"{size / MIB:.2f} MiB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size >> 10} KiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} B"


class Row:
    def __init__(self, base, size, owner, detail=""):
        self.base = base
        self.size = size
        self.owner = owner
        self.detail = detail

    @property
    def end(self):
        return self.base + self.size


def ram_rows(system):
    """Every byte of board RAM exactly once: owners and free gaps, sorted."""
    owned = [Row(system.hypervisor.base, system.hypervisor.size, "hypervisor",
                 "image, stacks, per-hart state")]
    if system.pristine_region:
        owned.append(Row(system.pristine_region.base, system.pristine_region.size,
                         "pristine store", f"{len(system.pristine)} read-only copies"))
    for capsule in system.capsules:
        owned.append(Row(capsule.base, capsule.memory_size, f"capsule {capsule.name}",
                         f"{capsule.vcpus} vCPU, {len(capsule.pmp)} PMP"))
    owned.sort(key=lambda r: r.base)
    rows = []
    for bank_base, bank_size, _ in system.board.ram:
        cursor, end = bank_base, bank_base + bank_size
        for row in owned:
            if row.base < cursor or row.base >= end:
                continue
            if row.base > cursor:
                rows.append(Row(cursor, row.base - cursor, "free"))
            rows.append(row)
            cursor = row.end
        if cursor < end:
            rows.append(Row(cursor, end - cursor, "free"))
    return rows


def payload_rows(system):
    rows = []
    for copy in system.pristine:
        rows.append(Row(copy.base, copy.size, f"pristine.{copy.index}", copy.describe()))
    for capsule in system.capsules:
        for payload in capsule.payloads:
            what = payload.file.path if payload.file else f"capsule-{capsule.name}.dtb"
            if payload.what == "kernel" and capsule.image.footprint > payload.size:
                what += f" (runs in {human(capsule.image.footprint)} with bss)"
            rows.append(Row(payload.load_addr, payload.size,
                            f"{capsule.name} {payload.what}", what))
    return sorted(rows, key=lambda r: r.base)


def device_rows(system):
    board = system.board
    owner = {}
    for role, name in board.owned_roles.items():
        owner[name] = f"hypervisor ({role})"
    for capsule in system.capsules:
        for device in capsule.devices:
            owner[device.name] = f"capsule {capsule.name} (passthrough)"
        if capsule.console == "uart":
            uart = board.hv_device("console").name
            owner[uart] = owner[uart] + f", virtual UART of {capsule.name}"
    if board.clock:
        read = "hypervisor (clock, read at boot)"
        name = board.clock.name
        owner[name] = f"{owner[name]}, {read}" if name in owner else read
    rows = []
    for device in sorted(board.devices.values(), key=lambda d: d.base):
        irqs = ",".join(str(i) for i in device.interrupts) or "-"
        rows.append(Row(device.base, device.size, device.name,
                        f"{device.kind:<13} irq {irqs:<4} {owner.get(device.name, 'unused')}"))
    return rows


def table(rows):
    return [f"  {hexrange(r.base, r.size):<27} {human(r.size):>10}  {r.owner:<22} {r.detail}"
            .rstrip() for r in rows]


def memory_map(system):
    """Lines of memory-map.txt (after the header comment)."""
    board = system.board
    lines = [f"System {system.name} on board {board.name}: "
             f"{board.harts} harts, {human(board.ram_size)} RAM", "",
             "RAM (half-open ranges, sorted; every byte once):"]
    lines += table(ram_rows(system))
    lines += ["", "Payloads (load addresses and pristine copies):"]
    lines += table(payload_rows(system))
    if board.reserved:
        lines += ["", "Loader-reserved (no payload byte here):"]
        lines += table([Row(b, s, "reserved", why) for b, s, why, _ in board.reserved])
    lines += ["", "Devices:"]
    lines += table(device_rows(system))
    return lines


def interrupt_lines(system):
    """Who owns each PLIC context and each device interrupt source."""
    board = system.board
    plic = board.plic
    owners = {}
    for capsule in system.capsules:
        for vcpu, context in enumerate(capsule_contexts(board, capsule)):
            if context is not None:
                owners.setdefault(context, []).append(f"capsule {capsule.name} vCPU {vcpu}")
    owners = {context: ", ".join(names) + (" (by schedule)" if len(names) > 1 else "")
              for context, names in owners.items()}
    lines = [f"Interrupts (PLIC {plic.name}, {plic.sources} sources, "
             f"{len(plic.contexts)} contexts):"]
    for context, (hart, mode) in enumerate(plic.contexts):
        owner = owners.get(context, "hypervisor" if mode == "machine" else "unused")
        lines.append(f"  context {context:<3} hart {hart} {mode:<10} {owner}")
    users = {d.name: f"capsule {c.name}" for c in system.capsules for d in c.devices}
    for role, name in board.owned_roles.items():
        users[name] = f"hypervisor ({role})"
    for device in sorted(board.devices.values(), key=lambda d: d.interrupts[:1]):
        for irq in device.interrupts:
            lines.append(f"  source {irq:<4} {device.name:<12} "
                         f"{users.get(device.name, 'unused (masked)')}")
    return lines


def capsule_interrupts(board, capsule):
    """One line for the SVG: its sources and contexts."""
    irqs = ",".join(str(i) for i in capsule.irq_sources) or "none"
    contexts = ",".join(str(c) for c in capsule_contexts(board, capsule) if c is not None)
    return f"irq {irqs}; PLIC contexts {contexts or 'none'}"


def hart_rows(system):
    """(hart, capsule, vCPU) of each hart pinned 1:1; (hart, None, None) of
    an idle hart or one a schedule shares (schedule_of says which)."""
    rows = []
    for hart in range(system.board.harts):
        rows.append((hart, None, None))
    for capsule in system.capsules:
        for vcpu, hart in enumerate(capsule.harts):
            if schedule_of(system, hart) is None:
                rows[hart] = (hart, capsule, vcpu)
    return rows


def hart_line(system, hart, capsule, vcpu):
    schedule = schedule_of(system, hart)
    if schedule is not None:
        return f"shared by schedules[{schedule.index}]"
    if capsule:
        return f"capsule {capsule.name} vCPU {vcpu}"
    kind = system.board.kind_of(hart)
    if kind is not None and not kind.supervisor:
        return f"no S-mode ({kind.name}): runs the hypervisor, parked in wfi"
    return "idle (parked in wfi)"


def schedule_lines(system):
    """Each shared hart's timeline, its idle gaps, and each capsule's
    worst-case wait for its next window (docs/design.md, "Scheduler")."""
    lines = []
    for schedule in system.schedules:
        harts = ", ".join(str(h) for h in schedule.harts)
        lines += ["", f"Schedule {schedule.index} (harts {harts}): frame "
                  f"{duration(schedule.ns(schedule.frame))} = {schedule.frame} ticks at "
                  f"{schedule.timebase} Hz; times from the frame's start, half-open:"]
        for hart in schedule.harts:
            lines.append(f"  hart {hart}:")
            entries = [(w.start, w.length, f"capsule {w.capsule.name} vCPU {vcpu}")
                       for w, vcpu in schedule.hart_windows(hart)]
            entries += [(start, length, "idle") for start, length in schedule.gaps(hart)]
            for start, length, what in sorted(entries):
                when = (f"[{duration(schedule.ns(start))}, "
                        f"{duration(schedule.ns(start + length))})")
                lines.append(f"    {when:<20} {duration(schedule.ns(length)):>9}  {what}")
            gaps = schedule.gaps(hart)
            if gaps:
                idle = sum(length for _, length in gaps)
                lines.append(f"  note: hart {hart} idles {duration(schedule.ns(idle))} of "
                             f"every frame: " + ", ".join(
                                 f"[{duration(schedule.ns(start))}, "
                                 f"{duration(schedule.ns(start + length))})"
                                 for start, length in gaps))
        lines.append("  Worst-case interrupt latency, the schedule's part (from the end "
                     "of a window to the start of the capsule's next; add a switch):")
        seen = []
        for window in schedule.windows:
            capsule = window.capsule
            if capsule in seen:
                continue
            seen.append(capsule)
            share = sum(w.length for w in schedule.windows if w.capsule is capsule)
            lines.append(f"    {capsule.name}: {duration(schedule.ns(schedule.latency(capsule)))}"
                         f" (runs {duration(schedule.ns(share))} of every "
                         f"{duration(schedule.ns(schedule.frame))})")
    return lines


def report(system):
    """The `info` report: the memory map plus harts, PMP and payload layout."""
    board = system.board
    lines = memory_map(system)
    lines += ["", "Harts:"]
    for hart, capsule, vcpu in hart_rows(system):
        lines.append(f"  hart {hart}: {hart_line(system, hart, capsule, vcpu)}")
    lines += schedule_lines(system)
    lines += ["", f"PMP entries per capsule (budget {board.pmp_entries}):"]
    for capsule in system.capsules:
        lines.append(f"  {capsule.name}: {len(capsule.pmp)}/{board.pmp_entries}")
        for entry in capsule.pmp:
            lines.append(f"    pmpaddr {entry.addr:#018x} cfg {entry.cfg:#04x}  "
                         f"{entry.comment}")
    lines += [""] + interrupt_lines(system)
    lines += ["", "Capsules:"]
    for capsule in system.capsules:
        devices = ", ".join(d.name for d in capsule.devices) or "none"
        lines.append(f"  {capsule.name}: {capsule.kind}, memory "
                     f"{hexrange(capsule.base, capsule.memory_size)}, console "
                     f"{capsule.console}, devices {devices}, on-fault {capsule.on_fault}, "
                     f"on-poweroff {capsule.on_poweroff}, on-reboot {capsule.on_reboot}")
        for payload in capsule.payloads:
            offset = payload.load_addr - capsule.base
            pristine = (f", pristine copy at {payload.pristine:#x}"
                        if payload.pristine is not None else "")
            lines.append(f"    {payload.what:<6} +{offset:#010x} "
                         f"{hexrange(payload.load_addr, payload.size)}{pristine}")
    return lines
