"""Strict loading and the schema: traps, sizes, positions, defaults."""

import pytest

from bulkhead import model, schema
from bulkhead.diag import Diagnostics
from bulkhead.yamlload import load


def validate(tmp_path, text, record=schema.CONFIG):
    path = tmp_path / "in.yaml"
    path.write_text(text)
    diags = Diagnostics()
    node = load(str(path), "in.yaml", diags)
    value = None
    if node is not None:
        value = record.validate(node, schema.Ctx("in.yaml", diags), "")
    return value, diags


def only(diags):
    assert len(diags) == 1, diags.render("text")
    return diags.items[0]


SIZE = schema.Record("t", "test", [schema.Field("size", schema.Size(), "a size")])
INT = schema.Record("t", "test", [schema.Field("n", schema.Int(0, 100), "an int")])
STR = schema.Record("t", "test", [schema.Field("s", schema.Str(), "a string")])
BOOL = schema.Record("t", "test", [schema.Field("b", schema.Bool(), "a bool")])


@pytest.mark.parametrize("text,value", [
    ("4096", 4096), ("0x1000", 0x1000), ("0x1000_0000", 0x10000000), ("16MiB", 16 << 20),
    ("2GiB", 2 << 30), ("4KiB", 4096), ("'256MiB'", 256 << 20), ("1_000", 1000),
    ("0x10MiB", 16 << 20), ("1TiB", 1 << 40),
])
def test_sizes_parse_exactly(tmp_path, text, value):
    rec, diags = validate(tmp_path, f"size: {text}\n", SIZE)
    assert not diags, diags.render("text")
    assert rec["size"] == value


@pytest.mark.parametrize("text,rule,hint", [
    ("16 MiB", "bad-size", "write the number and unit without a space: 16MiB"),
    ("16MB", "bad-size", "sizes use binary units: write 16MiB"),
    ("16M", "bad-size", "sizes use binary units: write 16MiB"),
    ("big", "bad-size", "write it like 16MiB, 4KiB, 0x1000 or 4096 (units KiB, MiB, GiB, TiB)"),
    ("010", "yaml-ambiguous", "write 10 for decimal or use 0x for hex"),
    ("1.5", "bad-size", "write it like 16MiB, 4KiB, 0x1000 or 4096 (units KiB, MiB, GiB, TiB)"),
])
def test_bad_sizes(tmp_path, text, rule, hint):
    _, diags = validate(tmp_path, f"size: {text}\n", SIZE)
    diag = only(diags)
    assert (diag.rule, diag.hint) == (rule, hint)
    assert (diag.loc.line, diag.loc.col) == (1, 7)


def test_duplicate_key_names_both_places(tmp_path):
    _, diags = validate(tmp_path, "n: 1\nn: 2\n", INT)
    diag = only(diags)
    assert diag.rule == "duplicate-key"
    assert (diag.loc.line, diag.loc.col) == (2, 1)
    assert [(loc.line, loc.col) for loc, _ in diag.notes] == [(1, 1)]


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "OFF", "y"])
def test_yaml11_booleans_rejected_as_strings(tmp_path, word):
    _, diags = validate(tmp_path, f"s: {word}\n", STR)
    diag = only(diags)
    assert diag.rule == "yaml-ambiguous"
    assert diag.hint == f'quote it: "{word}"'


def test_quoted_yaml11_word_is_a_string(tmp_path):
    rec, diags = validate(tmp_path, 's: "on"\n', STR)
    assert not diags
    assert rec["s"] == "on"


@pytest.mark.parametrize("word", ["yes", "on", "no"])
def test_yaml11_booleans_rejected_as_booleans(tmp_path, word):
    _, diags = validate(tmp_path, f"b: {word}\n", BOOL)
    assert only(diags).rule == "yaml-ambiguous"


def test_true_false_are_booleans(tmp_path):
    rec, diags = validate(tmp_path, "b: true\n", BOOL)
    assert not diags and rec["b"] is True


def test_leading_zero_integer_is_a_trap(tmp_path):
    _, diags = validate(tmp_path, "n: 010\n", INT)
    assert only(diags).rule == "yaml-ambiguous"


def test_quoted_number_is_not_an_integer(tmp_path):
    _, diags = validate(tmp_path, 'n: "10"\n', INT)
    diag = only(diags)
    assert (diag.rule, diag.hint) == ("wrong-type", "remove the quotes")


def test_range_checked(tmp_path):
    _, diags = validate(tmp_path, "n: 101\n", INT)
    assert only(diags).message == "n: 101 is above the maximum 100"


def test_unknown_key_did_you_mean(tmp_path):
    # The misspelt required key is one mistake, reported once.
    text = "board: qemu-virt\ncapsule: []\n"
    _, diags = validate(tmp_path, text)
    diag = only(diags)
    assert (diag.rule, diag.message, diag.hint) == (
        "unknown-key", "the file: unknown key 'capsule'", "did you mean 'capsules'?")
    assert (diag.loc.line, diag.loc.col) == (2, 1)


def test_missing_key_without_a_near_miss(tmp_path):
    text = "board: qemu-virt\nguests: []\n"
    _, diags = validate(tmp_path, text)
    assert [(d.rule, d.hint) for d in diags.items] == [
        ("unknown-key", "known keys: board, hypervisor, capsules, schedules"),
        ("missing-key", "add 'capsules:' to the file (the capsules, in order: the order "
                        "decides allocation order and the console focus digits)")]


