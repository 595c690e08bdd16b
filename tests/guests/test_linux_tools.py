# SPDX-License-Identifier: MIT
"""guests/linux/mkmodules and guests/linux/mkdisk, on scratch inputs.

mkmodules runs on a fake modules tree of small ELF files whose .modinfo
says what they depend on, as Debian's are laid out (compressed .ko.xz,
modules.builtin, no modules.dep). mkdisk runs Debian's mke2fs.
"""

import lzma
import os
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MKMODULES = ROOT / "guests" / "linux" / "mkmodules"
MKDISK = ROOT / "guests" / "linux" / "mkdisk"
RELEASE = "6.99.0-test-riscv64"
TIMEOUT = 120  # hang guard


def elf_module(name, depends):
    """A minimal ELF64 file with a .modinfo section, as modpost writes it."""
    info = f"license=GPL\0depends={','.join(depends)}\0name={name}\0".encode()
    names = b"\0.shstrtab\0.modinfo\0"
    info_at, names_at = 64, 64 + len(info)
    headers_at = (names_at + len(names) + 7) & ~7

    def section(name_at, offset, size):
        return struct.pack("<IIQQQQIIQQ", name_at, 1, 0, 0, offset, size, 0, 0, 1, 0)

    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack(
        "<HHIQQQIHHHHHH", 1, 243, 1, 0, 0, headers_at, 0, 64, 0, 0, 64, 3, 1)
    body = header + info + names
    return (body + bytes(headers_at - len(body)) + bytes(64)
            + section(1, names_at, len(names)) + section(11, info_at, len(info)))


# name: (path under kernel/, dependencies); builtin_crc is in modules.builtin.
FAKE_MODULES = {
    "disk_fs": ("fs/disk_fs/disk_fs.ko.xz", ["journal", "crc_lib"]),
    "journal": ("fs/journal.ko.xz", ["crc_lib", "builtin_crc"]),
    "crc_lib": ("lib/crc_lib.ko.xz", []),
    "net_drv": ("drivers/net/net-drv.ko", ["crc_lib"]),
    "loop_a": ("misc/loop_a.ko.xz", ["loop_b"]),
    "loop_b": ("misc/loop_b.ko.xz", ["loop_a"]),
    "needs_ghost": ("misc/needs_ghost.ko.xz", ["ghost"]),
}


@pytest.fixture
def modules(tmp_path):
    """A fake make -C guests/linux OUT/modules."""
    kdir = tmp_path / "modules" / "lib" / "modules" / RELEASE
    for name, (path, depends) in FAKE_MODULES.items():
        target = kdir / "kernel" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = elf_module(name, depends)
        target.write_bytes(lzma.compress(data) if path.endswith(".xz") else data)
    (kdir / "modules.builtin").write_text("kernel/lib/builtin_crc.ko\nkernel/fs/vfat.ko\n")
    return tmp_path / "modules"


def mkmodules(modules, out, *names, env=None):
    return subprocess.run([str(MKMODULES), "--out", str(out), "--modules", str(modules),
                           *names], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT)


def unpack(archive, dest):
    """The files of a gzip cpio archive: {relative path: bytes}."""
    dest.mkdir()
    subprocess.run(f"gzip -dc '{archive}' | cpio -idm --quiet", shell=True, cwd=dest,
                   check=True, timeout=TIMEOUT)
    return {str(p.relative_to(dest)): p.read_bytes() for p in dest.rglob("*") if p.is_file()}


def test_modules_come_with_their_dependencies_in_load_order(modules, tmp_path):
    out = tmp_path / "m.cpio.gz"
    result = mkmodules(modules, out, "net_drv", "disk_fs", "vfat")
    assert result.returncode == 0, result.stderr
    files = unpack(out, tmp_path / "unpacked")
    # Dependencies first; builtin_crc and the requested vfat are built in.
    assert files.pop("etc/bulkhead/modules") == b"crc_lib\njournal\ndisk_fs\nnet_drv\n"
    prefix = f"lib/modules/{RELEASE}/kernel/"
    assert files == {prefix + "lib/crc_lib.ko": elf_module("crc_lib", []),
                     prefix + "fs/journal.ko": elf_module("journal", ["crc_lib", "builtin_crc"]),
                     prefix + "fs/disk_fs/disk_fs.ko": elf_module("disk_fs", ["journal",
                                                                             "crc_lib"]),
                     prefix + "drivers/net/net-drv.ko": elf_module("net_drv", ["crc_lib"])}


