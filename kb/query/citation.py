"""Citation sentences for a state's status on an instrument.

The status itself is read from SQL (kb/query/sql/status_on.sql, the same text as
`kb status` and the stored query status_on): this module only words it.

The date a citation speaks for is the *source's* as-at date when the requested
date is on or after it (the KB knows nothing newer, so today's date is never
passed off as live); for an earlier date the sentence says "On <date>, ..."
and still cites the source with its as-at date.  Past the instrument's
`known_to` the sentence says "As recorded by <publisher> on <known_to>, ..."
and that the KB holds no later record, unless a later event it records
decides the status (then that event's source is cited).  Before the
instrument's adoption it says it had not yet been adopted.
"""

from __future__ import annotations

import datetime
import re
import sqlite3
from typing import Any, Mapping

from .base import QueryError, sql, version as build_version

STYLES = ("plain", "oscola", "bibtex")

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Names that read with a definite article ("the Democratic People's Republic of Korea").
_THE_WORDS = re.compile(r"\b(Republic|Kingdom|United|Federation|Islands|States|Union|Emirates|Holy See)\b")
_THE_NAMES = {"Bahamas", "Comoros", "Congo", "Gambia", "Maldives", "Netherlands", "Philippines", "Sudan", "Niger"}
_NO_THE = {"Niger", "Sudan", "South Sudan"}


class CiteError(QueryError):
    """No status row for the pair on the date."""


def format_date(value: str | None) -> str:
    """'2026-02-03' -> '3 February 2026'; '1998-06' -> 'June 1998'; '1998' -> '1998'."""
    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return value
    return value


def state_phrase(name: str) -> str:
    """The state's name as it reads inside a sentence."""
    if "(" in name or name in _NO_THE:
        return name
    if _THE_WORDS.search(name) or name in _THE_NAMES or name.startswith("State of"):
        return "the " + name
    return name


def publisher(source_title: str | None) -> str:
    """'UN Treaty Collection, Chapter IV, ...' -> 'the UN Treaty Collection'."""
    if not source_title:
        return "the recorded source"
    name = re.split(r"[,:]", source_title, maxsplit=1)[0].strip()
    if name.startswith("UN ") or name.startswith("United Nations"):
        return "the " + name
    return name


def humanize(term: str | None) -> str:
    return (term or "").replace("_", " ")


def treaty_name(inst: Mapping[str, Any]) -> str:
    """The instrument's full title as it reads inside a sentence ('the Convention against Torture ...')."""
    title = inst["title"]
    return title if title.lower().startswith("the ") else "the " + title


def source_short_title(source_title: str | None) -> str:
    """The source title without its publisher prefix ('Chapter IV, IV-9: Convention against Torture, status')."""
    if not source_title:
        return ""
    m = re.match(r"^[^,:]+[,:]\s*(.+)$", source_title)
    return m.group(1) if m else source_title


def treaty_reference(inst: Mapping[str, Any]) -> str:
    """'(New York, 10 December 1984; United Nations, Treaty Series, vol. 1465, p. 85)'."""
    parts = []
    adopted = format_date(inst.get("adopted"))
    if inst.get("adopted_place") and adopted:
        parts.append(f"{inst['adopted_place']}, {adopted}")
    elif adopted:
        parts.append(f"adopted {adopted}")
    if inst.get("unts_volume"):
        unts = f"United Nations, Treaty Series, vol. {inst['unts_volume']}"
        if inst.get("unts_page"):
            unts += f", p. {inst['unts_page']}"
        parts.append(unts)
    return f" ({'; '.join(parts)})" if parts else ""


def unts_reference(inst: Mapping[str, Any]) -> str | None:
    """'UNTS vol. 1465, p. 85' (None when not recorded)."""
    if not inst.get("unts_volume"):
        return None
    return f"UNTS vol. {inst['unts_volume']}" + (f", p. {inst['unts_page']}" if inst.get("unts_page") else "")


_NOTE_ITEM = re.compile(r"^\s*([a-z_]+) of (\d{4}(?:-\d{2}){0,2}) \(no legal effect\)\s*$")


