"""From validated YAML to a checked system: board, capsules, payload files.

Loading has three phases, each reporting every error it finds before the run
stops: (1) YAML and schema of the config, its board and its guest manifests;
(2) the rules between them (names, harts, devices, interrupts, ISA, console,
payload files); (3) allocation (alloc.py).
"""

import difflib
import hashlib
import os
import re

from . import schema
from .schedule import check_schedule_harts, check_schedules, schedule_of
from .alloc import grain_round, overlaps
from .diag import Failed, Loc, hexrange
from .payload import NotAnImage, file_size, inspect_kernel
from .plic import PLIC_CONTEXT_AREA, PLIC_CONTEXT_PAGE, capsule_contexts, plic_context_page, plic_pages
from .report import human
from .schema import INVALID, NAME_MAX, NAME_RE
from .yamlload import load

# Device kinds the hypervisor can drive in each hypervisor-devices role.
HYPERVISOR_ROLES = {
    "timer": ("clint", "aclint"),
    "interrupt-controller": ("plic",),
    "console": ("ns16550", "sifive-uart"),
    "poweroff": ("sifive-test", "sifive-gpio"),
    "clock": ("goldfish-rtc",),
    "host-settings": ("qemu-fw-cfg",),
}

# Why a capsule never needs the device of a hypervisor-devices role.
HYPERVISOR_ROLE_HINTS = {
    "console": "the capsule's console is virtual (console: uart); it never needs the "
               "physical UART",
    "host-settings": "the hypervisor reads the host's settings once at boot; a capsule "
                     "has no use for them",
}

# Roles whose device the hypervisor only reads once at boot, before any
# capsule runs, and never again: a capsule may still own such a device
# (configs/qemu-irq.yaml passes the RTC through for its alarm interrupt).
# Every other role's device is the hypervisor's alone.
BOOT_ONLY_ROLES = ("clock",)


class Device:
    def __init__(self, name, rec):
        self.name = name
        self.loc = rec.loc
        self.rec = rec
        self.kind = rec["kind"]
        self.compatible = list(rec["compatible"])
        self.base = rec["base"]
        self.size = rec["size"]
        self.interrupts = list(rec.get("interrupts") or [])
        self.clock_frequency = rec.get("clock-frequency")
        self.reg_shift = rec["reg-shift"]
        self.reg_io_width = rec["reg-io-width"]
        self.sources = rec.get("sources")
        self.restart_pin = rec.get("restart-pin")
        self.contexts = [(c["hart"], c["mode"]) for c in rec.get("contexts") or []]
        self.dma = rec["dma"]

    @property
    def virtio_slot(self):
        return self.kind == "virtio-mmio"


class HartKind:
    """A hart-kinds entry: harts with their own ISA, paging or modes."""

    def __init__(self, rec, board):
        self.rec = rec
        self.loc = rec.loc
        self.name = rec["name"]
        self.harts = list(rec["harts"])
        self.rec_isa = rec.get("isa")
        self.isa_base = self.rec_isa["base"] if self.rec_isa else board.isa_base
        self.privileged = self.rec_isa["privileged"] if self.rec_isa else board.privileged
        self.extensions = list(self.rec_isa["extensions"]) if self.rec_isa \
            else list(board.extensions)
        self.mmu = rec.get("mmu", board.mmu)
        self.supervisor = rec["supervisor"]

    def describe(self):
        """e.g. "hart kind 'e51', supervisor: false" for messages."""
        return f"hart kind '{self.name}'"


class Board:
    def __init__(self, path, rec):
        self.path = path
        self.rec = rec
        self.name = rec["board"]
        self.harts = rec["harts"]
        self.timebase = rec["timebase-frequency"]
        self.isa_base = rec["isa"]["base"]
        self.privileged = rec["isa"]["privileged"]
        self.time_csr = rec["time-csr"]
        self.extensions = list(rec["isa"]["extensions"])
        self.mmu = rec["mmu"]
        self.kinds = [HartKind(k, self) for k in rec["hart-kinds"]]
        self.pmp_entries = rec["pmp"]["entries"]
        self.pmp_granularity = rec["pmp"]["granularity"]
        self.ram = [(r["base"], r["size"], r.loc) for r in rec["ram"]]
        self.reserved = [(r["base"], r["size"], r["why"], r.loc)
                         for r in rec["loader-reserved"]]
        self.devices = {n: Device(n, d) for n, d in rec["devices"].items()}
        self.hv_roles = dict(rec["hypervisor-devices"])
        self.qemu = rec.get("qemu")  # None: a real board, which QEMU does not model
        self.boot_artifact = rec.get("boot-artifact")

    def kind_of(self, hart):
        """The hart-kinds entry that lists hart (the first one), or None."""
        return next((k for k in self.kinds if hart in k.harts), None)

    def hart_isa(self, hart):
        """(base, extensions) of hart."""
        kind = self.kind_of(hart)
        return (kind.isa_base, kind.extensions) if kind else (self.isa_base,
                                                               self.extensions)

    def hart_mmu(self, hart):
        kind = self.kind_of(hart)
        return kind.mmu if kind else self.mmu

    def hart_supervisor(self, hart):
        """Whether hart has S-mode, so that it can run a vCPU."""
        kind = self.kind_of(hart)
        return kind.supervisor if kind else True

    @property
    def supervisor_harts(self):
        return [h for h in range(self.harts) if self.hart_supervisor(h)]

    def hart_extensions_loc(self, hart):
        """Where the extensions of hart are written."""
        kind = self.kind_of(hart)
        if kind and kind.rec_isa is not None:
            return kind.rec_isa.where("extensions")
        return self.rec["isa"].where("extensions")

    def hart_privileged(self, hart):
        kind = self.kind_of(hart)
        return kind.privileged if kind else self.privileged

    @property
    def has_envcfg(self):
        """menvcfg and senvcfg exist (privileged 1.12) on the harts that run
        capsules (check_board makes them agree)."""
        return any(self.hart_privileged(h) == "1.12" for h in self.supervisor_harts)

    def supervisor_has(self, ext):
        """Whether the harts that run capsules have ext (check_board makes
        them agree on the extensions the hypervisor itself relies on)."""
        return any(ext in self.hart_isa(h)[1] for h in self.supervisor_harts)

    def hv_device(self, role):
        return self.devices[self.hv_roles[role]]

    @property
    def owned_roles(self):
        """{role: device name} of the devices no capsule may have."""
        return {role: name for role, name in self.hv_roles.items()
                if role not in BOOT_ONLY_ROLES}

    @property
    def poweroff(self):
        """The device that powers the machine off, or None."""
        return self.hv_device("poweroff") if "poweroff" in self.hv_roles else None

    @property
    def clock(self):
        """The device the hypervisor reads the time of day from, or None."""
        return self.hv_device("clock") if "clock" in self.hv_roles else None

    @property
    def host_settings(self):
        """The device the host says its settings through, or None."""
        return self.hv_device("host-settings") if "host-settings" in self.hv_roles else None

    @property
    def plic(self):
        """The PLIC the hypervisor owns (check_board proved it has a layout)."""
        return self.hv_device("interrupt-controller")

    def supervisor_context(self, hart):
        """The PLIC context of hart's supervisor mode, or None."""
        for index, (owner, mode) in enumerate(self.plic.contexts):
            if owner == hart and mode == "supervisor":
                return index
        return None

    def virtio_bus(self, device):
        """QEMU's bus number of a virtio-mmio slot: QEMU 7.2's virt creates
        virtio-mmio-bus.N for the N-th slot from the lowest address."""
        slots = sorted((d for d in self.devices.values() if d.virtio_slot),
                       key=lambda d: d.base)
        return slots.index(device)

    @property
    def ram_size(self):
        return sum(size for _, size, _ in self.ram)


