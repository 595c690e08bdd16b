# SPDX-License-Identifier: MIT
"""Debian packages for the build, fetched and locked: the machinery that the
Linux guest (guests/linux/fetch.py), the real boards' device trees and
U-Boot (tools/fetch-boards) and the benchmarks' OpenSBI
(tests/bench/fetch_opensbi.py) share.

Packages come from Debian testing for riscv64 through `apt-get download` under
a private apt configuration (own state, cache and source list), from the
Debian mirror this machine's apt already uses, and are checked against the
mirror's signed index with the system keyring. Downloads are cached in
${XDG_CACHE_HOME:-~/.cache}/bulkhead/debian-testing-riscv64/, so a clean build
does not fetch again. A lock file names each package by role, name, version
and SHA256; Resolver finds a locked package's .deb in the cache or on the
mirror, and the newest one instead when testing no longer serves it.
"""

import glob
import hashlib
import os
import re
import shutil
import subprocess

import yaml

SUITE = "testing"
ARCH = "riscv64"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# The meta-package that always depends on the current kernel of the suite.
KERNEL_META = "linux-image-riscv64"
# Packages built with the kernel: NAME-PREFIX + its release, at its version.
KERNEL_COMPANIONS = {"modules": "linux-modules-", "kernel-base": "linux-base-"}


class FetchError(Exception):
    pass


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_root():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "bulkhead", f"debian-{SUITE}-{ARCH}")


