# SPDX-License-Identifier: MIT
"""Device-register ordering (hypervisor/include/bulkhead/mmio.h).

RVWMO orders a device access against normal memory only through a fence
that names I/O. Two checks:

- platform code reaches device registers only through the mmio.h accessors
  (no volatile pointer of its own);
- in the built qemu-hello image, on the path the instructions take (calls
  and tail calls followed), a cross-hart message is ordered as
  hypervisor/core/mailbox.c argues: the sender's mailbox AMO, then a fence
  whose predecessor set has w and successor set has o, then the msip store;
  the receiver's msip store, then a fence with o before and r after, then
  the mailbox swap.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "hypervisor" / "platform"
ELF = ROOT / "build" / "qemu-hello" / "bulkhead.elf"
OBJDUMP = "riscv64-unknown-elf-objdump"
BUILD_TIMEOUT = 600  # hang guard

RAW_MMIO = re.compile(r"volatile\s+u?int(8|16|32|64)_t\s*\*|\bvolatile\b(?!\s*\()")
FUNCTION = re.compile(r"^[0-9a-f]+ <([^>]+)>:$")
INSN = re.compile(r"^\s*[0-9a-f]+:\s+(\S+)\s*(.*)$")
TARGET = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>$")
FENCE_SETS = re.compile(r"^([iorw]+),([iorw]+)$")


def test_platform_code_has_no_raw_mmio():
    offenders = []
    for path in sorted(PLATFORM.glob("*.c")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("//")[0]
            if "asm volatile" not in code and RAW_MMIO.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, ("device registers touched without bulkhead/mmio.h:\n"
                           + "\n".join(offenders))


@pytest.fixture(scope="module")
def functions():
    """{name: [(mnemonic, operands), ...]} of the built qemu-hello image."""
    result = subprocess.run(["make", "--no-print-directory", "CONFIG=qemu-hello"],
                            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    dump = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", str(ELF)],
                          capture_output=True, text=True, check=True).stdout
    functions, current = {}, None
    for line in dump.splitlines():
        m = FUNCTION.match(line)
        if m:
            current = functions.setdefault(m.group(1), [])
            continue
        m = INSN.match(line)
        if m and current is not None:
            current.append((m.group(1), m.group(2)))
    return functions


# Calls nested deeper than this stay calls: the orders checked here are
# within a few calls of the function traced (and recursion ends).
MAX_DEPTH = 6


def trace(functions, name, depth=0):
    """The function's instructions in order, with the body of every function
    it calls (jalr/jal) or tail-calls (jr/j) spliced in where it does, down
    to MAX_DEPTH."""
    out = []
    for mnemonic, operands in functions[name]:
        target = TARGET.search(operands)
        calls = mnemonic in ("jal", "jalr", "call", "jr", "j", "tail")
        if (calls and target and target.group(1) in functions and target.group(1) != name
                and depth < MAX_DEPTH):
            out.extend(trace(functions, target.group(1), depth + 1))
            if mnemonic in ("jr", "j", "tail"):
                return out
            continue
        out.append((mnemonic, operands))
    return out


def fence_sets(mnemonic, operands):
    """(predecessor, successor) of a fence; a bare fence is iorw,iorw."""
    if mnemonic != "fence":
        return None
    if not operands.strip():
        return "iorw", "iorw"
    m = FENCE_SETS.match(operands.strip())
    return (m.group(1), m.group(2)) if m else None


def index_of(insns, predicate, start=0):
    for i in range(start, len(insns)):
        if predicate(*insns[i]):
            return i
    return None


def has_fence(insns, pred, succ):
    for mnemonic, operands in insns:
        sets = fence_sets(mnemonic, operands)
        if sets and set(pred) <= set(sets[0]) and set(succ) <= set(sets[1]):
            return True
    return False


def listing(insns):
    return "\n".join(f"  {m} {o}" for m, o in insns)


def test_post_fences_the_mailbox_before_the_msip_store(functions):
    insns = trace(functions, "bh_mailbox_post")
    amo = index_of(insns, lambda m, o: m.startswith("amoor.w"))
    assert amo is not None, "no amoor.w in bh_mailbox_post:\n" + listing(insns)
    store = index_of(insns, lambda m, o: m == "sw", amo + 1)
    assert store is not None, "no msip store after the AMO:\n" + listing(insns)
    assert has_fence(insns[amo + 1:store], "w", "o"), (
        "no fence w,o between the mailbox AMO and the msip store:\n" + listing(insns))


def test_service_orders_the_msip_clear_before_the_mailbox_read(functions):
    insns = trace(functions, "bh_mailbox_service")
    swap = index_of(insns, lambda m, o: m.startswith("amoswap.w"))
    assert swap is not None, "no amoswap.w in bh_mailbox_service:\n" + listing(insns)
    stores = [i for i in range(swap) if insns[i][0] == "sw"]
    assert stores, "no msip store before the mailbox swap:\n" + listing(insns)
    assert has_fence(insns[stores[-1] + 1:swap], "o", "r"), (
        "no fence o,r between the msip clear and the mailbox swap:\n" + listing(insns))
