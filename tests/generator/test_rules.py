"""Every rule fires on its fixture with exactly the expected message.

A fixture is fixtures/RULE.yaml or fixtures/RULE--VARIANT.yaml (a config;
fixture boards and guests live in fixtures/boards and fixtures/guests), and
fixtures/<same name>.expected is the exact stderr of `bulkhead-gen check`.
"""

import glob
import json
import os
import shutil

import pytest

from conftest import FIXTURES, run_gen
from bulkhead.diag import RULES

FIXTURE_FILES = sorted(glob.glob(os.path.join(FIXTURES, "*.yaml")))


def fixture_rule(path):
    return os.path.basename(path)[:-5].split("--")[0]


def check(root, path, *extra):
    name = os.path.basename(path)
    shutil.copy(path, os.path.join(root, "configs", name))
    return run_gen(root, "check", "--config", f"configs/{name}", *extra)


def test_every_rule_has_a_fixture():
    covered = {fixture_rule(path) for path in FIXTURE_FILES}
    assert sorted(set(RULES) - covered) == []


def test_every_fixture_names_a_rule():
    assert sorted({fixture_rule(p) for p in FIXTURE_FILES} - set(RULES)) == []


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=os.path.basename)
def test_fixture_message(root, path):
    result = check(root, path)
    with open(path[:-5] + ".expected") as stream:
        expected = stream.read()
    assert result.rc == 1
    assert result.out == ""
    assert result.err == expected
    assert f"error[{fixture_rule(path)}]" in result.err


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=os.path.basename)
def test_fixture_json(root, path):
    result = check(root, path, "--format=json")
    assert result.rc == 1
    items = json.loads(result.err)
    errors = [item for item in items if item["severity"] == "error"]
    assert fixture_rule(path) in {item["rule"] for item in errors}
    text = open(path[:-5] + ".expected").read()
    assert len(errors) == text.count(": error[")
    for item in errors:
        assert f"{item['file']}:{item['line']}:{item['col']}: error[{item['rule']}]: " \
               f"{item['message']}" in text
        assert item["hint"], f"no hint for: {item['message']}"
    for item in items[len(errors):]:  # notes on skipped checks come last
        assert item["severity"] == "note"
        assert f"{item['file']}:{item['line']}:{item['col']}: note: {item['message']}" \
            in text


def test_build_fails_like_check_and_writes_nothing(root):
    path = os.path.join(FIXTURES, "hart-shared.yaml")
    shutil.copy(path, os.path.join(root, "configs", "hart-shared.yaml"))
    result = run_gen(root, "build", "--config", "configs/hart-shared.yaml", "--out",
                     "build/hart-shared", subprocess_run=True)
    assert result.rc == 1
    assert result.err == open(path[:-5] + ".expected").read()
    assert not os.path.exists(os.path.join(root, "build", "hart-shared"))


@pytest.mark.parametrize("command", [["check"], ["deps", "--out", "build/all-errors"]])
def test_all_errors_in_one_run(root, command):
    """A schema error, a missing file, a hart error and a Linux alignment
    error in one config: one run reports them all (`deps` is what make runs
    first), and says which checks it skipped."""
    path = os.path.join(FIXTURES, "..", "cases", "all-errors.yaml")
    shutil.copy(path, os.path.join(root, "configs", "all-errors.yaml"))
    result = run_gen(root, command[0], "--config", "configs/all-errors.yaml", *command[1:])
    assert result.rc == 1
    lines = result.err.splitlines()
    for expected in (
            "configs/all-errors.yaml:9:15: error[bad-value]: capsules[0].on-fault: 'restrat' "
            "is not one of: halt, restart",
            "configs/all-errors.yaml:14:23: error[file-missing]: capsule 'b': payload file "
            "no/such/file does not exist",
            "configs/all-errors.yaml:22:13: error[hart-shared]: hart 2 is given to capsule "
            "'d' and to capsule 'c'",
            "configs/all-errors.yaml:23:34: error[linux-alignment]: capsule 'd' boots Linux "
            "but its memory base 0x90100000 is not 2 MiB aligned",
            "configs/all-errors.yaml:4:5: note: capsules[0]: the other checks of this "
            "capsule were skipped: it has the errors above"):
        assert expected in lines
    assert lines[-1] == "bulkhead-gen: 4 error(s); nothing was written"
