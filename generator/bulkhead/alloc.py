"""Deterministic, PMP-friendly placement of everything in RAM.

Order: the hypervisor at the start of RAM bank 0; the pristine store (one
read-only copy of every payload of a capsule that may restart, identical
files shared); then capsules with a fixed base; then the others in config
order, each at the lowest address naturally aligned to its size rounded up
to a power of two (one NAPOT PMP entry), else at the lowest 4 KiB-aligned
fit. Inside a capsule: kernel at the base, DTB in the last 64 KiB, initrd
right below the DTB.
"""

from .diag import hexrange
from .plic import plic_pages
from .schema import INVALID
from .report import human

PAGE = 0x1000
LINUX_ALIGN = 2 << 20
DTB_SLOT = 64 << 10

PMP_R, PMP_W, PMP_X = 1, 2, 4
PMP_TOR, PMP_NA4, PMP_NAPOT = 0x08, 0x10, 0x18


def align_up(value, align):
    return (value + align - 1) // align * align


def align_down(value, align):
    return value // align * align


def pow2_ceil(value):
    return 1 << (value - 1).bit_length()


def overlaps(a_base, a_size, b_base, b_size):
    return a_base < b_base + b_size and b_base < a_base + a_size


class Region:
    """An owned range of RAM, for overlap checks and the memory map."""

    def __init__(self, base, size, owner, loc):
        self.base = base
        self.size = size
        self.owner = owner
        self.loc = loc

    @property
    def end(self):
        return self.base + self.size


class Payload:
    """One blob in a capsule: kernel, initrd or dtb."""

    def __init__(self, what, file, load_addr, size):
        self.what = what
        self.file = file
        self.load_addr = load_addr
        self.size = size
        self.pristine = None


class PristineCopy:
    """A read-only copy of a payload file, or of one capsule's DTB (file None)."""

    def __init__(self, index, base, size, file=None, dtb_of=None):
        self.index = index
        self.base = base
        self.size = size
        self.file = file
        self.dtb_of = dtb_of

    def describe(self):
        return self.file.path if self.file else f"DTB of capsule {self.dtb_of.name}"


class PmpEntry:
    def __init__(self, addr, cfg, comment, source, vcpu=None):
        self.addr = addr
        self.cfg = cfg
        self.comment = comment
        self.source = source  # file:line of the YAML that asked for it
        # The one vCPU whose hart gets it (its PLIC context page); None: all.
        self.vcpu = vcpu


def grain_round(base, size, grain):
    """[base, base + size) rounded out to whole PMP grains, as (base, size).

    The hardware can only grant whole grains (it reads the pmpaddr bits
    below the grain as ones), so this is what a PMP entry really grants."""
    start = align_down(base, grain)
    return start, align_up(base + size, grain) - start


def napot_blocks(base, size):
    """Split [base, base + size) into naturally aligned power-of-two blocks."""
    blocks = []
    while size:
        block = base & -base if base else 1 << 63
        while block > size:
            block >>= 1
        blocks.append((base, block))
        base += block
        size -= block
    return blocks


