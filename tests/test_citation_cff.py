"""CITATION.cff: valid Citation File Format 1.2.0, and its version is the one `kb info` shows for the data."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

import kb.query as q

ROOT = Path(__file__).resolve().parents[1]


def cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text())


def test_citation_cff_is_valid_cff_1_2_0():
    schema = json.loads((ROOT / "kb" / "csl" / "schema" / "cff-1.2.0.json").read_text())
    doc = cff()
    jsonschema.validate(doc, schema)
    assert doc["cff-version"] == "1.2.0" and doc["type"] == "dataset" and doc["license"] == "CC-BY-4.0"
    assert doc["title"] == "Treaty and convention ratification knowledge base"


def test_the_schema_refuses_a_malformed_file():
    schema = json.loads((ROOT / "kb" / "csl" / "schema" / "cff-1.2.0.json").read_text())
    bad = dict(cff(), authors=[])
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a CITATION.cff with no authors was accepted")


def test_citation_cff_version_is_kb_info_version(built_db):
    conn = q.connect(built_db)
    try:
        version = q.info(conn)["version"]
    finally:
        conn.close()
    assert cff()["version"] == version, (
        "CITATION.cff is not the data's version: run .venv/bin/python scripts/gen_citation_cff.py")
