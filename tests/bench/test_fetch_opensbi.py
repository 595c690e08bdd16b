# SPDX-License-Identifier: MIT
"""tests/bench/fetch_opensbi.py: the lock decides which Debian testing
`opensbi` package `make bench` takes fw_dynamic.bin from, without any
network: fetch_opensbi.py runs with fake `apt-get` and `apt-cache` first on
PATH, serving real .deb files of architecture `all` (built here with
dpkg-deb), and a private XDG_CACHE_HOME."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

FETCH = Path(__file__).resolve().parent / "fetch_opensbi.py"
TIMEOUT = 120  # hang guard
FIRMWARE = "usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
OLD, NEW = "1.8.1-2", "1.9-1"

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
records = index["records"]
if tool == "apt-get" and args[0] == "indextargets":
    print(index["uri"] + "/|testing|Debian|main|deb")
elif tool == "apt-get" and args[0] == "update":
    pass
elif tool == "apt-get" and args[0] == "download":
    name, version = args[1].split("=", 1)
    hit = [r for r in records if (r["Package"], r["Version"]) == (name, version)][0]
    shutil.copyfile(os.path.join(here, hit["served"]), f"{{name}}_{{version}}_all.deb")
elif tool == "apt-cache" and args[0] == "show":
    print("\\n\\n".join("\\n".join(f"{{k}}: {{v}}" for k, v in r.items() if k != "served")
                      for r in records if r["Package"] == args[1]))
elif tool == "apt-cache" and args[0] == "policy":
    print(f"{{args[1]}}:\\n  Candidate: {{records[-1]['Version']}}")
else:
    sys.exit(f"fake {{tool}}: unexpected arguments {{sys.argv[1:]}}")
"""


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def firmware_bytes(version):
    return f"fw_dynamic of opensbi {version}".encode()


def build_deb(directory, version):
    tree = directory / f"tree-{version}"
    image = tree / FIRMWARE
    image.parent.mkdir(parents=True)
    image.write_bytes(firmware_bytes(version))
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN" / "control").write_text(
        f"Package: opensbi\nVersion: {version}\nArchitecture: all\n"
        "Maintainer: Bulkhead tests <tests@invalid>\nDescription: fake package\n")
    deb = directory / f"opensbi_{version}_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(tree),
                    str(deb)], check=True, capture_output=True, timeout=TIMEOUT)
    return deb


class FakeDebian:
    """Debian testing with opensbi OLD and NEW behind fake apt tools, a lock
    naming OLD, a cache and an output directory."""

    def __init__(self, tmp):
        self.mirror, self.bin = tmp / "mirror", tmp / "bin"
        self.cache, self.out = tmp / "cache", tmp / "out"
        for d in (self.mirror, self.bin, self.cache):
            d.mkdir()
        for tool in ("apt-get", "apt-cache"):
            script = self.bin / tool
            script.write_text(FAKE_TOOL.format(python=sys.executable))
            script.chmod(0o755)
        self.debs = {v: build_deb(self.mirror, v) for v in (OLD, NEW)}
        self.served = {v: deb.name for v, deb in self.debs.items()}
        self.lock = tmp / "opensbi.lock"
        self.lock.write_text(yaml.safe_dump(
            {"suite": "testing", "architecture": "riscv64", "packages": [self.entry(OLD)]},
            sort_keys=False))

    def entry(self, version):
        return {"role": "opensbi", "name": "opensbi", "version": version,
                "sha256": sha256(self.debs[version].read_bytes())}

    def publish(self, versions):
        """The index: opensbi at VERSIONS, the last one the newest."""
        records = [{"Package": "opensbi", "Version": v, "Architecture": "all",
                    "SHA256": sha256(self.debs[v].read_bytes()), "served": self.served[v]}
                   for v in versions]
        (self.mirror / "index.json").write_text(json.dumps(
            {"uri": "http://deb.invalid/debian", "records": records}))

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

    def firmware(self):
        return (self.out / "fw_dynamic.bin").read_bytes()

    def inputs(self):
        return yaml.safe_load((self.out / "inputs.lock").read_text())["packages"]


@pytest.fixture
def debian(tmp_path):
    return FakeDebian(tmp_path)


def test_the_locked_version_is_used_then_served_from_the_cache(debian):
    debian.publish([OLD, NEW])
    first = debian.run()
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    assert debian.firmware() == firmware_bytes(OLD)
    assert debian.inputs() == [debian.entry(OLD)]
    assert [c.split()[-1] for c in debian.calls if " download " in c] == [f"opensbi={OLD}"]
    # The mirror has moved on; the cache still holds what the lock names.
    debian.publish([NEW])
    second = debian.run()
    assert second.returncode == 0, second.stderr
    assert debian.calls == [] and second.stderr == ""
    assert debian.firmware() == firmware_bytes(OLD)


def test_a_mirror_that_moved_on_gives_the_newest_with_one_warning(debian):
    debian.publish([NEW])
    lock_before = debian.lock.read_text()
    proc = debian.run()
    assert proc.returncode == 0, proc.stderr
    [warning] = proc.stderr.splitlines()
    assert f"opensbi: warning: Debian testing no longer serves what {debian.lock} locks" \
        in warning
    assert f"(opensbi {OLD} -> opensbi {NEW})" in warning
    assert debian.firmware() == firmware_bytes(NEW)
    assert debian.inputs() == [debian.entry(NEW)]
    assert debian.lock.read_text() == lock_before


def test_a_download_unlike_the_lock_is_refused(debian):
    debian.served[OLD] = debian.served[NEW]
    debian.publish([OLD, NEW])
    proc = debian.run()
    assert proc.returncode == 1
    assert f"but {debian.lock} records {debian.entry(OLD)['sha256']}; refusing it" \
        in proc.stderr
    assert not debian.out.exists()