def note_sentences(note: str | None) -> str:
    """The status row's note ('notification_of_withdrawal of 1997-08-25 (no legal effect)') as sentences."""
    if not note:
        return ""
    out = []
    for item in note.split(";"):
        m = _NOTE_ITEM.match(item)
        if m:
            out.append(f"Its {humanize(m.group(1))} of {format_date(m.group(2))} has no legal effect.")
        elif item.strip():
            out.append(f"Note: {item.strip()}.")
    return " ".join(out)


def in_force_clause(row: Mapping[str, Any], on: str, past: bool) -> str:
    """'; it entered into force for it on 5 January 2017 (article 45(2))', said from the date `on`;
    where the KB does not derive the date, it says so and why (the status row's in_force_note)."""
    eif = row.get("in_force_date")
    art = f" (article {row['in_force_article']})" if row.get("in_force_article") else ""
    if not eif:
        why = row.get("in_force_note")
        return ("; this knowledge base does not derive the date it entered into force for it"
                + (f" ({why})" if why else ""))
    if eif <= on:
        return f"; it entered into force for it on {format_date(eif)}{art}"
    return (f"; it was to enter into force for it on {format_date(eif)}{art}" if past
            else f"; it enters into force for it on {format_date(eif)}{art}")


def _status_clause(row: Mapping[str, Any], treaty: str, past: bool, on: str | None = None) -> str:
    status = row["status"]
    sig, con = format_date(row.get("signature_date")), format_date(row.get("consent_date"))
    ctype = humanize(row.get("consent_type"))
    if status == "party":
        verb = "had been" if past else "has been"
        return (f"{verb} a party to {treaty} since {con}" + (f" ({ctype})" if ctype else "")
                + (in_force_clause(row, on, past) if on else ""))
    if status == "signatory":
        return (f"had signed {treaty} on {sig} but was not a party" if past
                else f"signed {treaty} on {sig} but is not a party")
    if status == "not_party":
        return f"{'was' if past else 'is'} not a party to {treaty}"
    if status == "withdrawn":
        wd = format_date(row.get("withdrawal_date"))
        since = f" (it had been a party since {con}" + (f", by {ctype}" if ctype else "") + ")" if con else ""
        return f"{'had withdrawn' if past else 'has withdrawn'} from {treaty} with effect from {wd}{since}"
    if status == "not_applicable":
        return (f"was not a member of the International Labour Organization and so could not ratify {treaty}" if past
                else f"is not a member of the International Labour Organization and so cannot ratify {treaty}")
    return (f"had no complete record in this knowledge base for {treaty}, so its status was unknown" if past
            else f"has no complete record in this knowledge base for {treaty}, so its status is unknown")


def status_row(conn: sqlite3.Connection, state_id: str, instrument_id: str, as_of: str) -> dict | None:
    """The status_on.sql row for one pair on one date (None when the pair is unknown)."""
    cur = conn.execute(sql("status_on"), {"as_of": as_of, "states": state_id, "instruments": instrument_id})
    cols = [d[0] for d in cur.description]
    r = cur.fetchone()
    return dict(zip(cols, r)) if r else None


def instrument_row(conn: sqlite3.Connection, instrument_id: str) -> dict | None:
    cur = conn.execute("SELECT * FROM instruments WHERE id = ?", (instrument_id,))
    cols = [d[0] for d in cur.description]
    r = cur.fetchone()
    return dict(zip(cols, r)) if r else None


def source_day(source_as_at: str, as_of: str) -> str:
    """The day on which to read the status a source speaks for: its as-at date, or for a source dated
    only to a month or a year ('2018-03', '2018') the last day of that period, never after `as_of`.
    A month-dated source of March 2018 speaks for the end of March 2018, not for the requested day."""
    if len(source_as_at) >= 10:
        return source_as_at[:10]
    if len(source_as_at) == 7:
        y, m = int(source_as_at[:4]), int(source_as_at[5:7])
        end = f"{y + (m == 12):04d}-{m % 12 + 1:02d}-01"
        day = (datetime.date.fromisoformat(end) - datetime.timedelta(days=1)).isoformat()
    else:
        day = f"{source_as_at[:4]}-12-31"
    return min(day, as_of)