def resolve_path(root, written, named_in):
    """Where a payload path points. Absolute: as written. Starting with ./ or
    ../: from the folder of the file that names it (named_in, a path from
    root or absolute). Otherwise: from the repository root."""
    if written.startswith(("./", "../")):
        written = os.path.join(os.path.dirname(named_in), written)
    return os.path.normpath(os.path.join(root, written))


class File:
    """A payload file named in a config or manifest.

    path is what messages, deps.mk and generated files show: from the
    repository root when the file is inside it, else absolute."""

    def __init__(self, written, loc, root):
        self.written = written
        self.loc = loc
        self.abspath = resolve_path(root, written, loc.file)
        self.path = display_path(root, self.abspath)
        self.size = 0
        self.digest = None

    def read_identity(self):
        self.size = file_size(self.abspath)
        with open(self.abspath, "rb") as stream:
            self.digest = hashlib.sha256(stream.read()).hexdigest()


class Capsule:
    def __init__(self, index, rec, guest):
        self.index = index
        self.rec = rec
        self.loc = rec.loc
        self.name = rec["name"]
        self.vcpus = rec["vcpus"]
        self.harts = list(rec["harts"])
        self.memory_size = rec["memory"]["size"]
        self.fixed_base = rec["memory"].get("base")
        self.guest = guest
        self.console = rec["console"]
        # What the config says of each device it lists, by name (disk, network...).
        self.device_uses = {}
        for use in rec["devices"]:
            self.device_uses.setdefault(use["name"], use)
        self.device_names = [use["name"] for use in rec["devices"]]
        self.devices = []
        self.disks = []  # Disk of each slot that holds one: check_device_uses
        self.networks = []  # Network of each slot that holds one: check_device_uses
        self.isa = None
        self.vcpu_isa = []  # (base, extensions, mmu) of each vCPU: check_isa
        self.on_fault = rec["on-fault"]
        self.on_poweroff = rec["on-poweroff"]
        self.on_reboot = rec["on-reboot"]
        self.restart_limit = rec["restart-limit"]
        self.may_reset_system = rec["may-reset-system"]
        self.kernel = None
        self.initrd = None
        self.bootargs = ""
        self.bootargs_loc = None
        self.kind = guest["kind"] if guest else None
        self.image = None
        # The guest's SBI warm reboot means it panicked (its manifest says so).
        self.warm_reboot_is_panic = False
        self.panic_source = "a warm reboot is a reboot (no guest manifest says otherwise)"
        self.appended_loc = None  # the manifest's append-bootargs, when it added words
        # Filled in by alloc.py.
        self.base = None
        self.payloads = []
        self.pmp = []
        # Filled in by render.py: where in its DTB the hypervisor writes the time of day.
        self.time_of_day_offset = None

    @property
    def sized(self):
        """Whether every payload file was read, so the capsule can be placed."""
        return self.image is not None and all(
            f.digest for f in (self.kernel, self.initrd) if f)

    @property
    def slots_used(self):
        """What sits in each slot: [(device, 'virtio-blk' | 'virtio-net')]."""
        used = [(d.device, "virtio-blk") for d in self.disks]
        used += [(n.device, "virtio-net") for n in self.networks]
        return sorted(used, key=lambda u: u[0].base)

    @property
    def irq_sources(self):
        return sorted(irq for d in self.devices for irq in d.interrupts)

    @property
    def restarts(self):
        return "restart" in (self.on_fault, self.on_poweroff, self.on_reboot)


class System:
    def __init__(self, root, config_path, rec, board, capsules):
        self.root = root
        self.config_path = config_path
        self.rec = rec
        self.name = os.path.splitext(os.path.basename(config_path))[0]
        self.board = board
        self.capsules = capsules
        hv = rec.get("hypervisor")
        if not isinstance(hv, schema.Rec):
            # No hypervisor section: every option takes the schema's default.
            hv = schema.Rec(rec.loc)
            for field in schema.HYPERVISOR.fields.values():
                if field.default is not None:
                    hv[field.name] = field.default
        self.hv_rec = hv
        self.log_level = hv["log-level"]
        console = hv.get("console")
        self.console_redraw = console["redraw"] if isinstance(console, schema.Rec) else \
            schema.HYPERVISOR_CONSOLE.fields["redraw"].default
        self.hv_memory = hv["memory"]
        self.focus = 0
        # Filled in by alloc.py.
        self.hypervisor = None
        self.pristine = []
        self.pristine_region = None
        self.files_read = False  # whether payload files were read (not in `deps`)
        self.out = None  # build/NAME, from the repository root (set by cli)
        self.generated = []  # file names made before rendering (capsule initrds)
        # Filled in by schedule.py: {hart: (Schedule, where it lists the hart)}.
        self.shared = {}
        self.schedules = []

    def inputs(self):
        """Input files in a fixed order: config, board, guest manifests."""
        out = [self.config_path, self.board.path]
        for capsule in self.capsules:
            if capsule.guest and capsule.guest.path not in out:
                out.append(capsule.guest.path)
        return out


def display_path(root, path):
    """path (absolute, or relative to root) from root when it is inside
    root, else absolute."""
    full = os.path.normpath(os.path.join(root, path))
    rel = os.path.relpath(full, root)
    return full if rel == ".." or rel.startswith("../") else rel


def load_yaml(root, path, record, diags, partial=False):
    """Load and schema-check root/path; None if missing or invalid. With
    partial, a mapping with errors inside is returned too (see schema.sound)."""
    node = load(os.path.join(root, path), path, diags)
    if node is None:
        return None
    before = len(diags)
    rec = record.validate(node, schema.Ctx(path, diags), "")
    if rec is INVALID or (len(diags) > before and not partial):
        return None
    rec.path = path
    return rec


def usable(config, key, type_):
    return key in config and schema.sound(config[key], type_)


class Loaded:
    """Phase 1 result: the three kinds of validated records."""

    def __init__(self, config, board, guests):
        self.config = config
        self.board = board
        self.guests = guests