def pmp_entries(base, size, perm, what, source, grain=4):
    """The fewest PMP entries granting perm on [base, base + size) rounded
    out to the grain: every boundary is on the grain, so NA4 (a 4-byte
    block) appears only when the grain is 4."""
    base, size = grain_round(base, size, grain)
    blocks = napot_blocks(base, size)
    if len(blocks) <= 2 and all(b >= 4 for _, b in blocks):
        out = []
        for block_base, block in blocks:
            if block == 4:
                out.append(PmpEntry(block_base >> 2, perm | PMP_NA4,
                                    f"{what} NA4 {hexrange(block_base, block)}", source))
            else:
                out.append(PmpEntry((block_base | (block // 2 - 1)) >> 2, perm | PMP_NAPOT,
                                    f"{what} NAPOT {hexrange(block_base, block)}", source))
        return out
    return [PmpEntry(base >> 2, 0, f"{what} TOR bottom {base:#x}", source),
            PmpEntry((base + size) >> 2, perm | PMP_TOR,
                     f"{what} TOR {hexrange(base, size)}", source)]


class Allocator:
    def __init__(self, system, diags):
        self.system = system
        self.board = system.board
        self.diags = diags
        self.used = []

    def ram_bank(self, base, size):
        for bank_base, bank_size, loc in self.board.ram:
            if bank_base <= base and base + size <= bank_base + bank_size:
                return (bank_base, bank_size, loc)
        return None

    def conflicts(self, base, size):
        return [r for r in self.used if overlaps(base, size, r.base, r.size)]

    def reserved_hit(self, base, size):
        for rbase, rsize, why, loc in self.board.reserved:
            if size and overlaps(base, size, rbase, rsize):
                return (rbase, rsize, why, loc)
        return None

    def place_hypervisor(self):
        system = self.system
        bank_base, bank_size, loc = self.board.ram[0]
        where = system.hv_rec.where("memory")
        if system.hv_memory > bank_size:
            self.diags.error(where, "memory-outside-ram",
                             f"hypervisor memory {system.hv_memory:#x} is larger than RAM "
                             f"bank 0 {hexrange(bank_base, bank_size)}",
                             notes=[(loc, "RAM bank 0")],
                             hint="hypervisor.memory is the hypervisor's own RAM; 2MiB "
                                  "(the default) is plenty")
            return False
        owner = "hypervisor"
        if "memory" not in system.hv_rec.locs:
            owner = "hypervisor (hypervisor.memory, default 2 MiB)"
        system.hypervisor = Region(bank_base, system.hv_memory, owner, where)
        self.used.append(system.hypervisor)
        return True

    def place_pristine(self):
        """Lay out the pristine store right after the hypervisor."""
        system = self.system
        cursor = system.hypervisor.end
        by_digest = {}
        for capsule in system.capsules:
            if not capsule.restarts:
                continue
            for file in (capsule.kernel, capsule.initrd):
                if file is None or file.digest is None or file.digest in by_digest:
                    continue
                copy = PristineCopy(len(system.pristine), cursor, file.size, file=file)
                by_digest[file.digest] = copy
                system.pristine.append(copy)
                cursor = align_up(cursor + file.size, PAGE)
            copy = PristineCopy(len(system.pristine), cursor, DTB_SLOT, dtb_of=capsule)
            system.pristine.append(copy)
            cursor = align_up(cursor + DTB_SLOT, PAGE)
        self.pristine_by_digest = by_digest
        if not system.pristine:
            return True
        start = system.hypervisor.end
        restarting = [c for c in system.capsules if c.restarts]
        owner = ("pristine store (copies for " + ", ".join(c.name for c in restarting)
                 + ": their policies restart them)")
        region = Region(start, cursor - start, owner, restarting[0].loc)
        system.pristine_region = region
        bank = self.board.ram[0]
        if region.end > bank[0] + bank[1]:
            self.diags.error(system.rec.loc, "memory-outside-ram",
                             f"the pristine store {hexrange(start, region.size)} does not "
                             "fit in RAM bank 0", notes=[(bank[2], "RAM bank 0")],
                             hint="fewer capsules with a restart policy, or smaller payloads")
            return False
        hit = self.reserved_hit(start, region.size)
        if hit:
            self.diags.error(system.rec.loc, "payload-reserved",
                             f"the pristine store {hexrange(start, region.size)} overlaps "
                             f"the loader-reserved {hexrange(hit[0], hit[1])}",
                             notes=[(hit[3], hit[2])],
                             hint="fewer capsules with a restart policy, or smaller payloads")
            return False
        self.used.append(region)
        return True

    def fit_problem(self, capsule):
        """Why kernel, initrd and DTB cannot share the capsule's memory, or None.

        Offsets are relative to the base (which is 4 KiB aligned), so the
        answer holds wherever the capsule goes.
        """
        size = capsule.memory_size
        if size < DTB_SLOT:
            return "is smaller than the 64 KiB DTB slot"
        kernel_need = capsule.image.footprint
        floor = size - DTB_SLOT
        parts = [f"kernel {kernel_need:#x}"]
        if capsule.initrd:
            floor = align_down(floor - capsule.initrd.size, PAGE)
            parts.append(f"initrd {capsule.initrd.size:#x}")
        if kernel_need <= floor:
            return None
        parts.append(f"DTB slot {DTB_SLOT:#x}")
        need = align_up(kernel_need, PAGE) + DTB_SLOT
        if capsule.initrd:
            need += align_up(capsule.initrd.size, PAGE)
        return "cannot hold " + " + ".join(parts) + f" = {need:#x} bytes at least"

    def layout(self, capsule, base):
        """Payload addresses for capsule at base (fit_problem said they fit)."""
        dtb = base + capsule.memory_size - DTB_SLOT
        payloads = [Payload("kernel", capsule.kernel, base, capsule.kernel.size)]
        if capsule.initrd:
            initrd = align_down(dtb - capsule.initrd.size, PAGE)
            payloads.append(Payload("initrd", capsule.initrd, initrd, capsule.initrd.size))
        payloads.append(Payload("dtb", None, dtb, DTB_SLOT))
        return payloads

    def reserved_payload(self, payloads):
        for payload in payloads:
            hit = self.reserved_hit(payload.load_addr, payload.size)
            if hit:
                return payload, hit
        return None

    def alignment(self, capsule):
        need = LINUX_ALIGN if capsule.kind == "linux" else PAGE
        return max(need, self.board.pmp_granularity)

    def check_grain(self, capsule):
        """Capsule memory is whole PMP grains: a partial grain at either end
        would be granted whole, to the capsule and to its neighbour."""
        grain = self.board.pmp_granularity
        base, size = capsule.fixed_base, capsule.memory_size
        misfit = [key for key, value in (("base", base), ("size", size))
                  if value is not None and value % grain]
        if not misfit:
            return True
        memory = capsule.rec["memory"]
        fix = " and ".join(f"{key}: {align_up(value, grain):#x}" for key, value
                           in (("base", base), ("size", size)) if key in misfit)
        what = (f"memory {hexrange(base, size)} does not start and end on"
                if base is not None else f"memory size {size:#x} is not a multiple of")
        self.diags.error(memory.where(misfit[0]), "pmp-grain-misaligned",
                         f"capsule '{capsule.name}' {what} the {grain:#x}-byte PMP grain "
                         f"of board '{self.board.name}'",
                         notes=[(self.board.rec["pmp"].where("granularity"),
                                 f"the board's PMP grants whole {grain:#x}-byte grains")],
                         hint=f"use {fix}")
        return False

    def check_fixed(self, capsule):
        base, size = capsule.fixed_base, capsule.memory_size
        loc = capsule.rec["memory"].where("base")
        ok = self.check_grain(capsule)
        if capsule.kind == "linux" and base % LINUX_ALIGN:
            self.diags.error(loc, "linux-alignment",
                             f"capsule '{capsule.name}' boots Linux but its memory base "
                             f"{base:#x} is not 2 MiB aligned",
                             hint=f"use {align_up(base, LINUX_ALIGN):#x}, or drop base and "
                                  "let the generator choose")
            ok = False
        if self.ram_bank(base, size) is None:
            self.diags.error(loc, "memory-outside-ram",
                             f"capsule '{capsule.name}' memory {hexrange(base, size)} is not "
                             f"inside one RAM bank of board '{self.board.name}'",
                             notes=[(l, f"RAM bank {i} is {hexrange(b, s)}")
                                    for i, (b, s, l) in enumerate(self.board.ram)],
                             hint="move base (or drop it to let the generator choose) or "
                                  "shrink memory.size")
            ok = False
        for other in self.conflicts(base, size):
            hint = ("drop base to let the generator place the capsule"
                    if not other.owner.startswith("capsule") else
                    "move one of them, or drop base to let the generator choose")
            free = self.free_base(capsule)
            if free is not None:
                hint += f" (base: {free:#x} is free)"
            self.diags.error(loc, "memory-overlap",
                             f"capsule '{capsule.name}' memory {hexrange(base, size)} "
                             f"overlaps {other.owner} {hexrange(other.base, other.size)}",
                             notes=[(other.loc, f"{other.owner} is "
                                     f"{hexrange(other.base, other.size)}")],
                             hint=hint)
            ok = False
        return ok

    def free_base(self, capsule):
        """A base to suggest for capsule: free of everything placed and of
        every other fixed base, naturally aligned; None if there is none."""
        placed = self.used
        self.used = placed + [Region(c.fixed_base, c.memory_size, c.name, c.loc)
                              for c in self.system.capsules
                              if c.fixed_base is not None and c is not capsule]
        try:
            align = max(pow2_ceil(capsule.memory_size), self.alignment(capsule))
            return self.first_fit(capsule, align)[0]
        finally:
            self.used = placed

    def accept(self, capsule, base, payloads):
        capsule.base = base
        capsule.payloads = payloads
        # A fixed base is what another capsule's base collides with: point there.
        self.used.append(Region(base, capsule.memory_size, f"capsule '{capsule.name}'",
                                capsule.rec["memory"].where("base")))

    def check_unsized(self, capsule):
        """What can be checked of a capsule whose payload sizes are unknown."""
        if capsule.fixed_base is not None:
            self.check_fixed(capsule)
        else:
            self.check_grain(capsule)
        if self.system.files_read:
            self.diags.skip(capsule.rec.where("memory"),
                            f"capsule '{capsule.name}': its placement was not checked: that "
                            "needs its payload files, read and valid")

    def place_fixed(self, capsule):
        if not self.check_fixed(capsule):
            return
        problem = self.fit_problem(capsule)
        if problem:
            self.report_fit(capsule, problem)
            return
        payloads = self.layout(capsule, capsule.fixed_base)
        hit = self.reserved_payload(payloads)
        if hit:
            payload, (rbase, rsize, why, rloc) = hit
            self.diags.error(capsule.rec["memory"].where("base"), "payload-reserved",
                             f"capsule '{capsule.name}': its {payload.what} "
                             f"{hexrange(payload.load_addr, payload.size)} would land in the "
                             f"loader-reserved {hexrange(rbase, rsize)}",
                             notes=[(rloc, why)],
                             hint="move the capsule, or drop base to let the generator choose")
            return
        self.accept(capsule, capsule.fixed_base, payloads)

    def report_fit(self, capsule, problem):
        self.diags.error(capsule.rec["memory"].where("size"), "payload-fit",
                         f"capsule '{capsule.name}' memory of {capsule.memory_size:#x} "
                         f"bytes {problem}",
                         notes=[(f.loc, f"{f.path} is {f.size:#x} bytes")
                                for f in (capsule.kernel, capsule.initrd) if f],
                         hint="raise memory.size")

    def free_ranges(self):
        """Free RAM, as sorted (base, size) pairs."""
        free = []
        for bank_base, bank_size, _ in self.board.ram:
            cursor, end = bank_base, bank_base + bank_size
            for region in sorted(self.used, key=lambda r: r.base):
                if region.end <= cursor or region.base >= end:
                    continue
                if region.base > cursor:
                    free.append((cursor, region.base - cursor))
                cursor = max(cursor, region.end)
            if cursor < end:
                free.append((cursor, end - cursor))
        return sorted(free)

    def first_fit(self, capsule, align):
        size = capsule.memory_size
        for free_base, free_size in self.free_ranges():
            base = align_up(free_base, align)
            while base + size <= free_base + free_size:
                payloads = self.layout(capsule, base)
                if not self.reserved_payload(payloads):
                    return base, payloads
                base += align
        return None, None

    def place_auto(self, capsule):
        size = capsule.memory_size
        if not self.check_grain(capsule):
            return
        problem = self.fit_problem(capsule)
        if problem:
            self.report_fit(capsule, problem)
            return
        natural = max(pow2_ceil(size), self.alignment(capsule))
        base, payloads = self.first_fit(capsule, natural)
        if base is None:
            base, payloads = self.first_fit(capsule, self.alignment(capsule))
        if base is None:
            free = self.free_ranges()
            largest = max((s for _, s in free), default=0)
            self.diags.error(capsule.rec["memory"].where("size"), "memory-exhausted",
                             f"no free RAM for capsule '{capsule.name}' "
                             f"({size:#x} bytes, {human(size)}); the largest free range "
                             f"is {largest:#x} bytes ({human(largest)})",
                             notes=[(r.loc, f"{r.owner} takes {hexrange(r.base, r.size)}")
                                    for r in sorted(self.used, key=lambda r: r.base)],
                             hint=self.exhausted_hint())
            return
        self.accept(capsule, base, payloads)

    def exhausted_hint(self):
        ram = self.board.ram_size
        fixed = sum(r.size for r in self.used if not r.owner.startswith("capsule"))
        wanted = sum(c.memory_size for c in self.system.capsules)
        return (f"the capsules ask for {human(wanted)} of the board's {human(ram)}, of "
                f"which the hypervisor and pristine store take {human(fixed)}; shrink "
                "memory.size (DTBs go in the last 64 KiB of a capsule and no payload may "
                "land in a loader-reserved range, so the top of RAM may stay unused)")

    def link_pristine(self):
        for capsule in self.system.capsules:
            if not capsule.restarts or capsule.base is None:
                continue
            for payload in capsule.payloads:
                if payload.what == "dtb":
                    copy = next(c for c in self.system.pristine if c.dtb_of is capsule)
                else:
                    copy = self.pristine_by_digest[payload.file.digest]
                payload.pristine = copy.base

    def assign_pmp(self, capsule):
        grain = self.board.pmp_granularity
        memory = capsule.rec.where("memory").short()
        entries = pmp_entries(capsule.base, capsule.memory_size, PMP_R | PMP_W | PMP_X,
                              "memory", memory, grain)
        devices = capsule.rec["devices"]
        for device in capsule.devices:
            loc = devices.locs[capsule.device_names.index(device.name)].short()
            entries += pmp_entries(device.base, device.size, PMP_R | PMP_W, device.name, loc,
                                   grain)
        # Each vCPU's context page only where it runs, so one capsule's vCPU
        # never reaches a context another capsule's vCPU holds on a shared
        # hart: an entry of its own each, off on the other harts.
        for context, vcpu, base, size in plic_pages(self.board, capsule):
            page = pmp_entries(base, size, PMP_R | PMP_W, f"PLIC context {context}",
                               capsule.rec.where("harts").short(), grain)
            for entry in page:
                entry.vcpu = vcpu
                entry.comment += f", vCPU {vcpu} only"
            entries += page
        capsule.pmp = entries
        budget = self.board.pmp_entries
        if len(entries) > budget:
            self.diags.error(capsule.loc, "pmp-budget",
                             f"capsule '{capsule.name}' needs {len(entries)} PMP entries, "
                             f"board '{self.board.name}' has {budget}",
                             notes=[(self.board.rec["pmp"].where("entries"),
                                     f"the board's PMP has {budget} entries")],
                             hint="pass through fewer devices, or give memory a "
                                  "power-of-two size")


def allocate(system, diags):
    """Phase 3: place everything; record every problem in diags.

    A capsule whose payload files were not read (missing, or `deps`, which
    runs before guests are built) has no size to place: its fixed base is
    still checked, and in `build` and `check` a note says what was skipped."""
    allocator = Allocator(system, diags)
    if system.hv_memory is INVALID:
        diags.skip(system.hv_rec.where("memory"), "memory placement was skipped: it needs "
                   "a valid hypervisor.memory")
        return
    if not allocator.place_hypervisor() or not allocator.place_pristine():
        return
    for capsule in system.capsules:
        if not capsule.sized:
            allocator.check_unsized(capsule)
    fixed = [c for c in system.capsules if c.fixed_base is not None and c.sized]
    for capsule in fixed:
        allocator.place_fixed(capsule)
    for capsule in system.capsules:
        if capsule.fixed_base is None and capsule.sized:
            allocator.place_auto(capsule)
    allocator.link_pristine()
    for capsule in system.capsules:
        if capsule.base is not None:
            allocator.assign_pmp(capsule)
