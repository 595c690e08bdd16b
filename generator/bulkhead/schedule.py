"""Schedules: harts that capsules share on a static, cyclic time-partition
schedule (docs/design.md, "Scheduler").

A schedule names harts, a frame and windows. Every frame, on each of its
harts, each window runs the vCPU its capsule has on that hart (a capsule
with no vCPU there leaves the window idle on that hart). Times are checked
in nanoseconds as written, then kept in timer ticks (the board's
timebase-frequency), which is what the hypervisor counts.
"""

import difflib
from fractions import Fraction
from math import gcd

from . import schema

NS_PER_S = 10 ** 9
# The shortest window the hypervisor can honour: a switch (<= 400
# instructions, the backend reprogrammed, the TLB flushed) and the timer
# interrupt's jitter must stay a small part of it (docs/design.md, "Scheduler").
MIN_WINDOW_NS = 100_000


class Window:
    """A window in ticks from the start of the frame."""

    def __init__(self, capsule, start, length, loc, what):
        self.capsule = capsule
        self.start = start
        self.length = length
        self.loc = loc
        self.what = what  # "window N" or "share"

    @property
    def end(self):
        return self.start + self.length


class Schedule:
    def __init__(self, index, rec, board):
        self.index = index
        self.rec = rec
        self.loc = rec.loc
        self.harts = list(rec["harts"])
        self.timebase = board.timebase
        self.timebase_loc = board.rec.where("timebase-frequency")
        self.frame = None  # ticks, once the frame is a whole number of them
        self.windows = []  # Window, in time order, once every check passed
        # Whether it is whole (schema), of one form and names only capsules
        # that exist: only then does it say which capsules lack a window.
        self.complete = schema.sound(rec, schema.SCHEDULE)

    def hart_windows(self, hart):
        """(window, vCPU) of each window that runs a vCPU on hart."""
        out = []
        for window in self.windows:
            if hart in window.capsule.harts:
                out.append((window, window.capsule.harts.index(hart)))
        return out

    def gaps(self, hart):
        """(start, length) in ticks of the idle time on hart, in time order."""
        out = []
        cursor = 0
        for window, _ in self.hart_windows(hart):
            if window.start > cursor:
                out.append((cursor, window.start - cursor))
            cursor = window.end
        if cursor < self.frame:
            out.append((cursor, self.frame - cursor))
        return out

    def latency(self, capsule):
        """Ticks an interrupt of capsule may wait for its next window: the
        longest time from the end of one of its windows to the start of its
        next, across the end of the frame."""
        mine = [w for w in self.windows if w.capsule is capsule]
        longest = 0
        for index, window in enumerate(mine):
            following = mine[(index + 1) % len(mine)]
            start = following.start + (self.frame if index + 1 == len(mine) else 0)
            longest = max(longest, start - window.end)
        return longest

    def ns(self, ticks):
        return Fraction(ticks * NS_PER_S, self.timebase)


def duration(ns):
    """10ms, 250us, or 30.518us: the shortest exact form, else us rounded."""
    ns = Fraction(ns)
    if ns == 0:
        return "0"
    if ns % 1_000_000 == 0:
        return f"{ns // 1_000_000}ms"
    if ns % 1000 == 0:
        return f"{ns // 1000}us"
    return f"{float(ns) / 1000:.3f}us"


def span(start_ns, length_ns):
    """Half-open range of times, the form every message uses."""
    return f"[{duration(start_ns)}, {duration(start_ns + length_ns)})"


def ticks_of(ns, timebase):
    """Whole ticks in ns, or None."""
    ticks = Fraction(ns * timebase, NS_PER_S)
    return int(ticks) if ticks.denominator == 1 else None


def whole_tick_step(timebase):
    """The shortest duration in whole microseconds that is whole ticks, in ns."""
    tick = NS_PER_S // gcd(NS_PER_S, timebase)
    return tick * 1000 // gcd(tick, 1000)


def listed_schedules(system):
    """(index, rec) of each schedule whose harts list is sound: its harts
    are shared even when the rest of it has errors (reported already)."""
    schedules = system.rec.get("schedules")
    if not isinstance(schedules, schema.Seq):
        return []
    harts = schema.SCHEDULE.fields["harts"].type
    return [(i, rec) for i, rec in enumerate(schedules)
            if isinstance(rec, schema.Rec) and "harts" in rec and schema.sound(rec["harts"],
                                                                             harts)]