def known(root, folder, manifest=None, wanted=None):
    """Hint listing the names under root/folder (YAML files, or dirs with
    manifest), led by the closest one to wanted."""
    path = os.path.join(root, folder)
    names = []
    if os.path.isdir(path):
        for entry in sorted(os.listdir(path)):
            if manifest is None and entry.endswith(".yaml"):
                names.append(entry[:-5])
            elif manifest and os.path.exists(os.path.join(path, entry, manifest)):
                names.append(entry)
    if not names:
        return f"there is nothing in {folder}/ yet"
    close = difflib.get_close_matches(wanted, names, 1) if wanted else []
    listing = f"{folder}: " + ", ".join(names)
    return f"did you mean '{close[0]}'? ({listing})" if close else listing


def load_records(root, config_arg, diags):
    """Phase 1: parse and schema-check config, board and guest manifests."""
    config_path = display_path(root, config_arg)
    if not os.path.exists(os.path.join(root, config_path)):
        diags.error(Loc(config_path), "file-missing", "the config file does not exist",
                    hint=known(root, "configs"))
        raise Failed(diags)
    config = load_yaml(root, config_path, schema.CONFIG, diags, partial=True)
    if config is None:
        raise Failed(diags)
    if not (usable(config, "board", schema.CONFIG.fields["board"].type)
            and isinstance(config.get("capsules"), schema.Seq)):
        diags.skip(config.loc, "the checks of the board and the capsules were skipped: "
                   "they need a valid 'board' and 'capsules' list")
        raise Failed(diags)
    board_path = f"boards/{config['board']}.yaml"
    board = None
    if os.path.exists(os.path.join(root, board_path)):
        board = load_yaml(root, board_path, schema.BOARD, diags)
    else:
        diags.error(config.where("board"), "file-missing",
                    f"board '{config['board']}' has no file {board_path}",
                    hint=known(root, "boards", wanted=config["board"]))
    guests = {}
    for index, capsule in enumerate(config["capsules"]):
        if not isinstance(capsule, schema.Rec) or not isinstance(capsule.get("payload"),
                                                                   schema.Rec):
            continue
        name = capsule["payload"].get("guest")
        if name is None or name is INVALID or name in guests:
            continue
        path = f"guests/{name}/guest.yaml"
        guests[name] = None
        if os.path.exists(os.path.join(root, path)):
            guests[name] = load_yaml(root, path, schema.GUEST, diags)
            continue
        diags.error(capsule["payload"].where("guest"), "file-missing",
                    f"capsules[{index}].payload.guest: guest '{name}' has no manifest "
                    f"{path}", hint=known(root, "guests", "guest.yaml", name))
    if board is None:
        diags.skip(config.where("board"), "the checks between the config and its board "
                   "were skipped until the board loads")
        raise Failed(diags)
    return Loaded(config, board, guests)


class Guest(dict):
    """A guest manifest, with its path."""

    def __init__(self, rec):
        super().__init__(rec)
        self.rec = rec
        self.path = rec.path


def resolve_payload(root, capsule, diags):
    """Kernel, initrd and bootargs from the manifest, overridden by the config."""
    payload = capsule.rec["payload"]
    where = f"capsules[{capsule.index}].payload"
    if ("guest" in payload) == ("kernel" in payload):
        diags.error(payload.loc, "payload-source",
                    f"{where}: name exactly one of 'guest' and 'kernel'",
                    hint="guest: NAME boots guests/NAME; kernel: PATH boots a file")
        return
    sources = []
    if capsule.guest:
        sources.append(capsule.guest.rec)
    sources.append(payload)
    for source in sources:
        if "kernel" in source:
            capsule.kernel = File(source["kernel"], source.where("kernel"), root)
        if "initrd" in source:
            capsule.initrd = File(source["initrd"], source.where("initrd"), root)
        if "bootargs" in source:
            capsule.bootargs = source["bootargs"]
            capsule.bootargs_loc = source.where("bootargs")
    if capsule.guest:
        apply_guest_facts(capsule, capsule.guest)


def apply_guest_facts(capsule, guest):
    """What the manifest imposes whatever the config says: appended
    bootargs and the meaning of a warm reboot."""
    rec = guest.rec
    words = capsule.bootargs.split()
    extra = [w for w in rec.get("append-bootargs", "").split() if w not in words]
    if extra:
        capsule.bootargs = " ".join(words + extra)
        capsule.appended_loc = rec.where("append-bootargs")
        capsule.bootargs_loc = capsule.bootargs_loc or capsule.appended_loc
    if guest["warm-reboot"] == "panic":
        capsule.warm_reboot_is_panic = True
        capsule.panic_source = f"warm-reboot: panic, {rec.where('warm-reboot').short()}"


def build_system(root, loaded, diags):
    """Phase 2 setup: the model, before any cross-checks."""
    board = Board(loaded.board.path, loaded.board)
    guests = {n: Guest(r) for n, r in loaded.guests.items() if r is not None}
    capsules = []
    for index, rec in enumerate(loaded.config["capsules"]):
        ok = schema.sound(rec, schema.CAPSULE)
        name = rec["payload"].get("guest") if ok else None
        if not ok or (name and name not in guests):
            why = "its guest manifest did not load" if ok else "it has the errors above"
            diags.skip(loaded.config["capsules"].locs[index],
                       f"capsules[{index}]: the other checks of this capsule were skipped: "
                       f"{why}")
            continue
        capsule = Capsule(index, rec, guests.get(name))
        resolve_payload(root, capsule, diags)
        capsules.append(capsule)
    return System(root, loaded.config.path, loaded.config, board, capsules)


def load_system(root, config_arg, diags, check_files=True):
    """Phases 1 and 2. Raises Failed only when the board or the config's
    outline is unusable; other errors are left in diags for the caller, so
    that allocation still runs on what is sound."""
    loaded = load_records(root, config_arg, diags)
    system = build_system(root, loaded, diags)
    before = len(diags)
    check_board(system.board, diags)
    if len(diags) > before:
        diags.skip(system.rec.where("board"), "the checks between the config and its "
                   "board were skipped until the board is valid")
        raise Failed(diags)
    check_system(system, diags)
    system.files_read = check_files
    if check_files:
        check_payload_files(system, diags)
    else:
        check_user_files_exist(system, diags)
    return system


