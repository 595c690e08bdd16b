"""Command line of bulkhead-gen: deps, build, check, info, schema."""

import argparse
import json
import os
import re
import sys
import tempfile

from . import alloc, initrd, model, qemu, render, report, schema, svg
from .diag import RULES, Diagnostics, Failed, InternalError, ToolFailed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv):
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: the options may come before or after the command, and a
    # subcommand's default must not overwrite a value given before it.
    common.add_argument("--format", choices=("text", "json"), default=argparse.SUPPRESS,
                        help="diagnostics as text (default) or JSON")
    common.add_argument("--root", default=argparse.SUPPRESS,
                        help="repository root that relative paths start from "
                             "(default: the one holding this generator)")
    parser = argparse.ArgumentParser(
        prog="bulkhead-gen", parents=[common],
        description="Validate a Bulkhead system and generate its build inputs.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, helptext, out in (
            ("deps", "write OUT/deps.mk: board, guests, inputs, payload files", True),
            ("build", "validate, allocate and render OUT/gen/", True),
            ("check", "validate only", False),
            ("info", "print the system report; write OUT/system.svg", True)):
        sub = commands.add_parser(name, help=helptext, parents=[common])
        sub.add_argument("--config", required=True, help="configs/NAME.yaml")
        if out:
            sub.add_argument("--out", required=True, help="build/NAME")
    sub = commands.add_parser("schema", help="print the JSON Schema of configs",
                              parents=[common])
    sub.add_argument("--markdown", action="store_true",
                     help="print the reference tables of docs/config.md instead")
    sub.add_argument("--update-docs", action="store_true",
                     help="rewrite docs/schema.json and the generated part of docs/config.md")
    args = parser.parse_args(argv)
    args.format = getattr(args, "format", "text")
    args.root = os.path.abspath(getattr(args, "root", ROOT))
    return args


def load_checked(args, diags, tmp):
    """Phases 1 to 3: a fully validated and allocated system. Capsules'
    own initrds are made in tmp first (placement needs their sizes)."""
    system = model.load_system(args.root, args.config, diags)
    out = getattr(args, "out", None) or os.path.join("build", system.name)
    gen_path = model.display_path(args.root, os.path.join(os.path.abspath(out), "gen"))
    system.out = model.display_path(args.root, os.path.abspath(out))
    system.generated = initrd.make_initrds(system, tmp, gen_path, diags)
    alloc.allocate(system, diags)
    if diags:
        raise Failed(diags)
    return system


def cmd_deps(args, diags):
    # Every check that does not need the payload files, so that `make` stops
    # before building guests and writes no deps.mk for a system that cannot
    # be valid; placement needs the files' sizes and waits for `build`
    # (allocate checks only fixed bases here).
    # Files the config names must exist already (check_user_files_exist):
    # deps.mk never names a file that no rule can make.
    system = model.load_system(args.root, args.config, diags, check_files=False)
    alloc.allocate(system, diags)
    if diags:
        raise Failed(diags)
    guests, payloads, tools = [], [], []
    for capsule in system.capsules:
        if initrd.capsule_modules(capsule) and "modules-tool" in capsule.guest:
            tool = initrd.modules_tool(system, capsule).path
            tools += [tool] if tool not in tools else []
        if capsule.guest and capsule.guest["guest"] not in guests:
            guests.append(capsule.guest["guest"])
        for file in (capsule.kernel, capsule.initrd):
            if file and model.from_guest(capsule, file) and file.path not in payloads:
                payloads.append(file.path)
    direct = []
    for _, file in model.user_files(system):
        if file.path not in direct:
            direct.append(file.path)
    out = model.display_path(args.root, os.path.abspath(args.out))
    env = render.make_env()
    text = env.get_template("deps.mk.j2").render(
        banner=render.banner(system.inputs(), "bulkhead-gen deps"),
        board_path=system.board.path, guests=guests, sources=system.inputs(),
        files=direct, payloads=payloads, tools=tools,
        user_disks=qemu.user_disks(system), disks=qemu.generated_disks(system, out),
        disk_tool=qemu.DISK_TOOL,
        boot_artifact=(os.path.join(os.path.normpath(args.out), "bulkhead.itb")
                       if system.board.boot_artifact else ""),
        deps_mk=os.path.join(os.path.normpath(args.out), "deps.mk"),
        config_file=args.config)
    for disk in qemu.generated_disks(system, out):
        render.install_text(os.path.join(args.root, disk.spec), disk.spec_text)
    path = os.path.join(args.out, "deps.mk")
    render.install_text(path, text)
    # make asked for deps.mk because an input is newer; mark it up to date
    # even when its content did not change, or make would ask every time.
    os.utime(path)
    return 0


