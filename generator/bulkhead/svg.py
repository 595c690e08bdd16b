"""system.svg: the memory map and hart allocation at a glance.

RAM is drawn as one column of boxes, one per owner or free gap, in address
order. Box heights grow with the logarithm of the size, so that a 4 KiB
region and a 512 MiB gap are both readable; the size is written in each box.
Harts are a row of boxes coloured like the capsule that runs them; a hart
that a schedule shares is a bar: one frame, left to right, each window
coloured like its capsule, idle time white.
"""

import math
from xml.sax.saxutils import escape

from . import report
from .diag import hexrange
from .schedule import duration, schedule_of

PALETTE = ["#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
           "#fccde5", "#bc80bd", "#ccebc5", "#ffed6f"]
FIXED = {"hypervisor": "#d9d9d9", "pristine store": "#ffffb3", "free": "#ffffff"}
WIDTH = 760
MAP_X, MAP_W = 20, 300


def colour(owner, system):
    if owner in FIXED:
        return FIXED[owner]
    for capsule in system.capsules:
        if owner == f"capsule {capsule.name}":
            return PALETTE[capsule.index % len(PALETTE)]
    return "#eeeeee"


def box_height(size):
    return 24 + 6 * max(0, math.log2(max(size, 1)) - 12)


def text(x, y, value, size=12, anchor="start", weight="normal"):
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-family="monospace" font-size="{size}" '
            f'text-anchor="{anchor}" font-weight="{weight}">{escape(value)}</text>')


def rect(x, y, w, h, fill, dash=False):
    style = ' stroke-dasharray="4 3"' if dash else ""
    return (f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" '
            f'fill="{fill}" stroke="#333"{style}/>')


def inner_lines(system, row):
    """Payload placement inside a capsule; loader-reserved ranges inside a gap."""
    lines = []
    for capsule in system.capsules:
        if row.owner == f"capsule {capsule.name}":
            for payload in capsule.payloads:
                lines.append(f"{payload.what} +{payload.load_addr - capsule.base:#x} "
                             f"{report.human(payload.size)}")
    for base, size, _, _ in system.board.reserved:
        if row.base <= base < row.end:
            lines.append(f"loader-reserved {hexrange(base, size)}")
    return lines


def picture(system):
    board = system.board
    parts = [text(MAP_X, 24, f"{system.name} on {board.name}", 16, weight="bold"),
             text(MAP_X, 44, "RAM, low addresses at the top (box height ~ log2 size)")]
    y = 56
    rows = report.ram_rows(system)
    for row in rows:
        h = box_height(row.size)
        free = row.owner == "free"
        parts.append(rect(MAP_X, y, MAP_W, h, colour(row.owner, system), dash=free))
        parts.append(text(MAP_X + 8, y + 16, row.owner, weight="normal" if free else "bold"))
        parts.append(text(MAP_X + MAP_W - 8, y + 16, report.human(row.size), anchor="end"))
        parts.append(text(MAP_X + MAP_W + 10, y + 12, f"{row.base:#x}", 11))
        lines = [row.detail] if row.detail else []
        lines += inner_lines(system, row)
        for index, line in enumerate(lines):
            if 32 + 14 * index > h - 6:
                break
            parts.append(text(MAP_X + 8, y + 32 + 14 * index, line, 11))
        y += h
    parts.append(text(MAP_X + MAP_W + 10, y + 4, f"{rows[-1].end:#x}", 11))
    map_bottom = y
    hx, hy = 480, 56
    parts.append(text(hx, 44, "Harts", weight="bold"))
    for hart, capsule, vcpu in report.hart_rows(system):
        schedule = schedule_of(system, hart)
        if schedule is not None:
            parts += timeline(schedule, hart, hx, hy)
            hy += 48
            continue
        fill = PALETTE[capsule.index % len(PALETTE)] if capsule else "#ffffff"
        parts.append(rect(hx, hy, 250, 40, fill, dash=capsule is None))
        parts.append(text(hx + 8, hy + 17, f"hart {hart}", weight="bold"))
        label = f"{capsule.name} vCPU {vcpu}" if capsule else "idle"
        parts.append(text(hx + 8, hy + 33, label))
        hy += 48
    hy += 16
    parts.append(text(hx, hy, "Capsules", weight="bold"))
    hy += 8
    for capsule in system.capsules:
        fill = PALETTE[capsule.index % len(PALETTE)]
        parts.append(rect(hx, hy, 250, 72, fill))
        parts.append(text(hx + 8, hy + 17, capsule.name, weight="bold"))
        parts.append(text(hx + 8, hy + 33, hexrange(capsule.base, capsule.memory_size), 11))
        devices = ", ".join(d.name for d in capsule.devices) or "no devices"
        parts.append(text(hx + 8, hy + 49, f"PMP {len(capsule.pmp)}/{board.pmp_entries}, "
                          f"{devices}", 11))
        parts.append(text(hx + 8, hy + 65, report.capsule_interrupts(board, capsule), 11))
        hy += 80
    height = max(map_bottom, hy) + 24
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}">')
    comment = f"<!-- {escape(render_banner(system))} -->"
    background = f'<rect width="{WIDTH}" height="{height:.0f}" fill="#fafafa"/>'
    return "\n".join([comment, head, background] + parts + ["</svg>"]) + "\n"


def timeline(schedule, hart, x, y, width=250):
    """One frame of a shared hart: windows coloured by capsule, idle white."""
    scale = width / schedule.frame
    parts = [text(x, y + 12, f"hart {hart}: schedules[{schedule.index}], frame "
                  f"{duration(schedule.ns(schedule.frame))}", 11, weight="bold")]
    for start, length in schedule.gaps(hart):
        parts.append(rect(x + start * scale, y + 16, length * scale, 24, "#ffffff",
                          dash=True))
    for window, vcpu in schedule.hart_windows(hart):
        capsule = window.capsule
        parts.append(f'<g><title>{escape(capsule.name)} vCPU {vcpu}: '
                     f'[{duration(schedule.ns(window.start))}, '
                     f'{duration(schedule.ns(window.end))})</title>'
                     + rect(x + window.start * scale, y + 16, window.length * scale, 24,
                            PALETTE[capsule.index % len(PALETTE)]) + "</g>")
        if window.length * scale >= 7 * len(capsule.name) + 6:
            parts.append(text(x + window.start * scale + 3, y + 33, capsule.name, 11))
    return parts


def render_banner(system):
    from .render import banner
    return banner(system.inputs(), "bulkhead-gen info")
