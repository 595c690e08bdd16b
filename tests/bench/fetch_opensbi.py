#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fetch the second OpenSBI `make bench` compares Bulkhead with: Debian
testing's `opensbi` package, the newest upstream release (the first is
Debian 12's, installed on the host).

    fetch_opensbi.py fetch --lock tests/bench/opensbi.lock --out DIR
        Puts DIR/fw_dynamic.bin (the generic platform's fw_dynamic, which
        QEMU virt takes with -bios) and DIR/inputs.lock (the package it came
        from) in place. Uses the version the lock names while Debian testing
        serves it; when testing has moved on it takes the newest, prints one
        warning and records the substitute in DIR/inputs.lock.

    fetch_opensbi.py lock --lock tests/bench/opensbi.lock
        Rewrites the lock with the newest version in testing.

The package comes the way the Linux guest's do (tools/debfetch.py, the
machinery guests/linux/fetch.py and tools/fetch-boards share): `apt-get
download` under a private apt configuration on the machine's Debian mirror,
checked against the signed index and the lock's SHA256, cached in
${XDG_CACHE_HOME:-~/.cache}/bulkhead/.
"""

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "opensbi"
ROLE = "opensbi"
FIRMWARE = "usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def load_debfetch():
    spec = importlib.util.spec_from_file_location("debfetch", ROOT / "tools" / "debfetch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fetch = load_debfetch()


def say(msg):
    print(f"opensbi: {msg}", file=sys.stderr)


def read_lock(path):
    """The lock's one package entry."""
    try:
        with open(path) as f:
            lock = yaml.safe_load(f)
    except OSError as e:
        raise fetch.FetchError(f"cannot read the lock file: {e}")
    packages = lock.get("packages") if isinstance(lock, dict) else None
    if not isinstance(packages, list) or len(packages) != 1:
        raise fetch.FetchError(f"{path}: want a 'packages' list of one entry")
    pkg = packages[0]
    missing = {"role", "name", "version", "sha256"} - set(pkg)
    if missing:
        raise fetch.FetchError(f"{path}: the package entry lacks "
                               f"{', '.join(sorted(missing))}")
    if (pkg["role"], pkg["name"]) != (ROLE, PACKAGE):
        raise fetch.FetchError(f"{path}: the package must be {PACKAGE} "
                               f"(role {ROLE}), not {pkg['name']} (role {pkg['role']})")
    return pkg


def write_lock(path, header, entry):
    fetch.write_lock_file(path, header, [entry])


def firmware_of(deb, out):
    """Extracts fw_dynamic.bin from deb to OUT/fw_dynamic.bin."""
    with tempfile.TemporaryDirectory(prefix="bulkhead-opensbi-") as work:
        fetch.extract(deb, work)
        image = os.path.join(work, FIRMWARE)
        if not os.path.isfile(image):
            raise fetch.FetchError(f"{deb} holds no {FIRMWARE}")
        os.makedirs(out, exist_ok=True)
        fetch.install(image, os.path.join(out, "fw_dynamic.bin"))


def cmd_fetch(args):
    pkg = read_lock(args.lock)
    root = fetch.cache_root()
    resolver = fetch.Resolver(root, lambda: fetch.open_apt(root), args.lock)
    deb = resolver.locked(pkg)
    entry = fetch.locked_entry(pkg)
    if deb is None:
        newest = resolver.mirror().candidate(PACKAGE)
        entry, deb = resolver.substitute(pkg, PACKAGE, newest)
        say(f"warning: Debian {fetch.SUITE} no longer serves what {args.lock} "
            f"locks; used the newest instead ({'; '.join(resolver.substitutes)}), "
            f"recorded in {args.out}/inputs.lock; `{Path(__file__).name} lock` "
            "updates the lock")
    firmware_of(deb, args.out)
    write_lock(os.path.join(args.out, "inputs.lock"),
               f"# The package {args.out}/fw_dynamic.bin was taken from, written by\n"
               f"# tests/bench/fetch_opensbi.py from {args.lock}.\n", entry)


def cmd_lock(args):
    apt = fetch.open_apt(fetch.cache_root())
    entry, _ = fetch.fetch_package(apt, PACKAGE, apt.candidate(PACKAGE))
    write_lock(args.lock,
               "# The OpenSBI `make bench` compares with besides Debian 12's: Debian\n"
               "# testing's opensbi package. The bench uses this version while testing\n"
               "# serves it. Update with `tests/bench/fetch_opensbi.py lock --lock\n"
               "# tests/bench/opensbi.lock`.\n", {"role": ROLE, **entry})
    say(f"locked {entry['name']} {entry['version']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fetch_cmd = sub.add_parser("fetch", help="put fw_dynamic.bin and inputs.lock in OUT")
    fetch_cmd.add_argument("--lock", required=True)
    fetch_cmd.add_argument("--out", required=True)
    lock = sub.add_parser("lock", help="lock the newest opensbi of testing")
    lock.add_argument("--lock", required=True)
    args = parser.parse_args()
    try:
        if args.command == "fetch":
            cmd_fetch(args)
        else:
            cmd_lock(args)
    except fetch.FetchError as e:
        say(f"error: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
