"""The change feeds' wording: one sentence per action that a reader understands.

The rows come from kb/query/sql/feed.sql (newest first by the date the KB first recorded each
action); this module only words them, for the site's Atom and JSON feeds and for anyone
exporting them (kb.query.feed)."""

from __future__ import annotations

from typing import Any, Mapping

from .citation import format_date, humanize

# The word joining an action to the instrument: "accession to", "ratification of", ...
_OF = {"signature", "ratification", "acceptance", "approval", "formal_confirmation", "definitive_signature",
       "denunciation", "notification_of_withdrawal", "territorial_application", "communication"}
_UNDER = {"competence_declaration", "opt_out", "withdrawal_of_competence_declaration", "withdrawal_of_opt_out"}


def the(title: str) -> str:
    return title if title.lower().startswith("the ") else "the " + title


def sentence(row: Mapping[str, Any]) -> str:
    """"Democratic People's Republic of Korea: accession to the Convention against Torture, 1 May 2026"."""
    what = humanize(row["type"])
    if row.get("article"):
        what += f" (article {row['article']})"
    if row.get("target_state_name") or row.get("target_state"):
        what += f" concerning {row.get('target_state_name') or row['target_state']}"
    joiner = "of" if row["type"] in _OF else "under" if row["type"] in _UNDER else "to"
    text = f"{row['state_name']}: {what} {joiner} {the(row['instrument_title'])}, {format_date(row['date'])}"
    if row.get("effective_date"):
        text += f", with effect from {format_date(row['effective_date'])}"
    if row.get("legal_effect") == "none":
        text += " (no legal effect)"
    return text


def source_line(row: Mapping[str, Any]) -> str:
    """'Source: UN Treaty Collection, ..., status as at 1 June 2026 (C.N.123.2026.TREATIES-IV.9): <url>.'"""
    bits = [row.get("source_title") or "the recorded source"]
    if row.get("source_as_at"):
        bits.append(f"status as at {format_date(row['source_as_at'])}")
    text = "Source: " + ", ".join(bits)
    if row.get("source_symbol"):
        text += f" ({row['source_symbol']})"
    if row.get("source_url"):
        text += f": {row['source_url']}"
    text += "."
    if row.get("recorded"):
        text += f" First recorded in the KB from the source as at {format_date(row['recorded'])}."
    return text