def speaks_for(row: Mapping[str, Any], as_of: str, same_status_at_source_date: bool = True) -> tuple[str, bool]:
    """(date the citation speaks for, whether the sentence is in the past: 'On <as_of>')."""
    src = row.get("source_as_at")
    if src and as_of >= src and same_status_at_source_date:
        return src, False
    return as_of, True


def format_citation(row: Mapping[str, Any], inst: Mapping[str, Any], as_of: str, style: str = "plain",
                    same_status_at_source_date: bool = True, version: str | None = None,
                    later_event: bool = False, later_actions: list[Mapping[str, Any]] | None = None) -> str:
    """Word one status_on row as a citation.  `inst` is the instruments row; `version` the KB's
    version (kb.query.version), named in every style when given.  `later_event`: the status
    interval in effect began after the instrument's known_to (a later event recorded singly
    decides the status; its source is the row's).  `later_actions`: the pair's actions dated after
    known_to and by as_of (later_facts), named when the status is only as recorded."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    if row["status"] == "not_yet_adopted":
        return _not_yet_adopted(row, inst, as_of, style, version)
    if row.get("beyond_record") and not later_event:
        return _as_recorded(row, inst, as_of, style, version, later_actions)
    date, past = speaks_for(row, as_of, same_status_at_source_date)
    treaty_title = treaty_name(inst)
    state = state_phrase(row["state_name"])
    pub = publisher(row.get("source_title"))
    src_as_at = format_date(row.get("source_as_at"))
    at_kind = "as at" if row["status"] == "not_applicable" else "status as at"
    note = note_sentences(row.get("note"))
    opener = f"On {format_date(date)}" if past else f"As of {format_date(date)}"
    if row["status"] == "unknown" and not row.get("source_url"):
        return _unknown(row, inst, state, date, style, version)
    kbv = f" KB version {version}." if version else ""
    later = (f" This status rests on a later event the knowledge base records; its record of the instrument is "
             f"otherwise as at {format_date(row.get('known_to'))}.") if later_event and row.get("beyond_record") else ""
    if later:
        note = (note + later) if note else later.strip()
    if style == "plain":
        clause = _status_clause(row, treaty_title + treaty_reference(inst), past, date)
        text = f"{opener}, according to {pub}, {state} {clause}."
        if note:
            text += " " + note
        src = row.get("source_url") or ""
        extra = "; ".join(x for x in (row.get("source_symbol"), f"{at_kind} {src_as_at}" if src_as_at else None) if x)
        return text + f" Source: {src}" + (f" ({extra})" if extra else "") + "." + kbv
    if style == "oscola":
        ref = _oscola_ref(inst)
        clause = _status_clause(row, "it", past, date)
        sent = f"{opener}, {state} {clause}"
        if note:
            sent += "; " + note[0].lower() + note[1:].rstrip(".")
        src_title = source_short_title(row.get("source_title"))
        symbol = f", {row['source_symbol']}" if row.get("source_symbol") else ""
        tail = f"{pub[4:] if pub.startswith('the ') else pub}, '{src_title}'{symbol} ({at_kind} {src_as_at}) <{row.get('source_url') or ''}>"
        return f"{ref}. {sent}: {tail}." + kbv
    # bibtex
    clause = _status_clause(row, treaty_title, past, date)
    key = re.sub(r"[^A-Za-z0-9:-]", "", f"{row['state']}-{inst['id']}-{date}")
    body = f"{opener}, according to {pub}, {state} {clause}." + (f" {note}" if note else "")
    fields = [
        ("title", f"Status of {state}: {inst['title']}"),
        ("author", "{" + (pub[4:] if pub.startswith("the ") else pub) + "}"),
        ("howpublished", f"\\url{{{row.get('source_url') or ''}}}"),
        ("note", body + (f" Source {at_kind} {src_as_at}." if src_as_at else "")),
        ("year", (row.get("source_as_at") or date)[:4]),
    ]
    if row.get("source_symbol"):
        fields.append(("number", row["source_symbol"]))
    if version:
        fields.append(("version", f"KB version {version}"))
    lines = [f"@misc{{{key},"]
    for name, value in fields:
        v = value if name in ("howpublished", "author") else _bib_escape(value)
        lines.append(f"  {name} = {{{v}}},")
    lines.append("}")
    return "\n".join(lines)


def _oscola_ref(inst: Mapping[str, Any]) -> str:
    """'Convention against Torture ... (adopted 10 December 1984, entered into force 26 June 1987) 1465 UNTS 85'."""
    ref = inst["title"]
    bits = []
    if inst.get("adopted"):
        bits.append(f"adopted {format_date(inst['adopted'])}")
    if inst.get("entry_into_force"):
        bits.append(f"entered into force {format_date(inst['entry_into_force'])}")
    if bits:
        ref += f" ({', '.join(bits)})"
    if inst.get("unts_volume"):
        ref += f" {inst['unts_volume']} UNTS" + (f" {inst['unts_page']}" if inst.get("unts_page") else "")
    return ref


def _bib_entry(key: str, fields: list[tuple[str, str]]) -> str:
    lines = [f"@misc{{{key},"]
    for name, value in fields:
        v = value if name in ("howpublished", "author") else _bib_escape(value)
        lines.append(f"  {name} = {{{v}}},")
    lines.append("}")
    return "\n".join(lines)


def _not_yet_adopted(row: Mapping[str, Any], inst: Mapping[str, Any], as_of: str, style: str,
                     version: str | None = None) -> str:
    """Before its adoption the instrument did not exist: say so (never "was not a party"), citing the
    instrument's own record, which states its adoption."""
    title = treaty_name(inst)
    body = f"On {format_date(as_of)}, {title} had not yet been adopted (it was adopted on {format_date(inst.get('adopted'))})."
    return _record_pointer(body, inst, f"{row['state']}-{inst['id']}-{as_of}", inst["title"], style, version)


