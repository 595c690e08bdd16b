"""Diagnostics: every error names a file, line, column and rule.

Errors are collected, not raised one by one, so that one run reports every
problem in the input. A Diagnostic may carry notes (the other party of a
conflict, with its own location) and one hint (how to fix it).
"""

import json


class Loc:
    """A position in an input file; line and col count from 1."""

    __slots__ = ("file", "line", "col")

    def __init__(self, file, line=0, col=0):
        self.file = file
        self.line = line
        self.col = col

    def __str__(self):
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"

    def short(self):
        """file:line, the form used in comments of generated files."""
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}"


class Diagnostic:
    def __init__(self, loc, rule, message, notes=(), hint=None):
        self.loc = loc
        self.rule = rule
        self.message = message
        self.notes = list(notes)
        self.hint = hint

    def text(self):
        lines = [f"{self.loc}: error[{self.rule}]: {self.message}"]
        for loc, message in self.notes:
            lines.append(f"{loc}: note: {message}")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)

    def as_dict(self):
        def place(loc):
            return {"file": loc.file, "line": loc.line, "col": loc.col}
        return {
            **place(self.loc),
            "severity": "error",
            "rule": self.rule,
            "message": self.message,
            "notes": [{**place(loc), "message": m} for loc, m in self.notes],
            "hint": self.hint,
        }


# Every rule the generator enforces, with a one-line summary. The test suite
# requires a failing fixture for each of them.
RULES = {
    "yaml-syntax": "the file is not well-formed YAML",
    "yaml-ambiguous": "a YAML 1.1 trap: yes/no/on/off, a leading-zero number, null",
    "duplicate-key": "a mapping has the same key twice",
    "unknown-key": "a key the format does not define",
    "missing-key": "a required key is absent",
    "wrong-type": "a value of the wrong type",
    "bad-value": "a value outside the allowed set or range",
    "bad-size": "a size or address that cannot be parsed or is misaligned",
    "file-missing": "a board, guest manifest, payload file or disk image does not exist",
    "payload-source": "a payload names both or neither of guest and kernel",
    "payload-format": "a payload file is not a RISC-V image of the right kind",
    "payload-fit": "kernel, initrd and DTB do not fit the capsule's memory",
    "payload-reserved": "a payload would land in a loader-reserved range",
    "linux-alignment": "a Linux capsule's memory is not 2 MiB aligned",
    "memory-below-guest-minimum": "a capsule has less memory than its guest's min-memory",
    "capsule-name": "a capsule name that is not a C identifier and DT node name",
    "capsule-duplicate": "two capsules with the same name",
    "empty-system": "a configuration without capsules",
    "memory-overlap": "memory regions overlap",
    "memory-outside-ram": "a memory region not inside one board RAM bank",
    "memory-exhausted": "no free RAM left for a capsule",
    "pmp-budget": "a capsule needs more PMP entries than the board has",
    "pmp-grain-misaligned": "capsule memory that is not whole PMP grains of the board",
    "pmp-grain-shared": "one PMP grain holds ranges of two owners (capsules, the hypervisor)",
    "hart-count": "a capsule's harts list does not have one hart per vCPU",
    "hart-unknown": "a hart ID the board does not have",
    "hart-shared": "a hart given to two vCPUs",
    "hart-no-supervisor": "a vCPU or a schedule on a hart without S-mode",
    "vcpus-exceed-harts": "a capsule with more vCPUs than the board has harts",
    "device-unknown": "a device name the board does not have",
    "device-shared": "a device given to two capsules",
    "device-hypervisor": "a device the hypervisor owns given to a capsule",
    "interrupt-shared": "an interrupt source claimed by two owners",
    "interrupt-no-context": "a capsule with device interrupts but no hart with a supervisor "
                            "PLIC context",
    "dma-unacknowledged": "a bus-mastering (dma: true) device given without "
                          "dma-reaches-all-memory: true",
    "device-backend": "a disk or network outside a virtio-mmio slot, two in one slot, or a "
                      "disk without exactly one of image and size",
    "disk-in-build": "a user's disk image inside build/ (which make clean deletes)",
    "host-port-shared": "a host port forwarded twice",
    "isa-extension": "an ISA extension the board, or the hart a vCPU runs on, does "
                     "not have",
    "focus-unknown": "the console focus names no capsule",
    "bad-duration": "a frame, window length or offset that is not a whole number with a "
                    "unit (us, ms, s)",
    "schedule-form": "a schedule with both or neither of windows and shares",
    "schedule-capsule-unknown": "a window or share naming no capsule",
    "schedule-capsule-elsewhere": "a window or share for a capsule with no vCPU on the "
                                  "schedule's harts",
    "schedule-hart-duplicate": "a hart listed twice in one schedule or in two schedules",
    "schedule-ticks": "a frame, window length or offset that is not a whole number of "
                      "timer ticks",
    "schedule-window-short": "a window shorter than the 100us the hypervisor can honour",
    "schedule-window-outside": "a window that ends after its frame",
    "schedule-window-overlap": "two windows of a schedule that overlap",
    "schedule-vcpu-missing": "a vCPU on a shared hart whose capsule has no window there",
    "schedule-siblings": "two vCPUs of one capsule on one shared hart (could deadlock)",
    "board-invalid": "a board file whose devices or RAM are inconsistent",
}


class Skipped:
    """A check that could not run, and why: printed after the errors."""

    def __init__(self, loc, message):
        self.loc = loc
        self.message = message

    def text(self):
        return f"{self.loc}: note: {self.message}"

    def as_dict(self):
        return {"file": self.loc.file, "line": self.loc.line, "col": self.loc.col,
                "severity": "note", "message": self.message}


class Diagnostics:
    """An ordered collection of errors, and notes on checks that were skipped."""

    def __init__(self):
        self.items = []
        self.skipped = []

    def error(self, loc, rule, message, *, hint, notes=()):
        """Record an error. Every error says how to fix it (hint)."""
        assert rule in RULES, rule
        self.items.append(Diagnostic(loc, rule, message, notes, hint))

    def skip(self, loc, message):
        """Record that checks were skipped because their inputs are broken."""
        self.skipped.append(Skipped(loc, message))

    def __bool__(self):
        return bool(self.items)

    def __len__(self):
        return len(self.items)

    def render(self, fmt):
        everything = self.items + self.skipped
        if fmt == "json":
            return json.dumps([d.as_dict() for d in everything], indent=2)
        return "\n".join(d.text() for d in everything)


class InternalError(Exception):
    """A generator bug (e.g. dtc warns about a generated tree): not the input's fault."""


class ToolFailed(Exception):
    """A tool the generator runs (a guest's modules-tool) failed; its message says how."""


class Failed(Exception):
    """Raised when a phase ends with errors; carries the Diagnostics."""

    def __init__(self, diags):
        super().__init__(f"{len(diags)} error(s)")
        self.diags = diags


def hexrange(base, size):
    """Half-open hex range, the one form used in every message."""
    return f"[{base:#x}, {base + size:#x})"
