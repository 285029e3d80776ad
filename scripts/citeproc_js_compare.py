"""The citation records that scripts/citeproc_js_compare.js renders with citeproc-js (a maintainer
tool, run by hand): `python scripts/citeproc_js_compare.py records [--db kb.db]` prints them as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kb.query as q  # noqa: E402
from kb.query import csl  # noqa: E402

EVENT = "PRK/treaty_body/CRPD/2025-08-19/concluding_observations"


def records(conn) -> dict:
    return {
        "status": csl.status_record(conn, "PRK", "CRPD", "2026-02-03"),
        "event": csl.event_record(conn, EVENT),
        "instrument": csl.instrument_record(conn, "CAT"),
        "kb": csl.kb_record(conn),
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("what", choices=["records"])
    ap.add_argument("--db", default="kb.db")
    args = ap.parse_args()
    print(json.dumps(records(q.connect(args.db)), ensure_ascii=False, indent=1))