def check_board(board, diags):
    rec = board.rec
    stem = os.path.splitext(os.path.basename(board.path))[0]
    if board.name != stem:
        diags.error(rec.where("board"), "board-invalid",
                    f"board name '{board.name}' differs from its file name '{stem}'",
                    hint=f"write board: {stem}")
    gran = board.pmp_granularity
    if gran < 4 or gran & (gran - 1):
        diags.error(rec["pmp"].where("granularity"), "board-invalid",
                    f"PMP granularity {gran} is not a power of two >= 4",
                    hint="the privileged spec allows 4 << G bytes: 4, 8, 16, ...")
    for role, name in board.hv_roles.items():
        device = board.devices.get(name)
        if device is None:
            diags.error(rec["hypervisor-devices"].where(role), "board-invalid",
                        f"hypervisor-devices.{role}: no device '{name}' on the board",
                        hint="devices: " + ", ".join(board.devices))
        elif role == "console" and device.clock_frequency is None:
            diags.error(device.loc, "board-invalid",
                        f"console device '{name}' has no clock-frequency",
                        hint="the hypervisor and the capsules' virtual UARTs need the "
                             "UART's input clock")
        elif role == "poweroff" and device.kind == "sifive-gpio" and \
                device.restart_pin is None:
            diags.error(device.loc, "board-invalid",
                        f"poweroff device '{name}' is a GPIO controller without a "
                        "restart-pin", hint="name the pin that resets the machine when "
                        "driven low (the device tree's gpio-restart)")
        elif device.kind not in HYPERVISOR_ROLES[role]:
            diags.error(rec["hypervisor-devices"].where(role), "board-invalid",
                        f"hypervisor-devices.{role}: device '{name}' is a {device.kind}, "
                        "the hypervisor needs one of: " + ", ".join(HYPERVISOR_ROLES[role]),
                        notes=[(device.loc, f"'{name}' defined here")],
                        hint=f"name a device of kind {HYPERVISOR_ROLES[role][0]} for "
                             f"hypervisor-devices.{role}")
    check_plic_layout(board, diags)
    check_hart_kinds(board, diags)
    ranges = [(base, size, f"RAM bank {i}", loc) for i, (base, size, loc)
              in enumerate(board.ram)]
    ranges += [(d.base, d.size, f"device '{d.name}'", d.loc) for d in board.devices.values()]
    for i, (base, size, what, loc) in enumerate(ranges):
        for obase, osize, owhat, oloc in ranges[:i]:
            if base < obase + osize and obase < base + size:
                diags.error(loc, "board-invalid",
                            f"{what} {hexrange(base, size)} overlaps {owhat}",
                            notes=[(oloc, f"{owhat} is {hexrange(obase, osize)}")],
                            hint="check both addresses and sizes against the machine's "
                                 "own device tree")
    for base, size, why, loc in board.reserved:
        if not any(rb <= base and base + size <= rb + rs for rb, rs, _ in board.ram):
            diags.error(loc, "board-invalid",
                        f"loader-reserved range {hexrange(base, size)} is not inside RAM",
                        hint="loader-reserved lists RAM ranges the loader writes to; "
                             "drop ranges outside RAM")


def check_plic_layout(board, diags):
    """The hypervisor's PLIC says how many sources it has and whose each
    context is: capsules own the supervisor contexts of their harts."""
    plic = board.devices.get(board.hv_roles["interrupt-controller"])
    if plic is None or plic.kind != "plic":
        return
    example = ("e.g. on QEMU virt context 2h is hart h machine, 2h+1 hart h supervisor: "
               "contexts: [{hart: 0, mode: machine}, {hart: 0, mode: supervisor}, ...]")
    for key, why in (("sources", "how many interrupt sources it has"),
                     ("contexts", "whose hart and mode each context is")):
        if key not in plic.rec:
            diags.error(plic.loc, "board-invalid",
                        f"PLIC '{plic.name}' has no {key}: the generator needs {why} to "
                        "give capsules their interrupts",
                        hint=f"add {key}: from the machine's manual or device tree"
                             + (f"; {example}" if key == "contexts" else ""))
    seen = {}
    for index, (hart, mode) in enumerate(plic.contexts):
        loc = plic.rec["contexts"].locs[index]
        if hart >= board.harts:
            diags.error(loc, "board-invalid",
                        f"PLIC '{plic.name}' context {index} names hart {hart}, but the board "
                        f"has harts 0..{board.harts - 1}", hint="check the hart numbers")
        elif (hart, mode) in seen:
            diags.error(loc, "board-invalid",
                        f"PLIC '{plic.name}' contexts {seen[(hart, mode)][0]} and {index} are "
                        f"both hart {hart} {mode}",
                        notes=[(seen[(hart, mode)][1], f"context {seen[(hart, mode)][0]}")],
                        hint="each hart has at most one context per mode")
        seen.setdefault((hart, mode), (index, loc))
    end = plic_context_page(plic, len(plic.contexts))[0]
    if plic.contexts and end > plic.base + plic.size:
        diags.error(plic.rec.where("contexts"), "board-invalid",
                    f"PLIC '{plic.name}' {hexrange(plic.base, plic.size)} is too small for "
                    f"{len(plic.contexts)} contexts (their pages end at {end:#x})",
                    notes=[(plic.rec.where("size"), f"size {plic.size:#x}")],
                    hint="check size and contexts against the machine's device tree")
    for device in board.devices.values():
        for irq in device.interrupts:
            if plic.sources is not None and irq > plic.sources:
                diags.error(device.rec.where("interrupts"), "board-invalid",
                            f"device '{device.name}' raises interrupt {irq}, but PLIC "
                            f"'{plic.name}' has sources 1..{plic.sources}",
                            notes=[(plic.rec.where("sources"), f"sources: {plic.sources}")],
                            hint="check the interrupt numbers and the PLIC's sources")


# Extensions the hypervisor relies on alike on every hart that runs
# capsules: FP registers it resets (BH_HAS_F, BH_HAS_D) and Sstc's timer.
UNIFORM_EXTENSIONS = ("f", "d", "sstc")


def check_hart_kinds(board, diags):
    """Each hart in one kind at most; a hart without S-mode has no
    supervisor PLIC context; the harts that run capsules agree on the
    extensions the hypervisor relies on board-wide."""
    seen = {}
    for index, kind in enumerate(board.kinds):
        for item, hart in enumerate(kind.harts):
            loc = kind.rec["harts"].locs[item]
            if hart >= board.harts:
                diags.error(loc, "board-invalid",
                            f"hart-kinds[{index}] '{kind.name}' names hart {hart}, but the "
                            f"board has harts 0..{board.harts - 1}",
                            hint="check the hart numbers")
            elif hart in seen:
                other, other_loc = seen[hart]
                diags.error(loc, "board-invalid",
                            f"hart {hart} is in hart kinds '{other.name}' and '{kind.name}'",
                            notes=[(other_loc, f"hart kind '{other.name}' lists it here")],
                            hint="list each hart in one kind at most")
            else:
                seen[hart] = (kind, loc)
    plic = board.devices.get(board.hv_roles["interrupt-controller"])
    if plic is not None and plic.kind == "plic":
        for index, (hart, mode) in enumerate(plic.contexts):
            kind = board.kind_of(hart)
            if mode == "supervisor" and kind is not None and not kind.supervisor:
                diags.error(plic.rec["contexts"].locs[index], "board-invalid",
                            f"PLIC '{plic.name}' context {index} is hart {hart} supervisor, "
                            f"but hart {hart} ({kind.describe()}) has no S-mode",
                            notes=[(kind.rec.where("supervisor"), "supervisor: false")],
                            hint="check the contexts against the machine's device tree "
                                 "(9 is supervisor external, 11 machine external)")
    harts = board.supervisor_harts
    versions = sorted({board.hart_privileged(h) for h in harts})
    if len(versions) > 1:
        first = next(h for h in harts if board.hart_privileged(h) == versions[0])
        other = next(h for h in harts if board.hart_privileged(h) == versions[-1])
        diags.error(board.hart_extensions_loc(first), "board-invalid",
                    f"hart {first} implements privileged {versions[0]}, hart {other} "
                    f"{versions[-1]}: harts with S-mode must agree",
                    notes=[(board.hart_extensions_loc(other), f"hart {other}'s isa")],
                    hint="the hypervisor sets menvcfg and senvcfg alike on every hart "
                         "that runs capsules")
    for ext in UNIFORM_EXTENSIONS:
        having = [h for h in harts if ext in board.hart_isa(h)[1]]
        if having and len(having) != len(harts):
            lacking = next(h for h in harts if h not in having)
            diags.error(board.hart_extensions_loc(lacking), "board-invalid",
                        f"hart {lacking} lacks '{ext}', which hart {having[0]} has: harts "
                        "with S-mode must agree on f, d and sstc",
                        notes=[(board.hart_extensions_loc(having[0]),
                                f"hart {having[0]}'s extensions")],
                        hint="the hypervisor resets FP registers and drives the timer the "
                             "same way on every hart that runs capsules")


