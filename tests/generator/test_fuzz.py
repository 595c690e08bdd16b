"""Seeded random mutations of the shipped configs never crash the generator.

Each mutant either builds (every generated file present) or fails with
clean diagnostics (every stderr line a diagnostic, note, hint or the
summary) and leaves nothing behind in its output directory. `deps` on the
same mutant fails only where `build` fails, and then writes no deps.mk.
"""

import contextlib
import io
import os
import random
import re
import zlib

import pytest
import yaml

from bulkhead import cli
from conftest import make_root, yaml_names

SEED = 20261125
# Every shipped config is fuzzed, two dozen of them: MUTANTS_PER_CONFIG
# each, and more (up to MUTANTS_MAX) only until both outcomes were seen,
# which keeps this file near a minute of `make test`.
MUTANTS_PER_CONFIG = 40
MUTANTS_MAX = 300
SCALARS = ["yes", "no", "on", "010", "0", "-1", "1", "3", "4", "64", "0x1000", "0x80000000",
           "0xbfff0000", "16MiB", "16 MiB", "1GiB", "2MB", "", "~", "hello0", "hello1",
           "linux0", "uart0", "virtio0", "plic", "Bad-Name", "halt", "restart", "sbi", "true",
           "x" * 40, "1.5", "0x1000_0000", "99999999999999999999999", "rv64i", "hello"]
KEYS = ["name", "vcpus", "harts", "memory", "size", "base", "payload", "guest", "kernel",
        "initrd", "bootargs", "console", "devices", "on-fault", "restart-limit", "focus",
        "isa-extensions", "vcpu", "hypervisor", "board", "capsules", "may-reset-system"]
LINE = re.compile(r"^(\S+:\d+:\d+: (error\[[a-z0-9-]+\]|note): |\S+: error\[[a-z0-9-]+\]: |"
                  r"hint: |bulkhead-gen: \d+ error\(s\); nothing was written$)")


def scalar(value):
    resolver = yaml.resolver.Resolver()
    tag = resolver.resolve(yaml.ScalarNode, value, (True, False))
    return yaml.ScalarNode(tag, value)


def all_nodes(node, out):
    out.append(node)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            all_nodes(value, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            all_nodes(item, out)
    return out


def mutate(tree, rng):
    nodes = all_nodes(tree, [])
    maps = [n for n in nodes if isinstance(n, yaml.MappingNode) and n.value]
    seqs = [n for n in nodes if isinstance(n, yaml.SequenceNode)]
    choice = rng.randrange(7)
    if choice == 0:  # replace a value
        parent = rng.choice(maps)
        index = rng.randrange(len(parent.value))
        parent.value[index] = (parent.value[index][0], scalar(rng.choice(SCALARS)))
    elif choice == 1:  # delete a key
        parent = rng.choice(maps)
        del parent.value[rng.randrange(len(parent.value))]
    elif choice == 2:  # rename a key
        parent = rng.choice(maps)
        index = rng.randrange(len(parent.value))
        parent.value[index] = (scalar(rng.choice(KEYS)), parent.value[index][1])
    elif choice == 3 and seqs:  # duplicate or drop a list item
        seq = rng.choice(seqs)
        if seq.value and rng.random() < 0.5:
            seq.value.append(seq.value[rng.randrange(len(seq.value))])
        elif seq.value:
            del seq.value[rng.randrange(len(seq.value))]
    elif choice == 4 and seqs:  # add a scalar to a list
        rng.choice(seqs).value.append(scalar(rng.choice(SCALARS)))
    elif choice == 5:  # replace a value with a structure
        parent = rng.choice(maps)
        index = rng.randrange(len(parent.value))
        value = rng.choice([yaml.SequenceNode("tag:yaml.org,2002:seq", []),
                            yaml.MappingNode("tag:yaml.org,2002:map", [])])
        parent.value[index] = (parent.value[index][0], value)
    else:  # duplicate a key
        parent = rng.choice(maps)
        parent.value.append(parent.value[rng.randrange(len(parent.value))])


def run(argv):
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        rc = cli.main(argv)
    return rc, err.getvalue()


def fuzz(root, config, seed, board=None):
    """Build MUTANTS_PER_CONFIG mutants of configs/config (or, given board, of
    boards/board.yaml under configs/config), more until one built and one
    failed (MUTANTS_MAX at most); return {exit status: count}."""
    rng = random.Random(seed)
    target = os.path.join(root, "boards", f"{board}.yaml") if board else None
    with open(target or os.path.join(root, "configs", config)) as stream:
        text = stream.read()
    outcomes = {0: 0, 1: 0}
    for number in range(MUTANTS_MAX):
        if number >= MUTANTS_PER_CONFIG and outcomes[0] and outcomes[1]:
            break
        tree = yaml.compose(text)
        for _ in range(rng.randint(1, 3)):
            mutate(tree, rng)
        mutant = yaml.serialize(tree)
        name = config if board else f"mutant{number}.yaml"
        with open(target or os.path.join(root, "configs", name), "w") as stream:
            stream.write(mutant)
        out = os.path.join(root, "build", f"mutant{number}")
        deps_out = os.path.join(root, "build", f"deps{number}")
        deps_rc, deps_err = run(["--root", root, "deps", "--config", f"configs/{name}",
                                 "--out", deps_out])
        rc, err = run(["--root", root, "build", "--config", f"configs/{name}", "--out", out])
        context = f"{board or config} mutant {number}:\n{mutant}\n{deps_err}\n{err}"
        assert rc in (0, 1) and deps_rc in (0, 1), context
        # deps rejects only what build rejects too, and then writes nothing.
        assert not (deps_rc == 1 and rc == 0), context
        assert os.path.exists(os.path.join(deps_out, "deps.mk")) == (deps_rc == 0), context
        assert all(LINE.match(line) for line in deps_err.splitlines()), context
        outcomes[rc] += 1
        if rc == 0:
            assert "capsule-" in " ".join(os.listdir(os.path.join(out, "gen"))), context
            assert "tables.c" in os.listdir(os.path.join(out, "gen")), context
            continue
        assert not os.path.exists(out), context
        lines = err.splitlines()
        assert lines, context
        for line in lines:
            assert LINE.match(line), f"stray line {line!r} in\n{context}"
    return outcomes


@pytest.fixture
def shipped_root(tmp_path):
    return make_root(str(tmp_path / "repo"), shipped=True)


@pytest.mark.parametrize("config", yaml_names("configs"))
def test_fuzz_shipped_config(shipped_root, config):
    outcomes = fuzz(shipped_root, f"{config}.yaml", SEED + zlib.crc32(config.encode()))
    # The mutations must exercise both outcomes to mean anything.
    assert outcomes[0] > 0 and outcomes[1] > 0, outcomes


def test_shipped_configs_build(shipped_root):
    for config in yaml_names("configs"):
        rc, err = run(["--root", shipped_root, "build", "--config", f"configs/{config}.yaml",
                       "--out", os.path.join(shipped_root, "build", config)])
        assert rc == 0, f"{config}: {err}"


def test_fuzz_board(root):
    outcomes = fuzz(root, "qemu-hello.yaml", SEED + 2, board="qemu-virt")
    assert outcomes[0] > 0 and outcomes[1] > 0, outcomes
