# SPDX-License-Identifier: MIT
"""qemu-hello end to end: two bare-metal `hello` capsules on the PMP backend,
on QEMU virt with Sstc (qemu-hello) and without (qemu-hello-nosstc: the
guests' timers multiplexed on mtimecmp, which the HSM suspend checks wake on),
and on a second machine, QEMU sifive_u (sifive-u-hello: a monitor core
without S-mode that only boots the hypervisor, a sifive,uart0 console, no
time CSR, privileged 1.10, a GPIO restart pin to end the run; hello0 owns
the second UART, and its `irq-direct` check takes that UART's transmit
watermark interrupts through its own PLIC context without a hypervisor trap).

Builds `make CONFIG=...`, boots `make run` with no terminal on stdin
and expects, for every capsule, one PASS line per self-check of
guests/hello/hello.c (qemu.HELLO_CHECKS; among them `sbi-base` and
`sbi-registers`: BASE's answers, probes of every extension served and of
absent ones, and every register but a0 and a1 kept by calls Bulkhead answers
on its fast path and by others, `delegation`: ebreak and
an illegal instruction reach the guest's stvec with the right scause, sepc,
stval and sstatus, `forwarding`: so do access faults the hypervisor
forwards, `hsm-restart`: a secondary dirties every register it can write,
hart_stops and is started again with all of them reset, `hsm-suspend` and
`hsm-suspend-ipi`: retentive and non-retentive suspends woken by a timer and
by an IPI, the non-retentive ones resuming with every register reset and
the wake-up still pending, `time-of-day`: the time of day the hypervisor
wrote into /chosen, carried forward by the time CSR, is the host's while
QEMU ran, within qemu.TIME_OF_DAY_SLACK), no FAIL line, the device tree the config describes
(vCPU count, memory size, bootargs, timebase), and QEMU to exit by itself
with status 0 once both capsules are off: hello1 shuts down with SBI SRST,
every vCPU of hello0 stops with HSM hart_stop, which turns the capsule off.
The whole console is kept in build/CONFIG/boot.log.
"""

import re

import pytest

import qemu

CONFIGS = ["qemu-hello", "qemu-hello-nosstc", "sifive-u-hello"]
BOOT_TIMEOUT = 120  # hang guard for the whole boot, not a speed target

HEADER = re.compile(r"^hello: vhart (\d+) of (\d+), memory ([0-9a-f]+)\+([0-9a-f]+), "
                    r"timebase (\d+)(, sstc)?, bootargs \"(.*)\"$")
UART_LINE = re.compile(r"^hello: uart ns16550 at ([0-9a-f]+) works$")
SBI_LINE = re.compile(r"^hello: sbi (\d+\.\d+), implementation ([0-9a-f]+) version (-?\d+)$")
BANNER = re.compile(r"^Bulkhead (\d+): system ")

# Every config has the same capsules; only the board differs.
CAPSULES = [c["name"] for c in qemu.load_config(CONFIGS[0])["capsules"]]
assert all([c["name"] for c in qemu.load_config(config)["capsules"]] == CAPSULES
           for config in CONFIGS)
# hello0's bootargs end it with HSM hart_stop on every vCPU.
ALL_STOPPED = "capsule hello0 stopped all its vCPUs; halted"


@pytest.fixture(scope="module", params=CONFIGS)
def boot(request):
    return qemu.build_and_run(request.param, BOOT_TIMEOUT)


def test_qemu_exits_by_itself(boot):
    qemu.assert_exited_cleanly(
        boot, f"QEMU still ran after {BOOT_TIMEOUT} s (killed)",
        why_status_0="the hypervisor powers off when the last capsule is off, "
                     "and every capsule shut down cleanly")
    if "powering off: every capsule ended cleanly" not in boot.lines("bulkhead"):
        qemu.fail(boot, "the hypervisor did not log 'powering off: every capsule "
                        "ended cleanly'")


def test_no_panic(boot):
    qemu.assert_no_panic(boot)


def test_a_capsule_whose_vcpus_all_stopped_is_off(boot):
    if ALL_STOPPED not in boot.lines("bulkhead"):
        qemu.fail(boot, f"no '[bulkhead] {ALL_STOPPED}' line after hello0's last hart_stop")


