# SPDX-License-Identifier: MIT
"""guests/linux/fetch.py: the lock file decides which Debian packages the
Linux guest is built from, without any network.

The decision (fetch.resolve) is tested directly against an in-memory mirror.
The end-to-end tests run fetch.py itself with fake `apt-get` and `apt-cache`
first on PATH, serving real .deb files (built here with dpkg-deb) from a
scratch directory, and a private XDG_CACHE_HOME.
"""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FETCH = ROOT / "guests" / "linux" / "fetch.py"
TIMEOUT = 120  # hang guard

spec = importlib.util.spec_from_file_location("linux_fetch", FETCH)
fetch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch)

OLD_KERNEL = ("linux-binary-7.1.3+deb14-riscv64", "7.1.3-1", "7.1.3+deb14-riscv64")
NEW_KERNEL = ("linux-binary-7.2.5+deb14-riscv64", "7.2.5-2", "7.2.5+deb14-riscv64")
OLD_BUSYBOX = ("busybox-static", "1:1.37.0-4")
NEW_BUSYBOX = ("busybox-static", "1:1.38.0-1")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def deb_name(name, version):
    return f"{name}_{version.replace(':', '%3a')}_riscv64.deb"


def lock_entry(role, name, version, data):
    return {"role": role, "name": name, "version": version, "sha256": sha256(data)}


# --- the decision, against an in-memory mirror ------------------------------

class MemoryMirror:
    """The part of fetch.PrivateApt that resolve() uses, over a dict of
    {(name, version): bytes}; download() writes what `serve` says, which is
    the indexed bytes unless a test tampers with it."""

    mirror = "http://mirror.invalid/debian"

    def __init__(self, cache, packages, depends=None, candidates=None):
        self.debs = os.path.join(cache, "debs")
        os.makedirs(self.debs, exist_ok=True)
        self.packages = packages
        self.serve = dict(packages)
        self.depends = depends or {}
        self.candidates = candidates or {}
        self.downloads = []

    def records(self, name):
        return [{"Package": n, "Version": v, "SHA256": sha256(data),
                 "Depends": self.depends.get((n, v), "")}
                for (n, v), data in self.packages.items() if n == name]

    def candidate(self, name):
        if name not in self.candidates:
            raise fetch.FetchError(f"no {name}")
        return self.candidates[name]

    def download(self, name, version):
        self.downloads.append((name, version))
        path = os.path.join(self.debs, deb_name(name, version))
        with open(path, "wb") as stream:
            stream.write(self.serve[(name, version)])
        return path


KERNEL_V1 = b"kernel deb 7.1.3"
KERNEL_V2 = b"kernel deb 7.2.5"
BUSYBOX_V1 = b"busybox deb 1.37"
BUSYBOX_V2 = b"busybox deb 1.38"


def memory_lock():
    return {"kernel": lock_entry("kernel", *OLD_KERNEL[:2], KERNEL_V1),
            "busybox": lock_entry("busybox", *OLD_BUSYBOX, BUSYBOX_V1)}


def moved_on_mirror(cache, keep_old=()):
    """Testing after a kernel and a busybox upload; keep_old names the roles
    whose locked version the mirror still serves as well."""
    packages = {NEW_KERNEL[:2]: KERNEL_V2, NEW_BUSYBOX: BUSYBOX_V2,
                ("linux-image-riscv64", "7.2.5-2"): b"meta"}
    if "kernel" in keep_old:
        packages[OLD_KERNEL[:2]] = KERNEL_V1
    if "busybox" in keep_old:
        packages[OLD_BUSYBOX] = BUSYBOX_V1
    depends = {("linux-image-riscv64", "7.2.5-2"):
               f"linux-image-{NEW_KERNEL[2]} (= {NEW_KERNEL[1]})"}
    candidates = {"linux-image-riscv64": "7.2.5-2", "busybox-static": NEW_BUSYBOX[1]}
    return MemoryMirror(cache, packages, depends, candidates)


