# SPDX-License-Identifier: MIT
"""Reproducibility: two clean builds of qemu-hello from two different
directories, under different TZ, locale and umask, must give bit-identical
images, DTBs and guest binaries.

The tree is copied from the working directory (uncommitted files included,
build/ excluded) into two directories of different names and path lengths,
so an embedded path shows up as a difference.
"""

import filecmp
import os
import subprocess
from pathlib import Path

import pytest

import scratch

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "qemu-hello"
BUILD_TIMEOUT = 900  # hang guard per build

ENVIRONMENTS = [
    {"dir": "a", "TZ": "UTC", "LC_ALL": "C", "umask": 0o022},
    {"dir": "second-clone-with-a-longer-path", "TZ": "Pacific/Chatham",
     "LC_ALL": "C.UTF-8", "umask": 0o077},
]


def build_in(tree, settings):
    env = dict(os.environ, TZ=settings["TZ"], LC_ALL=settings["LC_ALL"])
    umask = settings["umask"]
    result = subprocess.run(["make", "--no-print-directory", f"CONFIG={CONFIG}"],
                            cwd=tree, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                            preexec_fn=lambda: os.umask(umask))
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).splitlines()[-40:]
        pytest.fail(f"build in {tree} (TZ={settings['TZ']}, LC_ALL={settings['LC_ALL']}, "
                    f"umask {umask:03o}) failed:\n" + "\n".join(tail), pytrace=False)


def outputs(tree):
    """Relative paths of every artifact that must be reproducible."""
    out = tree / "build" / CONFIG
    files = [out / "bulkhead.elf", *sorted((out / "gen").glob("*.dtb")),
             *sorted((tree / "build" / "guests").glob("*/*.bin"))]
    return [f.relative_to(tree) for f in files]


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("repro")
    trees = []
    for settings in ENVIRONMENTS:
        tree = base / settings["dir"]
        scratch.copy_tree(tree)
        build_in(tree, settings)
        trees.append(tree)
    return trees


def test_both_builds_produce_the_same_artifacts(two_builds):
    first, second = (outputs(tree) for tree in two_builds)
    assert Path("build", CONFIG, "bulkhead.elf") in first
    assert any(p.suffix == ".dtb" for p in first), "no DTB was built"
    assert first == second, "the two builds produced different sets of files"


def test_artifacts_are_bit_identical(two_builds):
    first, second = two_builds
    differ = [str(rel) for rel in outputs(first)
              if not filecmp.cmp(first / rel, second / rel, shallow=False)]
    assert not differ, ("these files differ between the builds in "
                        f"{first} and {second}: {', '.join(differ)}")
