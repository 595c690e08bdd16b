"""The command line: info, schema, option placement, missing modules."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

from conftest import GENERATOR, build, run_gen


def test_info_report_and_svg(root):
    result = run_gen(root, "info", "--config", "configs/qemu-hello.yaml", "--out",
                     "build/qemu-hello")
    assert result.rc == 0, result.err
    out = result.out
    for expected in (
            "  [0x80000000, 0x80200000)         2 MiB  hypervisor",
            "  [0x81000000, 0x82000000)        16 MiB  capsule hello0         2 vCPU, 3 PMP",
            "  [0x83000000, 0xc0000000)       976 MiB  free",
            "  hart 0: capsule hello0 vCPU 0",
            "  hart 3: idle (parked in wfi)",
            "  hello0: 3/16",
            "    pmpaddr 0x00000000030805ff cfg 0x1b  PLIC context 1 NAPOT [0xc201000, 0xc202000)",
            "  context 3   hart 1 supervisor capsule hello0 vCPU 1",
            "  context 4   hart 2 machine    hypervisor",
            "  source 10   uart0        hypervisor (console)",
            "  source 11   rtc          unused (masked)",
            "    pmpaddr 0x00000000205fffff cfg 0x1f  memory NAPOT [0x81000000, 0x82000000)",
            "    kernel +0x00000000 [0x81000000, 0x81002328), pristine copy at 0x80200000",
            "hypervisor (console), virtual UART of hello0, virtual UART of hello1"):
        assert expected in out, expected
    svg = os.path.join(root, "build", "qemu-hello", "system.svg")
    tree = ElementTree.parse(svg)
    texts = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert "capsule hello0" in texts and "hello1 vCPU 0" in texts and "idle" in texts
    assert "irq none; PLIC contexts 1,3" in texts


def test_info_says_which_harts_have_no_s_mode(root):
    """boards/hetero.yaml: hart 0 (kind monitor) runs only the hypervisor."""
    with open(os.path.join(root, "configs", "hetero.yaml"), "w") as stream:
        stream.write("board: hetero\ncapsules:\n  - name: a\n    vcpus: 1\n    harts: [1]\n"
                     "    memory: {size: 16MiB}\n    payload: {guest: hello}\n")
    result = run_gen(root, "info", "--config", "configs/hetero.yaml", "--out", "build/hetero")
    assert result.rc == 0, result.err
    assert "  hart 0: no S-mode (monitor): runs the hypervisor, parked in wfi\n" in result.out
    assert "  hart 2: idle (parked in wfi)\n" in result.out


def test_info_writes_nothing_but_the_svg(root):
    run_gen(root, "info", "--config", "configs/qemu-hello.yaml", "--out", "build/qemu-hello")
    assert os.listdir(os.path.join(root, "build", "qemu-hello")) == ["system.svg"]


def test_memory_map_matches_info(root):
    result, out = build(root, "configs/qemu-hello.yaml")
    info = run_gen(root, "info", "--config", "configs/qemu-hello.yaml", "--out", out)
    with open(os.path.join(out, "gen", "memory-map.txt")) as stream:
        memory_map = stream.read().splitlines()[1:]
    assert info.out.startswith("\n".join(memory_map) + "\n")


def test_schema_command_prints_json_schema(root):
    result = run_gen(root, "schema", subprocess_run=True)
    assert result.rc == 0
    schema = json.loads(result.out)
    assert schema["required"] == ["board", "capsules"]
    assert schema["properties"]["capsules"]["items"]["additionalProperties"] is False


def test_format_option_after_command(root):
    with open(os.path.join(root, "configs", "e.yaml"), "w") as stream:
        stream.write("board: qemu-virt\ncapsules: []\n")
    result = run_gen(root, "check", "--config", "configs/e.yaml", "--format", "json")
    assert json.loads(result.err)[0]["rule"] == "empty-system"


def test_missing_config_file(root):
    result = run_gen(root, "check", "--config", "configs/nope.yaml")
    assert result.rc == 1
    assert result.err.splitlines()[:2] == [
        "configs/nope.yaml: error[file-missing]: the config file does not exist",
        "hint: configs: qemu-2guest, qemu-hello"]


def test_missing_python_module_is_one_clear_line(tmp_path):
    (tmp_path / "yaml.py").write_text("raise ImportError('blocked', name='yaml')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.run([sys.executable, GENERATOR, "schema"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == (
        "bulkhead-gen: missing Python module 'yaml': install the Debian packages "
        "python3-yaml python3-jinja2 python3-libfdt (or run tools/ensure-deps)\n")


def test_info_on_an_invalid_system_writes_nothing(root):
    with open(os.path.join(root, "configs", "e.yaml"), "w") as stream:
        stream.write("board: qemu-virt\ncapsules: []\n")
    result = run_gen(root, "info", "--config", "configs/e.yaml", "--out", "build/e")
    assert (result.rc, result.out) == (1, "")
    assert result.err.startswith("configs/e.yaml:2:11: error[empty-system]: ")
    assert not os.path.exists(os.path.join(root, "build", "e"))