def _record_pointer(body: str, inst: Mapping[str, Any], key: str, title: str, style: str,
                    version: str | None) -> str:
    """A citation that no status source decides: the sentence, then the depositary's record of the instrument."""
    url = inst.get("url") or ""
    kbv = f" KB version {version}." if version else ""
    if style == "plain":
        return body + (f" Depositary's record: {url}." if url else "") + kbv
    if style == "oscola":
        return body + (f" <{url}>." if url else "") + kbv
    fields = [("title", title), ("howpublished", f"\\url{{{url}}}"), ("note", body)]
    if version:
        fields.append(("version", f"KB version {version}"))
    return _bib_entry(re.sub(r"[^A-Za-z0-9:-]", "", key), fields)


def _later_action_phrase(a: Mapping[str, Any]) -> str:
    """'a notification of withdrawal on 17 March 2018 (<its symbol>; taking effect on 17 March 2019)'."""
    bits = [a["symbol"]] if a.get("symbol") else []
    if a.get("effective_on") and a["effective_on"] != a.get("date"):
        bits.append(f"taking effect on {format_date(a['effective_on'])}")
    return f"a {humanize(a['type'])} on {format_date(a['date'])}" + (f" ({'; '.join(bits)})" if bits else "")


def _as_recorded(row: Mapping[str, Any], inst: Mapping[str, Any], as_of: str, style: str,
                 version: str | None = None, later_actions: list[Mapping[str, Any]] | None = None) -> str:
    """A date after the instrument's known_to, with no later event recorded that decides the status:
    the status as recorded on known_to, and that the KB holds nothing later."""
    known = row["known_to"]
    src_at = row.get("source_as_at")
    if inst.get("regime") == "ILO" and row["status"] in ("party", "withdrawn") and src_at and src_at < known:
        # An ILO ratification recorded singly: its own source speaks only up to its own date, not
        # up to the date of the membership list the instrument's record rests on.
        known = src_at
    pub = publisher(row.get("source_title"))
    state = state_phrase(row["state_name"])
    opener = f"As recorded by {pub} on {format_date(known)}" if len(known) == 10 else f"As recorded by {pub} in {format_date(known)}"
    note = note_sentences(row.get("note"))
    if later_actions:
        named = "; ".join(_later_action_phrase(a) for a in later_actions)
        after = (f" After that date the knowledge base records only, for {state} on this instrument, {named}, so it "
                 f"cannot otherwise say whether this still held on {format_date(as_of)}.")
    else:
        after = (f" The knowledge base records no later event for {state} on this instrument, so it cannot say "
                 f"whether this still held on {format_date(as_of)}.")
    src_as_at = format_date(row.get("source_as_at"))
    at_kind = "as at" if row["status"] == "not_applicable" else "status as at"
    kbv = f" KB version {version}." if version else ""
    if style == "plain":
        clause = _status_clause(row, treaty_name(inst) + treaty_reference(inst), True, known)
        text = f"{opener}, {state} {clause}." + (f" {note}" if note else "") + after
        src = row.get("source_url") or ""
        extra = "; ".join(x for x in (row.get("source_symbol"), f"{at_kind} {src_as_at}" if src_as_at else None) if x)
        return text + f" Source: {src}" + (f" ({extra})" if extra else "") + "." + kbv
    if style == "oscola":
        ref = _oscola_ref(inst)
        clause = _status_clause(row, "it", True, known)
        sent = f"{opener}, {state} {clause}" + (f"; {note[0].lower()}{note[1:].rstrip('.')}" if note else "")
        src_title = source_short_title(row.get("source_title"))
        symbol = f", {row['source_symbol']}" if row.get("source_symbol") else ""
        tail = f"{pub[4:] if pub.startswith('the ') else pub}, '{src_title}'{symbol} ({at_kind} {src_as_at}) <{row.get('source_url') or ''}>"
        return f"{ref}. {sent}.{after} {tail}." + kbv
    clause = _status_clause(row, treaty_name(inst), True, known)
    key = re.sub(r"[^A-Za-z0-9:-]", "", f"{row['state']}-{inst['id']}-{as_of}")
    fields = [
        ("title", f"Status of {state}: {inst['title']}"),
        ("author", "{" + (pub[4:] if pub.startswith("the ") else pub) + "}"),
        ("howpublished", f"\\url{{{row.get('source_url') or ''}}}"),
        ("note", f"{opener}, {state} {clause}." + (f" {note}" if note else "") + after
                 + (f" Source {at_kind} {src_as_at}." if src_as_at else "")),
        ("year", known[:4]),
    ]
    if row.get("source_symbol"):
        fields.append(("number", row["source_symbol"]))
    if version:
        fields.append(("version", f"KB version {version}"))
    return _bib_entry(key, fields)


