"""Behaviour kept: the CLI's answers and two pages' HTML equal the recorded golden outputs
(tests/golden/out/, written by tests/golden/record.py).  A deliberate change re-records them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_golden_outputs_unchanged():
    r = subprocess.run([sys.executable, "tests/golden/record.py", "--check"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
