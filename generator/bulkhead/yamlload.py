"""Strict YAML loading: composed nodes with positions, no silent surprises.

PyYAML's own constructors keep the last of two duplicate keys and read YAML 1.1
booleans and octals where a person meant a string or a decimal number. Here the
file is only composed into nodes; the schema (schema.py) interprets every
scalar itself, from its source text, and so can reject those traps.
"""

import yaml

from .diag import Loc


def loc_of(node, file):
    mark = node.start_mark
    return Loc(file, mark.line + 1, mark.column + 1)


def load(path, display, diags):
    """Compose the YAML file at path into a node tree.

    display is the path used in messages. Returns None (after recording the
    error) when the file is missing or not well-formed.
    """
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        diags.error(Loc(display), "yaml-syntax", f"cannot read the file: {err}",
                    hint="it must be a readable UTF-8 text file")
        return None
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = Loc(display, mark.line + 1, mark.column + 1) if mark else Loc(display)
        problem = err.problem or err.context or "malformed YAML"
        diags.error(loc, "yaml-syntax", f"not valid YAML: {problem}",
                    hint="check the indentation and quoting around this line")
        return None
    except yaml.YAMLError as err:
        diags.error(Loc(display), "yaml-syntax", f"not valid YAML: {err}",
                    hint="check the file's indentation and quoting")
        return None
    nodes = [n for n in nodes if n is not None]
    if len(nodes) > 1:
        diags.error(loc_of(nodes[1], display), "yaml-syntax",
                    "the file holds more than one YAML document",
                    hint="remove the '---' separator; one file describes one thing")
        return None
    if not nodes:
        diags.error(Loc(display, 1, 1), "yaml-syntax", "the file is empty",
                    hint="see docs/config.md for what the file holds")
        return None
    return nodes[0]
