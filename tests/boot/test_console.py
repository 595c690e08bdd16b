# SPDX-License-Identifier: MIT
"""Typing into one capsule while another prints, on qemu-console
(docs/design.md, "Console").

`shell` has the focus: it prints the prompt `shell> `, echoes each key and
runs the line on Enter; `victim` prints a heartbeat every 200 ms. Each
test types `echo hel`, waits for a heartbeat, then types `lo` and Enter,
then `poweroff` and Enter; the focus moves to the victim, `q` ends it and
QEMU exits by itself.

- On a terminal (`make run` under a pseudo-terminal, so `[ -t 1 ]` holds
  and the hypervisor is told so): the heartbeat that comes while `echo
  hel` is typed first erases the line (`\\r` ESC[K), and right after it
  `[shell] shell> echo hel` is redrawn; on the screen that results, every
  line the shell printed is whole (`shell> echo hello` included).
- In a pipe (a log): no escape sequence, and every byte the shell printed
  comes exactly once, with the `[shell] ` prefix, the heartbeat splitting
  the typed line where it came.

The raw output is kept in build/qemu-console/boot.log (pipe) and
build/qemu-console/terminal.log (terminal).
"""

import io
import re
import time

import pexpect
import pytest

import qemu

CONFIG = "qemu-console"
# Hang guards, not speed targets.
PROMPT_TIMEOUT = 60
STEP_TIMEOUT = 30
EXIT_TIMEOUT = 60

PROMPT = "shell> "
HEARTBEAT = re.compile(r"^victim: heartbeat (\d+) checksum [0-9a-f]+$")
# Every line the shell prints, in order, for what the tests type.
SHELL_LINES = ["shell: type a line; echo WORDS, poweroff", "shell> echo hello", "hello",
               "shell> poweroff", "shell: powering off"]
FOCUS_MOVED = "[bulkhead] console focus: victim (shell is off)"


def screen(raw):
    """The lines a terminal shows after raw, for what the hypervisor and
    these guests send: text, `\\r`, `\\n`, backspace and ESC[K."""
    lines, line, col = [], [], 0
    for match in re.finditer(r"\x1b\[K|[\s\S]", raw):
        c = match.group()
        if c == "\x1b[K":
            del line[col:]
        elif c == "\r":
            col = 0
        elif c == "\n":
            lines.append("".join(line))
            line, col = [], 0
        elif c == "\b":
            col = max(col - 1, 0)
        else:
            line[col:col + 1] = [c]
            col += 1
    return lines + ["".join(line)]


def prefixed(lines, name):
    """The text of the lines of lines that start with `[name] `."""
    head = f"[{name}] "
    return [line[len(head):] for line in lines if line.startswith(head)]


# ---- on a terminal ----------------------------------------------------------

@pytest.fixture(scope="module")
def terminal():
    """The raw output of `make run` under a pseudo-terminal, and its status."""
    qemu.build(CONFIG)
    log = io.StringIO()
    child = pexpect.spawn("make", ["--no-print-directory", "run", f"CONFIG={CONFIG}"],
                          cwd=str(qemu.ROOT), encoding="utf-8", codec_errors="replace",
                          timeout=STEP_TIMEOUT)
    child.logfile_read = log
    redrawn = None
    try:
        child.expect_exact(f"[shell] {PROMPT}", timeout=PROMPT_TIMEOUT)
        child.send("echo hel")
        child.expect_exact("echo hel")
        # The next heartbeat: the line is erased first, then redrawn at once.
        child.expect(r"\[victim\] victim: heartbeat \d+ checksum [0-9a-f]+\r+\n")
        heartbeat = child.after
        erased = child.before.endswith(qemu.ERASE)
        child.expect(r"[\s\S]{%d}" % len(f"[shell] {PROMPT}echo hel"))
        redrawn = (erased, heartbeat, child.after)
        child.send("lo\r")
        child.expect_exact(f"[shell] {PROMPT}")
        child.send("poweroff\r")
        child.expect_exact(FOCUS_MOVED)
        child.send("q")
        child.expect(pexpect.EOF, timeout=EXIT_TIMEOUT)
    except (pexpect.TIMEOUT, pexpect.EOF) as err:
        pytest.fail(f"qemu-console on a terminal stopped short ({type(err).__name__}); "
                    f"its output:\n{log.getvalue()[-3000:]}", pytrace=False)
    finally:
        child.close(force=True)
        (qemu.ROOT / "build" / CONFIG / "terminal.log").write_text(log.getvalue())
    return log.getvalue(), child.exitstatus, redrawn