def test_same_modules_give_the_same_bytes(modules, tmp_path):
    """Whatever the order, repetitions, umask or time zone of the runs."""
    first, second = tmp_path / "1.cpio.gz", tmp_path / "2.cpio.gz"
    assert mkmodules(modules, first, "disk_fs", "net_drv").returncode == 0
    os.utime(modules / "lib" / "modules" / RELEASE / "kernel" / "lib" / "crc_lib.ko.xz",
             (1234567, 1234567))
    result = subprocess.run(
        f"umask 077; '{MKMODULES}' --out '{second}' --modules '{modules}' "
        "net-drv disk_fs net_drv", shell=True, capture_output=True, text=True,
        env=dict(os.environ, TZ="Pacific/Chatham"), timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()


def test_a_missing_module_is_named_with_who_needs_it(modules, tmp_path):
    result = mkmodules(modules, tmp_path / "m.cpio.gz", "needs_ghost")
    assert result.returncode != 0
    assert (f"needs_ghost depends on ghost, which is neither a module under "
            f"{modules}/lib/modules/{RELEASE}/kernel nor built into the kernel "
            "(modules.builtin)") in result.stderr
    assert not (tmp_path / "m.cpio.gz").exists()


def test_circular_dependencies_are_refused(modules, tmp_path):
    result = mkmodules(modules, tmp_path / "m.cpio.gz", "loop_a")
    assert result.returncode != 0
    assert "modules depend on each other in a circle: loop_a -> loop_b -> loop_a" \
        in result.stderr


def mkdisk(out, size, label, env=None):
    return subprocess.run([str(MKDISK), "--out", str(out), "--size", str(size),
                           "--label", label], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT)


def debugfs(image, request):
    return subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True,
                          text=True, check=True, timeout=TIMEOUT).stdout


def test_disk_is_an_empty_ext4_with_a_readme(tmp_path):
    image = tmp_path / "disk.img"
    result = mkdisk(image, 8 << 20, "web-data")
    assert result.returncode == 0, result.stderr
    assert image.stat().st_size == 8 << 20
    check = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True,
                           timeout=TIMEOUT)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Filesystem volume name:   web-data" in \
        subprocess.run(["dumpe2fs", "-h", str(image)], capture_output=True, text=True,
                       check=True, timeout=TIMEOUT).stdout
    assert debugfs(image, "ls -p /").split() == \
        ["/2/040755/0/0/.//", "/2/040755/0/0/..//", "/11/040700/0/0/lost+found//",
         f"/12/100644/0/0/README.txt/{len(debugfs(image, 'cat /README.txt'))}/"]
    assert "capsule's data disk" in debugfs(image, "cat /README.txt")


def test_same_label_and_size_give_the_same_bytes(tmp_path):
    """Two runs at other times, in another time zone, under another umask."""
    first, second, other = (tmp_path / n for n in ("1.img", "2.img", "other.img"))
    assert mkdisk(first, 4 << 20, "data").returncode == 0
    result = subprocess.run(f"sleep 1.1; umask 077; '{MKDISK}' --out '{second}' "
                            f"--size {4 << 20} --label data", shell=True,
                            capture_output=True, text=True,
                            env=dict(os.environ, TZ="Pacific/Chatham"), timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    # Another label is another file system (UUID and hash seed follow it).
    assert mkdisk(other, 4 << 20, "data2").returncode == 0
    assert other.read_bytes() != first.read_bytes()


@pytest.mark.parametrize("size, label, message", [
    (4 << 20, "a-label-longer-than-16", "must have 1 to 16 bytes"),
    ((4 << 20) + 1, "data", "must be a multiple of 1024"),
])
def test_bad_disk_arguments_are_refused(tmp_path, size, label, message):
    result = mkdisk(tmp_path / "disk.img", size, label)
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "disk.img").exists()
