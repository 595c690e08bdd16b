# SPDX-License-Identifier: MIT
"""guests/linux/fetch.py: the lock file decides which Debian packages the
Linux guest is built from (the kernel, its modules and linux-base, busybox),
without any network.

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


def kernel_packages(kernel):
    """{role: (name, version)} of a kernel and the packages built with it."""
    name, version, release = kernel
    return {"kernel": (name, version),
            "modules": (f"linux-modules-{release}", version),
            "kernel-base": (f"linux-base-{release}", version)}


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


def memory_deb(name, version):
    """The bytes the in-memory mirror serves for NAME VERSION."""
    return f"deb of {name} {version}".encode()


def memory_lock():
    packages = dict(kernel_packages(OLD_KERNEL), busybox=OLD_BUSYBOX)
    return {role: lock_entry(role, *package, memory_deb(*package))
            for role, package in packages.items()}


def moved_on_mirror(cache, keep_old=()):
    """Testing after a kernel and a busybox upload; keep_old names the
    packages, (name, version), whose locked version it still serves too."""
    new = [*kernel_packages(NEW_KERNEL).values(), NEW_BUSYBOX]
    packages = {package: memory_deb(*package) for package in [*new, *keep_old]}
    packages[("linux-image-riscv64", "7.2.5-2")] = b"meta"
    depends = {("linux-image-riscv64", "7.2.5-2"):
               f"linux-image-{NEW_KERNEL[2]} (= {NEW_KERNEL[1]})"}
    candidates = {"linux-image-riscv64": "7.2.5-2", "busybox-static": NEW_BUSYBOX[1]}
    return MemoryMirror(cache, packages, depends, candidates)


OLD_KERNEL_SET = tuple(kernel_packages(OLD_KERNEL).values())
ALL_OLD = (*OLD_KERNEL_SET, OLD_BUSYBOX)


class Connect:
    """connect() for resolve(): hands out the mirror and counts the calls."""

    def __init__(self, apt):
        self.apt = apt
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.apt


def test_locked_versions_served_are_used(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=ALL_OLD)
    connect = Connect(apt)
    entries, debs, substitutes = fetch.resolve(memory_lock(), str(tmp_path), connect,
                                               "packages.lock")
    assert substitutes == []
    assert entries == memory_lock()
    assert sorted(apt.downloads) == sorted(ALL_OLD)
    assert Path(debs["modules"]).read_bytes() == memory_deb(*OLD_KERNEL_SET[1])
    assert Path(debs["busybox"]).read_bytes() == memory_deb(*OLD_BUSYBOX)
    assert connect.calls == 1


def test_versions_no_longer_served_take_the_newest(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=(OLD_BUSYBOX,))
    entries, debs, substitutes = fetch.resolve(memory_lock(), str(tmp_path), Connect(apt),
                                               "packages.lock")
    # The kernel is the one linux-image-riscv64 depends on, in its
    # linux-binary package, its modules and linux-base those of its release;
    # busybox stays at the locked version it still has.
    for role, package in kernel_packages(NEW_KERNEL).items():
        assert entries[role] == lock_entry(role, *package, memory_deb(*package))
        assert Path(debs[role]).read_bytes() == memory_deb(*package)
    assert entries["busybox"] == memory_lock()["busybox"]
    assert substitutes == [f"{old[0]} {old[1]} -> {new[0]} {new[1]}" for old, new in
                           zip(OLD_KERNEL_SET, kernel_packages(NEW_KERNEL).values())]


def test_kernel_and_its_modules_move_together(tmp_path):
    """The locked kernel is still served, its modules no longer: a kernel
    without its modules is useless, so all three become the newest."""
    kernel, modules, base = OLD_KERNEL_SET
    apt = moved_on_mirror(str(tmp_path), keep_old=(kernel, base, OLD_BUSYBOX))
    entries, _, substitutes = fetch.resolve(memory_lock(), str(tmp_path), Connect(apt),
                                            "packages.lock")
    assert {role: (e["name"], e["version"]) for role, e in entries.items()} == \
        dict(kernel_packages(NEW_KERNEL), busybox=OLD_BUSYBOX)
    assert len(substitutes) == 3


def test_cached_packages_need_no_mirror(tmp_path):
    debs = tmp_path / "debs"
    debs.mkdir()
    for package in ALL_OLD:
        (debs / deb_name(*package)).write_bytes(memory_deb(*package))
    connect = Connect(None)
    entries, paths, substitutes = fetch.resolve(memory_lock(), str(tmp_path), connect,
                                                "packages.lock")
    assert connect.calls == 0
    assert entries == memory_lock()
    assert substitutes == []
    assert paths == {role: str(debs / deb_name(entry["name"], entry["version"]))
                     for role, entry in memory_lock().items()}


def test_cached_package_with_another_checksum_is_fetched_again(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=ALL_OLD)
    for package in ALL_OLD:
        (tmp_path / "debs" / deb_name(*package)).write_bytes(memory_deb(*package))
    (tmp_path / "debs" / deb_name(*OLD_KERNEL[:2])).write_bytes(b"truncated")
    entries, debs, _ = fetch.resolve(memory_lock(), str(tmp_path), Connect(apt),
                                     "packages.lock")
    assert apt.downloads == [OLD_KERNEL[:2]]
    assert entries == memory_lock()
    assert Path(debs["kernel"]).read_bytes() == memory_deb(*OLD_KERNEL[:2])


def test_download_with_another_checksum_than_the_lock_is_refused(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=ALL_OLD)
    apt.serve[OLD_KERNEL_SET[1]] = b"tampered"
    with pytest.raises(fetch.FetchError) as error:
        fetch.resolve(memory_lock(), str(tmp_path), Connect(apt), "packages.lock")
    message = str(error.value)
    assert (f"downloaded {OLD_KERNEL_SET[1][0]} {OLD_KERNEL[1]} has SHA256 "
            f"{sha256(b'tampered')}") in message
    assert (f"packages.lock records {sha256(memory_deb(*OLD_KERNEL_SET[1]))}; "
            "refusing it") in message


def test_substitute_with_another_checksum_than_the_index_is_refused(tmp_path):
    apt = moved_on_mirror(str(tmp_path))
    apt.serve[NEW_BUSYBOX] = b"tampered"
    # Keep the kernel from the cache so that busybox is the one fetched.
    for package in OLD_KERNEL_SET:
        (tmp_path / "debs" / deb_name(*package)).write_bytes(memory_deb(*package))
    with pytest.raises(fetch.FetchError) as error:
        fetch.resolve(memory_lock(), str(tmp_path), Connect(apt), "packages.lock")
    assert (f"downloaded busybox-static {NEW_BUSYBOX[1]} has SHA256 {sha256(b'tampered')}, "
            f"but the testing index records {sha256(memory_deb(*NEW_BUSYBOX))}") \
        in str(error.value)


def test_mirror_checksum_other_than_the_lock_is_refused(tmp_path):
    apt = moved_on_mirror(str(tmp_path), keep_old=ALL_OLD)
    lock = memory_lock()
    lock["busybox"]["sha256"] = sha256(b"what the lock once saw")
    with pytest.raises(fetch.FetchError) as error:
        fetch.resolve(lock, str(tmp_path), Connect(apt), "packages.lock")
    assert (f"{apt.mirror} serves busybox-static {OLD_BUSYBOX[1]} with SHA256 "
            f"{sha256(memory_deb(*OLD_BUSYBOX))}, but packages.lock records "
            f"{sha256(b'what the lock once saw')}") in str(error.value)
    assert OLD_BUSYBOX not in apt.downloads


def test_lock_with_modules_of_another_kernel_is_refused(tmp_path):
    lock = memory_lock()
    lock["modules"]["name"] = f"linux-modules-{NEW_KERNEL[2]}"
    path = tmp_path / "packages.lock"
    path.write_text(yaml.safe_dump({"packages": list(lock.values())}))
    with pytest.raises(fetch.FetchError) as error:
        fetch.read_lock(str(path))
    assert (f"the modules package must be {OLD_KERNEL_SET[1][0]} {OLD_KERNEL[1]}, built "
            f"with the kernel {OLD_KERNEL[0]} {OLD_KERNEL[1]}, not "
            f"linux-modules-{NEW_KERNEL[2]} {OLD_KERNEL[1]}") in str(error.value)


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


# One module of the fake linux-modules packages, and the fake modules.builtin.
MODULE = "kernel/drivers/virtio/virtio_mmio.ko.xz"
BUILTIN = b"kernel/drivers/virtio/virtio.ko\n"


def module_bytes(release):
    return f"virtio_mmio of {release}".encode()


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
        for kernel in (OLD_KERNEL, NEW_KERNEL):
            self.build_kernel(kernel)
        for name, version in (OLD_BUSYBOX, NEW_BUSYBOX):
            self.debs[(name, version)] = build_deb(self.mirror, name, version, {
                "usr/bin/busybox": (f"#!/bin/sh\n# busybox {version}\n".encode(), 0o755)})
        self.served = {key: deb.name for key, deb in self.debs.items()}
        self.lock = tmp / "packages.lock"
        self.lock.write_text(yaml.safe_dump({
            "suite": "testing", "architecture": "riscv64",
            "packages": self.entries(OLD_KERNEL, OLD_BUSYBOX)}, sort_keys=False))

    def build_kernel(self, kernel):
        """The kernel's linux-binary, linux-modules and linux-base packages."""
        release = kernel[2]
        files = {
            "kernel": {f"usr/lib/modules/{release}/vmlinuz": kernel_image_bytes(release)},
            "modules": {f"usr/lib/modules/{release}/{MODULE}": module_bytes(release)},
            "kernel-base": {f"usr/lib/modules/{release}/modules.builtin": BUILTIN,
                            f"usr/lib/modules/{release}/config": b"CONFIG_VIRTIO=y\n"}}
        for role, (name, version) in kernel_packages(kernel).items():
            self.debs[(name, version)] = build_deb(self.mirror, name, version, {
                path: (data, 0o644) for path, data in files[role].items()})

    def entries(self, kernel, busybox):
        """The lock entries of the kernel, its modules and linux-base, busybox."""
        packages = dict(kernel_packages(kernel), busybox=busybox)
        entries = [self.entry(role, package) for role, package in packages.items()]
        entries[0]["kernel-release"] = kernel[2]
        return entries

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