class Connect:
    """connect() for resolve(): hands out the mirror and counts the calls."""

    def __init__(self, apt):
        self.apt = apt
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.apt


def test_locked_versions_served_are_used(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=("kernel", "busybox"))
    connect = Connect(apt)
    entries, debs, substitutes = fetch.resolve(memory_lock(), str(tmp_path), connect,
                                               "packages.lock")
    assert substitutes == []
    assert entries == memory_lock()
    assert sorted(apt.downloads) == sorted([OLD_KERNEL[:2], OLD_BUSYBOX])
    assert Path(debs["kernel"]).read_bytes() == KERNEL_V1
    assert Path(debs["busybox"]).read_bytes() == BUSYBOX_V1
    assert connect.calls == 1


def test_versions_no_longer_served_take_the_newest(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=("busybox",))
    entries, debs, substitutes = fetch.resolve(memory_lock(), str(tmp_path), Connect(apt),
                                               "packages.lock")
    # The kernel is the one linux-image-riscv64 depends on, in its
    # linux-binary package; busybox stays at the locked version it still has.
    assert entries["kernel"] == lock_entry("kernel", *NEW_KERNEL[:2], KERNEL_V2)
    assert entries["busybox"] == memory_lock()["busybox"]
    assert substitutes == [f"{OLD_KERNEL[0]} {OLD_KERNEL[1]} -> "
                           f"{NEW_KERNEL[0]} {NEW_KERNEL[1]}"]
    assert Path(debs["kernel"]).read_bytes() == KERNEL_V2


def test_cached_packages_need_no_mirror(tmp_path):
    debs = tmp_path / "debs"
    debs.mkdir()
    (debs / deb_name(*OLD_KERNEL[:2])).write_bytes(KERNEL_V1)
    (debs / deb_name(*OLD_BUSYBOX)).write_bytes(BUSYBOX_V1)
    connect = Connect(None)
    entries, paths, substitutes = fetch.resolve(memory_lock(), str(tmp_path), connect,
                                                "packages.lock")
    assert connect.calls == 0
    assert entries == memory_lock()
    assert substitutes == []
    assert paths == {"kernel": str(debs / deb_name(*OLD_KERNEL[:2])),
                     "busybox": str(debs / deb_name(*OLD_BUSYBOX))}


def test_cached_package_with_another_checksum_is_fetched_again(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=("kernel", "busybox"))
    (tmp_path / "debs" / deb_name(*OLD_KERNEL[:2])).write_bytes(b"truncated")
    (tmp_path / "debs" / deb_name(*OLD_BUSYBOX)).write_bytes(BUSYBOX_V1)
    entries, debs, _ = fetch.resolve(memory_lock(), str(tmp_path), Connect(apt),
                                     "packages.lock")
    assert apt.downloads == [OLD_KERNEL[:2]]
    assert entries == memory_lock()
    assert Path(debs["kernel"]).read_bytes() == KERNEL_V1


def test_download_with_another_checksum_than_the_lock_is_refused(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=("kernel", "busybox"))
    apt.serve[OLD_KERNEL[:2]] = b"tampered"
    with pytest.raises(fetch.FetchError) as error:
        fetch.resolve(memory_lock(), str(tmp_path), Connect(apt), "packages.lock")
    message = str(error.value)
    assert f"downloaded {OLD_KERNEL[0]} {OLD_KERNEL[1]} has SHA256 {sha256(b'tampered')}" \
        in message
    assert f"packages.lock records {sha256(KERNEL_V1)}; refusing it" in message