def check_system(system, diags):
    check_guests(system, diags)
    check_names(system, diags)
    check_schedule_harts(system, diags)
    check_harts(system, diags)
    check_devices(system, diags)
    check_device_grains(system, diags)
    check_interrupts(system, diags)
    check_interrupt_contexts(system, diags)
    check_device_uses(system, diags)
    check_host_ports(system, diags)
    check_isa(system, diags)
    check_focus(system, diags)
    check_guest_minimum(system, diags)
    check_schedules(system, diags)


def check_guests(system, diags):
    """A manifest names its own directory, so `guest: NAME` means one thing."""
    seen = set()
    for capsule in system.capsules:
        guest = capsule.guest
        if guest is None or guest.path in seen:
            continue
        seen.add(guest.path)
        directory = guest.path.split("/")[1]
        if guest["guest"] != directory:
            diags.error(guest.rec.where("guest"), "bad-value",
                        f"guest manifest names '{guest['guest']}' but lives in "
                        f"guests/{directory}/", hint=f"write guest: {directory}")


def check_names(system, diags):
    if not system.rec["capsules"]:
        diags.error(system.rec.where("capsules"), "empty-system",
                    "the system has no capsules",
                    hint="add at least one capsule under 'capsules:'")
    seen = {}
    for capsule in system.capsules:
        loc = capsule.rec.where("name")
        name = capsule.name
        if not valid_name(name):
            hint = (f"use lower-case letters, digits and '_', starting with a letter, at "
                    f"most {NAME_MAX} characters")
            suggestion = re.sub(r"[^a-z0-9_]", "_", name.lower())[:NAME_MAX]
            if valid_name(suggestion):
                hint += f", e.g. '{suggestion}'"
            diags.error(loc, "capsule-name",
                        f"capsule name '{name}' is not a C identifier and device-tree "
                        "node name", hint=hint)
        if name in seen:
            diags.error(loc, "capsule-duplicate", f"two capsules are named '{name}'",
                        notes=[(seen[name].rec.where("name"), "the first one is here")],
                        hint="give every capsule its own name")
        else:
            seen[name] = capsule


def valid_name(name):
    return bool(NAME_RE.match(name)) and len(name) <= NAME_MAX


def check_harts(system, diags):
    board = system.board
    owners = {}
    for capsule in system.capsules:
        rec = capsule.rec
        if capsule.vcpus > board.harts:
            diags.error(rec.where("vcpus"), "vcpus-exceed-harts",
                        f"capsule '{capsule.name}' has {capsule.vcpus} vCPUs but board "
                        f"'{board.name}' has {board.harts} harts",
                        notes=[(board.rec.where("harts"), f"the board has {board.harts} "
                                "harts")],
                        hint="each vCPU runs on a hart of its own; lower vcpus")
        elif len(capsule.harts) != capsule.vcpus:
            diags.error(rec.where("harts"), "hart-count",
                        f"capsule '{capsule.name}' lists {plural(len(capsule.harts), 'hart')} "
                        f"for {plural(capsule.vcpus, 'vCPU')}",
                        notes=[(rec.where("vcpus"), f"vcpus: {capsule.vcpus}")],
                        hint="list one physical hart per vCPU, vCPU 0 first")
        for index, hart in enumerate(capsule.harts):
            loc = rec["harts"].locs[index]
            if hart >= board.harts:
                diags.error(loc, "hart-unknown",
                            f"capsule '{capsule.name}': hart {hart} is not on board "
                            f"'{board.name}'",
                            hint=f"the board's harts are 0..{board.harts - 1}")
                continue
            if not board.hart_supervisor(hart):
                kind = board.kind_of(hart)
                diags.error(loc, "hart-no-supervisor",
                            f"capsule '{capsule.name}': vCPU {index} runs on hart {hart}, "
                            f"which has no S-mode ({kind.describe()}): it runs the "
                            "hypervisor, never a vCPU",
                            notes=[(kind.rec.where("supervisor"), "supervisor: false")],
                            hint="run the vCPU on a hart with S-mode: " + ", ".join(
                                str(h) for h in board.supervisor_harts))
            schedule = schedule_of(system, hart)
            first = capsule.harts.index(hart)
            if first < index and schedule is not None:
                diags.error(loc, "schedule-siblings",
                            f"capsule '{capsule.name}' puts vCPUs {first} and {index} on hart "
                            f"{hart}, which schedules[{schedule.index}] shares: a vCPU that "
                            "waits for its sibling (a spinlock, an IPI, a remote fence) "
                            "would wait while the sibling cannot run",
                            notes=[(rec["harts"].locs[first], f"vCPU {first} runs on hart "
                                    f"{hart} here")],
                            hint="run each vCPU of a capsule on a hart of its own; a "
                                 "schedule may share those harts with other capsules")
                continue
            if first < index:
                diags.error(loc, "hart-shared",
                            f"capsule '{capsule.name}' lists hart {hart} twice",
                            notes=[(rec["harts"].locs[first], "first listed here")],
                            hint="each vCPU needs a hart of its own; free harts: "
                                 + free_harts(system))
                continue
            if hart in owners and schedule is None:
                other, other_loc = owners[hart]
                diags.error(loc, "hart-shared",
                            f"hart {hart} is given to capsule '{capsule.name}' and to "
                            f"capsule '{other.name}'",
                            notes=[(other_loc, f"capsule '{other.name}' takes hart {hart} "
                                    "here")],
                            hint="give each vCPU a hart of its own, or share the hart "
                                 "in a schedule; free harts: " + free_harts(system))
                continue
            owners.setdefault(hart, (capsule, loc))


def plural(count, word):
    return f"{count} {word}" + ("" if count == 1 else "s")


def free_harts(system):
    used = {h for c in system.capsules for h in c.harts}
    free = [str(h) for h in range(system.board.harts) if h not in used]
    return ", ".join(free) if free else "none"


