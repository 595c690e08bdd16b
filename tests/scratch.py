# SPDX-License-Identifier: MIT
"""A scratch copy of the repository, for tests and benchmarks that edit
boards, configs or sources, or build from nothing, without touching this
tree: everything but .git, build/ and Python's caches."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIRS = {"__pycache__", ".pytest_cache"}


def copy_tree(dest):
    """Copy the repository to dest; returns dest."""
    def ignore(directory, names):
        at_root = Path(directory) == ROOT
        return [n for n in names if n in CACHE_DIRS or (at_root and n in (".git", "build"))]
    shutil.copytree(ROOT, dest, symlinks=True, ignore=ignore)
    return dest