def cmd_build(args, diags):
    with tempfile.TemporaryDirectory(prefix="bulkhead-gen.") as tmp:
        system = load_checked(args, diags, tmp)
        render.generate(system, args.out, tmp, diags)
    schema_text = json.dumps(schema.json_schema(), indent=2) + "\n"
    render.install_text(os.path.join(os.path.dirname(os.path.normpath(args.out)) or ".",
                                     "schema.json"), schema_text)
    return 0


def cmd_check(args, diags):
    with tempfile.TemporaryDirectory(prefix="bulkhead-check.") as tmp:
        load_checked(args, diags, tmp)
    return 0


def cmd_info(args, diags):
    with tempfile.TemporaryDirectory(prefix="bulkhead-info.") as tmp:
        system = load_checked(args, diags, tmp)
    with_dtb_sizes(system, diags)
    print("\n".join(report.report(system)))
    render.install_text(os.path.join(args.out, "system.svg"), svg.picture(system))
    print(f"\nwrote {os.path.join(args.out, 'system.svg')}")
    return 0


def with_dtb_sizes(system, diags):
    """Compile the DTBs (in a temp dir) so the report shows their real sizes."""
    import tempfile
    env = render.make_env()
    header = render.banner(system.inputs())
    with tempfile.TemporaryDirectory(prefix="bulkhead-info.") as tmp:
        for capsule in system.capsules:
            render.write(os.path.join(tmp, f"capsule-{capsule.name}.dts"),
                         render.render_dts(env, system, capsule, header))
            render.compile_dtb(tmp, system, capsule, diags)
    if diags:
        raise Failed(diags)


DOCS_BEGIN = re.compile(r"<!-- BEGIN GENERATED[^\n]*-->\n\n")
DOCS_END = "<!-- END GENERATED -->"


def update_docs():
    """Regenerate the schema-derived docs of the repository this generator is in."""
    docs = os.path.join(ROOT, "docs")
    with open(os.path.join(docs, "config.md")) as stream:
        text = stream.read()
    start = DOCS_BEGIN.search(text)
    end = text.index(DOCS_END)
    text = text[:start.end()] + reference_markdown() + text[end:]
    render.install_text(os.path.join(docs, "config.md"), text)
    render.install_text(os.path.join(docs, "schema.json"),
                        json.dumps(schema.json_schema(), indent=2) + "\n")


def cmd_schema(args, diags):
    if args.update_docs:
        update_docs()
    elif args.markdown:
        print(reference_markdown(), end="")
    else:
        print(json.dumps(schema.json_schema(), indent=2))
    return 0


def reference_markdown():
    """The generated part of docs/config.md: every format, then every rule."""
    parts = ["## Config reference (configs/NAME.yaml)\n", schema.markdown(schema.CONFIG),
             "## Guest manifest reference (guests/NAME/guest.yaml)\n",
             schema.markdown(schema.GUEST),
             "## Board reference (boards/NAME.yaml)\n", schema.markdown(schema.BOARD),
             "## Rules\n", "| rule | fires on |", "|---|---|"]
    parts += [f"| `{rule}` | {summary} |" for rule, summary in RULES.items()]
    return "\n".join(parts) + "\n"


COMMANDS = {"deps": cmd_deps, "build": cmd_build, "check": cmd_check, "info": cmd_info,
            "schema": cmd_schema}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    diags = Diagnostics()
    try:
        return COMMANDS[args.command](args, diags)
    except Failed as failed:
        print(failed.diags.render(args.format), file=sys.stderr)
        if args.format == "text":
            print(f"bulkhead-gen: {len(failed.diags)} error(s); nothing was written",
                  file=sys.stderr)
        return 1
    except ToolFailed as err:
        print(f"bulkhead-gen: {err}", file=sys.stderr)
        return 1
    except InternalError as err:
        print(f"bulkhead-gen: internal error: {err}", file=sys.stderr)
        return 3
