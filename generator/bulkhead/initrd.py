"""Each Linux capsule's own initrd: its guest's initrd followed by a cpio
of the kernel modules its devices need (Linux unpacks concatenated archives).

The modules are the guest manifest's device-modules of what sits in each of
the capsule's slots (virtio-blk for a disk, virtio-net for a network), packed
by the manifest's modules-tool. The file is made in `build` before placement,
which needs its size; a capsule without such devices keeps the guest's initrd.
"""

import os
import subprocess

from .diag import ToolFailed
from .model import File


class GeneratedInitrd(File):
    """The capsule's initrd, made in a private directory (abspath) and
    installed with the other generated files at path."""

    def __init__(self, path, abspath, loc):  # pylint: disable=super-init-not-called
        self.written = path
        self.loc = loc
        self.abspath = abspath
        self.path = path
        self.size = 0
        self.digest = None


def capsule_modules(capsule):
    """Modules the capsule's devices need, in load order, each once."""
    table = (capsule.guest or {}).get("device-modules") or {}
    modules = []
    for _, what in capsule.slots_used:
        modules += [m for m in table.get(what, []) if m not in modules]
    return modules


def modules_tool(system, capsule):
    """The guest's modules-tool as a File (from the manifest's folder rules)."""
    guest = capsule.guest
    return File(guest["modules-tool"], guest.rec.where("modules-tool"), system.root)


def needs_initrd(capsule):
    return bool(capsule_modules(capsule)) and capsule.initrd is not None \
        and capsule.initrd.digest is not None


def check_tools(system, diags):
    """A guest that lists device-modules names the tool that packs them."""
    for capsule in system.capsules:
        if not capsule_modules(capsule) or "modules-tool" in capsule.guest:
            continue
        diags.error(capsule.guest.rec.where("device-modules"), "missing-key",
                    f"guest '{capsule.guest['guest']}' lists device-modules but no "
                    "modules-tool to pack them", hint="add modules-tool: PATH to the manifest")


def make_initrds(system, tmp, gen_path, diags):
    """Write capsule-NAME.initrd into tmp for every capsule that needs one
    and make it the capsule's initrd; return the file names."""
    check_tools(system, diags)
    if diags:
        return []
    names = []
    for capsule in system.capsules:
        if not needs_initrd(capsule):
            continue
        name = f"capsule-{capsule.name}.initrd"
        target = os.path.join(tmp, name)
        modules_cpio = pack_modules(system, capsule, tmp)
        with open(target, "wb") as out:
            for part in (capsule.initrd.abspath, modules_cpio):
                with open(part, "rb") as stream:
                    out.write(stream.read())
        os.remove(modules_cpio)
        initrd = GeneratedInitrd(os.path.join(gen_path, name), target,
                                 capsule.rec.where("devices"))
        initrd.read_identity()
        capsule.initrd = initrd
        names.append(name)
    return names


def pack_modules(system, capsule, tmp):
    tool = modules_tool(system, capsule)
    out = os.path.join(tmp, f".modules-{capsule.name}.cpio.gz")
    command = [tool.abspath, "--out", out] + capsule_modules(capsule)
    try:
        result = subprocess.run(command, cwd=system.root, capture_output=True, text=True,
                                timeout=600)
    except OSError as err:
        raise ToolFailed(f"{tool.path} (modules-tool, {tool.loc.short()}) did not run: "
                         f"{err.strerror}; build the guest first: make") from err
    if result.returncode or not os.path.isfile(out):
        raise ToolFailed(f"{tool.path} {' '.join(capsule_modules(capsule))} for capsule "
                         f"'{capsule.name}' failed (status {result.returncode}):\n"
                         + (result.stderr.strip() or "(no message)"))
    return out