def check_schedule_harts(system, diags):
    """Which harts schedules share: on the board, each in one schedule once.
    Fills system.shared {hart: Schedule} and system.schedules."""
    board = system.board
    for index, rec in listed_schedules(system):
        schedule = Schedule(index, rec, board)
        system.schedules.append(schedule)
        for position, hart in enumerate(schedule.harts):
            loc = rec["harts"].locs[position]
            if hart >= board.harts:
                diags.error(loc, "hart-unknown",
                            f"schedules[{index}]: hart {hart} is not on board '{board.name}'",
                            hint=f"the board's harts are 0..{board.harts - 1}")
                continue
            if not board.hart_supervisor(hart):
                kind = board.kind_of(hart)
                diags.error(loc, "hart-no-supervisor",
                            f"schedules[{index}] shares hart {hart}, which has no S-mode "
                            f"({kind.describe()}): no capsule can run there",
                            notes=[(kind.rec.where("supervisor"), "supervisor: false")],
                            hint="share harts with S-mode: " + ", ".join(
                                str(h) for h in board.supervisor_harts))
            other = system.shared.get(hart)
            if other is None:
                system.shared[hart] = (schedule, loc)
                continue
            first, first_loc = other
            diags.error(loc, "schedule-hart-duplicate",
                        f"schedules[{index}] lists hart {hart} "
                        + ("twice" if first is schedule else
                           f"that schedules[{first.index}] shares too"),
                        notes=[(first_loc, f"schedules[{first.index}] lists hart {hart} "
                                "here")],
                        hint="a hart follows one schedule: list it once, and put "
                             "every capsule that shares it in that schedule's windows")


def schedule_of(system, hart):
    """The Schedule that shares hart, or None (a hart pinned 1:1 or idle)."""
    entry = system.shared.get(hart)
    return entry[0] if entry else None


def check_schedules(system, diags):
    """Windows inside their frame, in whole ticks, long enough, apart; every
    vCPU on a shared hart given time there."""
    capsules = {c.name: c for c in system.capsules}
    for schedule in system.schedules:
        if not schedule.complete:
            continue
        before = len(diags)
        rec = schedule.rec
        forms = [key for key in ("windows", "shares") if key in rec]
        if len(forms) != 1:
            schedule.complete = False
            diags.error(rec.loc, "schedule-form",
                        f"schedules[{schedule.index}] names "
                        + ("both" if forms else "neither") + " of windows and shares",
                        hint="windows: [{capsule: a, length: 4ms}, ...] places each window; "
                             "shares: {a: 1, b: 1} splits the frame by weight")
            continue
        frame_ns = rec["frame"]
        schedule.frame = check_ticks(schedule, frame_ns, rec.where("frame"), "the frame",
                                     diags)
        if forms[0] == "windows":
            windows = explicit_windows(schedule, capsules, diags)
        else:
            windows = shared_windows(schedule, capsules, diags)
        if len(diags) == before:
            schedule.windows = windows
    check_vcpus_scheduled(system, diags)


def check_ticks(schedule, ns, loc, what, diags):
    ticks = ticks_of(ns, schedule.timebase)
    if ticks is not None:
        return ticks
    step = whole_tick_step(schedule.timebase)
    low, high = ns // step * step, (ns // step + 1) * step
    choices = " or ".join(duration(t) for t in (low, high) if t)
    diags.error(loc, "schedule-ticks",
                f"schedules[{schedule.index}]: {what} is {duration(ns)}, "
                f"{float(Fraction(ns * schedule.timebase, NS_PER_S)):.3f} timer ticks, not a "
                "whole number of them",
                notes=[(schedule.timebase_loc, f"the timer ticks at "
                        f"{schedule.timebase} Hz")],
                hint=f"on this board whole ticks in whole microseconds are multiples of "
                     f"{duration(step)}: write {choices}")
    return None


def capsule_named(schedule, name, loc, capsules, diags):
    capsule = capsules.get(name)
    if capsule is None:
        schedule.complete = False
        close = difflib.get_close_matches(name, list(capsules), 1)
        diags.error(loc, "schedule-capsule-unknown",
                    f"schedules[{schedule.index}] gives time to '{name}', which names no "
                    "capsule",
                    hint=f"did you mean '{close[0]}'?" if close else
                    "name one of the capsules: " + ", ".join(capsules))
        return None
    if not set(capsule.harts) & set(schedule.harts):
        diags.error(loc, "schedule-capsule-elsewhere",
                    f"schedules[{schedule.index}] gives time on {listing(schedule.harts)} "
                    f"to capsule '{name}', whose vCPUs run on {listing(capsule.harts)}",
                    notes=[(capsule.rec.where("harts"), f"capsule '{name}' lists its harts "
                            "here")],
                    hint=f"run a vCPU of '{name}' on {listing(schedule.harts)}, or drop its "
                         "window")
        return None
    return capsule


def listing(harts):
    """'hart 2' or 'harts 0, 1'."""
    return ("hart " if len(harts) == 1 else "harts ") + ", ".join(str(h) for h in harts)


