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
    assert fixture_rule(path) in {item["rule"] for item in items}
    text = open(path[:-5] + ".expected").read()
    assert len(items) == text.count(": error[")
    for item in items:
        assert f"{item['file']}:{item['line']}:{item['col']}: error[{item['rule']}]: " \
               f"{item['message']}" in text
        assert item["hint"], f"no hint for: {item['message']}"


def test_build_fails_like_check_and_writes_nothing(root):
    path = os.path.join(FIXTURES, "hart-shared.yaml")
    shutil.copy(path, os.path.join(root, "configs", "hart-shared.yaml"))
    result = run_gen(root, "build", "--config", "configs/hart-shared.yaml", "--out",
                     "build/hart-shared", subprocess_run=True)
    assert result.rc == 1
    assert result.err == open(path[:-5] + ".expected").read()
    assert not os.path.exists(os.path.join(root, "build", "hart-shared"))