def check_devices(system, diags):
    board = system.board
    hv_names = {name: role for role, name in board.owned_roles.items()}
    owners = {}
    for capsule in system.capsules:
        locs = capsule.rec["devices"].locs
        for index, name in enumerate(capsule.device_names):
            loc = locs[index]
            device = board.devices.get(name)
            if device is None:
                close = difflib.get_close_matches(name, list(board.devices), 1)
                diags.error(loc, "device-unknown",
                            f"capsule '{capsule.name}': board '{board.name}' has no device "
                            f"'{name}'",
                            hint=f"did you mean '{close[0]}'?" if close else
                            "devices: " + ", ".join(board.devices))
                continue
            if name in hv_names:
                diags.error(loc, "device-hypervisor",
                            f"capsule '{capsule.name}': device '{name}' is the hypervisor's "
                            f"{hv_names[name]}",
                            notes=[(board.rec["hypervisor-devices"].where(hv_names[name]),
                                    f"the board gives '{name}' to the hypervisor")],
                            hint=HYPERVISOR_ROLE_HINTS.get(
                                hv_names[name],
                                "capsules use SBI for timers, IPIs and reset"))
                continue
            if name in owners and owners[name][0] is capsule:
                diags.error(loc, "device-shared",
                            f"capsule '{capsule.name}' lists device '{name}' twice",
                            notes=[(owners[name][1], "first listed here")],
                            hint="list each device once")
                continue
            if name in owners:
                other, other_loc = owners[name]
                diags.error(loc, "device-shared",
                            f"device '{name}' is given to capsule '{capsule.name}' and to "
                            f"capsule '{other.name}'",
                            notes=[(other_loc, f"capsule '{other.name}' takes '{name}' "
                                    "here")],
                            hint="a passthrough device belongs to one capsule")
                continue
            owners[name] = (capsule, loc)
            capsule.devices.append(device)


class Party:
    """A device and who owns it, for the shared-grain check."""

    def __init__(self, owner, what, device, loc, note):
        self.owner = owner  # "hypervisor" or a capsule name
        self.what = what
        self.device = device
        self.loc = loc
        self.note = note


class Span:
    """A part of a device (a PLIC context page), for the shared-grain check."""

    def __init__(self, name, base, size):
        self.name = name
        self.base = base
        self.size = size


def plic_parties(system):
    """The hypervisor's part of its PLIC (everything but the capsules'
    context pages), then each capsule's context pages."""
    board = system.board
    plic = board.plic
    where = board.rec["hypervisor-devices"].where("interrupt-controller")
    note = f"the board gives '{plic.name}' to the hypervisor"
    owned = {}
    for capsule in system.capsules:
        for context, vcpu, base, size in plic_pages(board, capsule):
            owned[context] = Party(capsule.name, f"capsule '{capsule.name}' PLIC context "
                                   f"{context}", Span(plic.name, base, size),
                                   capsule.rec["harts"].locs[vcpu],
                                   f"capsule '{capsule.name}' vCPU {vcpu} runs on hart "
                                   f"{capsule.harts[vcpu]} here")
    parties = [Party("hypervisor", f"the hypervisor's PLIC '{plic.name}' registers",
                     Span(plic.name, plic.base, PLIC_CONTEXT_AREA), where, note)]
    for context in range(len(plic.contexts)):
        if context not in owned:
            parties.append(Party("hypervisor", f"the hypervisor's PLIC context {context}",
                                 Span(plic.name, *plic_context_page(plic, context)), where,
                                 note))
    end = plic_context_page(plic, len(plic.contexts))[0]
    if end < plic.base + plic.size:
        parties.append(Party("hypervisor", f"the hypervisor's PLIC '{plic.name}' registers",
                             Span(plic.name, end, plic.base + plic.size - end), where, note))
    return parties + [owned[c] for c in sorted(owned)]


def device_parties(system):
    """The hypervisor's devices first, then each capsule's passthrough
    devices and PLIC context pages."""
    board = system.board
    parties = [Party("hypervisor", f"the hypervisor's {role} '{name}'", board.devices[name],
                     board.rec["hypervisor-devices"].where(role),
                     f"the board gives '{name}' to the hypervisor")
               for role, name in board.owned_roles.items() if role != "interrupt-controller"]
    parties += plic_parties(system)
    for capsule in system.capsules:
        locs = capsule.rec["devices"].locs
        for device in capsule.devices:
            parties.append(Party(capsule.name, f"capsule '{capsule.name}' device "
                                 f"'{device.name}'", device,
                                 locs[capsule.device_names.index(device.name)],
                                 f"capsule '{capsule.name}' takes '{device.name}' here"))
    return parties


def check_device_grains(system, diags):
    """No PMP grain holds devices of two owners: the hardware grants whole
    grains, so a capsule given one of them could reach the other.

    Capsule memory is whole grains (pmp-grain-misaligned) and devices lie
    outside RAM (board-invalid), so only devices can share a grain."""
    grain = system.board.pmp_granularity
    parties = device_parties(system)
    for index, party in enumerate(parties):
        for other in parties[:index]:
            shared = shared_grain(party.device, other.device, grain)
            if other.owner != party.owner and shared is not None:
                report_shared_grain(system, diags, party, other, shared)
                if isinstance(party.device, Span):
                    break  # a PLIC context page: its grain holds many; one says it


def shared_grain(a, b, grain):
    """The first grain holding bytes of both devices, or None."""
    a_base, a_size = grain_round(a.base, a.size, grain)
    b_base, b_size = grain_round(b.base, b.size, grain)
    return max(a_base, b_base) if overlaps(a_base, a_size, b_base, b_size) else None


def report_shared_grain(system, diags, party, other, shared):
    """Reported where the capsule takes its device (the hypervisor's come first)."""
    grain = system.board.pmp_granularity
    mine, theirs = party.device, other.device
    diags.error(party.loc, "pmp-grain-shared",
                f"{party.what} {hexrange(mine.base, mine.size)} shares the PMP grain "
                f"{hexrange(shared, grain)} with {other.what} "
                f"{hexrange(theirs.base, theirs.size)}",
                notes=[(other.loc, other.note),
                       (system.board.rec["pmp"].where("granularity"),
                        f"the board's PMP grants whole {grain:#x}-byte grains")],
                hint=f"PMP cannot split a grain, so capsule '{party.owner}' would reach "
                     "both: " + ("a capsule's PLIC contexts need a PMP grain of at most "
                                 f"{PLIC_CONTEXT_PAGE:#x} bytes"
                                 if isinstance(mine, Span) else
                                 "pass the device through to no capsule"
                                 if other.owner == "hypervisor" else
                                 "give both devices to one capsule, or pass through "
                                 "only one of them"))


def check_interrupts(system, diags):
    board = system.board
    claimed = {}
    for role in board.owned_roles:
        device = board.hv_device(role)
        for irq in device.interrupts:
            claimed.setdefault(irq, ("the hypervisor", device, device.loc,
                                     f"'{device.name}' raises interrupt {irq} and is "
                                     f"the hypervisor's {role}"))
    for capsule in system.capsules:
        locs = capsule.rec["devices"].locs
        for device in capsule.devices:
            loc = locs[capsule.device_names.index(device.name)]
            for irq in device.interrupts:
                if irq in claimed:
                    owner, other, other_loc, other_note = claimed[irq]
                    diags.error(loc, "interrupt-shared",
                                f"capsule '{capsule.name}': interrupt {irq} of device "
                                f"'{device.name}' is already claimed by {owner} through "
                                f"device '{other.name}'",
                                notes=[(device.loc, f"'{device.name}' raises interrupt {irq}"),
                                       (other_loc, other_note)],
                                hint="pass through only devices whose interrupt sources "
                                     "are not shared")
                    continue
                claimed[irq] = (f"capsule '{capsule.name}'", device, loc,
                                f"capsule '{capsule.name}' takes '{device.name}' "
                                f"(interrupt {irq}) here")


