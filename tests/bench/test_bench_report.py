# SPDX-License-Identifier: MIT
"""What `make bench` prints when a boot fails, with fake QEMUs (shell
commands) and a short timeout: no QEMU, kernel or Linux is needed.

- A hung boot, Bulkhead or direct, prints one line per attempt on stderr
  naming the boot, the capsules without a login prompt, the timeout,
  attempt n of N and the file holding the whole console; the console itself
  reaches neither stdout nor stderr. After N hangs the bench gives up.
- A QEMU that exits early ends the bench with one line, its console saved.

The footprint's agreement with the build is tested where an image is built:
tests/hypervisor/test_image.py.
"""

import importlib.util
import re
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parent / "run.py"
TIMEOUT = 0.5
# Console text a fake QEMU prints; it must stay out of the terminal.
RAW = "OpenSBI v1.1 raw-console-marker"
BANNER = "Debian GNU/Linux. Log in as root, no password."


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def fake_qemu(console, then="sleep 30"):
    """A command that prints console lines, then hangs (or does `then`)."""
    script = "".join(f"printf '%s\\n' '{line}'; " for line in console) + then
    return ["sh", "-c", script]


def hang_lines(err):
    return [l for l in err.splitlines() if l.startswith("bench: warning: ")]


def run_until_given_up(boot, make_launches, tmp_path, attempts=2):
    hangs = {}
    with pytest.raises(bench.BenchError, match=f"hung {attempts} times in a row"):
        bench.timed(boot, make_launches, hangs, TIMEOUT, tmp_path, attempts)
    return hangs


def test_hung_direct_boot_prints_one_line_per_attempt(tmp_path, capsys):
    launches = lambda: [bench.Launch("direct linux0", fake_qemu([RAW]), ["linux0"], False)]
    hangs = run_until_given_up("direct, alone", launches, tmp_path)
    out, err = capsys.readouterr()
    assert out == ""
    assert RAW not in err
    assert err.splitlines() == hang_lines(err), f"stray lines on stderr:\n{err}"
    assert len(hang_lines(err)) == 2
    for attempt, line in enumerate(hang_lines(err), 1):
        m = re.fullmatch(r"bench: warning: direct, alone boot hung: no login prompt "
                         r"from linux0 within 0\.5 s \(attempt (\d) of 2\); "
                         r"console log: (\S+)", line)
        assert m, line
        assert int(m.group(1)) == attempt
        log = Path(m.group(2))
        assert log.resolve().parent == tmp_path.resolve(), line
        assert RAW in log.read_text(), line
    assert hangs == {"direct, alone": 2}


def test_hung_bulkhead_boot_names_only_the_capsules_without_a_prompt(tmp_path, capsys):
    console = [f"[linux0] {BANNER}", f"[linux1] {RAW}"]
    launches = lambda: [bench.Launch("Bulkhead", fake_qemu(console),
                                     ["linux0", "linux1"], True)]
    run_until_given_up("Bulkhead", launches, tmp_path, attempts=1)
    out, err = capsys.readouterr()
    assert out == "" and RAW not in err
    [line] = err.splitlines()
    assert "Bulkhead boot hung: no login prompt from linux1 within" in line, line
    assert "(attempt 1 of 1)" in line, line


def test_hung_concurrent_boot_logs_every_qemu_in_one_file(tmp_path, capsys):
    launches = lambda: [
        bench.Launch("direct linux0", fake_qemu([BANNER]), ["linux0"], False),
        bench.Launch("direct linux1", fake_qemu([RAW]), ["linux1"], False)]
    run_until_given_up("direct, concurrent", launches, tmp_path, attempts=1)
    [line] = capsys.readouterr().err.splitlines()
    assert "no login prompt from linux1 within" in line, line
    log = Path(line.rsplit("console log: ", 1)[1]).read_text()
    assert "==== direct linux0: every login prompt shown" in log
    assert "==== direct linux1: no login prompt from linux1" in log
    assert BANNER in log and RAW in log


def test_a_boot_after_a_hang_is_timed(tmp_path, capsys):
    commands = iter([fake_qemu([RAW]), fake_qemu([BANNER])])
    launches = lambda: [bench.Launch("direct linux0", next(commands), ["linux0"], False)]
    hangs = {}
    [launch] = bench.timed("direct, alone", launches, hangs, TIMEOUT, tmp_path)
    assert set(launch.times) == {"linux0"}
    assert hangs == {"direct, alone": 1}
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_qemu_exiting_early_ends_the_bench_in_one_line(tmp_path, capsys):
    launches = lambda: [bench.Launch("direct linux0", fake_qemu([RAW], "exit 1"),
                                     ["linux0"], False)]
    with pytest.raises(bench.BenchError) as error:
        bench.timed("direct, alone", launches, {}, TIMEOUT, tmp_path)
    message = str(error.value)
    assert "\n" not in message and RAW not in message, message
    assert "QEMU (direct linux0) exited before the login prompt of linux0" in message
    log = Path(message.rsplit("console log: ", 1)[1])
    assert RAW in log.read_text()
    out, err = capsys.readouterr()
    assert out == err == ""