def system_debian_mirror():
    """The URI of the Debian archive this machine's apt uses.

    BULKHEAD_DEBIAN_MIRROR overrides it (for hosts whose apt has no Debian
    source). Otherwise apt itself lists its configured index targets; the one
    labelled "Debian" (not "Debian-Security") is the main archive.
    """
    override = os.environ.get("BULKHEAD_DEBIAN_MIRROR")
    if override:
        return override.rstrip("/")
    try:
        out = subprocess.run(
            ["apt-get", "indextargets", "--format",
             "$(REPO_URI)|$(RELEASE)|$(LABEL)|$(COMPONENT)|$(TARGET_OF)"],
            check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise FetchError(f"cannot ask apt for its sources ({e}); "
                         "set BULKHEAD_DEBIAN_MIRROR to a Debian mirror URL")
    labelled, unlabelled = [], []
    for line in out.splitlines():
        uri, release, label, component, target_of = (line.split("|") + [""] * 5)[:5]
        if target_of != "deb" or component != "main" or "security" in release:
            continue
        if label == "Debian":
            labelled.append(uri)
        elif not label:
            unlabelled.append(uri)
    for uri in labelled + unlabelled:
        return uri.rstrip("/")
    raise FetchError("this machine's apt sources (/etc/apt/sources.list, "
                     "/etc/apt/sources.list.d/) name no Debian archive with "
                     "a main component; set BULKHEAD_DEBIAN_MIRROR to one")


class PrivateApt:
    """apt-get and apt-cache on Debian testing/riscv64 with their own state,
    so nothing of the host's apt configuration or package lists changes."""

    def __init__(self, root, mirror):
        self.root = root
        self.mirror = mirror
        self.debs = os.path.join(root, "debs")
        etc = os.path.join(root, "etc")
        for d in ("state/lists/partial", "cache/archives/partial",
                  "etc/preferences.d", "debs"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        status = os.path.join(root, "state", "status")
        if not os.path.exists(status):
            open(status, "w").close()
        for tool in ("apt-get", "apt-cache", "dpkg-deb"):
            if not shutil.which(tool):
                raise FetchError(f"{tool} is missing: Debian packages are fetched with "
                                 "Debian's apt; on another system set up a Debian "
                                 "container or install apt and dpkg")
        if not os.path.exists(KEYRING):
            raise FetchError(f"{KEYRING} is missing; install debian-archive-keyring")
        sources = os.path.join(etc, "sources.list")
        with open(sources, "w") as f:
            f.write(f"deb [arch={ARCH} signed-by={KEYRING}] {mirror} {SUITE} main\n")
        self.options = [
            "-o", f"Dir::State={root}/state",
            "-o", f"Dir::State::status={status}",
            "-o", f"Dir::Cache={root}/cache",
            "-o", f"Dir::Etc::SourceList={sources}",
            "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", "Dir::Etc::Preferences=/dev/null",
            "-o", f"Dir::Etc::PreferencesParts={etc}/preferences.d",
            "-o", f"APT::Architecture={ARCH}",
            "-o", f"APT::Architectures={ARCH}",
        ]
        # The host's apt.conf.d (proxies, retries) still applies. As root, apt
        # would download as the unprivileged _apt user, which cannot write
        # into a private cache under root's home.
        if os.geteuid() == 0:
            self.options += ["-o", "APT::Sandbox::User=root"]

    def _run(self, tool, args, cwd=None):
        cmd = [tool] + self.options + args
        result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        if result.returncode != 0:
            raise FetchError(f"{' '.join([tool] + args)} failed:\n"
                             f"{result.stderr.strip()}")
        return result.stdout

    def update(self):
        self._run("apt-get", ["-q", "update"])

    def records(self, name):
        """Every index record of package NAME, as dicts of fields."""
        try:
            out = self._run("apt-cache", ["show", name])
        except FetchError:
            return []
        records = []
        for stanza in out.strip().split("\n\n"):
            fields = {}
            for line in stanza.splitlines():
                m = re.match(r"^([A-Za-z0-9-]+):\s*(.*)$", line)
                if m:
                    fields[m.group(1)] = m.group(2)
            if fields.get("Package") == name:
                records.append(fields)
        return records

    def candidate(self, name):
        out = self._run("apt-cache", ["policy", name])
        m = re.search(r"Candidate:\s*(\S+)", out)
        if not m or m.group(1) == "(none)":
            raise FetchError(f"Debian {SUITE} has no {name} for {ARCH}")
        return m.group(1)

    def download(self, name, version):
        self._run("apt-get", ["-q", "download", f"{name}={version}"], cwd=self.debs)
        path = deb_file(self.debs, name, version)
        if not path:
            raise FetchError(f"apt-get download {name}={version} left no "
                             f"{deb_name(name, version, ARCH)} in {self.debs}")
        return path


def deb_name(name, version, arch):
    """apt names a .deb NAME_VERSION_ARCH.deb, with ':' escaped as %3a."""
    return f"{name}_{version.replace(':', '%3a')}_{arch}.deb"


def deb_file(debs, name, version):
    """The .deb of NAME VERSION in the directory debs, or None. Its ARCH is
    riscv64, or all for a package every architecture shares (opensbi)."""
    for arch in (ARCH, "all"):
        path = os.path.join(debs, deb_name(name, version, arch))
        if os.path.exists(path):
            return path
    return None


def cached_deb(root, pkg):
    path = deb_file(os.path.join(root, "debs"), pkg["name"], pkg["version"])
    if path and sha256_of(path) == pkg["sha256"]:
        return path
    return None


def newest_kernel(apt):
    """The kernel package of the current kernel of testing: the meta-package
    depends on linux-image-REL, whose Image lives in linux-binary-REL (or in
    linux-image-REL itself in older packaging)."""
    version = apt.candidate(KERNEL_META)
    meta = [r for r in apt.records(KERNEL_META) if r.get("Version") == version]
    depends = meta[0].get("Depends", "") if meta else ""
    m = re.search(r"linux-image-(\S+?-" + ARCH + r")\s*\(=\s*([^)\s]+)\)", depends)
    if not m:
        raise FetchError(f"{KERNEL_META} {version} depends on no linux-image-*: {depends!r}")
    release, kversion = m.group(1), m.group(2)
    for name in (f"linux-binary-{release}", f"linux-image-{release}"):
        if any(r.get("Version") == kversion for r in apt.records(name)):
            return name, kversion
    raise FetchError(f"no linux-binary-{release} or linux-image-{release} {kversion} in {SUITE}")


def kernel_release_of(name):
    """linux-binary-REL or linux-image-REL -> REL."""
    m = re.match(r"linux-(?:binary|image)-(.+)$", name)
    if not m:
        raise FetchError(f"{name} is not a linux-binary-* or linux-image-* package")
    return m.group(1)


def companion(role, kernel_name, kernel_version):
    """(name, version) of the ROLE package built with that kernel."""
    return KERNEL_COMPANIONS[role] + kernel_release_of(kernel_name), kernel_version


def fetch_package(apt, name, version, expected=None, source=None):
    """Downloads NAME=VERSION (apt checks it against the signed index) and
    returns its lock entry and path. The file must have the SHA256 EXPECTED,
    which SOURCE (the lock file) records, or else the one the index records."""
    records = [r for r in apt.records(name) if r.get("Version") == version]
    if not records:
        raise FetchError(f"Debian {SUITE} does not serve {name} {version}")
    path = apt.download(name, version)
    digest = sha256_of(path)
    if expected is None:
        expected, source = records[0].get("SHA256"), f"the {SUITE} index"
    if digest != expected:
        raise FetchError(f"{path}: downloaded {name} {version} has SHA256 {digest}, "
                         f"but {source} records {expected}; refusing it")
    return {"name": name, "version": version, "sha256": digest}, path


def extract(deb, dest):
    subprocess.run(["dpkg-deb", "-x", deb, dest], check=True)


def find_one(root, patterns, what, deb):
    for pattern in patterns:
        hits = sorted(glob.glob(os.path.join(root, pattern)))
        if hits:
            return hits[0]
    raise FetchError(f"{deb} holds no {what} (looked for {', '.join(patterns)})")


def install(src, dest):
    """Copies src to dest unless dest already has the same bytes, so that
    make sees no change when nothing changed."""
    if os.path.exists(dest) and sha256_of(dest) == sha256_of(src):
        return
    tmp = dest + ".tmp"
    shutil.copyfile(src, tmp)
    os.chmod(tmp, 0o755 if os.access(src, os.X_OK) else 0o644)
    os.replace(tmp, dest)


def open_apt(root):
    """The private apt on the machine's Debian mirror, its index up to date."""
    apt = PrivateApt(root, system_debian_mirror())
    apt.update()
    return apt


class Resolver:
    """Finds the .deb of a package: from the cache, or from the mirror through
    connect(), which is called at most once, and only when needed."""

    def __init__(self, root, connect, lock_path):
        self.root = root
        self.connect = connect
        self.lock_path = lock_path
        self.apt = None
        self.substitutes = []

    def mirror(self):
        if self.apt is None:
            self.apt = self.connect()
        return self.apt

    def locked(self, pkg):
        """The .deb of the locked package PKG, with the checksum the lock
        records; None when the mirror no longer serves that version."""
        path = cached_deb(self.root, pkg)
        if path:
            return path
        apt = self.mirror()
        served = [r for r in apt.records(pkg["name"]) if r.get("Version") == pkg["version"]]
        if not served:
            return None
        if served[0].get("SHA256") != pkg["sha256"]:
            raise FetchError(f"{apt.mirror} serves {pkg['name']} {pkg['version']} with "
                             f"SHA256 {served[0].get('SHA256')}, but {self.lock_path} "
                             f"records {pkg['sha256']}; refusing to guess which is right")
        return fetch_package(apt, pkg["name"], pkg["version"], pkg["sha256"],
                             self.lock_path)[1]

    def substitute(self, pkg, name, version):
        """The .deb of NAME VERSION instead of the locked PKG."""
        self.substitutes.append(f"{pkg['name']} {pkg['version']} -> {name} {version}")
        entry, path = fetch_package(self.mirror(), name, version)
        return {"role": pkg["role"], **entry}, path


def locked_entry(pkg):
    return {k: pkg[k] for k in ("role", "name", "version", "sha256")}


def read_lock_file(path, roles_needed):
    """{role: entry} of the lock file PATH, which must name a package of
    every role in roles_needed, each with its name, version and SHA256."""
    try:
        with open(path) as f:
            lock = yaml.safe_load(f)
    except OSError as e:
        raise FetchError(f"cannot read the lock file: {e}")
    packages = lock.get("packages") if isinstance(lock, dict) else None
    if not isinstance(packages, list):
        raise FetchError(f"{path}: no 'packages' list")
    roles = {}
    for pkg in packages:
        missing = {"role", "name", "version", "sha256"} - set(pkg)
        if missing:
            raise FetchError(f"{path}: package entry {pkg} lacks {', '.join(sorted(missing))}")
        roles[pkg["role"]] = pkg
    for role in roles_needed:
        if role not in roles:
            raise FetchError(f"{path}: no package with role '{role}'")
    return roles


def write_lock_file(path, header, packages, extra=None):
    """Writes the lock file PATH: header (comment lines), the suite and
    architecture, the package entries in the order given, then extra."""
    doc = {"suite": SUITE, "architecture": ARCH, "packages": list(packages)}
    doc.update(extra or {})
    text = header + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
