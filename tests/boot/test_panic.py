# SPDX-License-Identifier: MIT
"""A fault inside the hypervisor itself stops the machine with a clear
panic message, never a silent hang (docs/design.md, Boot and Traps).

Each test corrupts the generated tables of qemu-hello in a scratch copy of
the tree the way `bulkhead-gen build` never would, relinks the hypervisor
with `make -C hypervisor`, boots the image with the command in
gen/qemu.args and checks that QEMU exits by itself with a failure status
after one `[bulkhead] PANIC hart N: ...` line:

- tables that disagree with themselves: the boot-time check on hart 0 names
  the inconsistency before any capsule runs;
- a capsule name pointing at unmapped memory: printing the banner takes a
  load access fault in M-mode on hart 0, reported with mcause, mepc and
  mtval;
- a capsule PMP table pointing at unmapped memory: hart 2 faults in M-mode
  as it enters its capsule, while hart 0 already runs the other capsule
  and prints; the panic names hart 2, is a line of its own and stops the
  whole machine;
- a fault injected into the console code (a copy of hypervisor/ with one
  line patched) while the faulting hart holds the console lock: the panic
  still prints, on a line of its own, instead of waiting for the lock.

The shipped sources are not changed: only the scratch copy's generated
tables.c, or a copy of hypervisor/ made for the one test. The work tree's
build/ is left alone. Timeouts are hang guards, not speed targets.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess

import pytest

import scratch

CONFIG = "qemu-hello"
BUILD_TIMEOUT = 900
BOOT_TIMEOUT = 60
NM = "riscv64-unknown-elf-nm"

# Nothing is mapped at the bottom of the QEMU virt address space.
UNMAPPED = 0x8
LOAD_ACCESS_FAULT = 0x5

PANIC_LINE = re.compile(r"^\[bulkhead\] PANIC hart (\d+): (.*)$", re.MULTILINE)
TRAP = re.compile(r"^mcause=(0x[0-9a-f]+) mepc=(0x[0-9a-f]+) mtval=(0x[0-9a-f]+|0)$")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A scratch copy of the tree with qemu-hello built in it."""
    dest = scratch.copy_tree(tmp_path_factory.mktemp("panic") / "tree")
    make(dest, [f"CONFIG={CONFIG}"], f"make CONFIG={CONFIG} in {dest}")
    return dest