def check_interrupt_contexts(system, diags):
    """A device interrupt reaches a capsule only through the supervisor
    context of one of its harts: a capsule with device interrupts needs one."""
    board = system.board
    plic = board.plic
    for capsule in system.capsules:
        if any(c is not None for c in capsule_contexts(board, capsule)):
            continue
        for device in capsule.devices:
            if not device.interrupts:
                continue
            harts = ", ".join(str(h) for h in capsule.harts)
            free = [str(h) for h in range(board.harts) if board.supervisor_context(h)
                    is not None and h not in {x for c in system.capsules for x in c.harts}]
            diags.error(device_loc(capsule, device), "interrupt-no-context",
                        f"capsule '{capsule.name}': device '{device.name}' raises interrupt "
                        f"{device.interrupts[0]}, but none of the capsule's harts ({harts}) "
                        f"has a supervisor-mode context on PLIC '{plic.name}'",
                        notes=[(plic.rec.where("contexts"), f"PLIC '{plic.name}' contexts: "
                                + contexts_summary(plic))],
                        hint="run the capsule on a hart with a supervisor context (free: "
                             + (", ".join(free) or "none") + "), or pass the device "
                             "through to another capsule")
            break


def contexts_summary(plic):
    return ", ".join(f"{i} hart {h} {m}" for i, (h, m) in enumerate(plic.contexts))


def device_loc(capsule, device):
    """Where the capsule's config lists device."""
    return capsule.rec["devices"].locs[capsule.device_names.index(device.name)]


class Disk:
    """A disk in a capsule's virtio-mmio slot: the user's image file, or a
    generated ext4 image of a size (made by the Makefile, see deps.mk)."""

    def __init__(self, capsule, device, rec, root):
        self.capsule = capsule
        self.device = device
        self.rec = rec
        self.image = File(rec["image"], rec.where("image"), root) if "image" in rec \
            else None
        self.size = rec.get("size")

    @property
    def generated_name(self):
        return f"{self.capsule.name}-{self.device.name}.img"

    @property
    def label(self):
        """The ext4 label of a generated disk (at most 16 bytes)."""
        return self.capsule.name[:16]


class Network:
    """A network interface in a capsule's virtio-mmio slot."""

    def __init__(self, capsule, device, rec):
        self.capsule = capsule
        self.device = device
        self.forwards = [(f["host"], f["guest"], f.where("host")) for f in rec["forward"]]


def check_device_uses(system, diags):
    """What the config says of each device it gives: DMA acknowledged, a
    disk or network only in a virtio-mmio slot, disk images the user's."""
    for capsule in system.capsules:
        for device in capsule.devices:
            use = capsule.device_uses[device.name]
            check_dma(capsule, device, use, diags)
            if not check_backend(system, capsule, device, use, diags):
                continue
            if "disk" in use:
                disk = Disk(capsule, device, use["disk"], system.root)
                if disk.image is None or check_disk_image(system, disk, diags):
                    capsule.disks.append(disk)
            if "network" in use:
                capsule.networks.append(Network(capsule, device, use["network"]))


def check_dma(capsule, device, use, diags):
    if not device.dma or use["dma-reaches-all-memory"]:
        return
    how = ("set dma-reaches-all-memory: true in its entry" if "dma-reaches-all-memory" in
           use.locs else f"write the entry as {{name: {device.name}, "
           "dma-reaches-all-memory: true}")
    diags.error(device_loc(capsule, device), "dma-unacknowledged",
                f"capsule '{capsule.name}': device '{device.name}' can master the bus: its "
                "DMA reaches all memory, the hypervisor's and every capsule's, and PMP does "
                "not confine it",
                notes=[(device.rec.where("dma"), f"the board marks '{device.name}' dma: true")],
                hint=f"if you trust the device with all memory, {how} (docs/security.md, "
                     "\"DMA\")")


def check_backend(system, capsule, device, use, diags):
    """A disk or network sits in a virtio-mmio slot, one per slot; a disk
    names exactly one of image and size."""
    wanted = [key for key in ("disk", "network") if key in use]
    if wanted and not device.virtio_slot:
        slots = [d.name for d in system.board.devices.values() if d.virtio_slot]
        diags.error(use.where(wanted[0]), "device-backend",
                    f"capsule '{capsule.name}': device '{device.name}' is a {device.kind}, "
                    f"not a virtio-mmio slot: it cannot hold a {wanted[0]}",
                    notes=[(device.loc, f"'{device.name}' defined here")],
                    hint="put it in a virtio-mmio slot of the board: "
                         + (", ".join(slots) or "the board has none"))
        return False
    if len(wanted) == 2:
        diags.error(use.where("network"), "device-backend",
                    f"capsule '{capsule.name}': slot '{device.name}' holds a disk and a "
                    "network interface", notes=[(use.where("disk"), "the disk is here")],
                    hint="one device per slot: move the network to another virtio-mmio slot")
        return False
    disk = use.get("disk")
    if disk is not None and ("image" in disk) == ("size" in disk):
        diags.error(use.where("disk"), "device-backend",
                    f"capsule '{capsule.name}': the disk in '{device.name}' names "
                    + ("both" if "image" in disk else "neither") + " of image and size",
                    hint="image: PATH uses your image file; size: 64MiB makes an empty "
                         "ext4 image in build/")
        return False
    return True


def check_disk_image(system, disk, diags):
    """The user's image exists and lies outside build/, which `make clean`
    deletes and the build writes."""
    image = disk.image
    build_dir = os.path.realpath(os.path.join(system.root, "build"))
    real = os.path.realpath(image.abspath)
    if real == build_dir or real.startswith(build_dir + os.sep):
        diags.error(image.loc, "disk-in-build",
                    f"capsule '{disk.capsule.name}': disk image {image.path} is inside "
                    "build/, which `make clean` deletes and the build writes",
                    hint="keep your disk images outside build/ (e.g. disks/NAME.img), or "
                         "write disk: {size: 64MiB} for a generated one")
        return False
    if not os.path.isfile(image.abspath):
        diags.error(image.loc, "file-missing",
                    f"capsule '{disk.capsule.name}': disk image {image.path} does not exist",
                    hint=missing_path_hint(system.root, image).replace(
                        "build the file first", "create it first (e.g. truncate, mke2fs)"))
        return False
    return True