OLD_SET = list(kernel_packages(OLD_KERNEL).values())
NEW_SET = list(kernel_packages(NEW_KERNEL).values())


def output_files(out):
    """{path: (bytes, mtime)} of every file under OUT."""
    return {p.relative_to(out): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file()}


def assert_modules_of(out, release):
    """OUT/modules holds the modules and modules.builtin of RELEASE only."""
    base = out / "modules" / "lib" / "modules"
    assert [p.name for p in base.iterdir()] == [release]
    assert (base / release / MODULE).read_bytes() == module_bytes(release)
    assert (base / release / "modules.builtin").read_bytes() == BUILTIN
    assert not (base / release / "config").exists()


def test_fetch_uses_the_locked_packages(debian):
    debian.publish([*OLD_SET, *NEW_SET, OLD_BUSYBOX, NEW_BUSYBOX])
    proc = debian.run()
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr
    assert (debian.out / "Image").read_bytes() == kernel_image_bytes(OLD_KERNEL[2])
    assert (debian.out / "busybox").read_bytes() == b"#!/bin/sh\n# busybox 1:1.37.0-4\n"
    assert os.access(debian.out / "busybox", os.X_OK)
    assert_modules_of(debian.out, OLD_KERNEL[2])
    assert debian.inputs() == debian.entries(OLD_KERNEL, OLD_BUSYBOX)
    downloads = [c.split()[-1] for c in debian.calls if " download " in c]
    assert sorted(downloads) == sorted(f"{n}={v}" for n, v in [*OLD_SET, OLD_BUSYBOX])
    # The private apt points at the mirror the machine's apt uses.
    sources = debian.cache / "bulkhead" / "debian-testing-riscv64" / "etc" / "sources.list"
    assert f"] {FakeDebian.URI} testing main" in sources.read_text()


