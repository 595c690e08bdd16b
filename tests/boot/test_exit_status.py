# SPDX-License-Identifier: MIT
"""QEMU's exit status for CI: a test payload whose check fails makes the run
fail (issue 8, item 13; docs/design.md, "Exit status").

The shared guest runtime (guests/common) shuts its capsule down with SBI
SRST reason "system failure" when it printed any `FAIL ` line. Here a
`faulter` capsule given an unknown mode prints `FAIL faulter: unknown mode`
and shuts down: the hypervisor counts an unclean ending and QEMU exits with
status 3, which `make run` reports as `Error 3`. The config lives outside
the repository (`make run CONFIG=/path/to/x.yaml`), as a CI user's would.
The clean way (status 0) is asserted by every shipped config whose checks
pass (tests/boot/test_hello.py and the others).
"""

import re
import subprocess
import textwrap

import qemu

BOOT_TIMEOUT = 120  # hang guard, not a speed target
UNCLEAN = 3

CONFIG = textwrap.dedent("""\
    board: qemu-virt
    hypervisor:
      console:
        focus: failing
    capsules:
      - name: failing
        vcpus: 1
        harts: [0]
        memory:
          size: 4MiB
        payload:
          guest: faulter
          bootargs: "mode=none"
        console: sbi
    """)


def test_a_failed_check_in_a_capsule_fails_the_run(tmp_path):
    config = tmp_path / "exit-status-failure.yaml"
    config.write_text(CONFIG)
    result = subprocess.run(["make", "--no-print-directory", "run", f"CONFIG={config}"],
                            cwd=qemu.ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=BOOT_TIMEOUT + 600)
    output = (result.stdout + result.stderr).replace("\r", "")
    assert "[failing] FAIL faulter: unknown mode 'none' in bootargs" in output, output
    assert ("[bulkhead] powering off: 1 capsule ended uncleanly, exit status 3"
            in output), output
    assert result.returncode == 2, f"make run: status {result.returncode}\n{output}"
    assert re.search(rf"\] Error {UNCLEAN}\s*$", output, re.MULTILINE), output
