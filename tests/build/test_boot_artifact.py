# SPDX-License-Identifier: MIT
"""The boot artifact of a real board: `make CONFIG=visionfive2-hello` (and
hifive-unmatched-hello) writes build/CONFIG/bulkhead.itb beside bulkhead.elf,
a FIT image (the board's boot-artifact: fit) whose firmware is the
hypervisor at its link address, the start of the board's RAM, and whose
loadables are the payloads at their addresses. `dumpimage -l` (u-boot-tools)
must list exactly that, each image's bytes must be the ELF's, and a clean
rebuild must give the same bytes.
"""

import re
import shutil
import subprocess
from pathlib import Path

import libfdt
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Config -> (its board, the board's RAM base: where the hypervisor links).
CONFIGS = {"visionfive2-hello": ("visionfive2", 0x40000000),
           "hifive-unmatched-hello": ("hifive-unmatched", 0x80000000)}
OBJCOPY = "riscv64-unknown-elf-objcopy"
TIMEOUT = 600


def make(config):
    result = subprocess.run(["make", "--no-print-directory", "-s", f"CONFIG={config}"],
                            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    return ROOT / "build" / config


def dumpimage_list(itb):
    """{image name: {field: value}} and the configuration, from dumpimage -l."""
    text = subprocess.run(["dumpimage", "-l", str(itb)], check=True, capture_output=True,
                          text=True).stdout
    images, config, current = {}, {}, None
    for line in text.splitlines():
        m = re.match(r"^ Image \d+ \((.+)\)$", line)
        if m:
            current = images.setdefault(m.group(1), {})
            continue
        m = re.match(r"^ Configuration \d+ \((.+)\)$", line)
        if m:
            current = config
            continue
        m = re.match(r"^\s+([A-Za-z ]+):\s+(.*)$", line)
        if m and current is not None:
            current[m.group(1)] = m.group(2)
        elif current is config and line.strip() and "Loadables" in config:
            config["Loadables"] += " " + line.strip()
    return text, images, config


def sections(elf):
    """{section name: address} of the ELF's allocated sections."""
    out = subprocess.run(["riscv64-unknown-elf-readelf", "-SW", str(elf)], check=True,
                         capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s", line)
        if m:
            found[m.group(1)] = int(m.group(2), 16)
    return found


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def built(request):
    config = request.param
    return config, make(config)


def test_dumpimage_lists_the_hypervisor_and_every_payload(built):
    config, out = built
    text, images, conf = dumpimage_list(out / "bulkhead.itb")
    ram_base = CONFIGS[config][1]
    assert f"FIT description: Bulkhead {config} on " in text
    assert "Created:         Thu Jan  1 00:00:00 1970" in text  # SOURCE_DATE_EPOCH 0
    assert conf["Firmware"] == "hypervisor"
    assert conf["Kernel"] == "unavailable"
    hypervisor = images["hypervisor"]
    assert hypervisor["Type"] == "Firmware"
    assert hypervisor["Architecture"] == "RISC-V"
    assert hypervisor["Compression"] == "uncompressed"
    assert int(hypervisor["Load Address"], 16) == ram_base
    elf_sections = sections(out / "bulkhead.elf")
    assert elf_sections[".text"] == ram_base
    # Every payload section of the ELF is a loadable at its address, once.
    payloads = {name: addr for name, addr in elf_sections.items()
                if name.startswith((".payload.", ".pristine."))}
    loadables = conf["Loadables"].split()
    assert sorted(loadables) == sorted(set(images) - {"hypervisor"})
    assert len(loadables) == len(payloads) > 0
    assert sorted(int(images[name]["Load Address"], 16) for name in loadables) == \
        sorted(payloads.values())


def test_the_firmware_is_entered_at_the_elf_entry(built):
    """The FIT's entry (which dumpimage does not print for firmware) is
    the ELF's entry point, _start at the start of RAM."""
    config, out = built
    fit = libfdt.Fdt((out / "bulkhead.itb").read_bytes())
    node = fit.path_offset("/images/hypervisor")
    raw = bytes(fit.getprop(node, "entry"))
    entry = int.from_bytes(raw, "big")
    head = (out / "bulkhead.elf").read_bytes()[:64]
    assert entry == int.from_bytes(head[24:32], "little") == CONFIGS[config][1]
    assert bytes(fit.getprop(fit.path_offset("/configurations"), "default")) == b"bulkhead\0"


def test_each_image_is_the_elf_bytes(built, tmp_path):
    """dumpimage -p N extracts image N: the bytes objcopy gives for its
    sections of the ELF (fit-sections.txt)."""
    config, out = built
    _, images, _ = dumpimage_list(out / "bulkhead.itb")
    lines = [line.split() for line in (out / "gen" / "fit-sections.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert [words[0] for words in lines] == list(images)
    for index, (name, *wanted) in enumerate(lines):
        got, expect = tmp_path / f"{name}.fit", tmp_path / f"{name}.elf"
        subprocess.run(["dumpimage", "-T", "flat_dt", "-p", str(index), "-o", str(got),
                        str(out / "bulkhead.itb")], check=True, capture_output=True)
        subprocess.run([OBJCOPY, "-O", "binary"] + [f"--only-section={s}" for s in wanted]
                       + [str(out / "bulkhead.elf"), str(expect)], check=True)
        assert got.read_bytes() == expect.read_bytes(), name


def test_a_clean_rebuild_gives_the_same_bytes(built, tmp_path):
    config, out = built
    first = tmp_path / "first.itb"
    shutil.copyfile(out / "bulkhead.itb", first)
    shutil.rmtree(out)
    again = make(config)
    assert (again / "bulkhead.itb").read_bytes() == first.read_bytes()


def test_make_run_refuses_a_real_board(built):
    config, out = built
    result = subprocess.run(["make", "--no-print-directory", "-s", "run", f"CONFIG={config}"],
                            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode != 0
    assert (f"bulkhead: boards/{CONFIGS[config][0]}.yaml is a real board, not a QEMU "
            f"machine: put build/{config}/bulkhead.itb on it (docs/boards.md)") in result.stderr
    assert not (out / "gen" / "qemu.args").exists()