def check_host_ports(system, diags):
    """A host port is forwarded to one capsule: QEMU binds each once."""
    owners = {}
    for capsule in system.capsules:
        for network in capsule.networks:
            for host, _, loc in network.forwards:
                if host in owners:
                    other, other_loc = owners[host]
                    diags.error(loc, "host-port-shared",
                                f"host port {host} is forwarded to capsule '{capsule.name}' "
                                f"({network.device.name}) and to capsule '{other}'",
                                notes=[(other_loc, f"capsule '{other}' forwards {host} here")],
                                hint="give each forward a host port of its own")
                    continue
                owners[host] = (capsule.name, loc)


def check_isa(system, diags):
    board = system.board
    for capsule in system.capsules:
        wanted = capsule.rec.get("isa-extensions")
        if wanted is None:
            capsule.isa = list(board.extensions)
            capsule.vcpu_isa = [vcpu_isa(board, hart, None) for hart in capsule.harts]
            continue
        ok = True
        for index, ext in enumerate(wanted):
            if ext not in board.extensions:
                ok = False
                diags.error(wanted.locs[index], "isa-extension",
                            f"capsule '{capsule.name}': ISA extension '{ext}' is not on "
                            f"board '{board.name}'",
                            notes=[(board.rec["isa"].where("extensions"),
                                    "the board's extensions")],
                            hint="choose from: " + ", ".join(board.extensions))
        if ok and "i" not in wanted:
            diags.error(wanted.loc, "isa-extension",
                        f"capsule '{capsule.name}': isa-extensions lacks 'i', the base "
                        "integer ISA", hint="add 'i' to the list")
            ok = False
        if ok:
            ok = check_hart_isa(board, capsule, wanted, diags)
        if ok:
            capsule.isa = [e for e in board.extensions if e in wanted]
            capsule.vcpu_isa = [vcpu_isa(board, hart, wanted) for hart in capsule.harts]


def vcpu_isa(board, hart, wanted):
    """(base, extensions, mmu) a vCPU on hart sees: its hart's, restricted to
    the capsule's isa-extensions when it lists some."""
    base, extensions = board.hart_isa(hart)
    if wanted is not None:
        extensions = [e for e in extensions if e in wanted]
    return base, extensions, board.hart_mmu(hart)


def check_hart_isa(board, capsule, wanted, diags):
    """Every extension the capsule asks for is on each hart it runs on
    (a hart of a hart-kinds entry may lack what the board's isa has)."""
    ok = True
    for vcpu, hart in enumerate(capsule.harts):
        if hart >= board.harts:
            continue
        kind = board.kind_of(hart)
        has = board.hart_isa(hart)[1]
        for index, ext in enumerate(wanted):
            if ext in has:
                continue
            ok = False
            diags.error(wanted.locs[index], "isa-extension",
                        f"capsule '{capsule.name}': ISA extension '{ext}' is not on hart "
                        f"{hart} ({kind.describe()}), where vCPU {vcpu} runs",
                        notes=[(board.hart_extensions_loc(hart),
                                f"hart {hart}'s extensions")],
                        hint=f"drop '{ext}', or run vCPU {vcpu} on a hart that has it")
    return ok


def check_guest_minimum(system, diags):
    """A capsule smaller than its guest's min-memory would not boot (Linux
    panics, or hangs, early); say so before anything is built."""
    for capsule in system.capsules:
        guest = capsule.guest
        if guest is None or "min-memory" not in guest:
            continue
        need = guest["min-memory"]
        if capsule.memory_size >= need:
            continue
        diags.error(capsule.rec["memory"].where("size"), "memory-below-guest-minimum",
                    f"capsule '{capsule.name}' has {human(capsule.memory_size)} of memory; "
                    f"guest '{guest['guest']}' needs at least {human(need)}",
                    notes=[(guest.rec.where("min-memory"),
                            f"guest '{guest['guest']}' declares min-memory {human(need)}")],
                    hint=f"raise memory.size to {human(need).replace(' ', '')} ({need:#x}) or "
                         "more")


def check_focus(system, diags):
    hv = system.hv_rec
    console = hv.get("console")
    focus = console.get("focus") if isinstance(console, schema.Rec) else None
    if focus is None or focus is INVALID:
        return
    names = [c.name for c in system.capsules]
    if focus in names:
        system.focus = names.index(focus)
        return
    close = difflib.get_close_matches(focus, names, 1)
    diags.error(hv["console"].where("focus"), "focus-unknown",
                f"console focus '{focus}' names no capsule",
                hint=f"did you mean '{close[0]}'?" if close else
                "name one of the capsules: " + ", ".join(names) if names else
                "add the capsule first")


def from_guest(capsule, file):
    """Whether file comes from the capsule's guest manifest: its guest's
    Makefile produces it, so it may not exist before `make` builds it."""
    return capsule.guest is not None and file.loc.file == capsule.guest.path


def user_files(system):
    """(capsule, file) of every payload file a config names itself."""
    return [(capsule, file) for capsule in system.capsules
            for file in (capsule.kernel, capsule.initrd)
            if file is not None and not from_guest(capsule, file)]


def report_missing(root, capsule, file, diags):
    if from_guest(capsule, file):
        hint = (f"build it: make -C guests/{capsule.guest['guest']} "
                f"OUT=$PWD/{os.path.dirname(file.path)} (or just `make`)")
    else:
        hint = missing_path_hint(root, file)
    diags.error(file.loc, "file-missing",
                f"capsule '{capsule.name}': payload file {file.path} does not exist",
                hint=hint)


def missing_path_hint(root, file):
    """For a path the user typed: how it was read, and a likely fix."""
    written = file.written
    if os.path.isabs(written):
        return "check the path, or build the file first"
    if written.startswith(("./", "../")):
        return ("check the path: ./ and ../ start at the folder of "
                f"{file.loc.file}; or build the file first")
    if os.path.isfile(resolve_path(root, "./" + written, file.loc.file)):
        return (f"a path without ./ starts at the repository root: write ./{written} "
                f"for the file next to {file.loc.file}")
    return ("check the path: it starts at the repository root (./ or ../ would start "
            f"at the folder of {file.loc.file}); or build the file first")


def check_user_files_exist(system, diags):
    """deps: files the config names must exist (no make rule produces them)."""
    for capsule, file in user_files(system):
        if not os.path.isfile(file.abspath):
            report_missing(system.root, capsule, file, diags)


def check_payload_files(system, diags):
    """Every payload file exists and is an image of its capsule's kind."""
    for capsule in system.capsules:
        for file in (capsule.kernel, capsule.initrd):
            if file is None:
                continue
            if not os.path.isfile(file.abspath):
                report_missing(system.root, capsule, file, diags)
                continue
            file.read_identity()
            if file is capsule.initrd:
                if file.size == 0:
                    diags.error(file.loc, "payload-format",
                                f"capsule '{capsule.name}': initrd {file.path} is empty",
                                hint="build the guest again; its Makefile produced nothing")
                continue
            try:
                capsule.image = inspect_kernel(file.abspath, capsule.kind)
            except NotAnImage as err:
                diags.error(file.loc, "payload-format",
                            f"capsule '{capsule.name}': kernel {file.path} {err.message}",
                            hint=err.hint)
                continue
            capsule.kind = capsule.image.kind