def test_fetch_takes_the_newest_with_one_warning(debian):
    debian.publish([*NEW_SET, NEW_BUSYBOX])
    lock_before = debian.lock.read_text()
    proc = debian.run()
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, proc.stderr
    for old, new in zip(OLD_SET, NEW_SET):
        assert f"{old[0]} {old[1]} -> {new[0]} {new[1]}" in warnings[0]
    assert f"{OLD_BUSYBOX[0]} {OLD_BUSYBOX[1]} -> {NEW_BUSYBOX[0]} {NEW_BUSYBOX[1]}" \
        in warnings[0]
    assert f"recorded in {debian.out}/inputs.lock" in warnings[0]
    assert (debian.out / "Image").read_bytes() == kernel_image_bytes(NEW_KERNEL[2])
    assert_modules_of(debian.out, NEW_KERNEL[2])
    assert debian.inputs() == debian.entries(NEW_KERNEL, NEW_BUSYBOX)
    assert "with substitutes" in (debian.out / "inputs.lock").read_text()
    assert debian.lock.read_text() == lock_before


def test_fetch_refuses_a_download_unlike_the_lock(debian):
    debian.served[OLD_BUSYBOX] = debian.served[NEW_BUSYBOX]
    debian.publish([*OLD_SET, OLD_BUSYBOX])
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
    debian.publish([*OLD_SET, OLD_BUSYBOX])
    first = debian.run()
    assert first.returncode == 0, first.stderr
    assert debian.calls
    before = output_files(debian.out)
    # The mirror has moved on, but the cache still holds what the lock names.
    debian.publish([*NEW_SET, NEW_BUSYBOX])
    second = debian.run()
    assert second.returncode == 0, second.stderr
    assert debian.calls == []
    assert second.stderr == ""
    after = output_files(debian.out)
    assert after == before


def test_fetch_refuses_modules_of_another_release(debian):
    """A linux-modules package whose tree is not the kernel's release (a
    mislabelled upload) would give modules the kernel refuses to load."""
    modules = OLD_SET[1]
    debian.served[modules] = debian.served[NEW_SET[1]]
    debian.debs[modules] = debian.debs[NEW_SET[1]]
    debian.lock.write_text(yaml.safe_dump({"packages": debian.entries(OLD_KERNEL, OLD_BUSYBOX)}))
    debian.publish([*OLD_SET, OLD_BUSYBOX])
    proc = debian.run()
    assert proc.returncode == 1
    assert (f"hold no kernel/ and modules.builtin of the kernel's release {OLD_KERNEL[2]} "
            f"(they have: {OLD_KERNEL[2]}, {NEW_KERNEL[2]})") in proc.stderr
