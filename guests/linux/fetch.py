#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fetch the Linux guest's Debian packages: the kernel, its modules and
linux-base (modules.builtin) of the same release, and busybox-static.

    fetch.py fetch --lock packages.lock --out DIR
        Puts DIR/Image (the uncompressed kernel), DIR/busybox,
        DIR/modules/lib/modules/RELEASE/ (the kernel's modules as Debian
        ships them, compressed, and modules.builtin) and DIR/inputs.lock
        (exactly which packages were used) in place.
        It uses the versions packages.lock names while Debian testing serves
        them; when testing has moved on it takes the newest, prints one
        warning and records the substitute in DIR/inputs.lock.

    fetch.py lock --lock packages.lock
        Rewrites packages.lock with the newest versions in testing.

Packages come from Debian testing for riscv64 through `apt-get download` under
a private apt configuration, checked against the mirror's signed index, and
are cached in ${XDG_CACHE_HOME:-~/.cache}/bulkhead/, so a clean build does not
fetch again: tools/debfetch.py, which the real boards' fetch shares.
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools"))
from debfetch import (  # noqa: E402  (the shared machinery: tools/debfetch.py)
    KERNEL_COMPANIONS, SUITE, FetchError, Resolver, cache_root,
    companion, extract, fetch_package, find_one, install, locked_entry, newest_kernel,
    open_apt, read_lock_file, sha256_of, write_lock_file)

BUSYBOX = "busybox-static"
ROLES = ("kernel", "modules", "kernel-base", "busybox")
# A RISC-V Linux Image carries this magic at offset 0x38.
IMAGE_MAGIC_OFFSET = 0x38
IMAGE_MAGIC = b"RSC\x05"


def say(msg):
    print(f"guests/linux: {msg}", file=sys.stderr)


def resolve_newest(apt, role):
    if role == "busybox":
        return BUSYBOX, apt.candidate(BUSYBOX)
    kernel = newest_kernel(apt)
    return kernel if role == "kernel" else companion(role, *kernel)


def kernel_image(deb, workdir):
    """Extracts the uncompressed kernel Image; returns (path, kernel release)."""
    tree = os.path.join(workdir, "kernel")
    extract(deb, tree)
    path = find_one(tree, ["usr/lib/modules/*/vmlinuz", "boot/vmlinuz-*"],
                    "vmlinuz", deb)
    if path.endswith("/vmlinuz"):
        release = os.path.basename(os.path.dirname(path))
    else:
        release = os.path.basename(path)[len("vmlinuz-"):]
    with open(path, "rb") as f:
        head = f.read(IMAGE_MAGIC_OFFSET + len(IMAGE_MAGIC))
    if head[IMAGE_MAGIC_OFFSET:] != IMAGE_MAGIC:
        raise FetchError(f"{deb}: {os.path.relpath(path, tree)} is not an "
                         "uncompressed RISC-V Linux Image (no RSC\\x05 magic)")
    return path, release


def busybox_binary(deb, workdir):
    tree = os.path.join(workdir, "busybox")
    extract(deb, tree)
    return find_one(tree, ["usr/bin/busybox", "bin/busybox"], "busybox", deb)


def install_modules(entries, debs, release, out):
    """Puts OUT/modules/lib/modules/RELEASE/: the kernel/ tree of the modules
    package as Debian ships it (compressed) and modules.builtin of linux-base.
    Unpacks again only when either package changed: OUT/modules/.debs names
    the SHA256 of the two it was unpacked from."""
    dest = os.path.join(out, "modules")
    stamp = "".join(f"{entries[role]['sha256']} {entries[role]['name']}\n"
                    for role in KERNEL_COMPANIONS)
    stamp_path = os.path.join(dest, ".debs")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        return
    new = dest + ".new"
    shutil.rmtree(new, ignore_errors=True)
    unpacked = os.path.join(new, "deb")
    os.makedirs(unpacked)
    for role in KERNEL_COMPANIONS:
        extract(debs[role], unpacked)
    shipped = os.path.join(unpacked, "usr", "lib", "modules", release)
    if not (os.path.isdir(os.path.join(shipped, "kernel"))
            and os.path.isfile(os.path.join(shipped, "modules.builtin"))):
        releases = sorted(os.listdir(os.path.dirname(shipped))) \
            if os.path.isdir(os.path.dirname(shipped)) else []
        raise FetchError(f"{debs['modules']} and {debs['kernel-base']} hold no kernel/ "
                         f"and modules.builtin of the kernel's release {release} (they "
                         f"have: {', '.join(releases) or 'nothing'})")
    target = os.path.join(new, "lib", "modules", release)
    os.makedirs(target)
    for item in ("kernel", "modules.builtin"):
        os.rename(os.path.join(shipped, item), os.path.join(target, item))
    shutil.rmtree(unpacked)
    with open(os.path.join(new, ".debs"), "w") as f:
        f.write(stamp)
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(new, dest)


