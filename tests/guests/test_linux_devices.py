# SPDX-License-Identifier: MIT
"""The Linux guest with a virtio disk and a virtio network card, without the
hypervisor: Debian's kernel on QEMU virt with OpenSBI, its initramfs followed
by a mkmodules archive, a mkdisk image and user networking (restrict=on,
forwarding a port of 127.0.0.1 only). /init must leave the clock alone (no
time of day in the device tree), load the modules, mount the disk at /data,
get an address by DHCP and serve its page over httpd.
"""

import re
import socket
import subprocess
import urllib.request
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[2]
GUEST = ROOT / "guests" / "linux"
OUT = ROOT / "build" / "guests" / "linux"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
MODULES = ["virtio_mmio", "virtio_blk", "ext4", "virtio_net"]
# Debian's kernel: ext4 needs jbd2, mbcache and crc16; virtio_net needs
# net_failover, which needs failover.
LOAD_ORDER = "jbd2 mbcache crc16 ext4 virtio_blk virtio_mmio failover net_failover virtio_net"
BUILD_TIMEOUT = 600  # hang guards
BOOT_TIMEOUT = 120


def run(command, **kwargs):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}",
                    pytrace=False)
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def initrd(tmp_path_factory):
    """The guest's initramfs followed by the archive of MODULES."""
    run(["make", "--no-print-directory", "-C", str(GUEST), f"OUT={OUT}"])
    work = tmp_path_factory.mktemp("linux-devices")
    modules = work / "modules.cpio.gz"
    run([str(GUEST / "mkmodules"), "--out", str(modules), *MODULES])
    listing = run(f"gzip -dc '{modules}' | cpio -i --quiet --to-stdout etc/bulkhead/modules",
                  shell=True).stdout
    assert listing.split() == LOAD_ORDER.split()
    initrd = work / "initrd"
    initrd.write_bytes((OUT / "initramfs.cpio.gz").read_bytes() + modules.read_bytes())
    return initrd


def test_disk_network_and_httpd(initrd, tmp_path):
    disk = tmp_path / "disk.img"
    run([str(GUEST / "mkdisk"), "--out", str(disk), "--size", str(16 << 20),
         "--label", "test-data"])
    port = free_port()
    qemu = pexpect.spawn("qemu-system-riscv64", [
        "-M", "virt", "-nographic", "-m", "256M", "-smp", "1", "-bios", OPENSBI,
        "-kernel", str(OUT / "Image"), "-initrd", str(initrd),
        "-append", "console=ttyS0 bulkhead.capsule=web bulkhead.httpd=80",
        "-drive", f"file={disk},if=none,format=raw,id=d0",
        "-device", "virtio-blk-device,drive=d0",
        "-netdev", f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:80",
        "-device", "virtio-net-device,netdev=n0"],
        encoding="utf-8", codec_errors="replace", timeout=BOOT_TIMEOUT,
        logfile=open(tmp_path / "console.log", "w"))
    try:
        qemu.expect_exact("bulkhead: no time of day in the device tree (not on Bulkhead); "
                          "clock left as the kernel set it")
        qemu.expect_exact(f"bulkhead: modules loaded: {LOAD_ORDER}")
        # QEMU's DHCP server gives the first guest 10.0.2.15 in 10.0.2.0/24.
        qemu.expect(re.compile(r"bulkhead: eth0 10\.0\.2\.15/24\b"))
        qemu.expect_exact("bulkhead: /dev/vda mounted at /data")
        qemu.expect_exact("bulkhead: httpd on port 80")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/",
                                    timeout=BOOT_TIMEOUT) as page:
            assert page.read().decode().strip() == "Bulkhead capsule web"
        qemu.expect_exact("web login:")
        qemu.sendline("root")
        qemu.expect_exact("# ")
        # The disk mounted is the one mkdisk made: its README is there.
        qemu.sendline("ls /data; grep -c \"capsule's data disk\" /data/README.txt")
        qemu.expect(re.compile(r"README\.txt\s+lost\+found\s+1\s"))
        qemu.sendline("poweroff")
        qemu.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        pytest.fail(f"{type(e).__name__}; console:\n{qemu.before}", pytrace=False)
    finally:
        qemu.close(force=True)
