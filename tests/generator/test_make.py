"""`make` in a scratch copy of the tree: payload files the config names,
CONFIG as a path.

- A missing `kernel: PATH` stops make with the generator's own
  file:line:col diagnostic, before deps.mk is written; once the path is
  fixed, make builds at once (no stale deps.mk to delete).
- A payload file deleted after a good build is reported the same way.
- CONFIG=configs/x.yaml builds what CONFIG=x builds; a config file of the
  same name elsewhere builds in the same build/NAME/ after the first is gone.

The copy leaves the work tree alone. Timeouts are hang guards.
"""

import subprocess
from pathlib import Path

import pytest

import scratch

from conftest import bare_metal_image

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 600

CONFIG = """board: qemu-virt
capsules:
  - name: a
    vcpus: 1
    harts: [0]
    memory: {{size: 16MiB}}
    payload: {{kernel: {kernel}}}
    on-reboot: halt
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    dest = scratch.copy_tree(tmp_path_factory.mktemp("make") / "tree")
    (dest / "kernels").mkdir()
    (dest / "kernels" / "k.bin").write_bytes(bare_metal_image(8192))
    return dest


def make(tree, *args):
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=tree,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT)
    return result.returncode, result.stdout + result.stderr


def test_missing_payload_is_reported_and_fixing_the_path_builds(tree):
    config = tree / "configs" / "ext.yaml"
    config.write_text(CONFIG.format(kernel="no/such/file"))
    rc, out = make(tree, "CONFIG=ext")
    assert rc != 0
    assert ("configs/ext.yaml:7:23: error[file-missing]: capsule 'a': payload file "
            "no/such/file does not exist\n") in out
    assert "No rule to make target" not in out
    assert not (tree / "build" / "ext" / "deps.mk").exists()
    config.write_text(CONFIG.format(kernel="kernels/k.bin"))
    rc, out = make(tree, "CONFIG=ext")
    assert rc == 0, out
    assert (tree / "build" / "ext" / "bulkhead.elf").exists()


def test_payload_deleted_after_a_build_is_reported(tree):
    config = tree / "configs" / "gone.yaml"
    kernel = tree / "kernels" / "gone.bin"
    kernel.write_bytes(bare_metal_image(4096, 3))
    config.write_text(CONFIG.format(kernel="kernels/gone.bin"))
    rc, out = make(tree, "CONFIG=gone")
    assert rc == 0, out
    kernel.unlink()
    rc, out = make(tree, "CONFIG=gone")
    assert rc != 0
    assert "configs/gone.yaml:7:23: error[file-missing]: " in out
    assert "No rule to make target" not in out
    kernel.write_bytes(bare_metal_image(4096, 3))
    rc, out = make(tree, "CONFIG=gone")
    assert rc == 0, out


def test_config_as_a_path(tree):
    (tree / "configs" / "path.yaml").write_text(CONFIG.format(kernel="./../kernels/k.bin"))
    rc, out = make(tree, "check", "CONFIG=configs/path.yaml")
    assert (rc, out) == (0, "configs/path.yaml: valid\n")
    rc, out = make(tree, "CONFIG=configs/path.yaml")
    assert rc == 0, out
    assert (tree / "build" / "path" / "bulkhead.elf").exists()


def test_a_config_of_the_same_name_elsewhere_builds_after_the_first_is_gone(tree, tmp_path):
    """build/NAME/ is shared by every config file called NAME.yaml: the
    deps.mk of one that has since gone must not stop the next."""
    first, second = tmp_path / "one" / "same.yaml", tmp_path / "two" / "same.yaml"
    for config in (first, second):
        config.parent.mkdir()
        config.write_text(CONFIG.format(kernel=tree / "kernels" / "k.bin"))
    rc, out = make(tree, f"CONFIG={first}")
    assert rc == 0, out
    first.unlink()
    rc, out = make(tree, f"CONFIG={second}")
    assert rc == 0, out
    assert f"BH_CONFIG_FILE := {second}\n" in (tree / "build" / "same" / "deps.mk").read_text()