def explicit_windows(schedule, capsules, diags):
    rec = schedule.rec
    frame_ns = rec["frame"]
    windows = []
    cursor = 0
    previous = None
    for position, item in enumerate(rec["windows"]):
        loc = rec["windows"].locs[position]
        what = f"window {position}"
        capsule = capsule_named(schedule, item["capsule"], item.where("capsule"), capsules,
                                diags)
        start = item.get("offset", cursor)
        length = item["length"]
        name = f"capsule '{item['capsule']}'"
        if length < MIN_WINDOW_NS:
            diags.error(item.where("length"), "schedule-window-short",
                        f"schedules[{schedule.index}]: {what} ({name}) lasts "
                        f"{duration(length)}, less than the {duration(MIN_WINDOW_NS)} the "
                        "hypervisor can honour",
                        hint=f"make it at least {duration(MIN_WINDOW_NS)} long, or give "
                             "the capsule fewer, longer windows (docs/design.md, "
                             "\"Scheduler\")")
        if previous is not None and start < previous[1] + previous[2]:
            diags.error(item.where("offset"), "schedule-window-overlap",
                        f"schedules[{schedule.index}]: {what} ({name}) "
                        f"{span(start, length)} overlaps window {previous[0]} "
                        f"(capsule '{previous[3]}') {span(previous[1], previous[2])}",
                        notes=[(previous[4], f"window {previous[0]} is here")],
                        hint=f"start it at {duration(previous[1] + previous[2])} or later "
                             "(windows are listed in time order)")
        elif start + length > frame_ns:
            diags.error(loc, "schedule-window-outside",
                        f"schedules[{schedule.index}]: {what} ({name}) "
                        f"{span(start, length)} ends after the frame {span(0, frame_ns)}",
                        notes=[(rec.where("frame"), f"frame: {duration(frame_ns)}")],
                        hint=f"lengthen the frame to {duration(start + length)} or more, "
                             "or shorten the windows")
        ticks = [check_ticks(schedule, ns, item.where(key), f"the {key} of {what} ({name})",
                             diags) for key, ns in (("offset", start), ("length", length))
                 if key in item]
        if capsule is not None and None not in ticks:
            windows.append(Window(capsule, ticks_of(start, schedule.timebase),
                                  ticks_of(length, schedule.timebase), loc, what))
        previous = (position, start, length, item["capsule"], loc)
        cursor = start + length
    return windows


def shared_windows(schedule, capsules, diags):
    """The short form: one window per capsule, frame * weight / total
    weights each, rounded down to a tick, in the order written."""
    shares = schedule.rec["shares"]
    total = sum(shares.values())
    windows = []
    cursor = 0
    for name, weight in shares.items():
        loc = shares.where(name)
        capsule = capsule_named(schedule, name, loc, capsules, diags)
        if schedule.frame is None:
            continue
        length = schedule.frame * weight // total
        length_ns = schedule.ns(length)
        if length_ns < MIN_WINDOW_NS:
            diags.error(loc, "schedule-window-short",
                        f"schedules[{schedule.index}]: the share {weight}/{total} of "
                        f"capsule '{name}' is a window of {duration(length_ns)}, less than "
                        f"the {duration(MIN_WINDOW_NS)} the hypervisor can honour",
                        notes=[(schedule.rec.where("frame"),
                                f"frame: {duration(schedule.rec['frame'])}")],
                        hint="raise its weight or lengthen the frame (docs/design.md, "
                             "\"Scheduler\")")
        if capsule is not None:
            windows.append(Window(capsule, cursor, length, loc, "share"))
        cursor += length
    return windows


def check_vcpus_scheduled(system, diags):
    """Every vCPU on a shared hart has a window there."""
    for capsule in system.capsules:
        for vcpu, hart in enumerate(capsule.harts):
            schedule = schedule_of(system, hart)
            if schedule is None or not schedule.complete or capsule.name in named(schedule):
                continue
            diags.error(capsule.rec["harts"].locs[vcpu], "schedule-vcpu-missing",
                        f"capsule '{capsule.name}' vCPU {vcpu} runs on hart {hart}, which "
                        f"schedules[{schedule.index}] shares, but the schedule gives "
                        f"'{capsule.name}' no window",
                        notes=[(system.shared[hart][1], f"schedules[{schedule.index}] "
                                f"shares hart {hart} here")],
                        hint=f"add a window for '{capsule.name}' to schedules"
                             f"[{schedule.index}] (or a share), or run the vCPU on a "
                             "hart of its own")


def named(schedule):
    """Capsule names the schedule gives time to, as written."""
    rec = schedule.rec
    if "windows" in rec:
        return [w["capsule"] for w in rec["windows"]]
    return list(rec["shares"])
