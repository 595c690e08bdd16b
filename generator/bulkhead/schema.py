"""The one schema of every Bulkhead input file.

The same type objects validate the composed YAML (strictly, from each
scalar's source text), fill in defaults, produce the JSON Schema that editors
use (docs/schema.json) and the reference tables of docs/config.md.
"""

import difflib
import re

import yaml

from .diag import Loc
from .yamlload import loc_of

YAML11_BOOLS = {"y", "yes", "n", "no", "true", "false", "on", "off"}
YAML_NULLS = {"", "~", "null"}
UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
SI_UNITS = {"k": "KiB", "kb": "KiB", "m": "MiB", "mb": "MiB", "g": "GiB",
            "gb": "GiB", "t": "TiB", "tb": "TiB"}
INT_RE = re.compile(r"^(0x[0-9a-fA-F][0-9a-fA-F_]*|0|[1-9][0-9_]*)$")
LEADING_ZERO_RE = re.compile(r"^0[0-9_]+$")
SIZE_RE = re.compile(r"^(0x[0-9a-fA-F][0-9a-fA-F_]*|0|[1-9][0-9_]*)([A-Za-z]+)$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_MAX = 31


class Invalid:
    """Stands for a value that failed validation (already reported)."""

    def __repr__(self):
        return "<invalid>"


INVALID = Invalid()


class Rec(dict):
    """A validated mapping: values by key, plus where each came from."""

    def __init__(self, loc):
        super().__init__()
        self.loc = loc
        self.locs = {}

    def where(self, key):
        return self.locs.get(key, self.loc)


class Seq(list):
    """A validated sequence, with the location of the list and each item."""

    def __init__(self, loc):
        super().__init__()
        self.loc = loc
        self.locs = []


class Ctx:
    def __init__(self, file, diags):
        self.file = file
        self.diags = diags

    def loc(self, node):
        return loc_of(node, self.file)


def describe_node(node):
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.style is None and node.value.lower() in YAML_NULLS:
        return "nothing (null)"
    return f"'{node.value}'"


def plain(node):
    return isinstance(node, yaml.ScalarNode) and node.style is None


def parse_int(text):
    """Integer from source text: decimal or 0x hex, '_' allowed; else None."""
    if not INT_RE.match(text):
        return None
    return int(text.replace("_", ""), 0)


class Type:
    description = ""

    def expect_scalar(self, node, ctx, path, expected):
        if isinstance(node, yaml.ScalarNode):
            if not (plain(node) and node.value.lower() in YAML_NULLS):
                return True
        ctx.diags.error(ctx.loc(node), "wrong-type",
                        f"{path}: expected {expected}, found {describe_node(node)}",
                        hint=f"write {expected} after '{path.split('.')[-1]}:'")
        return False


class Str(Type):
    kind = "string"

    def __init__(self, pattern=None, pattern_help=None, max_len=None, checked_later=False):
        self.pattern = pattern
        self.pattern_help = pattern_help
        self.max_len = max_len
        # The generator checks the pattern in a later phase, under its own
        # rule (capsule-name); the JSON Schema still gives it to editors.
        self.checked_later = checked_later

    def validate(self, node, ctx, path):
        if not self.expect_scalar(node, ctx, path, "a string"):
            return INVALID
        text = node.value
        if plain(node):
            if text.lower() in YAML11_BOOLS:
                ctx.diags.error(ctx.loc(node), "yaml-ambiguous",
                                f"{path}: '{text}' is a boolean in YAML 1.1, not a string",
                                hint=f"quote it: \"{text}\"")
                return INVALID
            if re.match(r"^[-+]?[0-9][0-9_.:]*$", text) or re.match(r"^0x[0-9a-fA-F_]+$", text):
                ctx.diags.error(ctx.loc(node), "yaml-ambiguous",
                                f"{path}: {text} is a number in YAML, not a string",
                                hint=f"quote it: \"{text}\"")
                return INVALID
        if self.pattern and not self.checked_later and not self.matches(text):
            hint = f"write {self.pattern_help}"
            if self.matches(text.lower()):
                hint = f"names are lower case: write '{text.lower()}'"
            ctx.diags.error(ctx.loc(node), "bad-value",
                            f"{path}: '{text}' is not {self.pattern_help}", hint=hint)
            return INVALID
        return text

    def matches(self, text):
        return bool(re.match(self.pattern, text)) and (
            self.max_len is None or len(text) <= self.max_len)

    def json(self):
        out = {"type": "string"}
        if self.pattern:
            out["pattern"] = self.pattern
        if self.max_len:
            out["maxLength"] = self.max_len
        return out

    def doc_type(self):
        return "string"


class Path(Str):
    """A file path: absolute, or relative to the repository root, or (when it
    starts with ./ or ../) relative to the folder of the file that names it.
    model.resolve_path applies the rule; here it only has to be non-empty."""

    def validate(self, node, ctx, path):
        text = super().validate(node, ctx, path)
        if text is INVALID:
            return INVALID
        if not text.strip():
            ctx.diags.error(ctx.loc(node), "bad-value", f"{path}: the path is empty",
                            hint="write the file's path, e.g. build/guests/NAME/FILE")
            return INVALID
        return text

    def json(self):
        return {"type": "string", "pattern": r"\S"}

    def doc_type(self):
        return "path"


def file_name_type():
    """Names of boards, guests and devices: also used as file and node names."""
    return Str(r"^[a-z][a-z0-9_-]*$", "a name of [a-z][a-z0-9_-]*", 63)


def name_type():
    return Str(NAME_RE.pattern, f"a name of [a-z][a-z0-9_]*, at most {NAME_MAX} characters",
               NAME_MAX)


class Int(Type):
    def __init__(self, minimum=None, maximum=None):
        self.minimum = minimum
        self.maximum = maximum

    what = "an integer"

    def validate(self, node, ctx, path):
        if not self.expect_scalar(node, ctx, path, self.what):
            return INVALID
        text = node.value
        if not plain(node):
            ctx.diags.error(ctx.loc(node), "wrong-type",
                            f"{path}: expected {self.what}, found the quoted string '{text}'",
                            hint="remove the quotes")
            return INVALID
        if LEADING_ZERO_RE.match(text):
            ctx.diags.error(ctx.loc(node), "yaml-ambiguous",
                            f"{path}: {text} has a leading zero: octal in YAML 1.1, "
                            "decimal in YAML 1.2",
                            hint=f"write {int(text.replace('_', ''), 10)} for decimal "
                                 "or use 0x for hex")
            return INVALID
        if text.lower() in YAML11_BOOLS:
            ctx.diags.error(ctx.loc(node), "yaml-ambiguous",
                            f"{path}: '{text}' is a boolean in YAML 1.1, not {self.what}",
                            hint=f"write {self.what}")
            return INVALID
        value = self.parse(text, node, ctx, path)
        if value is INVALID:
            return INVALID
        return self.check_range(value, node, ctx, path)

    def parse(self, text, node, ctx, path):
        value = parse_int(text)
        if value is None:
            ctx.diags.error(ctx.loc(node), "wrong-type",
                            f"{path}: expected {self.what}, found '{text}'",
                            hint="write a decimal number or 0x followed by hex digits")
            return INVALID
        return value

    def check_range(self, value, node, ctx, path):
        if self.minimum is not None and value < self.minimum:
            ctx.diags.error(ctx.loc(node), "bad-value",
                            f"{path}: {value} is below the minimum {self.minimum}",
                            hint=f"use a value from {self.minimum} to {self.maximum}")
            return INVALID
        if self.maximum is not None and value > self.maximum:
            ctx.diags.error(ctx.loc(node), "bad-value",
                            f"{path}: {value} is above the maximum {self.maximum}",
                            hint=f"use a value from {self.minimum} to {self.maximum}")
            return INVALID
        return value

    def json(self):
        out = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out

    def doc_type(self):
        bounds = ""
        if self.minimum is not None and self.maximum is not None:
            bounds = f" {self.minimum}..{self.maximum}"
        elif self.minimum is not None:
            bounds = f" >= {self.minimum}"
        return "integer" + bounds


class IntChoice(Int):
    """An integer from a fixed set (e.g. a register width in bytes)."""

    def __init__(self, *choices):
        super().__init__(min(choices), max(choices))
        self.choices = choices

    def check_range(self, value, node, ctx, path):
        if value not in self.choices:
            listed = ", ".join(str(c) for c in self.choices)
            ctx.diags.error(ctx.loc(node), "bad-value",
                            f"{path}: {value} is not one of: {listed}",
                            hint=f"write one of: {listed}")
            return INVALID
        return value

    def json(self):
        return {"type": "integer", "enum": list(self.choices)}

    def doc_type(self):
        return " \\| ".join(f"`{c}`" for c in self.choices)


class Addr(Int):
    """A physical address: an integer, written in hex by convention."""

    what = "an address"

    def __init__(self, align=1):
        super().__init__(0, (1 << 64) - 1)
        self.align = align

    def check_range(self, value, node, ctx, path):
        value = super().check_range(value, node, ctx, path)
        if value is not INVALID and value % self.align:
            ctx.diags.error(ctx.loc(node), "bad-size",
                            f"{path}: {value:#x} is not a multiple of {self.align:#x}",
                            hint=f"round it to a multiple of {self.align:#x}")
            return INVALID
        return value

    def json(self):
        # YAML 1.2 (editors) reads 0x8000_0000 as a string: allow that form too.
        return {"oneOf": [{"type": "integer", "minimum": 0},
                          {"type": "string", "pattern": r"^0x[0-9a-fA-F][0-9a-fA-F_]*$"}]}

    def doc_type(self):
        return "address" + (f" ({self.align:#x}-aligned)" if self.align > 1 else "")


class Size(Int):
    """Bytes: an integer, or a number with a binary unit (KiB, MiB, GiB, TiB)."""

    what = "a size"

    def __init__(self, align=1, minimum=1):
        super().__init__(minimum, 1 << 48)
        self.align = align

    def validate(self, node, ctx, path):
        if isinstance(node, yaml.ScalarNode) and not plain(node):
            if not self.expect_scalar(node, ctx, path, self.what):
                return INVALID
            value = self.parse(node.value, node, ctx, path)
            if value is INVALID:
                return INVALID
            return self.check_range(value, node, ctx, path)
        return super().validate(node, ctx, path)

    def parse(self, text, node, ctx, path):
        value = parse_int(text)
        if value is not None:
            return value
        match = SIZE_RE.match(text)
        unit = match.group(2) if match else None
        if match and unit in UNITS:
            return parse_int(match.group(1)) * UNITS[unit]
        hint = "write it like 16MiB, 4KiB, 0x1000 or 4096 (units KiB, MiB, GiB, TiB)"
        if match and unit.lower() in SI_UNITS:
            hint = f"sizes use binary units: write {match.group(1)}{SI_UNITS[unit.lower()]}"
        elif re.match(r"^\S+\s+\S+$", text):
            hint = f"write the number and unit without a space: {text.replace(' ', '')}"
        ctx.diags.error(ctx.loc(node), "bad-size",
                        f"{path}: '{text}' is not a size", hint=hint)
        return INVALID

    def check_range(self, value, node, ctx, path):
        value = super().check_range(value, node, ctx, path)
        if value is not INVALID and value % self.align:
            hint = f"round it up to {-(-value // self.align) * self.align:#x}"
            if re.match(r"^[1-9][0-9]*$", node.value) and value < self.align:
                # '256' where 256MiB was meant: a bare number counts bytes.
                hint = (f"a size without a unit counts bytes: write {node.value}MiB "
                        f"for {node.value} MiB, or {node.value}KiB for {node.value} KiB")
            written = node.value if node.value == f"{value:#x}" else \
                f"{node.value} ({value:#x} bytes)"
            ctx.diags.error(ctx.loc(node), "bad-size",
                            f"{path}: {written} is not a multiple of {self.align:#x}",
                            hint=hint)
            return INVALID
        return value

    def json(self):
        return {"oneOf": [
            {"type": "integer", "minimum": self.minimum},
            {"type": "string",
             "pattern": r"^(0x[0-9a-fA-F][0-9a-fA-F_]*|[1-9][0-9_]*)(KiB|MiB|GiB|TiB)?$"},
        ]}

    def doc_type(self):
        return "size" + (f" (multiple of {self.align:#x})" if self.align > 1 else "")


DURATION_RE = re.compile(r"^([0-9][0-9_]*)([A-Za-z\u00b5]+)$")
DURATION_UNITS = {"us": 1000, "ms": 1000 * 1000, "s": 1000 * 1000 * 1000}
DURATION_ALIASES = {"\u00b5s": "us", "usec": "us", "msec": "ms", "sec": "s"}


class Duration(Type):
    """A time in nanoseconds, written as a whole number and a unit: us, ms
    or s (e.g. 10ms, 250us). A bare 0 is zero."""

    what = "a duration"

    def __init__(self, minimum=0):
        self.minimum = minimum

    def validate(self, node, ctx, path):
        if not self.expect_scalar(node, ctx, path, self.what):
            return INVALID
        text = node.value
        match = DURATION_RE.match(text)
        number = parse_int(match.group(1)) if match else parse_int(text)
        unit = match.group(2) if match else None
        if text == "0":
            number, unit = 0, "s"
        elif match is None or number is None or unit not in DURATION_UNITS:
            hint = "write a whole number and a unit: us, ms or s (e.g. 10ms, 250us)"
            if unit in DURATION_ALIASES:
                hint = f"write the unit as {DURATION_ALIASES[unit]}: " \
                       f"{match.group(1)}{DURATION_ALIASES[unit]}"
            elif match is None and number is not None:
                hint = f"a duration needs a unit: write {text}us or {text}ms"
            ctx.diags.error(ctx.loc(node), "bad-duration",
                            f"{path}: '{text}' is not a duration", hint=hint)
            return INVALID
        value = number * DURATION_UNITS[unit]
        if value < self.minimum:
            ctx.diags.error(ctx.loc(node), "bad-duration",
                            f"{path}: {text} is not above zero",
                            hint="a frame or a window lasts some time: write e.g. 1ms")
            return INVALID
        return value

    def json(self):
        return {"oneOf": [{"type": "integer", "enum": [0]},
                          {"type": "string", "pattern": r"^[0-9][0-9_]*(us|ms|s)$"}]}

    def doc_type(self):
        return "duration (us, ms, s)"


class Bool(Type):
    def validate(self, node, ctx, path):
        if not self.expect_scalar(node, ctx, path, "true or false"):
            return INVALID
        if plain(node) and node.value in ("true", "false"):
            return node.value == "true"
        if plain(node) and node.value.lower() in YAML11_BOOLS:
            ctx.diags.error(ctx.loc(node), "yaml-ambiguous",
                            f"{path}: '{node.value}' is a YAML 1.1 boolean that YAML 1.2 reads "
                            "as a string", hint="write true or false")
            return INVALID
        ctx.diags.error(ctx.loc(node), "wrong-type",
                        f"{path}: expected true or false, found {describe_node(node)}",
                        hint="write true or false")
        return INVALID

    def json(self):
        return {"type": "boolean"}

    def doc_type(self):
        return "true/false"


class Enum(Str):
    def __init__(self, *choices):
        super().__init__()
        self.choices = choices

    def validate(self, node, ctx, path):
        if not self.expect_scalar(node, ctx, path, "one of " + ", ".join(self.choices)):
            return INVALID
        if node.value in self.choices:
            return node.value
        if plain(node) and node.value.lower() in YAML11_BOOLS:
            ctx.diags.error(ctx.loc(node), "yaml-ambiguous",
                            f"{path}: '{node.value}' is a boolean in YAML 1.1, not one of "
                            + ", ".join(self.choices),
                            hint="write one of: " + ", ".join(self.choices))
            return INVALID
        close = difflib.get_close_matches(node.value, self.choices, 1)
        hint = (f"did you mean '{close[0]}'?" if close
                else "write one of: " + ", ".join(self.choices))
        ctx.diags.error(ctx.loc(node), "bad-value",
                        f"{path}: '{node.value}' is not one of: " + ", ".join(self.choices),
                        hint=hint)
        return INVALID

    def json(self):
        return {"type": "string", "enum": list(self.choices)}

    def doc_type(self):
        return " \\| ".join(f"`{c}`" for c in self.choices)


class List(Type):
    def __init__(self, item, min_items=0):
        self.item = item
        self.min_items = min_items

    def validate(self, node, ctx, path):
        if not isinstance(node, yaml.SequenceNode):
            ctx.diags.error(ctx.loc(node), "wrong-type",
                            f"{path}: expected a list, found {describe_node(node)}",
                            hint="write it as [a, b] or as lines starting with '- '")
            return INVALID
        seq = Seq(ctx.loc(node))
        for index, child in enumerate(node.value):
            seq.append(self.item.validate(child, ctx, f"{path}[{index}]"))
            seq.locs.append(ctx.loc(child))
        if len(seq) < self.min_items:
            ctx.diags.error(ctx.loc(node), "bad-value",
                            f"{path}: needs at least {self.min_items} item(s)",
                            hint="add the missing items")
            return INVALID
        return seq

    def json(self):
        out = {"type": "array", "items": self.item.json()}
        if self.min_items:
            out["minItems"] = self.min_items
        return out

    def doc_type(self):
        return f"list of {self.item.doc_type()}"


class Field:
    def __init__(self, name, type_, description, required=False, default=None):
        self.name = name
        self.type = type_
        self.description = description
        self.required = required
        self.default = default


def lower_first(text):
    """'The capsule's RAM' -> 'the capsule's RAM'; 'ISA extensions' stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


class Record(Type):
    def __init__(self, title, description, fields):
        self.title = title
        self.description = description
        self.fields = {f.name: f for f in fields}

    def validate(self, node, ctx, path):
        where = path or "the file"
        if not isinstance(node, yaml.MappingNode):
            ctx.diags.error(ctx.loc(node), "wrong-type",
                            f"{where}: expected a mapping with keys "
                            + ", ".join(self.fields) + f", found {describe_node(node)}",
                            hint=self.mapping_hint(node, path))
            return INVALID
        rec = Rec(ctx.loc(node))
        key_nodes = {}
        misspelt = set()  # fields an unknown key probably meant
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            sub = f"{path}.{key}" if path else str(key)
            if key in key_nodes:
                first = key_nodes[key]
                ctx.diags.error(ctx.loc(key_node), "duplicate-key",
                                f"{where}: key '{key}' appears twice",
                                notes=[(ctx.loc(first), f"'{key}' first set here")],
                                hint="YAML would silently keep only the last; remove one")
                continue
            if key not in self.fields:
                hint = self.misplaced_hint(key)
                close = [] if hint else difflib.get_close_matches(str(key),
                                                                  list(self.fields), 1)
                if close:
                    hint = f"did you mean '{close[0]}'?"
                    misspelt.add(close[0])
                hint = hint or "known keys: " + ", ".join(self.fields)
                ctx.diags.error(ctx.loc(key_node), "unknown-key",
                                f"{where}: unknown key '{key}'", hint=hint)
                continue
            key_nodes[key] = key_node
            rec[key] = self.fields[key].type.validate(value_node, ctx, sub)
            rec.locs[key] = ctx.loc(value_node)
        for field in self.fields.values():
            if field.name in rec:
                continue
            # A misspelt required key is one mistake: its unknown-key error
            # already says which key was meant.
            if field.required and field.name not in misspelt:
                ctx.diags.error(rec.loc, "missing-key",
                                f"{where}: required key '{field.name}' is missing",
                                hint=f"add '{field.name}:' to {where} "
                                     f"({lower_first(field.description.rstrip('.'))})")
            elif field.default is not None:
                rec[field.name] = field.default
        return rec

    def mapping_hint(self, node, path):
        """How to write a mapping where a scalar was found: '256MiB' for
        memory means {size: 256MiB}, the one required key."""
        required = [f.name for f in self.fields.values() if f.required]
        if isinstance(node, yaml.ScalarNode) and plain(node) and \
                node.value.lower() not in YAML_NULLS and len(required) == 1:
            key = path.split(".")[-1] if path else "it"
            return f"write {key}: {{{required[0]}: {node.value}}}"
        return "write it as indented 'key: value' lines or as {key: value}"

    def misplaced_hint(self, key):
        """'focus' under hypervisor belongs in hypervisor.console: say so."""
        for field in self.fields.values():
            if isinstance(field.type, Record) and key in field.type.fields:
                return (f"'{key}' belongs inside '{field.name}': write it indented "
                        f"under '{field.name}:'")
            item = field.type.item if isinstance(field.type, List) else None
            if isinstance(item, Record) and key in item.fields:
                return (f"'{key}' belongs inside an item of '{field.name}': indent it "
                        f"like the item's other keys")
        return None

    def json(self):
        out = {
            "type": "object",
            "description": self.description,
            "additionalProperties": False,
            "properties": {},
        }
        for field in self.fields.values():
            prop = dict(field.type.json())
            prop["description"] = field.description
            if field.default is not None and not isinstance(field.default, (Rec, Seq)):
                prop["default"] = field.default
            out["properties"][field.name] = prop
        required = [f.name for f in self.fields.values() if f.required]
        if required:
            out["required"] = required
        return out

    def doc_type(self):
        return f"mapping ({self.title})"


class MapOf(Type):
    """A mapping from names to records, e.g. a board's devices."""

    def __init__(self, key, value):
        self.key = key
        self.value = value

    def validate(self, node, ctx, path):
        if not isinstance(node, yaml.MappingNode):
            ctx.diags.error(ctx.loc(node), "wrong-type",
                            f"{path}: expected a mapping of names, found {describe_node(node)}",
                            hint="write it as indented 'name: {...}' lines")
            return INVALID
        rec = Rec(ctx.loc(node))
        for key_node, value_node in node.value:
            key = self.key.validate(key_node, ctx, f"{path} key")
            if key is INVALID:
                continue
            if key in rec:
                ctx.diags.error(ctx.loc(key_node), "duplicate-key",
                                f"{path}: key '{key}' appears twice",
                                notes=[(rec.where(key), f"'{key}' first defined here")],
                                hint="YAML would silently keep only the last; remove one")
                continue
            rec[key] = self.value.validate(value_node, ctx, f"{path}.{key}")
            rec.locs[key] = ctx.loc(key_node)
        return rec

    def json(self):
        return {"type": "object", "propertyNames": self.key.json(),
                "additionalProperties": self.value.json()}

    def doc_type(self):
        return f"mapping of name to {self.value.doc_type()}"


class NameOrRecord(Record):
    """A list item written either as a plain name or as a mapping with a
    `name` key and more: `- rtc` is `- {name: rtc}`."""

    def __init__(self, title, description, fields):
        super().__init__(title, description, fields)
        self.name_type = fields[0].type

    def validate(self, node, ctx, path):
        if isinstance(node, yaml.MappingNode):
            return super().validate(node, ctx, path)
        name = self.name_type.validate(node, ctx, path)
        if name is INVALID:
            return INVALID
        rec = Rec(ctx.loc(node))
        rec["name"] = name
        rec.locs["name"] = ctx.loc(node)
        for field in self.fields.values():
            if field.name not in rec and field.default is not None:
                rec[field.name] = field.default
        return rec

    def json(self):
        return {"oneOf": [self.name_type.json(), super().json()]}

    def doc_type(self):
        return f"name, or mapping ({self.title})"


def empty_rec():
    return Rec(Loc("<default>"))


PAGE = 0x1000
POLICY = ("halt", "restart")

MEMORY = Record("capsule memory", "The capsule's one contiguous RAM region.", [
    Field("size", Size(align=PAGE), "Bytes of RAM, a multiple of 4 KiB (e.g. 16MiB).",
          required=True),
    Field("base", Addr(align=PAGE), "Fixed physical base address. By default the generator "
          "picks the lowest address aligned to the size rounded up to a power of two (one "
          "NAPOT PMP entry), else the lowest 4 KiB-aligned fit."),
])

PAYLOAD = Record("payload", "What the capsule boots: a guest from guests/ or a kernel file.", [
    Field("guest", file_name_type(), "A guest under guests/: reads guests/GUEST/guest.yaml "
          "(kernel, initrd, bootargs, kind); the keys below override it."),
    Field("kernel", Path(), "Kernel or bare-metal binary: an absolute path, a path from the "
          "repository root, or ./ or ../ from this file's folder."),
    Field("initrd", Path(), "Initial RAM disk, a path like kernel."),
    Field("bootargs", Str(), "Kernel command line, in /chosen/bootargs."),
])

FORWARD = Record("port forward", "A TCP port of the host's 127.0.0.1 that reaches the "
                 "capsule.", [
    Field("host", Int(1, 65535), "Host TCP port, bound to 127.0.0.1 only; unique in the "
          "system.", required=True),
    Field("guest", Int(1, 65535), "TCP port inside the capsule.", required=True),
])

CAPSULE_DEVICE = NameOrRecord("capsule device", "A board device given to the capsule; "
                              "`- NAME` is short for `- {name: NAME}`.", [
    Field("name", file_name_type(), "The board device.", required=True),
    Field("dma-reaches-all-memory", Bool(), "Required `true` for a device the board marks "
          "`dma: true`: it acknowledges that the device can read and write every byte of "
          "RAM, the hypervisor's and other capsules' included (PMP does not confine DMA; "
          "docs/security.md).", default=False),
    Field("disk", Record("disk", "A virtio block device in a virtio-mmio slot: name "
                         "exactly one of image and size.", [
        Field("image", Path(), "Your disk image file (raw), a path like a payload's; the "
              "build never writes or deletes it, and it may not be inside build/."),
        Field("size", Size(align=PAGE), "Size of a generated ext4 image in "
              "build/CONFIG/disks/, made once and kept until its size or label changes "
              "(`make clean` removes it)."),
    ]), "What sits in the slot: a disk."),
    Field("network", Record("network", "A virtio network interface in a virtio-mmio slot: "
                            "QEMU user networking, isolated from the host's network "
                            "(restrict=on), DHCP inside.", [
        Field("forward", List(FORWARD), "TCP ports of 127.0.0.1 forwarded into the capsule.",
              default=Seq(Loc("<default>"))),
    ]), "What sits in the slot: a network interface."),
])

CAPSULE = Record("capsule", "One guest partition.", [
    Field("name", Str(NAME_RE.pattern, max_len=NAME_MAX, checked_later=True), "Capsule name: [a-z][a-z0-9_]*, at most 31 characters (it is a "
          "C identifier and a device-tree node name).", required=True),
    Field("vcpus", Int(1, 64), "Number of virtual harts.", required=True),
    Field("harts", List(Int(0, 63), 1), "Physical hart for each vCPU, in vCPU order "
          "(vCPU 0 first); one hart per vCPU.", required=True),
    Field("memory", MEMORY, "The capsule's RAM.", required=True),
    Field("payload", PAYLOAD, "What the capsule boots.", required=True),
    Field("console", Enum("uart", "sbi"), "Console form in the device tree: `uart` adds "
          "the virtual ns16550 UART and points stdout-path at it; `sbi` leaves only the "
          "SBI console (DBCN).", default="uart"),
    Field("devices", List(CAPSULE_DEVICE), "Board devices passed through to the capsule: "
          "their registers, and their interrupt sources through the capsule's own PLIC "
          "contexts. A plain name, or a mapping that also says what sits in a virtio-mmio "
          "slot.", default=Seq(Loc("<default>"))),
    Field("isa-extensions", List(Str()), "ISA extensions the capsule's device tree "
          "advertises, a subset of the board's (default: all of them)."),
    Field("on-fault", Enum(*POLICY), "What a capsule fault does: halt the capsule, or "
          "restart it from the pristine store.", default="halt"),
    Field("on-poweroff", Enum(*POLICY), "What SBI system shutdown from the capsule does.",
          default="halt"),
    Field("on-reboot", Enum(*POLICY), "What SBI system reboot from the capsule does.",
          default="restart"),
    Field("restart-limit", Int(0, 0xffffffff), "Restarts allowed by on-fault before the "
          "capsule stays halted.", default=3),
    Field("may-reset-system", Bool(), "Whether the capsule's SBI system reset acts on the "
          "whole board instead of the capsule alone.", default=False),
])

WINDOW = Record("window", "Time a capsule runs on every hart of its schedule: on each of "
                "those harts, the capsule's vCPU there runs for the window's length (on a "
                "hart where the capsule has no vCPU, the window is idle time).", [
    Field("capsule", name_type(), "The capsule that runs.", required=True),
    Field("length", Duration(1), "How long; a whole number of timer ticks (the board's "
          "timebase-frequency), at least 100us.", required=True),
    Field("offset", Duration(), "Start from the beginning of the frame. Default: where the "
          "window before it ends (0 for the first); time between windows is idle."),
])

SCHEDULE = Record("schedule", "Harts shared by capsules on a static, cyclic time-partition "
                  "schedule: the same windows repeat every frame on each of its harts. "
                  "Name exactly one of windows and shares. The hypervisor switches "
                  "vCPUs at window boundaries (docs/design.md, \"Scheduler\").", [
    Field("harts", List(Int(0, 63), 1), "The physical harts the schedule shares; each "
          "capsule in it runs its vCPUs on them as its own `harts:` says.", required=True),
    Field("frame", Duration(1), "The major frame: the period after which the windows "
          "repeat; a whole number of timer ticks.", required=True),
    Field("windows", List(WINDOW, 1), "The windows in time order."),
    Field("shares", MapOf(name_type(), Int(1, 1000)), "Short form: capsule name to "
          "weight; the frame is split into one window per capsule, in this order, each "
          "frame * weight / total weights rounded down to a timer tick (what rounding "
          "leaves over is idle at the end of the frame)."),
])

HYPERVISOR_CONSOLE = Record("hypervisor console", "The physical console.", [
    Field("focus", name_type(), "Capsule that has console input at boot (default: the "
          "first capsule)."),
    Field("redraw", Enum("auto", "always", "never"), "Whether the console is a terminal, "
          "where the focused capsule's unfinished line (a prompt and what is typed) is "
          "redrawn after other capsules' output, whole and last: `always`; or a log (a "
          "pipe, a file), where every line is printed once and nothing else: `never`; "
          "`auto`: a terminal when the host says so through the board's `host-settings` "
          "device (`make run` does when its output is a terminal), else a log.",
          default="auto"),
])

HYPERVISOR = Record("hypervisor", "Options of the hypervisor itself.", [
    Field("log-level", Enum("error", "warn", "info", "debug"),
          "Least severe message the hypervisor prints.", default="info"),
    Field("memory", Size(align=PAGE), "RAM for the hypervisor image, stacks and state, at "
          "the start of RAM bank 0.", default=2 << 20),
    Field("console", HYPERVISOR_CONSOLE, "The physical console."),
])

CONFIG = Record("system", "A Bulkhead system: a board, hypervisor options and capsules "
                "(configs/NAME.yaml).", [
    Field("board", file_name_type(), "Board name: boards/BOARD.yaml.", required=True),
    Field("hypervisor", HYPERVISOR, "Hypervisor options."),
    Field("capsules", List(CAPSULE), "The capsules, in order: the order decides "
          "allocation order and the console focus digits.", required=True),
    Field("schedules", List(SCHEDULE), "Harts that capsules share on a cyclic schedule; "
          "a hart in no schedule runs one vCPU, pinned 1:1.",
          default=Seq(Loc("<default>"))),
])

GUEST = Record("guest", "A guest manifest (guests/NAME/guest.yaml).", [
    Field("guest", file_name_type(), "The guest's name, same as its directory.", required=True),
    Field("kind", Enum("bare-metal", "linux"), "`linux`: a RISC-V Linux Image (header "
          "checked, 2 MiB aligned); `bare-metal`: a raw position-independent binary.",
          required=True),
    Field("kernel", Path(), "Kernel file its Makefile produces, from the repository root "
          "(or ./ from the guest's folder).", required=True),
    Field("initrd", Path(), "Initial RAM disk its Makefile produces."),
    Field("bootargs", Str(), "Default kernel command line."),
    Field("append-bootargs", Str(), "Words always appended to the capsule's kernel command "
          "line, whatever the config's bootargs say (a word already there is not repeated)."),
    Field("min-memory", Size(align=PAGE), "Least capsule memory the guest boots in; a "
          "capsule with less is rejected (memory-below-guest-minimum)."),
    Field("warm-reboot", Enum("reboot", "panic"), "What the guest's SBI warm reboot means: "
          "`panic` sets the capsule's warm_reboot_is_panic, so the hypervisor applies "
          "on-fault instead of on-reboot.", default="reboot"),
    Field("device-modules", MapOf(file_name_type(), List(Str())), "Kernel modules a "
          "capsule needs for what sits in its devices (`virtio-blk`: a disk, `virtio-net`: "
          "a network interface), in load order."),
    Field("modules-tool", Path(), "Program that packs modules into a cpio archive "
          "(`TOOL --out FILE MODULE...`, run from the repository root); the capsule's "
          "initrd is the guest's followed by it."),
    Field("description", Str(), "What the guest is."),
])

REGION = Record("region", "A physical range.", [
    Field("base", Addr(), "First byte.", required=True),
    Field("size", Size(), "Length in bytes.", required=True),
])

RESERVED = Record("reserved range", "A range the loader uses before the hypervisor runs.", [
    Field("base", Addr(), "First byte.", required=True),
    Field("size", Size(), "Length in bytes.", required=True),
    Field("why", Str(), "Who uses it.", required=True),
])

PLIC_CONTEXT = Record("PLIC context", "One PLIC context: a hart's interrupt target in "
                      "one privilege mode.", [
    Field("hart", Int(0, 63), "The hart.", required=True),
    Field("mode", Enum("machine", "supervisor"), "Privilege mode of the target.",
          required=True),
])

DEVICE = Record("device", "A memory-mapped device.", [
    Field("kind", Str(r"^[a-z][a-z0-9-]*$", "a device kind of [a-z][a-z0-9-]*"),
          "Device class (clint, plic, ns16550, sifive-uart, sifive-test, sifive-gpio, "
          "goldfish-rtc, virtio-mmio, qemu-fw-cfg, ...); names its device-tree node.",
          required=True),
    Field("compatible", List(Str(), 1), "Device-tree compatible strings, most specific "
          "first (quote them: a comma splits a flow list).", required=True),
    Field("base", Addr(), "MMIO base address.", required=True),
    Field("size", Size(), "MMIO window size.", required=True),
    Field("interrupts", List(Int(1, 1023)), "Interrupt sources at the interrupt controller."),
    Field("clock-frequency", Int(1), "Input clock in Hz (UARTs)."),
    Field("reg-shift", Int(0, 3), "Register n is at base + (n << reg-shift), as the "
          "device tree's reg-shift says (a DesignWare APB UART: 2). The hypervisor's "
          "console driver honours it.", default=0),
    Field("reg-io-width", IntChoice(1, 4), "The width in bytes of each register access, as "
          "the device tree's reg-io-width says (a DesignWare APB UART: 4). The "
          "hypervisor's console driver honours it.", default=1),
    Field("sources", Int(1, 1023), "Number of interrupt sources (interrupt controllers)."),
    Field("restart-pin", Int(0, 31), "A GPIO controller's pin that resets the machine when "
          "driven low (a gpio-restart)."),
    Field("contexts", List(PLIC_CONTEXT, 1), "A PLIC's contexts in context order (context N "
          "is item N): whose hart and which privilege mode each belongs to."),
    Field("dma", Bool(), "Whether the device can master the bus (DMA): PMP does not confine "
          "it, so a capsule gets it only with dma-reaches-all-memory: true.", default=False),
])

ISA_EXTENSION = Str(r"^([a-z]|[zsx][a-z0-9]+)$", "an ISA extension name (a single letter, "
                    "or z/s/x followed by letters and digits)")

PRIVILEGED = Field("privileged", Enum("1.10", "1.11", "1.12"), "Version of the privileged "
                   "architecture the harts implement (quote it: \"1.10\"); before 1.12 they "
                   "have no menvcfg or senvcfg, which the hypervisor then leaves alone.",
                   default="1.12")

HART_KIND = Record("hart kind", "Harts that differ from the board's isa and mmu: their own "
                   "ISA, paging and whether they have S-mode. A hart in no kind has the "
                   "board's isa and mmu and S-mode.", [
    Field("name", file_name_type(), "The kind's name (e.g. the core's: e51, u54), for "
          "messages and comments.", required=True),
    Field("harts", List(Int(0, 63), 1), "The harts of this kind.", required=True),
    Field("isa", Record("hart isa", "The ISA of a kind of hart.", [
        Field("base", Enum("rv64i"), "Base ISA.", required=True),
        Field("extensions", List(ISA_EXTENSION, 1), "Extensions these harts have, lower "
              "case.", required=True),
        PRIVILEGED,
    ]), "The ISA of these harts (default: the board's isa)."),
    Field("mmu", Enum("none", "sv39", "sv48", "sv57"), "Largest paging mode of these "
          "harts, or none (default: the board's mmu)."),
    Field("supervisor", Bool(), "Whether these harts have S-mode. A hart without it (M and "
          "U only, e.g. a monitor core) runs the hypervisor but never a vCPU; it parks "
          "after boot.", default=True),
])

BOARD = Record("board", "A machine (boards/NAME.yaml).", [
    Field("board", file_name_type(), "Board name, same as the file name.", required=True),
    Field("description", Str(), "What the machine is."),
    Field("harts", Int(1, 64), "Number of harts, IDs 0..harts-1 (at most 64: the "
          "hypervisor names harts in 64-bit masks).", required=True),
    Field("timebase-frequency", Int(1, 0xffffffff), "Frequency of the time CSR in Hz (one "
          "device-tree cell).", required=True),
    Field("isa", Record("isa", "The harts' ISA.", [
        Field("base", Enum("rv64i"), "Base ISA.", required=True),
        Field("extensions", List(ISA_EXTENSION, 1),
              "Extensions every hart has, lower case (but harts of a hart-kinds entry "
              "with an isa of its own).", required=True),
        PRIVILEGED,
    ]), "The harts' ISA.", required=True),
    Field("mmu", Enum("sv39", "sv48", "sv57"), "Largest supported paging mode (but on "
          "harts of a hart-kinds entry with an mmu of its own).", required=True),
    Field("hart-kinds", List(HART_KIND), "Harts whose ISA, paging or privilege modes "
          "differ from isa and mmu; harts not listed have the board's isa and mmu, and "
          "S-mode.", default=Seq(Loc("<default>"))),
    Field("time-csr", Bool(), "Whether the harts' time CSR can be read. false: reading it "
          "is an illegal instruction (the FU540 and QEMU sifive_u wire no time source to "
          "it); the hypervisor then reads the timer device's mtime, and emulates a "
          "capsule's reads of time.", default=True),
    Field("pmp", Record("pmp", "Physical memory protection.", [
        Field("entries", Int(0, 64), "PMP entries per hart.", required=True),
        Field("granularity", Size(), "PMP granularity in bytes (a power of two, >= 4).",
              required=True),
    ]), "PMP budget.", required=True),
    Field("ram", List(REGION, 1), "RAM banks, bank 0 first.", required=True),
    Field("loader-reserved", List(RESERVED), "Ranges no payload byte may be placed in.",
          default=Seq(Loc("<default>"))),
    Field("devices", MapOf(file_name_type(), DEVICE), "Every device, by name.", required=True),
    Field("hypervisor-devices", Record("hypervisor devices", "Devices the hypervisor "
          "drives; never given to capsules, but for the clock.", [
        Field("timer", file_name_type(), "CLINT/ACLINT device.", required=True),
        Field("interrupt-controller", file_name_type(), "PLIC device.", required=True),
        Field("console", file_name_type(), "UART the hypervisor owns: kind `ns16550` or "
              "`sifive-uart` (sifive,uart0). Capsules see a virtual ns16550 at its address "
              "whatever its kind.", required=True),
        Field("poweroff", file_name_type(), "Device that ends the machine: kind "
              "`sifive-test` (sifive,test: power off with an exit status, or reset), or "
              "`sifive-gpio` with a restart-pin (a reset, the only power control of "
              "sifive_u: QEMU run with -no-reboot then exits, status 0, whatever the "
              "capsules' endings). Without one (a real board whose power is a PMIC the "
              "hypervisor does not drive: docs/boards.md), every hart halts where the "
              "machine would power off or reset."),
        Field("clock", file_name_type(), "goldfish-rtc device the hypervisor reads the time "
              "of day from, once at boot before any capsule runs; a capsule may still own "
              "it. Without one, capsules get time of day 0 (unknown)."),
        Field("host-settings", file_name_type(), "QEMU fw_cfg device (kind `qemu-fw-cfg`) "
              "through which the host says how it connects the console: an interactive "
              "boot (`-boot menu=on`, which `make run` asks for when its output is a "
              "terminal) means a terminal. Read once at boot. Without one, the console "
              "is a log unless `hypervisor.console.redraw` says `always`."),
    ]), "Devices the hypervisor owns.", required=True),
    Field("qemu", Record("qemu", "How `make run` starts QEMU for this board.", [
        Field("binary", Str(), "QEMU executable.", required=True),
        Field("machine", Str(), "-M value.", required=True),
        Field("args", List(Str()), "Further arguments, before -smp and -m are added.",
              default=Seq(Loc("<default>"))),
    ]), "QEMU command line. A real board has none: `make run` refuses it."),
    Field("boot-artifact", Record("boot artifact", "The file a board's boot loader "
          "loads the hypervisor from, which `make` writes beside bulkhead.elf "
          "(docs/boards.md says how to put it on each board).", [
        Field("format", Enum("fit"), "`fit`: build/CONFIG/bulkhead.itb, a U-Boot FIT image "
              "(mkimage): the hypervisor as its firmware at its link address (the start "
              "of RAM bank 0), entered on every hart, and each payload as a loadable at "
              "its own address.", required=True),
    ]), "What the board's boot loader loads (none: QEMU loads bulkhead.elf itself)."),
])


def sound(value, type_):
    """Whether a validated value has no error anywhere inside it: no INVALID
    value and no missing required key. Checks between files run only on
    sound parts, so that one broken field does not hide every other error."""
    if value is INVALID:
        return False
    if isinstance(type_, Record):
        return isinstance(value, Rec) and all(
            sound(value[f.name], f.type) if f.name in value else not f.required
            for f in type_.fields.values())
    if isinstance(type_, List):
        return isinstance(value, Seq) and all(sound(v, type_.item) for v in value)
    if isinstance(type_, MapOf):
        return isinstance(value, Rec) and all(sound(v, type_.value) for v in value.values())
    return True


def json_schema(record=CONFIG):
    out = {"$schema": "http://json-schema.org/draft-07/schema#",
           "title": "Bulkhead " + record.title}
    out.update(record.json())
    return out


def walk_records(record, seen=None):
    """Every Record reachable from record, in first-seen order."""
    seen = [] if seen is None else seen
    if record in seen:
        return seen
    seen.append(record)
    for field in record.fields.values():
        inner = field.type
        while isinstance(inner, (List, MapOf)):
            inner = inner.item if isinstance(inner, List) else inner.value
        if isinstance(inner, Record):
            walk_records(inner, seen)
    return seen


def markdown(record):
    """Reference tables for record and every record inside it."""
    out = []
    for rec in walk_records(record):
        out.append(f"### {rec.title}\n\n{rec.description}\n")
        out.append("| key | type | required / default | description |")
        out.append("|---|---|---|---|")
        for field in rec.fields.values():
            if field.required:
                need = "required"
            elif field.default is None or isinstance(field.default, (Rec, Seq)):
                need = "optional" if field.default is None else "optional, default empty"
            else:
                default = field.default
                if isinstance(default, bool):
                    default = str(default).lower()
                elif isinstance(field.type, Size):
                    default = f"{default >> 20}MiB" if default % (1 << 20) == 0 else default
                need = f"default `{default}`"
            out.append(f"| `{field.name}` | {field.type.doc_type()} | {need} | "
                       f"{field.description} |")
        out.append("")
    return "\n".join(out)
