# SPDX-License-Identifier: MIT
"""Helpers for QEMU boot tests: build a system, boot it with no terminal on
stdin until QEMU exits by itself, split the console into one stream per
capsule by the `[name] ` prefix the hypervisor puts on every line, and the
checks and failure report the boot tests share.

Timeouts here are hang guards, not speed assertions.
"""

import datetime
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PREFIXED = re.compile(r"^\[([A-Za-z0-9_.-]+)\] ?(.*)$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# On a terminal, the hypervisor erases the focused capsule's unfinished line
# with this before other output, and redraws the line after that output
# (docs/design.md, "Terminal or log").
ERASE = "\r\x1b[K"
CHECK_LINE = re.compile(r"^(PASS|FAIL|SKIP) ([a-z0-9-]+)(?:: (.*))?$")
# A hypervisor panic or a capsule fault the hypervisor reports.
PANIC = re.compile(r"panic", re.IGNORECASE)
# QEMU's exit status when a capsule ended uncleanly (docs/design.md, "Exit
# status"); a panic's is 1. `make run` then fails with status 2, saying
# "Error 3".
UNCLEAN_EXIT = 3
# The hypervisor's trap-count line for each vCPU of a capsule that ended
# (docs/design.md, "Trap counters").
TRAP_COUNTS = re.compile(r"^capsule (\S+) vcpu (\d+) hart (\d+) traps: (.*)$")
MAKE_FAILED = 2


def load_yaml(relpath):
    return yaml.safe_load((ROOT / relpath).read_text())


def load_config(config):
    return load_yaml(f"configs/{config}.yaml")


def load_board(config):
    return load_yaml(f"boards/{load_config(config)['board']}.yaml")


def build(config, timeout=900):
    """`make CONFIG=config`; fails the test with the build's tail on error."""
    result = subprocess.run(["make", "--no-print-directory", f"CONFIG={config}"],
                            cwd=ROOT, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).splitlines()[-40:]
        pytest.fail(f"make CONFIG={config} failed (status {result.returncode}):\n"
                    + "\n".join(tail), pytrace=False)


def build_and_run(config, timeout):
    """build(config), then run_to_exit(config, timeout): the boot a test
    module's `boot` fixture shares among its tests."""
    build(config)
    return run_to_exit(config, timeout=timeout)


@dataclass
class Boot:
    """One `make run` from start to QEMU's exit (or the hang guard)."""
    config: str
    output: str
    returncode: int
    timed_out: bool
    streams: dict = field(default_factory=dict)  # prefix -> [line, ...]
    # The host's time.time() when `make run` started and when QEMU had exited.
    started: float = 0.0
    ended: float = 0.0

    def lines(self, name):
        return self.streams.get(name, [])

    def report(self, names=None, count=30):
        """The tail of each capsule's stream (and the hypervisor's and any
        unprefixed output), for failure messages."""
        if names is None:
            names = list(self.streams)
        out = []
        for name in names:
            lines = self.lines(name)[-count:]
            label = f"[{name}]" if name else "unprefixed output"
            out.append(f"--- last {len(lines)} lines of {label} ---")
            out.extend(lines)
        return "\n".join(out)

    def log_path(self):
        return ROOT / "build" / self.config / "boot.log"

    def save(self):
        path = self.log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.output)
        return path


def shown(line):
    """What a terminal shows of one line as it came: what follows its last
    erase, without escape sequences and carriage returns."""
    return ANSI.sub("", line.rsplit(ERASE, 1)[-1]).replace("\r", "")


def ordered_lines(output):
    """[(prefix, text)] for every complete line, in console order; prefix
    is "" for a line without one."""
    text = ANSI.sub("", output).replace("\r", "")
    lines = []
    for line in text.split("\n")[:-1]:
        m = PREFIXED.match(line)
        lines.append((m.group(1), m.group(2)) if m else ("", line))
    return lines


def split_streams(output):
    """Maps each `[name]` prefix to its lines; "" collects unprefixed lines."""
    streams = {}
    text = ANSI.sub("", output).replace("\r", "")
    for line in text.split("\n"):
        m = PREFIXED.match(line)
        name, rest = (m.group(1), m.group(2)) if m else ("", line)
        if name == "" and rest == "":
            continue
        streams.setdefault(name, []).append(rest)
    return streams


def make_run(config, extra_args=()):
    """The command of `make run CONFIG=config`."""
    return ["make", "--no-print-directory", "run", f"CONFIG={config}", *extra_args]