def test_substitute_with_another_checksum_than_the_index_is_refused(tmp_path):
    apt = moved_on_mirror(str(tmp_path))
    apt.serve[NEW_BUSYBOX] = b"tampered"
    lock = memory_lock()
    # Keep the kernel from the cache so that busybox is the one fetched.
    (tmp_path / "debs" / deb_name(*OLD_KERNEL[:2])).write_bytes(KERNEL_V1)
    with pytest.raises(fetch.FetchError) as error:
        fetch.resolve(lock, str(tmp_path), Connect(apt), "packages.lock")
    assert (f"downloaded busybox-static {NEW_BUSYBOX[1]} has SHA256 {sha256(b'tampered')}, "
            f"but the testing index records {sha256(BUSYBOX_V2)}") in str(error.value)


def test_mirror_checksum_other_than_the_lock_is_refused(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=("kernel", "busybox"))
    lock = memory_lock()
    lock["busybox"]["sha256"] = sha256(b"what the lock once saw")
    with pytest.raises(fetch.FetchError) as error:
        fetch.resolve(lock, str(tmp_path), Connect(apt), "packages.lock")
    assert (f"{apt.mirror} serves busybox-static {OLD_BUSYBOX[1]} with SHA256 "
            f"{sha256(BUSYBOX_V1)}, but packages.lock records "
            f"{sha256(b'what the lock once saw')}") in str(error.value)
    assert OLD_BUSYBOX not in apt.downloads


# --- end to end: fetch.py with fake apt-get and apt-cache -------------------

FAKE_TOOL = """#!{python}
# A fake apt-get / apt-cache answering from $FAKE_DEBIAN/index.json and
# logging every call to $FAKE_DEBIAN/calls.
import json, os, shutil, sys

tool = os.path.basename(sys.argv[0])
here = os.environ["FAKE_DEBIAN"]
with open(os.path.join(here, "calls"), "a") as log:
    log.write(" ".join([tool] + sys.argv[1:]) + "\\n")
args, argv = [], iter(sys.argv[1:])
for arg in argv:
    if arg == "-o":
        next(argv)
    elif arg != "-q":
        args.append(arg)
with open(os.path.join(here, "index.json")) as stream:
    index = json.load(stream)
command = args[0]
if tool == "apt-get" and command == "indextargets":
    print(index["uri"] + "/|bookworm-security|Debian-Security|main|deb")
    print(index["uri"] + "/|bookworm|Debian|main|deb-src")
    print(index["uri"] + "/|bookworm|Debian|main|deb")
elif tool == "apt-get" and command == "update":
    pass
elif tool == "apt-get" and command == "download":
    name, version = args[1].split("=", 1)
    hits = [r for r in index["records"] if (r["Package"], r["Version"]) == (name, version)]
    if not hits:
        sys.exit(f"E: Can't find a source to download version '{{version}}' of '{{name}}'")
    escaped = version.replace(":", "%3a")
    shutil.copyfile(os.path.join(here, hits[0]["served"]), f"{{name}}_{{escaped}}_riscv64.deb")
elif tool == "apt-cache" and command == "show":
    hits = [r for r in index["records"] if r["Package"] == args[1]]
    if not hits:
        print("E: No packages found", file=sys.stderr)
        sys.exit(100)
    print("\\n\\n".join("\\n".join(f"{{k}}: {{v}}" for k, v in r.items() if k != "served")
                      for r in hits))
elif tool == "apt-cache" and command == "policy":
    print(f"{{args[1]}}:\\n  Installed: (none)\\n"
          f"  Candidate: {{index['candidates'].get(args[1], '(none)')}}")
else:
    sys.exit(f"fake {{tool}}: unexpected arguments {{sys.argv[1:]}}")
"""


def kernel_image_bytes(release):
    """A fake uncompressed RISC-V Image: the RSC\\x05 magic at 0x38."""
    head = bytearray(64)
    head[0x30:0x38] = b"RISCV\0\0\0"
    head[0x38:0x3c] = b"RSC\x05"
    return bytes(head) + f"kernel {release}".encode()


