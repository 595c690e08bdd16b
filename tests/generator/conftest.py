"""Shared helpers: a throw-away repository root with fake payloads.

The generator reads boards, configs, guest manifests and payload files
relative to a root (--root). Tests copy the real boards, configs and guest
manifests into a temporary root and write fake payloads where the manifests
say the guests' Makefiles put them, so that no guest needs to be built.
"""

import contextlib
import io
import os
import shutil
import struct
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATOR = os.path.join(REPO, "generator", "bulkhead-gen")
FIXTURES = os.path.join(REPO, "tests", "generator", "fixtures")

sys.path.insert(0, os.path.join(REPO, "generator"))


def linux_image(image_size):
    """The header of a fake RISC-V Linux Image needing image_size bytes."""
    header = bytearray(64)
    struct.pack_into("<Q", header, 8, 0x200000)
    struct.pack_into("<Q", header, 16, image_size)
    header[48:56] = b"RISCV\0\0\0"
    header[56:60] = b"RSC\x05"
    return bytes(header)


def bare_metal_image(size, seed=1):
    """Bytes of a fake bare-metal binary (deterministic, not ELF)."""
    pattern = bytes((seed * 131 + i * 7) & 0xff for i in range(256))
    return (pattern * (size // 256 + 1))[:size]


def write(path, data, size=None):
    """Write data to path; with size, extend the file (sparsely) with zeros."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as stream:
        stream.write(data)
        if size is not None:
            stream.truncate(size)


# The real inputs most tests use. Only these are copied, so that boards,
# configs and guests others add to the repository do not change the expected
# messages (whose hints list what exists). shipped=True copies them all.
BOARDS = ["qemu-virt"]
CONFIGS = ["qemu-hello", "qemu-2guest"]
GUESTS = ["hello", "linux"]


def yaml_names(folder):
    return sorted(n[:-5] for n in os.listdir(os.path.join(REPO, folder)) if n.endswith(".yaml"))


def shipped_guests():
    guests = os.path.join(REPO, "guests")
    return sorted(g for g in os.listdir(guests)
                  if os.path.exists(os.path.join(guests, g, "guest.yaml")))


# Stands in for guests/linux/mkmodules (`--out FILE MODULE...`): a
# deterministic gzip file naming the modules, so that sizes and digests of
# capsule initrds are reproducible without a Linux guest.
FAKE_MODULES_TOOL = """#!{python}
import gzip, sys
args = sys.argv[1:]
assert args[0] == "--out"
with open(args[1], "wb") as out:
    out.write(gzip.compress(("modules: " + " ".join(args[2:]) + "\\n").encode(), mtime=0))
"""


def write_fake_tools(path):
    tool = os.path.join(path, "guests", "linux", "mkmodules")
    write(tool, FAKE_MODULES_TOOL.format(python=sys.executable))
    os.chmod(tool, 0o755)


def make_root(path, shipped=False):
    """A repository root at path with real inputs and fake payloads."""
    os.makedirs(os.path.join(path, "boards"))
    os.makedirs(os.path.join(path, "configs"))
    boards = yaml_names("boards") if shipped else BOARDS
    configs = yaml_names("configs") if shipped else CONFIGS
    guests = shipped_guests() if shipped else GUESTS
    for name in boards:
        shutil.copy(os.path.join(REPO, "boards", f"{name}.yaml"), os.path.join(path, "boards"))
    for name in configs:
        shutil.copy(os.path.join(REPO, "configs", f"{name}.yaml"),
                    os.path.join(path, "configs"))
    for name in sorted(os.listdir(FIXTURES + "/boards")):
        shutil.copy(os.path.join(FIXTURES, "boards", name), os.path.join(path, "boards"))
    manifests = [(g, os.path.join(REPO, "guests", g, "guest.yaml")) for g in guests]
    fixture_guests = os.path.join(FIXTURES, "guests")
    for guest in sorted(os.listdir(fixture_guests)):
        manifests.append((guest, os.path.join(fixture_guests, guest, "guest.yaml")))
    for guest, manifest in manifests:
        write(os.path.join(path, "guests", guest, "guest.yaml"), open(manifest).read())
        with open(manifest) as stream:
            info = yaml.safe_load(stream)
        if info["kernel"].startswith("build/fake/"):
            continue
        if info["kind"] == "linux":
            write(os.path.join(path, info["kernel"]), linux_image(24 << 20), 20 << 20)
        else:
            write(os.path.join(path, info["kernel"]), bare_metal_image(9000))
        if info.get("initrd"):
            write(os.path.join(path, info["initrd"]), b"\x1f\x8b", (3 << 20) + 2)
    write_fake_tools(path)
    fake = os.path.join(path, "build", "fake")
    write(os.path.join(fake, "elf.bin"), b"\x7fELF\x02\x01\x01" + bytes(4000))
    write(os.path.join(fake, "empty.bin"), b"")
    write(os.path.join(fake, "Image"), linux_image(2 << 20), 2 << 20)
    write(os.path.join(fake, "big.bin"), bare_metal_image(4096), 17 << 20)
    write(os.path.join(fake, "small.bin"), bare_metal_image(4096, 2))
    write(os.path.join(fake, "initrd.gz"), b"\x1f\x8b", (6 << 20) + 2)
    return path


@pytest.fixture
def root(tmp_path):
    return make_root(str(tmp_path / "repo"))


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr


class InProcess:
    def __init__(self, rc, out, err):
        self.rc = rc
        self.out = out
        self.err = err


def run_gen(root, *args, cwd=None, env=None, subprocess_run=False):
    """Run bulkhead-gen --root root ARGS; in this process unless asked not to.

    Relative paths in args are relative to root. A subprocess is used when
    cwd or env matter, or when asked: it also proves the script itself runs.
    """
    if not (cwd or env or subprocess_run):
        from bulkhead import cli
        out, err = io.StringIO(), io.StringIO()
        here = os.getcwd()
        os.chdir(root)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = cli.main(["--root", root, *args])
        finally:
            os.chdir(here)
        return InProcess(rc, out.getvalue(), err.getvalue())
    proc = subprocess.run([sys.executable, GENERATOR, "--root", root, *args],
                          capture_output=True, text=True, cwd=cwd or root, env=env,
                          timeout=120)
    return Result(proc)


def build(root, config, out=None):
    out = out or os.path.join(root, "build", os.path.splitext(os.path.basename(config))[0])
    return run_gen(root, "build", "--config", os.path.join(root, config), "--out", out), out


def load(root, config):
    """The allocated System for root/config (raises Failed when invalid)."""
    from bulkhead import alloc, model
    from bulkhead.diag import Diagnostics, Failed
    diags = Diagnostics()
    system = model.load_system(root, os.path.join(root, config), diags)
    alloc.allocate(system, diags)
    if diags:
        raise Failed(diags)
    return system


def snapshot(directory):
    """{relative path: (bytes, mtime_ns)} of every file under directory."""
    out = {}
    for base, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(base, name)
            with open(path, "rb") as stream:
                out[os.path.relpath(path, directory)] = (stream.read(),
                                                         os.stat(path).st_mtime_ns)
    return out
