# SPDX-License-Identifier: MIT
"""Makes tests/scratch.py (the scratch copy of the repository every kind of
test uses) importable from each test folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
