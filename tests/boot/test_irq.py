# SPDX-License-Identifier: MIT
"""qemu-irq: a passthrough device's interrupt reaches its capsule directly.

`irq` owns the goldfish RTC (PLIC source 11 on qemu-virt; sifive-u-hello,
in test_hello, does the same with a sifive,uart0). hello's
`irq-direct` check sets the source's priority and enable through the
emulated shared registers (reading them back), arms the RTC alarm three
times, and its S-mode handler claims and completes each interrupt in its
own context page; between two reads of its hart's trap counters (Bulkhead
SBI extension) the hypervisor took exactly one trap, the second read, and
no external interrupt ever reached M-mode. `plain` owns no device: SKIP.
When each capsule ends the hypervisor logs its vCPUs' trap counts: no
`m-external` and no `s-external` among them (S external interrupts are
delegated). QEMU exits by itself with status 0.
"""

import qemu

CONFIG = "qemu-irq"
BOOT_TIMEOUT = 120  # hang guard, not a speed target


def test_irq_direct():
    boot = qemu.build_and_run(CONFIG, BOOT_TIMEOUT)
    qemu.assert_exited_cleanly(boot, "qemu-irq did not exit by itself")
    qemu.assert_no_panic(boot)
    for name in ("irq", "plain"):
        problems = qemu.hello_problems(boot, CONFIG, name)
        if problems:
            qemu.fail(boot, f"capsule {name}: " + "; ".join(problems))
    counts = [qemu.TRAP_COUNTS.match(text) for text in boot.lines("bulkhead")]
    counts = [m for m in counts if m]
    logged = {(m.group(1), int(m.group(2))) for m in counts}
    if logged != {("irq", 0), ("irq", 1), ("plain", 0)}:
        qemu.fail(boot, f"trap count lines for {sorted(logged)}, "
                        "expected one per vCPU of irq and plain")
    for m in counts:
        names = m.group(4).split()[::2]
        if "m-external" in names or "s-external" in names:
            qemu.fail(boot, f"an external interrupt reached M-mode: {m.group(0)}")
    irq0 = next(m for m in counts if m.group(1) == "irq" and m.group(2) == "0")
    # hello made SBI calls and its PLIC setup trapped (emulated loads/stores).
    names = irq0.group(4).split()[::2]
    assert "ecall-s" in names and "store-access" in names and "load-access" in names, irq0.group(0)