def test_terminal_run_exits_cleanly(terminal):
    _, status, _ = terminal
    assert status == 0, f"make run exited with status {status}"


def test_terminal_redraws_the_line_after_other_output(terminal):
    _, _, (erased, heartbeat, after) = terminal
    assert erased, f"the typed line was not erased before {heartbeat!r}"
    assert after == f"[shell] {PROMPT}echo hel", \
        f"{after!r} came after {heartbeat!r}, not the redrawn line"


def test_terminal_screen_shows_every_shell_line_whole(terminal):
    raw, _, _ = terminal
    lines = screen(raw)
    assert prefixed(lines, "shell") == SHELL_LINES, "\n".join(lines[-40:])
    beats = [int(m.group(1)) for m in map(HEARTBEAT.match, prefixed(lines, "victim")) if m]
    assert beats and beats == list(range(beats[0], beats[0] + len(beats))), beats


# ---- in a pipe --------------------------------------------------------------

def shell_text(live):
    """Everything the shell printed so far (prefixes and line ends taken
    out), complete lines and the open one."""
    return "".join(prefixed(live.output().split("\r\n"), "shell"))


def heartbeats(live):
    return sum(1 for name, text in live.ordered_lines()
               if name == "victim" and HEARTBEAT.match(text))


def wait_raw(live, predicate, timeout):
    """Polls until predicate() holds; False on timeout or QEMU's exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and live.proc.poll() is None:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def type_around_a_heartbeat(live):
    """Types what the tests type, each step once the last one shows; True
    when a heartbeat came while `echo hel` stood typed."""
    if not wait_raw(live, lambda: shell_text(live).endswith(PROMPT), PROMPT_TIMEOUT):
        return False
    live.send("echo hel")
    if not wait_raw(live, lambda: shell_text(live).endswith(PROMPT + "echo hel"),
                    STEP_TIMEOUT):
        return False
    beats = heartbeats(live)
    interrupted = wait_raw(live, lambda: heartbeats(live) > beats, STEP_TIMEOUT)
    live.send("lo\r")
    wait_raw(live, lambda: shell_text(live).endswith("hello" + PROMPT), STEP_TIMEOUT)
    live.send("poweroff\r")
    wait_raw(live, lambda: FOCUS_MOVED in live.output(), STEP_TIMEOUT)
    live.send("q")
    return interrupted


@pytest.fixture(scope="module")
def pipe():
    qemu.build(CONFIG)
    live = qemu.LiveBoot(CONFIG)
    try:
        interrupted = type_around_a_heartbeat(live)
        return live.finish(EXIT_TIMEOUT), interrupted
    finally:
        live.kill()


def test_pipe_run_exits_cleanly(pipe):
    boot, _ = pipe
    qemu.assert_exited_cleanly(boot, f"QEMU still ran {EXIT_TIMEOUT} s after 'q' (killed)")


def test_pipe_has_no_escape_sequences(pipe):
    boot, _ = pipe
    if "\x1b" in boot.output:
        qemu.fail(boot, "an escape sequence in a log")


def test_pipe_prints_every_shell_byte_once(pipe):
    boot, interrupted = pipe
    if not interrupted:
        qemu.fail(boot, "no heartbeat came while 'echo hel' was typed")
    got = "".join(prefixed(boot.output.split("\r\n"), "shell"))
    if got != "".join(SHELL_LINES):
        qemu.fail(boot, f"the shell's bytes, joined: {got!r}\nexpected: {''.join(SHELL_LINES)!r}")
    # A log shows the line as it came: split where the heartbeat came.
    if ("shell", PROMPT + "echo hello") in qemu.ordered_lines(boot.output):
        qemu.fail(boot, "the typed line is whole in a log: it was redrawn")
