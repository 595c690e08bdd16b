# SPDX-License-Identifier: MIT
"""Helpers for QEMU boot tests: build a system, boot it with no terminal on
stdin until QEMU exits by itself, and split the console into one stream per
capsule by the `[name] ` prefix the hypervisor puts on every line.

Timeouts here are hang guards, not speed assertions.
"""

import os
import re
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PREFIXED = re.compile(r"^\[([A-Za-z0-9_.-]+)\] ?(.*)$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CHECK_LINE = re.compile(r"^(PASS|FAIL|SKIP) ([a-z0-9-]+)(?:: (.*))?$")
# A hypervisor panic or a capsule fault the hypervisor reports.
PANIC = re.compile(r"panic", re.IGNORECASE)


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


@dataclass
class Boot:
    """One `make run` from start to QEMU's exit (or the hang guard)."""
    config: str
    output: str
    returncode: int
    timed_out: bool
    streams: dict = field(default_factory=dict)  # prefix -> [line, ...]

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


def run_to_exit(config, timeout=120, extra_args=()):
    """Boots `make run CONFIG=config` with stdin on /dev/null and waits until
    QEMU exits by itself or timeout seconds pass (then it is killed)."""
    cmd = ["make", "--no-print-directory", "run", f"CONFIG={config}", *extra_args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    timed_out = False
    try:
        raw, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        # make execs QEMU in its own session: end the whole group.
        os.killpg(proc.pid, signal.SIGKILL)
        raw, _ = proc.communicate()
    output = raw.decode("utf-8", errors="replace")
    boot = Boot(config=config, output=output, returncode=proc.returncode,
                timed_out=timed_out, streams=split_streams(output))
    boot.save()
    return boot


def check_results(lines):
    """{check: (verdict, why)} from a capsule's PASS/FAIL/SKIP lines. A check
    reported twice keeps every verdict, so duplicates can be caught."""
    results = {}
    for line in lines:
        m = CHECK_LINE.match(line)
        if m:
            results.setdefault(m.group(2), []).append((m.group(1), m.group(3) or ""))
    return results