def read_lock(path):
    roles = read_lock_file(path, ROLES)
    kernel = roles["kernel"]
    for role in KERNEL_COMPANIONS:
        expected = companion(role, kernel["name"], kernel["version"])
        if (roles[role]["name"], roles[role]["version"]) != expected:
            raise FetchError(f"{path}: the {role} package must be {expected[0]} "
                             f"{expected[1]}, built with the kernel {kernel['name']} "
                             f"{kernel['version']}, not {roles[role]['name']} "
                             f"{roles[role]['version']}")
    return roles


def write_lock(path, header, entries):
    write_lock_file(path, header, [entries[role] for role in ROLES])


def resolve(locked, root, connect, lock_path):
    """Decides which package each role of the lock uses and finds its .deb.

    A cached .deb whose SHA256 matches the lock is used as it is. Otherwise
    the locked version when the mirror still serves it, with the checksum the
    lock records, or else the newest, noted as a substitute. The kernel, its
    modules and its linux-base move together: when one of them is no longer
    served, all three become the newest kernel's.
    Returns ({role: lock entry}, {role: .deb path}, [substitute notes]).
    """
    resolver = Resolver(root, connect, lock_path)
    entries, debs = {}, {}
    for group in (("kernel", *KERNEL_COMPANIONS), ("busybox",)):
        found = {role: resolver.locked(locked[role]) for role in group}
        for role in group:
            if all(found.values()):
                entries[role], debs[role] = locked_entry(locked[role]), found[role]
            else:
                entries[role], debs[role] = resolver.substitute(
                    locked[role], *resolve_newest(resolver.mirror(), role))
    return entries, debs, resolver.substitutes


def cmd_fetch(args):
    locked = read_lock(args.lock)
    root = cache_root()
    entries, debs, substitutes = resolve(locked, root, lambda: open_apt(root), args.lock)

    with tempfile.TemporaryDirectory(prefix="bulkhead-linux-") as work:
        image, release = kernel_image(debs["kernel"], work)
        busybox = busybox_binary(debs["busybox"], work)
        entries["kernel"]["kernel-release"] = release
        os.makedirs(args.out, exist_ok=True)
        install(image, os.path.join(args.out, "Image"))
        install(busybox, os.path.join(args.out, "busybox"))
    install_modules(entries, debs, release, args.out)

    if substitutes:
        say(f"warning: Debian {SUITE} no longer serves what {args.lock} locks; "
            f"used the newest instead ({'; '.join(substitutes)}), recorded in "
            f"{args.out}/inputs.lock; `make -C guests/linux lock` updates the lock")
    header = ("# The packages this Linux guest image was built from, written by\n"
              f"# guests/linux/fetch.py from {args.lock}"
              f"{' (with substitutes: testing had moved on)' if substitutes else ''}.\n")
    inputs = os.path.join(args.out, "inputs.lock")
    write_lock(inputs + ".new", header, entries)
    if os.path.exists(inputs) and sha256_of(inputs) == sha256_of(inputs + ".new"):
        os.remove(inputs + ".new")
    else:
        os.replace(inputs + ".new", inputs)


def cmd_lock(args):
    apt = open_apt(cache_root())
    entries = {}
    with tempfile.TemporaryDirectory(prefix="bulkhead-linux-") as work:
        for role in ROLES:
            name, version = resolve_newest(apt, role)
            entry, deb = fetch_package(apt, name, version)
            entries[role] = {"role": role, **entry}
            if role == "kernel":
                entries[role]["kernel-release"] = kernel_image(deb, work)[1]
    header = ("# Debian packages of the Linux guest (guests/linux). The build uses\n"
              "# these while Debian testing serves them. Update with\n"
              "# `make -C guests/linux lock` (guests/linux/fetch.py lock).\n")
    write_lock(args.lock, header, entries)
    for role in ROLES:
        say(f"locked {entries[role]['name']} {entries[role]['version']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="put Image, busybox, modules/ and inputs.lock in OUT")
    fetch.add_argument("--lock", required=True)
    fetch.add_argument("--out", required=True)
    lock = sub.add_parser("lock", help="lock the newest packages of testing")
    lock.add_argument("--lock", required=True)
    args = parser.parse_args()
    try:
        if args.command == "fetch":
            cmd_fetch(args)
        else:
            cmd_lock(args)
    except FetchError as e:
        say(f"error: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