def build_deb(tmp, name, version, files):
    tree = tmp / f"tree-{name}-{version}"
    for rel, (data, mode) in files.items():
        path = tree / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: riscv64\n"
        "Maintainer: Bulkhead tests <tests@invalid>\nDescription: fake package\n")
    deb = tmp / deb_name(name, version)
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(tree),
                    str(deb)], check=True, capture_output=True, timeout=TIMEOUT)
    return deb


class FakeDebian:
    """A scratch Debian testing behind fake apt tools, a lock file, a cache
    and an output directory."""

    URI = "http://deb.invalid/debian"

    def __init__(self, tmp):
        self.tmp = tmp
        self.mirror = tmp / "mirror"
        self.bin = tmp / "bin"
        self.cache = tmp / "cache"
        self.out = tmp / "out"
        for d in (self.mirror, self.bin, self.cache):
            d.mkdir()
        for tool in ("apt-get", "apt-cache"):
            script = self.bin / tool
            script.write_text(FAKE_TOOL.format(python=sys.executable))
            script.chmod(0o755)
        self.debs = {}
        for name, version, release in (OLD_KERNEL, NEW_KERNEL):
            self.debs[(name, version)] = build_deb(self.mirror, name, version, {
                f"usr/lib/modules/{release}/vmlinuz": (kernel_image_bytes(release), 0o644)})
        for name, version in (OLD_BUSYBOX, NEW_BUSYBOX):
            self.debs[(name, version)] = build_deb(self.mirror, name, version, {
                "usr/bin/busybox": (f"#!/bin/sh\n# busybox {version}\n".encode(), 0o755)})
        self.served = {key: deb.name for key, deb in self.debs.items()}
        self.lock = tmp / "packages.lock"
        self.lock.write_text(yaml.safe_dump({
            "suite": "testing", "architecture": "riscv64",
            "packages": [dict(self.entry("kernel", OLD_KERNEL),
                              **{"kernel-release": OLD_KERNEL[2]}),
                         self.entry("busybox", OLD_BUSYBOX)]}, sort_keys=False))

    def entry(self, role, package):
        deb = self.debs[package[:2]]
        return {"role": role, "name": package[0], "version": package[1],
                "sha256": sha256(deb.read_bytes())}

    def publish(self, packages):
        """The index: PACKAGES (name, version), newest last, plus the kernel
        meta-package pointing at the newest kernel."""
        records = [{"Package": n, "Version": v,
                    "SHA256": sha256(self.debs[(n, v)].read_bytes()),
                    "served": self.served[(n, v)]} for n, v in packages]
        records.append({"Package": "linux-image-riscv64", "Version": NEW_KERNEL[1],
                        "Depends": f"linux-image-{NEW_KERNEL[2]} (= {NEW_KERNEL[1]})",
                        "served": self.served[NEW_KERNEL[:2]]})
        candidates = {"linux-image-riscv64": NEW_KERNEL[1],
                      "busybox-static": [v for n, v in packages if n == "busybox-static"][-1]}
        (self.mirror / "index.json").write_text(json.dumps(
            {"uri": self.URI, "records": records, "candidates": candidates}))

    def run(self):
        calls = self.mirror / "calls"
        if calls.exists():
            calls.unlink()
        env = dict(os.environ, PATH=f"{self.bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                   XDG_CACHE_HOME=str(self.cache), FAKE_DEBIAN=str(self.mirror))
        env.pop("BULKHEAD_DEBIAN_MIRROR", None)
        proc = subprocess.run([sys.executable, str(FETCH), "fetch", "--lock", str(self.lock),
                               "--out", str(self.out)],
                              capture_output=True, text=True, env=env, timeout=TIMEOUT)
        self.calls = calls.read_text().splitlines() if calls.exists() else []
        return proc

    def inputs(self):
        return yaml.safe_load((self.out / "inputs.lock").read_text())["packages"]


@pytest.fixture
def debian(tmp_path):
    return FakeDebian(tmp_path)


def test_fetch_uses_the_locked_packages(debian):
    debian.publish([OLD_KERNEL[:2], NEW_KERNEL[:2], OLD_BUSYBOX, NEW_BUSYBOX])
    proc = debian.run()
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr
    assert (debian.out / "Image").read_bytes() == kernel_image_bytes(OLD_KERNEL[2])
    assert (debian.out / "busybox").read_bytes() == b"#!/bin/sh\n# busybox 1:1.37.0-4\n"
    assert os.access(debian.out / "busybox", os.X_OK)
    assert debian.inputs() == [dict(debian.entry("kernel", OLD_KERNEL),
                                    **{"kernel-release": OLD_KERNEL[2]}),
                               debian.entry("busybox", OLD_BUSYBOX)]
    downloads = [c.split()[-1] for c in debian.calls if " download " in c]
    assert sorted(downloads) == sorted([f"{OLD_KERNEL[0]}={OLD_KERNEL[1]}",
                                        f"{OLD_BUSYBOX[0]}={OLD_BUSYBOX[1]}"])
    # The private apt points at the mirror the machine's apt uses.
    sources = debian.cache / "bulkhead" / "debian-testing-riscv64" / "etc" / "sources.list"
    assert f"] {FakeDebian.URI} testing main" in sources.read_text()


def test_fetch_takes_the_newest_with_one_warning(debian):
    debian.publish([NEW_KERNEL[:2], NEW_BUSYBOX])
    lock_before = debian.lock.read_text()
    proc = debian.run()
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, proc.stderr
    assert f"{OLD_KERNEL[0]} {OLD_KERNEL[1]} -> {NEW_KERNEL[0]} {NEW_KERNEL[1]}" in warnings[0]
    assert f"{OLD_BUSYBOX[0]} {OLD_BUSYBOX[1]} -> {NEW_BUSYBOX[0]} {NEW_BUSYBOX[1]}" \
        in warnings[0]
    assert f"recorded in {debian.out}/inputs.lock" in warnings[0]
    assert (debian.out / "Image").read_bytes() == kernel_image_bytes(NEW_KERNEL[2])
    assert debian.inputs() == [dict(debian.entry("kernel", NEW_KERNEL),
                                    **{"kernel-release": NEW_KERNEL[2]}),
                               debian.entry("busybox", NEW_BUSYBOX)]
    assert "with substitutes" in (debian.out / "inputs.lock").read_text()
    assert debian.lock.read_text() == lock_before


def test_fetch_refuses_a_download_unlike_the_lock(debian):
    debian.served[OLD_BUSYBOX] = debian.served[NEW_BUSYBOX]
    debian.publish([OLD_KERNEL[:2], OLD_BUSYBOX])
    proc = debian.run()
    assert proc.returncode == 1
    served = sha256(debian.debs[NEW_BUSYBOX].read_bytes())
    locked = debian.entry("busybox", OLD_BUSYBOX)["sha256"]
    assert (f"error: {debian.cache}/bulkhead/debian-testing-riscv64/debs/"
            f"{deb_name(*OLD_BUSYBOX)}: downloaded busybox-static {OLD_BUSYBOX[1]} has "
            f"SHA256 {served}, but {debian.lock} records {locked}; refusing it") \
        in proc.stderr
    assert not debian.out.exists()


def test_fetch_from_the_cache_needs_no_apt(debian):
    debian.publish([OLD_KERNEL[:2], OLD_BUSYBOX])
    first = debian.run()
    assert first.returncode == 0, first.stderr
    assert debian.calls
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in debian.out.iterdir()}
    # The mirror has moved on, but the cache still holds what the lock names.
    debian.publish([NEW_KERNEL[:2], NEW_BUSYBOX])
    second = debian.run()
    assert second.returncode == 0, second.stderr
    assert debian.calls == []
    assert second.stderr == ""
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in debian.out.iterdir()}
    assert after == before