def test_vcpu_entries_are_not_logged_at_info_level(boot):
    """qemu-hello runs at log-level info; the per-entry PMP digest lines are
    debug messages, so a guest starting and stopping harts in a loop cannot
    flood the console with them."""
    entries = [line for line in boot.lines("bulkhead") if " pmp " in line]
    if entries:
        qemu.fail(boot, f"vCPU entry/exit logged at info level: {entries[:3]}")


@pytest.mark.parametrize("name", CAPSULES)
def test_every_check_passes(boot, name):
    problems = qemu.hello_problems(boot, boot.config, name)
    if problems:
        qemu.fail(boot, f"{name}:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("name", CAPSULES)
def test_guest_sees_its_device_tree(boot, name):
    capsule = qemu.capsule_config(boot.config, name)
    board = qemu.load_board(boot.config)
    headers = [m for m in map(HEADER.match, boot.lines(name)) if m]
    if len(headers) != 1:
        qemu.fail(boot, f"{name}: expected one 'hello: vhart ...' line, found {len(headers)}")
    vhart, vcpus, base, size, timebase, sstc, bootargs = headers[0].groups()
    want = {
        "boot vhart": (int(vhart), 0),
        "vCPU count": (int(vcpus), capsule["vcpus"]),
        "memory size": (int(size, 16), qemu.parse_size(capsule["memory"]["size"])),
        "timebase": (int(timebase), board["timebase-frequency"]),
        "sstc in the ISA": (bool(sstc), "sstc" in capsule.get(
            "isa-extensions", board["isa"]["extensions"])),
        "bootargs": (bootargs, capsule["payload"].get("bootargs", "")),
    }
    if "base" in capsule["memory"]:
        want["memory base"] = (int(base, 16), int(str(capsule["memory"]["base"]), 0))
    wrong = [f"{what}: guest saw {got!r}, config says {exp!r}"
             for what, (got, exp) in want.items() if got != exp]
    if wrong:
        qemu.fail(boot, f"{name}: " + "; ".join(wrong))


@pytest.mark.parametrize("name", CAPSULES)
def test_consoles_reach_the_capsule_stream(boot, name):
    """DBCN and the virtual UART both end up as `[name] ` lines; the UART is
    at the board console's address."""
    lines = boot.lines(name)
    if "hello: dbcn console_write works" not in lines:
        qemu.fail(boot, f"{name}: the DBCN console_write line is missing")
    if qemu.hello_expected(boot.config, name)["uart"] != "PASS":
        return
    uarts = [m for m in map(UART_LINE.match, lines) if m]
    if len(uarts) != 1:
        qemu.fail(boot, f"{name}: expected one line written through the virtual UART, "
                        f"found {len(uarts)}")
    board = qemu.load_board(boot.config)
    console = board["devices"][board["hypervisor-devices"]["console"]]
    if int(uarts[0].group(1), 16) != console["base"]:
        qemu.fail(boot, f"{name}: virtual UART at {uarts[0].group(1)}, the board console "
                        f"is at {console['base']:#x}")


@pytest.mark.parametrize("name", CAPSULES)
def test_sbi_base_answers_as_the_hypervisor_says(boot, name):
    """BASE's answers on the fast path (arch/riscv/entry.S): spec 2.0,
    "BULK", and as implementation version the version the hypervisor's
    banner prints from the same constant the C path answers with."""
    lines = [m for m in map(SBI_LINE.match, boot.lines(name)) if m]
    banners = [m for m in map(BANNER.match, boot.lines("bulkhead")) if m]
    if len(lines) != 1 or len(banners) != 1:
        qemu.fail(boot, f"{name}: expected one 'hello: sbi ...' line and one banner, "
                        f"found {len(lines)} and {len(banners)}")
    spec, impl, version = lines[0].groups()
    want = ("2.0", "42554c4b", banners[0].group(1))
    if (spec, impl, version) != want:
        qemu.fail(boot, f"{name}: SBI {spec}, implementation {impl} version {version}; "
                        f"want {want[0]}, {want[1]} version {want[2]} (the banner's)")