def _start(cmd, stdin):
    # Its own session, so a hang guard can end make and QEMU together.
    return subprocess.Popen(cmd, cwd=ROOT, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def run_command_to_exit(config, cmd, timeout):
    """Runs cmd (a boot of config) with stdin on /dev/null and waits until it
    exits by itself or timeout seconds pass (then its whole session is
    killed); its console as a Boot."""
    started = time.time()
    proc = _start(cmd, subprocess.DEVNULL)
    timed_out = False
    try:
        raw, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        # make execs QEMU in its own session: end the whole group.
        os.killpg(proc.pid, signal.SIGKILL)
        raw, _ = proc.communicate()
    output = raw.decode("utf-8", errors="replace")
    return Boot(config=config, output=output, returncode=proc.returncode,
                timed_out=timed_out, streams=split_streams(output), started=started,
                ended=time.time())


def run_to_exit(config, timeout=120, extra_args=()):
    """Boots `make run CONFIG=config` with stdin on /dev/null and waits until
    QEMU exits by itself or timeout seconds pass (then it is killed)."""
    boot = run_command_to_exit(config, make_run(config, extra_args), timeout)
    boot.save()
    return boot


def fail(boot, message):
    """Fails the test with message, the tail of every capsule's stream (in
    config order), of the hypervisor's and of any unprefixed output, and
    where the whole console is kept."""
    names = [c["name"] for c in load_config(boot.config)["capsules"]]
    pytest.fail(f"{message}\n{boot.report(names + ['bulkhead', ''])}\n"
                f"--- whole console: {boot.log_path()} ---", pytrace=False)


def assert_exited_cleanly(boot, timed_out_message, why_status_0=""):
    """QEMU exited by itself (timed_out_message says what the hang guard
    catching it means) and `make run` with status 0 (why_status_0, if given,
    says why 0 is expected)."""
    if boot.timed_out:
        fail(boot, timed_out_message)
    if boot.returncode != 0:
        why = f" ({why_status_0})" if why_status_0 else ""
        fail(boot, f"make run exited with status {boot.returncode}, expected 0{why}")


def assert_exited_with(boot, code, timed_out_message, why=""):
    """QEMU exited by itself with status code (why says why); through
    `make run`, a non-zero code is make's failure status and its
    "Error CODE" message."""
    if code == 0:
        assert_exited_cleanly(boot, timed_out_message, why)
        return
    if boot.timed_out:
        fail(boot, timed_out_message)
    reason = f" ({why})" if why else ""
    if boot.returncode != MAKE_FAILED:
        fail(boot, f"make run exited with status {boot.returncode}, expected "
                   f"{MAKE_FAILED}: QEMU's status {code}{reason}")
    if not re.search(rf"\] Error {code}\s*$", boot.output, re.MULTILINE):
        fail(boot, f"make run did not say 'Error {code}' (QEMU's exit status){reason}")


def assert_no_panic(boot, why=""):
    """No console line mentions a panic; why, if given, says why none may."""
    panics = [line for line in boot.output.splitlines() if PANIC.search(line)]
    if panics:
        reason = f" ({why})" if why else ""
        fail(boot, f"panic on the console{reason}:\n" + "\n".join(panics))


def check_results(lines):
    """{check: (verdict, why)} from a capsule's PASS/FAIL/SKIP lines. A check
    reported twice keeps every verdict, so duplicates can be caught."""
    results = {}
    for line in lines:
        m = CHECK_LINE.match(line)
        if m:
            results.setdefault(m.group(2), []).append((m.group(1), m.group(3) or ""))
    return results


class LiveBoot:
    """`make run` with a pipe on stdin, for tests that type into the console
    while the system runs. Output is collected by a thread; wait_for() polls
    it. finish() waits for QEMU's exit and returns a Boot."""

    def __init__(self, config, extra_args=()):
        self.config = config
        self.started = time.time()
        self.proc = _start(make_run(config, extra_args), subprocess.PIPE)
        self._chunks = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            data = self.proc.stdout.read1(65536)
            if not data:
                return
            with self._lock:
                self._chunks.append(data)

    def output(self):
        with self._lock:
            return b"".join(self._chunks).decode("utf-8", errors="replace")

    def ordered_lines(self):
        """[(prefix, text)] for every complete line so far, in console order."""
        return ordered_lines(self.output())

    def wait_for(self, predicate, timeout):
        """Polls until predicate(ordered_lines()) is true; False on timeout
        or when QEMU has exited without it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.ordered_lines()):
                return True
            if self.proc.poll() is not None:
                self._reader.join(5)
                return bool(predicate(self.ordered_lines()))
            time.sleep(0.2)
        return False

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def finish(self, timeout):
        """Waits up to timeout s for QEMU to exit by itself (then kills it)."""
        timed_out = False
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._reader.join(5)
        output = self.output()
        boot = Boot(config=self.config, output=output,
                    returncode=self.proc.returncode, timed_out=timed_out,
                    streams=split_streams(output), started=self.started,
                    ended=time.time())
        boot.save()
        return boot

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


# ---- the hello guest's protocol (guests/hello/hello.c) ----------------------

# Every check hello runs, in its order.
HELLO_CHECKS = ["sbi-base", "sbi-registers", "dbcn", "uart", "uart-registers", "hsm", "timer-sbi",
                "timer-sstc",
                "ipi", "rfence", "isolation", "delegation", "forwarding", "time", "time-of-day",
                "hsm-restart", "hsm-suspend", "hsm-suspend-ipi", "hsm-stop", "irq-direct"]
# hello's line for its time-of-day check: the date, then the same in seconds.
HELLO_TIME_OF_DAY = re.compile(r"^hello: time of day (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) "
                               r"UTC \((\d+) s since 1970\)$")
# How far a capsule's time of day may be from the host's while it ran: the
# guest prints whole seconds, and the board's clock and time CSR (QEMU's
# host and virtual clocks) may drift apart a little. A correctness margin,
# not a speed target.
TIME_OF_DAY_SLACK = 5


def device_names(capsule):
    """A capsule's passthrough devices: plain names or {name: ...} mappings."""
    return [d if isinstance(d, str) else d["name"] for d in capsule.get("devices", [])]


def parse_size(text):
    """Bytes of a config size: a number, or one with KiB, MiB or GiB."""
    m = re.fullmatch(r"(\d+)\s*([KMG]i?B)?", str(text))
    assert m, f"cannot read size {text!r}"
    unit = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, None: 1}
    return int(m.group(1)) * unit[m.group(2)]