def _unknown(row: Mapping[str, Any], inst: Mapping[str, Any], state: str, date: str, style: str,
             version: str | None = None) -> str:
    """No source decides an unknown status: say so, and point to the depositary's record."""
    body = (f"The status of {state} with respect to {treaty_name(inst)}{treaty_reference(inst) if style == 'plain' else ''} "
            f"on {format_date(date)} is unknown: this knowledge base holds no complete record of its actions.")
    return _record_pointer(body, inst, f"{row['state']}-{inst['id']}-{date}", f"Status of {state}: {inst['title']}",
                           style, version)


def _bib_escape(value: str) -> str:
    return re.sub(r"([{}&%$#_])", r"\\\1", value)


def cite_row(conn: sqlite3.Connection, state_id: str, instrument_id: str, as_of: str, style: str = "plain") -> str:
    """The citation for `state_id`'s status on `instrument_id` on `as_of` (YYYY-MM-DD); ids as
    stored (kb.query.cite resolves names first)."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    row, inst, same, later_event, later_actions = cite_facts(conn, state_id, instrument_id, as_of)
    return format_citation(row, inst, as_of, style, same, build_version(conn), later_event, later_actions)


def cite_facts(conn: sqlite3.Connection, state_id: str, instrument_id: str, as_of: str) -> tuple:
    """What a citation of the pair on `as_of` words, in any language: (the status_on row, the
    instruments row, whether the status is the same on the source's date, later_event, later_actions)."""
    inst = instrument_row(conn, instrument_id)
    if inst is None:
        raise CiteError(f"unknown instrument {instrument_id!r}")
    row = status_row(conn, state_id, instrument_id, as_of)
    if row is None:
        raise CiteError(f"no status for {state_id!r} on {instrument_id!r} on {as_of}")
    same = True
    if row.get("source_as_at") and as_of > row["source_as_at"]:
        # Speak for the source's date only when the status read then is the same.
        earlier = status_row(conn, state_id, instrument_id, source_day(row["source_as_at"], as_of))
        same = earlier is not None and earlier["status"] == row["status"]
    later_event, later_actions = later_facts(conn, state_id, as_of, instrument_id).get(instrument_id, (False, []))
    return row, inst, same, later_event, later_actions


def later_facts(conn: sqlite3.Connection, state_id: str, as_of: str, instrument_id: str = "") -> dict[str, tuple[bool, list[dict]]]:
    """{instrument: (later_event, later_actions)} for a state on a date past the instruments' known_to:
    later_event when the status interval in effect began after known_to; later_actions the pair's
    actions with legal effect dated after known_to and on or before as_of.  Read, not derived: the
    status itself is status_on.sql's."""
    params = {"state": state_id, "as_of": as_of, "instrument": instrument_id}
    out: dict[str, tuple[bool, list[dict]]] = {}
    for inst, began_later in conn.execute(
            "SELECT si.instrument_id, si.valid_from > coalesce(si.covered_to, i.status_as_at) FROM status_intervals si"
            " JOIN instruments i ON i.id = si.instrument_id"
            " WHERE si.state_id = :state AND (:instrument = '' OR si.instrument_id = :instrument)"
            " AND :as_of > coalesce(si.covered_to, i.status_as_at) AND si.valid_from <= :as_of"
            " AND (si.valid_to IS NULL OR si.valid_to > :as_of)",
            params):
        out[inst] = (bool(began_later), [])
    cur = conn.execute(
        "SELECT a.instrument_id, a.type, a.date, a.effective_on, s.symbol FROM actions a"
        " JOIN instruments i ON i.id = a.instrument_id LEFT JOIN sources s ON s.id = a.source_id"
        " WHERE a.state_id = :state AND (:instrument = '' OR a.instrument_id = :instrument)"
        " AND a.legal_effect = 'effective' AND a.date_on > i.status_as_at AND a.date_on <= :as_of"
        " ORDER BY a.instrument_id, a.date_on, a.id", params)
    for inst, typ, date, eff, symbol in cur:
        out.setdefault(inst, (False, []))[1].append({"type": typ, "date": date, "effective_on": eff, "symbol": symbol})
    return out


def _status_rows(conn: sqlite3.Connection, state_id: str, instruments: str, as_of: str) -> list[dict]:
    cur = conn.execute(sql("status_on"), {"as_of": as_of, "states": state_id, "instruments": instruments})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def citations_for_state(conn: sqlite3.Connection, state_id: str, as_of: str,
                        styles: tuple[str, ...] = STYLES) -> dict[str, dict[str, str]]:
    """{instrument id: {style: citation}} for every instrument, worded as `cite` words them."""
    rows = _status_rows(conn, state_id, "", as_of)
    cur = conn.execute("SELECT * FROM instruments")
    cols = [d[0] for d in cur.description]
    insts = {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}
    earlier: dict[str, dict[str, str]] = {}
    for d in {r["source_as_at"] for r in rows if r.get("source_as_at") and r["source_as_at"] < as_of}:
        earlier[d] = {r["instrument"]: r["status"] for r in _status_rows(conn, state_id, "", source_day(d, as_of))}
    out: dict[str, dict[str, str]] = {}
    version = build_version(conn)
    later = later_facts(conn, state_id, as_of)
    for r in rows:
        src = r.get("source_as_at")
        same = True
        if src and as_of > src:
            same = earlier.get(src, {}).get(r["instrument"], r["status"]) == r["status"]
        ev, acts = later.get(r["instrument"], (False, []))
        out[r["instrument"]] = {st: format_citation(r, insts[r["instrument"]], as_of, st, same, version, ev, acts)
                                for st in styles}
    return out


# --------------------------------------------------------------------------- engagement events

MECHANISMS = {
    "treaty_body": "Treaty body",
    "upr": "Universal Periodic Review",
    "special_procedure": "Special procedure",
    "ohchr": "OHCHR",
    "commission_of_inquiry": "Commission of inquiry",
    "icrc": "ICRC",
}
MANDATES = {
    "sr_dprk": "Special Rapporteur on the situation of human rights in the DPRK",
    "sr_disability": "Special Rapporteur on the rights of persons with disabilities",
}

SOURCE_KINDS = {
    "un_host": "UN text on a UN site",
    "un_mirror": "UN text on a mirror site",
    "secondary": "secondary source",
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _on(value: str | None) -> str:
    """'on 12 August 2025', 'in November 2017', 'in 2012'."""
    if not value:
        return ""
    return ("on " if len(value.split("-")) == 3 else "in ") + format_date(value)


def _span(start: str, end: str | None) -> str:
    if not end or end == start:
        return _on(start)
    a, b = start.split("-"), end.split("-")
    if len(a) == len(b) == 3 and a[:2] == b[:2]:  # same month: 'from 3 to 8 May 2017'
        return f"from {int(a[2])} to {format_date(end)}"
    return f"from {format_date(start)} to {format_date(end)}"


def event_row(conn: sqlite3.Connection, key: str) -> dict | None:
    cur = conn.execute(
        "SELECT e.*, s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at, s.symbol AS source_symbol,"
        " s.kind AS source_kind, st.name AS state_name, i.monitoring_body, i.title AS instrument_title,"
        " (SELECT v.definition FROM vocabulary v WHERE v.vocabulary = 'mandate' AND v.term = e.mandate) AS mandate_definition"
        " FROM engagement_events e JOIN sources s ON s.id = e.source_id JOIN states st ON st.id = e.state_id"
        " LEFT JOIN instruments i ON i.id = e.instrument_id WHERE e.key = ?", (key,))
    cols = [d[0] for d in cur.description]
    r = cur.fetchone()
    return dict(zip(cols, r)) if r else None


def possessive(name: str) -> str:
    """"the Philippines'", "the Committee on the Rights of Persons with Disabilities'", "Mongolia's"."""
    return name + ("'" if name.endswith("s") else "'s")


# A summary may follow "In August 2022, ..." with its first letter lowered only when its first word is
# one of these (never a name: "Special Rapporteur ...", "OHCHR ..." keep theirs).
_LOWER_SAFE = {"The", "A", "An", "After", "Before", "During", "Since", "Despite", "To", "Following"}


def _dated_summary(e: Mapping[str, Any]) -> str:
    """The summary as a sentence dated by the event: "In August 2022, the day after ...", or, where the
    summary cannot safely continue the date, "Recorded for August 2022: OHCHR ..."."""
    summary = (e.get("summary") or "").strip()
    when = _span(e["date"], e.get("end_date"))
    if not summary.endswith((".", "!", "?", ".)", ".'", '."')):
        summary += "."
    first = summary.split(" ", 1)[0]
    if first in _LOWER_SAFE:
        return f"{_cap(when)}, {summary[:1].lower()}{summary[1:]}"
    date_words = when.removeprefix("on ").removeprefix("in ")
    return f"Recorded for {date_words}: {summary}"


_UN_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.()-]+)+$")
_SR_RANGE = re.compile(r"/SR\.\d+-\d+$")