def test_unitless_small_size_suggests_a_unit(tmp_path):
    record = schema.Record("t", "test", [schema.Field("size", schema.Size(align=0x1000), "s")])
    _, diags = validate(tmp_path, "size: 256\n", record)
    diag = only(diags)
    assert (diag.rule, diag.message, diag.hint) == (
        "bad-size", "size: 256 (0x100 bytes) is not a multiple of 0x1000",
        "a size without a unit counts bytes: write 256MiB for 256 MiB, or 256KiB for 256 KiB")


def test_unaligned_size_with_unit_is_rounded_up(tmp_path):
    record = schema.Record("t", "test", [schema.Field("size", schema.Size(align=0x1000), "s")])
    _, diags = validate(tmp_path, "size: 0x1800\n", record)
    diag = only(diags)
    assert (diag.message, diag.hint) == ("size: 0x1800 is not a multiple of 0x1000",
                                         "round it up to 0x2000")


def test_every_error_in_one_run(tmp_path):
    text = ("board: qemu-virt\nhypervisor:\n  log-level: loud\n  memory: 2 MiB\n"
            "capsules:\n  - name: a\n    vcpus: 0\n")
    _, diags = validate(tmp_path, text)
    assert [(d.rule, d.loc.line) for d in diags.items] == [
        ("bad-value", 3), ("bad-size", 4), ("bad-value", 7),
        ("missing-key", 6), ("missing-key", 6), ("missing-key", 6)]
    assert [d.message for d in diags.items][3:] == [
        f"capsules[0]: required key '{key}' is missing"
        for key in ("harts", "memory", "payload")]


def test_defaults_filled(tmp_path):
    text = ("board: qemu-virt\ncapsules:\n  - name: a\n    vcpus: 1\n    harts: [0]\n"
            "    memory: {size: 16MiB}\n    payload: {guest: hello}\n")
    rec, diags = validate(tmp_path, text)
    assert not diags, diags.render("text")
    capsule = rec["capsules"][0]
    assert (capsule["console"], capsule["on-fault"], capsule["on-poweroff"],
            capsule["on-reboot"], capsule["restart-limit"], capsule["may-reset-system"]) == (
        "uart", "halt", "halt", "restart", 3, False)
    assert capsule.where("harts").line == 5
    assert capsule["harts"].locs[0].col == 13


def test_malformed_yaml_has_position(tmp_path):
    _, diags = validate(tmp_path, "board: [qemu\n")
    diag = only(diags)
    assert diag.rule == "yaml-syntax"
    assert diag.loc.line == 2


def test_two_documents_rejected(tmp_path):
    _, diags = validate(tmp_path, "board: a\n---\nboard: b\n")
    assert only(diags).message == "the file holds more than one YAML document"


def test_null_is_not_a_string(tmp_path):
    _, diags = validate(tmp_path, "s:\n", STR)
    assert only(diags).message == "s: expected a string, found nothing (null)"


@pytest.mark.parametrize("text", ["/abs/kernel", "../outside/kernel", "./here/Image",
                                  "build/../../x"])
def test_paths_outside_the_repository_are_accepted(tmp_path, text):
    _, diags = validate(tmp_path, f"kernel: {text}\n", schema.PAYLOAD)
    assert not diags


@pytest.mark.parametrize("written,named_in,expected", [
    ("build/guests/hello/hello.bin", "configs/a.yaml", "/r/build/guests/hello/hello.bin"),
    ("./Image", "configs/a.yaml", "/r/configs/Image"),
    ("../linux/Image", "configs/a.yaml", "/r/linux/Image"),
    ("../Image", "/home/u/sys/a.yaml", "/home/u/Image"),
    ("/opt/k/Image", "configs/a.yaml", "/opt/k/Image"),
])
def test_path_resolution(written, named_in, expected):
    assert model.resolve_path("/r", written, named_in) == expected


def test_json_schema_path_pattern_agrees():
    import jsonschema
    validator = jsonschema.Draft7Validator(schema.json_schema(schema.PAYLOAD))
    for good in ("build/guests/hello/hello.bin", "/abs/kernel", "../outside/kernel"):
        assert not list(validator.iter_errors({"kernel": good})), good
    assert list(validator.iter_errors({"kernel": " "}))


def test_scalar_for_a_one_key_mapping_suggests_it(tmp_path):
    text = ("board: qemu-virt\ncapsules:\n  - name: a\n    vcpus: 1\n    harts: [0]\n"
            "    memory: 16MiB\n    payload: {guest: hello}\n")
    _, diags = validate(tmp_path, text)
    diag = only(diags)
    assert (diag.rule, diag.loc.line, diag.hint) == ("wrong-type", 6,
                                                     "write memory: {size: 16MiB}")


def test_key_one_level_too_high_says_where_it_belongs(tmp_path):
    text = "board: qemu-virt\nhypervisor:\n  focus: a\ncapsules: []\n"
    _, diags = validate(tmp_path, text)
    diag = only(diags)
    assert (diag.rule, diag.message, diag.hint) == (
        "unknown-key", "hypervisor: unknown key 'focus'",
        "'focus' belongs inside 'console': write it indented under 'console:'")


def test_key_of_a_list_item_outdented_says_where_it_belongs(tmp_path):
    text = "board: qemu-virt\ncapsules:\n- name: a\n  vcpus: 1\nharts: [0]\n"
    _, diags = validate(tmp_path, text)
    unknown = [d for d in diags.items if d.rule == "unknown-key"]
    assert [(d.loc.line, d.hint) for d in unknown] == [
        (5, "'harts' belongs inside an item of 'capsules': indent it like the item's "
            "other keys")]
