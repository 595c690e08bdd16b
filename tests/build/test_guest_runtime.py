# SPDX-License-Identifier: MIT
"""The guest runtime's device tree reader, formatter and time of day,
compiled for the host with AddressSanitizer and UBSan
(guest_runtime_harness.c).

- formatting matches C's printf for every conversion the guests use;
- the reader finds in a capsule-like DTB what pylibfdt finds, the time of
  day included, and carries it forward by the time CSR;
- dates match Python's for seconds since 1970 from 1970 to 9999;
- thousands of randomly corrupted DTBs make it neither crash nor read out
  of bounds.
"""

import datetime
import subprocess
from pathlib import Path

import libfdt
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMON = ROOT / "guests" / "common"
HARNESS = Path(__file__).with_name("guest_runtime_harness.c")
TIMEOUT = 120  # hang guard

DTS = """/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	chosen {
		bootargs = "hello from a host test";
		bulkhead,time-of-day = /bits/ 64 <1796026323999999999 123456789012>;
	};
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		timebase-frequency = <10000000>;
		cpu@0 { device_type = "cpu"; reg = <0>;
			riscv,isa-extensions = "i", "m", "sstc"; };
		cpu@1 { device_type = "cpu"; reg = <1>;
			riscv,isa-extensions = "i", "m"; };
		cpu-map { };
	};
	memory@81000000 { device_type = "memory"; reg = <0x0 0x81000000 0x0 0x1000000>; };
	soc {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		serial@10000000 { compatible = "ns16550a"; reg = <0x0 0x10000000 0x0 0x100>; };
	};
};
"""


# The two cells of /chosen/bulkhead,time-of-day in DTS.
START_NS = 1796026323999999999
START_TIME = 123456789012


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    out = tmp_path_factory.mktemp("harness") / "harness"
    cmd = ["gcc", "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-Werror",
           "-fno-builtin", "-fsanitize=address,undefined",
           "-fno-sanitize-recover=all", f"-I{COMMON}", "-o", str(out),
           str(COMMON / "fdt.c"), str(COMMON / "format.c"), str(COMMON / "time_of_day.c"),
           str(HARNESS)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def dtb(tmp_path_factory):
    path = tmp_path_factory.mktemp("dtb") / "capsule.dtb"
    subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", str(path), "-"],
                   input=DTS, text=True, check=True, capture_output=True,
                   timeout=TIMEOUT)
    return path


def run(harness, *args):
    result = subprocess.run([str(harness), *map(str, args)], capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"harness {args}: {result.stdout}{result.stderr}"
    return result.stdout.splitlines()


def test_formatting_matches_c(harness):
    assert run(harness, "format") == [
        "%d|%i|%u" % (-42, 7, 4000000000),
        "%d|%d|%x|%X" % (-9000000000, 18446744073709551615, 0xdeadbeefcafe, 0xabc),
        "%08x|%-6s|%6s|%c|%%" % (0x1234, "ab", "cd", "z"),
        "%05d|%-5d|%5d|%d" % (-12, 34, -56, 99),
        "(null)|0",
        "9 trunc",
    ]


def test_reader_agrees_with_libfdt(harness, dtb):
    fdt = libfdt.Fdt(dtb.read_bytes())
    memory = fdt.path_offset("/memory@81000000")
    reg = fdt.getprop(memory, "reg")
    base, size = (int.from_bytes(bytes(reg)[i:i + 8], "big") for i in (0, 8))
    serial = bytes(fdt.getprop(fdt.path_offset("/soc/serial@10000000"), "reg"))
    cpus = fdt.path_offset("/cpus")
    assert run(harness, "fdt", dtb) == [
        f"memory {base:x} {size:x}",
        f"bootargs {fdt.getprop(fdt.path_offset('/chosen'), 'bootargs').as_str()}",
        f"timebase {fdt.getprop(cpus, 'timebase-frequency').as_uint32()}",
        "cpu 0 sstc 1",
        "cpu 1 sstc 0",
        f"serial {int.from_bytes(serial[:8], 'big'):x} {int.from_bytes(serial[8:], 'big'):x}",
        # 2.5 s of the 10 MHz time CSR after the start.
        f"time-of-day {START_NS} {START_TIME} later {START_NS + 2_500_000_000}",
    ]


def test_dates_match_python(harness):
    seconds = [0, 59, 86399, 86400, 951782400, 951868800, 1796026323, 4102444799,
               4107542400, 253402300799]
    assert run(harness, "date", *seconds) == [
        datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
        .strftime("%Y-%m-%d %H:%M:%S UTC") for s in seconds]


def test_corrupted_blobs_are_safe(harness, dtb):
    assert run(harness, "corrupt", dtb, 20000) == ["corrupted 20000 times"]