def un_symbols(symbol: str | None) -> list[str]:
    """The UN document symbols a symbol field names ('CEDAW/C/SR.1554 and CEDAW/C/SR.1555' -> both;
    'A/60/38, paras 19-76' -> 'A/60/38'); ranges of summary records ('CRC/C/SR.458-460') are not one document."""
    out = []
    for part in re.split(r",\s*| and ", symbol or ""):
        part = part.strip()
        if _UN_SYMBOL.match(part) and not _SR_RANGE.search(part) and part not in out:
            out.append(part)
    return out


def undocs_url(symbol: str) -> str:
    """The document by its symbol, in English: https://undocs.org/en/<symbol>."""
    return f"https://undocs.org/en/{symbol}"


def event_sentence(e: Mapping[str, Any]) -> str:
    """The event in one sentence, worded by its kind (the summary where no wording fits)."""
    state = state_phrase(e["state_name"])
    poss = possessive(state)
    body = "the " + (e.get("monitoring_body") or "treaty body")
    treaty = treaty_name({"title": e.get("instrument_title") or ""}) if e.get("instrument_title") else ""
    report = e.get("report") or "report"
    symbol = e.get("symbol") or e.get("source_symbol")
    sym = f" ({symbol})" if symbol else ""
    when = _span(e["date"], e.get("end_date"))
    kind, mech = e["kind"], e["mechanism"]
    if mech == "treaty_body":
        if kind == "review_held":
            return f"{_cap(body)} reviewed {poss} {report} {when}{sym}."
        if kind == "concluding_observations":
            return f"{_cap(body)} adopted its concluding observations on {poss} {report} {when}{sym}."
        if kind == "report_submitted":
            return f"{_cap(poss)} {report} under {treaty} was received {when}{sym}."
        if kind == "report_due":
            return f"According to {symbol or 'the source'}, {poss} {report} under {treaty} was due {when}."
        if kind == "list_of_issues":
            return f"{_cap(possessive(body))} list of issues on {poss} {report} is dated {format_date(e['date'])}{sym}."
        if kind == "replies":
            return f"{_cap(poss)} replies to {possessive(body)} list of issues on its {report} were received {when}{sym}."
    if mech == "upr" and kind == "review_held":
        cycle = f" ({report})" if e.get("report") else ""
        return f"{_cap(state)} was reviewed by the Working Group on the Universal Periodic Review{cycle} {when}{sym}."
    if mech == "upr" and kind == "outcome_adopted":
        return f"The Human Rights Council adopted the outcome of the Universal Periodic Review of {state} {when}{sym}."
    if kind == "visit_held" and e.get("mandate_definition"):
        name = e["mandate_definition"].split(" (")[0]
        return f"The {name} visited {state} {when}{sym}."
    return _dated_summary(e)