def capsule_config(config, name):
    return next(c for c in load_config(config)["capsules"] if c["name"] == name)


def hello_expected(config, name):
    """{check: "PASS" or "SKIP"}: what the capsule's configuration and its
    board let hello test."""
    capsule = capsule_config(config, name)
    board = load_board(config)
    extensions = capsule.get("isa-extensions", board["isa"]["extensions"])
    verdicts = dict.fromkeys(HELLO_CHECKS, "PASS")
    if capsule["vcpus"] < 2:
        for check in ("hsm-restart", "hsm-suspend-ipi", "hsm-stop"):
            verdicts[check] = "SKIP"
    if "sstc" not in extensions:
        verdicts["timer-sstc"] = "SKIP"
    if capsule.get("console", "uart") != "uart":
        verdicts["uart"] = verdicts["uart-registers"] = "SKIP"
    # irq-direct needs a goldfish RTC or a sifive,uart0 passed through with
    # its interrupt.
    sources = [d for d in device_names(capsule)
               if board["devices"][d]["kind"] in ("goldfish-rtc", "sifive-uart")
               and board["devices"][d].get("interrupts")]
    if not sources:
        verdicts["irq-direct"] = "SKIP"
    # Without a clock the hypervisor gives every capsule time of day 0.
    if "clock" not in board["hypervisor-devices"]:
        verdicts["time-of-day"] = "SKIP"
    return verdicts


def time_of_day_problems(boot, seconds, what):
    """[] when seconds (since 1970, what a capsule said) lies within the
    host's clock during the boot, give or take TIME_OF_DAY_SLACK."""
    if boot.started - TIME_OF_DAY_SLACK <= seconds <= boot.ended + TIME_OF_DAY_SLACK:
        return []
    return [f"{what}: {seconds} s since 1970, but the host's clock read "
            f"{boot.started:.0f}..{boot.ended:.0f} s while QEMU ran "
            f"(off by more than {TIME_OF_DAY_SLACK} s)"]


def hello_time_of_day_problems(boot, name):
    """hello's time-of-day line: one, its date agreeing with its seconds,
    and those the host's time while it ran."""
    lines = [m for m in map(HELLO_TIME_OF_DAY.match, boot.lines(name)) if m]
    if len(lines) != 1:
        return [f"time-of-day: {len(lines)} 'hello: time of day' lines, expected one"]
    date, seconds = lines[0].group(1), int(lines[0].group(2))
    host_date = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    if date != host_date.strftime("%Y-%m-%d %H:%M:%S"):
        return [f"time-of-day: the guest's date {date} is not {seconds} s since 1970"]
    return time_of_day_problems(boot, seconds, "time-of-day: hello's time of day")


def hello_problems(boot, config, name):
    """What is wrong with a hello capsule's check lines; [] when all is well."""
    results = check_results(boot.lines(name))
    problems = []
    for check, want in hello_expected(config, name).items():
        got = results.get(check, [])
        if len(got) != 1:
            problems.append(f"{check}: reported {len(got)} times, expected once")
        elif got[0][0] != want:
            verdict, why = got[0]
            problems.append(f"{check}: {verdict} ({why}), expected {want}")
        elif check == "time-of-day" and want == "PASS":
            problems += hello_time_of_day_problems(boot, name)
    unknown = sorted(set(results) - set(HELLO_CHECKS))
    if unknown:
        problems.append(f"unexpected checks reported: {', '.join(unknown)}")
    if "hello: done" not in boot.lines(name):
        problems.append("no 'hello: done' line")
    return problems