def make(cwd, args, what):
    """`make args` in cwd; fails the test with make's whole output, saying
    that what failed."""
    result = subprocess.run(["make", "--no-print-directory", *args],
                            cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        pytest.fail(f"{what} failed:\n" + result.stdout + result.stderr, pytrace=False)


def edit(path, edits):
    """Apply each (old, new) edit to the file; each old text must occur
    exactly once, so a changed source fails here rather than testing
    nothing."""
    text = path.read_text()
    for old, new in edits:
        count = text.count(old)
        if count != 1:
            pytest.fail(f"{path}: expected exactly one {old!r} to corrupt, found "
                        f"{count}; has it changed since this test was written?",
                        pytrace=False)
        text = text.replace(old, new)
    path.write_text(text)


def corrupt(tree, name, tables_edits=(), source_edits=None):
    """Copy build/qemu-hello to build/name and apply tables_edits to its
    gen/tables.c; with source_edits ({path under hypervisor/: edits}),
    apply them to a copy of hypervisor/ of its own. Relink and return the
    new image's directory."""
    out = tree / "build" / name
    shutil.copytree(tree / "build" / CONFIG, out, symlinks=True)
    edit(out / "gen" / "tables.c", tables_edits)
    sources = tree / "hypervisor"
    if source_edits:
        sources = tree / f"hypervisor-{name}"
        shutil.copytree(tree / "hypervisor", sources, symlinks=True)
        for path, edits in source_edits.items():
            edit(sources / path, edits)
    make(tree, ["-C", str(sources), f"GEN={out / 'gen'}", f"OUT={out}"],
         f"relinking the hypervisor for {name}")
    return out


def boot(tree, out):
    """QEMU as `make run` starts it, until it exits by itself or the guard."""
    args = shlex.split((out / "gen" / "qemu.args").read_text())
    proc = subprocess.Popen([*args, "-kernel", str(out / "bulkhead.elf")],
                            cwd=tree, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=BOOT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"QEMU still ran after {BOOT_TIMEOUT} s (killed): a silent hang "
                    f"instead of a panic:\n{output}", pytrace=False)
    return proc.returncode, output.replace("\r", "")


def the_panic(status, output):
    """(hart, message) of the one panic line, after checking that QEMU
    failed and that the panic was the last thing the hypervisor said."""
    assert status != 0, f"QEMU exited with status 0 after a panic:\n{output}"
    panics = PANIC_LINE.findall(output)
    assert len(panics) == 1, f"expected one PANIC line:\n{output}"
    hypervisor_lines = [line for line in output.splitlines()
                        if line.startswith("[bulkhead] ")]
    assert PANIC_LINE.match(hypervisor_lines[-1]), (
        f"the hypervisor went on after its panic:\n{output}")
    assert "all capsules are off" not in output, output
    return int(panics[0][0]), panics[0][1]


def image_text(out):
    """[start, end) of the hypervisor's code in its image."""
    result = subprocess.run([NM, str(out / "bulkhead.elf")], capture_output=True,
                            text=True, check=True)
    symbols = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3:
            symbols[fields[2]] = int(fields[0], 16)
    return symbols["__image_start"], symbols["__etext"]


def check_trap(out, message, output, tval_range):
    trap = TRAP.match(message)
    assert trap, f"the panic does not give mcause, mepc and mtval:\n{output}"
    cause, epc, tval = (int(v, 16) for v in trap.groups())
    assert cause == LOAD_ACCESS_FAULT, f"mcause {cause:#x}, not a load access fault"
    start, end = image_text(out)
    assert start <= epc < end, (
        f"mepc {epc:#x} is outside the hypervisor's code [{start:#x}, {end:#x})")
    assert tval in tval_range, (
        f"mtval {tval:#x} is not the corrupt address {tval_range.start:#x}")


def test_inconsistent_tables_panic_before_any_capsule_runs(tree):
    out = corrupt(tree, "panic-hart-map", tables_edits=[
        (".vcpu_harts = { 2 },", ".vcpu_harts = { 3 },"),
    ])
    status, output = boot(tree, out)
    hart, message = the_panic(status, output)
    assert hart == 0, output
    assert message == ("the generated tables are inconsistent: capsule hello1 "
                       "vCPU 0 names hart 3, whose table entry disagrees"), output
    assert not re.search(r"^\[(?!bulkhead\])", output, re.MULTILINE), (
        f"a capsule ran on inconsistent tables:\n{output}")
    assert "Bulkhead" not in output, f"the banner came before the check:\n{output}"


def test_a_pmp_entry_beyond_the_capsule_panics_before_any_capsule_runs(tree):
    """The boot check decodes every PMP entry as the hardware reads it: a
    NAPOT entry twice the size of hello1's memory is refused at boot."""
    out = corrupt(tree, "panic-pmp-wide", tables_edits=[
        ("{ .addr = 0x209fffff, .cfg = 0x1f },", "{ .addr = 0x20bfffff, .cfg = 0x1f },"),
    ])
    status, output = boot(tree, out)
    hart, message = the_panic(status, output)
    assert hart == 0, output
    assert message == ("the generated tables are inconsistent: capsule hello1 PMP "
                       "entry 0 [0x82000000, 0x84000000) reaches beyond its memory "
                       "and devices"), output
    assert not re.search(r"^\[(?!bulkhead\])", output, re.MULTILINE), (
        f"a capsule ran with a PMP entry beyond its memory:\n{output}")


def test_m_mode_fault_at_boot_panics_with_the_trap_state(tree):
    out = corrupt(tree, "panic-boot-fault", tables_edits=[
        ('.name = "hello1",', f".name = (const char *){UNMAPPED:#x},"),
    ])
    status, output = boot(tree, out)
    hart, message = the_panic(status, output)
    assert hart == 0, output
    check_trap(out, message, output, range(UNMAPPED, UNMAPPED + 1))
    assert "capsule hello0: vcpus->harts" in output, (
        f"the fault should come while the banner names hello1:\n{output}")
    assert not re.search(r"^\[(?!bulkhead\])", output, re.MULTILINE), (
        f"a capsule ran although boot faulted:\n{output}")


def test_m_mode_fault_on_another_hart_stops_the_machine(tree):
    # Hart 2 alone reads unmapped memory as it enters hello1's vCPU 0 (the
    # tables are fine: hart 0's boot check reads every table itself).
    out = corrupt(tree, "panic-hart2-fault", source_edits={
        "core/vcpu.c": [
            ("\tbh_isolation_enter(c, vc->vcpu);",
             f"\tif (vc->hart == 2)\n\t\t(void)*(volatile const uint64_t *)bh_arch_phys({UNMAPPED:#x});\n"
             "\tbh_isolation_enter(c, vc->vcpu);"),
        ],
    })
    status, output = boot(tree, out)
    hart, message = the_panic(status, output)
    assert hart == 2, f"hello1's vCPU 0 runs on hart 2:\n{output}"
    check_trap(out, message, output, range(UNMAPPED, UNMAPPED + 16))
    assert not re.search(r"^\[hello1\]", output, re.MULTILINE), (
        f"hello1 ran without its PMP configuration:\n{output}")
    assert not re.search(r"^\[hello0\] hello: done$", output, re.MULTILINE), (
        f"hello0 ran to the end: the machine went on after the panic:\n{output}")


def test_m_mode_fault_with_the_console_lock_held_still_panics(tree):
    """A fault while the faulting hart holds the console lock (here: the
    console reading a capsule's name from unmapped memory as it prefixes
    the capsule's first line): the panic does not wait for the lock forever
    and starts its own line."""
    out = corrupt(tree, "panic-console-fault", source_edits={
        "core/console.c": [
            ("put_raw(bh_capsules[capsule].name, name_len(capsule));",
             f"put_raw((const char *){UNMAPPED:#x}, name_len(capsule));"),
        ],
    })
    status, output = boot(tree, out)
    _, message = the_panic(status, output)
    check_trap(out, message, output, range(UNMAPPED, UNMAPPED + 1))