def format_event_citation(e: Mapping[str, Any], style: str = "plain", version: str | None = None) -> str:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    text = event_sentence(e)
    kind = SOURCE_KINDS.get(e.get("source_kind") or "", "source")
    as_at = format_date(e.get("source_as_at"))
    url = e.get("source_url") or ""
    kbv = f" KB version {version}." if version else ""
    # The document by its UN symbol, beside the copy actually read (unless that copy is the same link).
    docs = [(sym, undocs_url(sym)) for sym in un_symbols(e.get("symbol")) if undocs_url(sym) != url]
    if style == "plain":
        extra = "; ".join(x for x in (e.get("source_symbol"), f"as at {as_at}" if as_at else None, kind) if x)
        by_symbol = "".join(f"; UN document {sym}: {link}" for sym, link in docs)
        return f"{text} Source: {e.get('source_title')}, {url} ({extra}){by_symbol}." + kbv
    if style == "oscola":
        symbol = f", {e['source_symbol']}" if e.get("source_symbol") else ""
        by_symbol = "".join(f"; {sym} <{link}>" for sym, link in docs)
        return f"{text[:-1]}: '{e.get('source_title')}'{symbol} ({as_at}; {kind}) <{url}>{by_symbol}." + kbv
    key = re.sub(r"[^A-Za-z0-9:-]", "-", e["key"])
    fields = [
        ("title", e.get("source_title") or ""),
        ("howpublished", f"\\url{{{url}}}" + "".join(f", UN document {_bib_escape(sym)}: \\url{{{link}}}" for sym, link in docs)),
        ("note", f"{text} Source as at {as_at} ({kind})."),
        ("year", (e.get("source_as_at") or e["date"])[:4]),
    ]
    if e.get("source_symbol"):
        fields.append(("number", e["source_symbol"]))
    if version:
        fields.append(("version", f"KB version {version}"))
    lines = [f"@misc{{{key},"]
    for name, value in fields:
        lines.append(f"  {name} = {{{value if name == 'howpublished' else _bib_escape(value)}}},")
    lines.append("}")
    return "\n".join(lines)


def event_citation(conn: sqlite3.Connection, key: str, style: str = "plain") -> str:
    """The citation of the engagement event with this key (kb.query.cite_event)."""
    e = event_row(conn, key)
    if e is None:
        keys = [r[0] for r in conn.execute("SELECT key FROM engagement_events")]
        import difflib

        hint = difflib.get_close_matches(key, keys, n=3, cutoff=0.6)
        raise QueryError(f"unknown engagement event {key!r}" + (f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint
                         else ": see the `key` column of `kb engagement STATE`"), "event")
    return format_event_citation(e, style, build_version(conn))
