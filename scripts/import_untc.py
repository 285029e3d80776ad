#!/usr/bin/env python3
"""Thin entry point: `python scripts/import_untc.py [options]` runs kb.importers.update.main (see its --help)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.importers.update import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
