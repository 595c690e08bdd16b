"""docs/config.md and docs/schema.json are the schema's, word for word."""

import json
import os

import jsonschema
import pytest
import yaml

from conftest import REPO
from bulkhead import cli, schema

BEGIN = cli.DOCS_BEGIN
END = cli.DOCS_END


def test_config_md_reference_matches_schema():
    with open(os.path.join(REPO, "docs", "config.md")) as stream:
        text = stream.read()
    start = BEGIN.search(text)
    assert start, "docs/config.md lost its BEGIN GENERATED marker"
    generated = text[start.end():text.index(END)]
    assert generated == cli.reference_markdown(), (
        "docs/config.md is out of date: run generator/bulkhead-gen schema --update-docs")


def test_schema_json_is_checked_in():
    with open(os.path.join(REPO, "docs", "schema.json")) as stream:
        assert json.load(stream) == schema.json_schema(), (
            "docs/schema.json is out of date: run generator/bulkhead-gen schema --update-docs")


def test_every_field_has_a_description():
    for record in schema.walk_records(schema.CONFIG) + schema.walk_records(schema.BOARD) + \
            schema.walk_records(schema.GUEST):
        for field in record.fields.values():
            assert field.description.strip(), f"{record.title}.{field.name}"


MODELINE = "# yaml-language-server: $schema=../docs/schema.json\n"
SHIPPED_CONFIGS = sorted(n for n in os.listdir(os.path.join(REPO, "configs"))
                         if n.endswith(".yaml"))


@pytest.mark.parametrize("name", SHIPPED_CONFIGS)
def test_shipped_config_satisfies_the_checked_in_schema(name):
    """What an editor sees: the config names docs/schema.json in its first
    line, and that file (not only the generator's schema) accepts it."""
    with open(os.path.join(REPO, "docs", "schema.json")) as stream:
        validator = jsonschema.Draft7Validator(json.load(stream))
    with open(os.path.join(REPO, "configs", name)) as stream:
        text = stream.read()
    assert text.startswith(MODELINE), f"configs/{name}: first line must be {MODELINE!r}"
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(text))]
    assert errors == [], name


def test_json_schema_rejects_what_the_generator_rejects():
    validator = jsonschema.Draft7Validator(schema.json_schema())
    bad = {"board": "qemu-virt", "capsules": [{"name": "Linux-0", "vcpus": 1, "harts": [0],
                                               "memory": {"size": "16 MiB"},
                                               "payload": {"guest": "hello"},
                                               "on-fault": "explode", "extra": 1}]}
    messages = sorted(e.message for e in validator.iter_errors(bad))
    assert len(messages) == 4
    assert "'Linux-0' does not match '^[a-z][a-z0-9_]*$'" in messages
    assert "'16 MiB' is not valid under any of the given schemas" in messages
    assert any("'explode' is not one of ['halt', 'restart']" in m for m in messages)
    assert any("'extra' was unexpected" in m for m in messages)


def test_config_md_lists_every_guest_with_its_facts():
    """docs/config.md's guest table says what each guests/*/guest.yaml says."""
    with open(os.path.join(REPO, "docs", "config.md")) as stream:
        doc = stream.read()
    guests = os.path.join(REPO, "guests")
    names = sorted(g for g in os.listdir(guests)
                   if os.path.exists(os.path.join(guests, g, "guest.yaml")))
    assert names
    for name in names:
        with open(os.path.join(guests, name, "guest.yaml")) as stream:
            manifest = yaml.safe_load(stream)
        appended = manifest.get("append-bootargs")
        row = (f"| `{name}` | {manifest['kind']} | {manifest.get('min-memory', '-')} | "
               + (f"`{appended}`" if appended else "-") + " | "
               + manifest.get("warm-reboot", "reboot") + " |")
        assert row in doc, f"docs/config.md lacks the guest row: {row}"
