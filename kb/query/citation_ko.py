"""The plain citation sentence in Korean (`kb cite ... --lang ko`, `kb.query.cite(..., lang="ko")`).

The same facts as the English sentence (kb/query/citation.py): the status read from SQL, the date the
citation speaks for, the record's end, the source and its as-at date; only the words differ. Each
sentence form of the English one has its Korean twin here: party, signatory, not a party, withdrawn,
not applicable, unknown, not yet adopted, and past the record's end ("as recorded on").

The instrument is named by its official Korean title where one is recorded (instrument_titles, with
its source), in 「」; otherwise by its English title, marked as such. The state is named by its Korean
name where the build records one (state_names, lang 'ko'), else by the depositary's English name.
Dates read "2016년 12월 6일" (the form CLDR gives for Korean's long date).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any, Mapping

from .base import version as build_version
from .citation import cite_facts, publisher, speaks_for

#: The words of the vocabularies a Korean sentence names (consent and other action types).
ACTION_WORDS = {
    "signature": "서명",
    "ratification": "비준",
    "accession": "가입",
    "succession": "승계",
    "acceptance": "수락",
    "approval": "승인",
    "formal_confirmation": "공식 확인",
    "definitive_signature": "확정 서명",
    "reservation": "유보",
    "declaration": "선언",
    "objection": "이의",
    "competence_declaration": "권한 인정 선언",
    "opt_out": "적용 배제",
    "withdrawal_of_reservation": "유보 철회",
    "partial_withdrawal_of_reservation": "유보의 일부 철회",
    "withdrawal_of_declaration": "선언 철회",
    "withdrawal_of_objection": "이의 철회",
    "withdrawal_of_competence_declaration": "권한 인정 선언 철회",
    "withdrawal_of_opt_out": "적용 배제 철회",
    "denunciation": "폐기",
    "notification_of_withdrawal": "탈퇴 통고",
    "territorial_application": "영역적 적용",
    "communication": "통보",
}
#: Places of adoption, in their usual Korean names; a place not listed is written as recorded.
PLACES = {"New York": "뉴욕", "Geneva": "제네바", "Rome": "로마", "Paris": "파리", "Vienna": "빈",
          "The Hague": "헤이그"}
#: Publishers of status sources, as a Korean reader knows them.
PUBLISHERS = {"UN Treaty Collection": "유엔 조약집(UN Treaty Collection)",
              "United Nations Treaty Collection": "유엔 조약집(United Nations Treaty Collection)",
              "NORMLEX": "ILO NORMLEX", "ILO NORMLEX": "ILO NORMLEX", "Wikipedia": "위키백과(Wikipedia, 2차 출처)"}
ENGLISH_TITLE = "(영문 명칭; 공식 한국어 번역 미기록)"

_NOTE_ITEM = re.compile(r"^\s*([a-z_]+) of (\d{4}(?:-\d{2}){0,2}) \(no legal effect\)\s*$")


def format_date_ko(value: str | None) -> str:
    """'2016-12-06' -> '2016년 12월 6일'; '1998-06' -> '1998년 6월'; '1998' -> '1998년'."""
    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[0])}년 {int(parts[1])}월 {int(parts[2])}일"
        if len(parts) == 2:
            return f"{int(parts[0])}년 {int(parts[1])}월"
        if len(parts) == 1 and len(parts[0]) == 4:
            return f"{int(parts[0])}년"
    except ValueError:
        return value
    return value


def _final_consonant(word: str) -> bool | None:
    """Whether the last Hangul syllable has a final consonant (None: the word does not end in Hangul)."""
    word = re.sub(r"\s*\([^()]*\)$", "", word or "").rstrip(" 」")  # "유엔 조약집(UN …)" reads "유엔 조약집"
    last = word[-1:]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return None


def topic(word: str) -> str:
    """The word with 은/는 (은(는) after a word not ending in Hangul)."""
    f = _final_consonant(word)
    return word + ("은(는)" if f is None else "은" if f else "는")


def obj(word: str) -> str:
    """The word with 을/를."""
    f = _final_consonant(word)
    return word + ("을(를)" if f is None else "을" if f else "를")


def subj(word: str) -> str:
    """The word with 이/가."""
    f = _final_consonant(word)
    return word + ("이(가)" if f is None else "이" if f else "가")


def korean_names(conn: sqlite3.Connection, state_id: str, instrument_id: str) -> tuple[str | None, str | None]:
    """(the state's Korean name, the instrument's official Korean title), each None where the build
    records none (or an older build has no such table)."""
    def one(q: str, arg: str) -> str | None:
        try:
            r = conn.execute(q, (arg,)).fetchone()
        except sqlite3.OperationalError:  # a build without the table
            return None
        return r[0] if r else None
    name = one("SELECT name FROM state_names WHERE state_id = ? AND lang = 'ko' ORDER BY kind = 'cldr_name' DESC LIMIT 1",
               state_id)
    title = one("SELECT title FROM instrument_titles WHERE instrument_id = ? AND lang = 'ko'", instrument_id)
    return name, title


def _publisher(source_title: str | None) -> str:
    name = publisher(source_title).removeprefix("the ")
    if name == "the recorded source" or not source_title:
        return "기록된 출처"
    return PUBLISHERS.get(name, name)


def _treaty(inst: Mapping[str, Any], title_ko: str | None, reference: bool) -> str:
    """「장애인의 권리에 관한 협약」(뉴욕, 2006년 12월 13일; United Nations Treaty Series 제2515권 3면)."""
    name = f"「{title_ko}」" if title_ko else f"「{inst['title']}」{ENGLISH_TITLE}"
    if not reference:
        return name
    parts = []
    adopted = format_date_ko(inst.get("adopted"))
    if inst.get("adopted_place") and adopted:
        parts.append(f"{PLACES.get(inst['adopted_place'], inst['adopted_place'])}, {adopted}")
    elif adopted:
        parts.append(f"{adopted} 채택")
    if inst.get("unts_volume"):
        parts.append(f"United Nations Treaty Series 제{inst['unts_volume']}권"
                     + (f" {inst['unts_page']}면" if inst.get("unts_page") else ""))
    return name + (f"({'; '.join(parts)})" if parts else "")


def _article(text: str) -> str:
    """'45(2)' -> '제45조 제2항'; '20' -> '제20조'; anything else as written."""
    m = re.fullmatch(r"(\d+)(?:\((\d+)\))?", text.strip())
    if not m:
        return text
    return f"제{m.group(1)}조" + (f" 제{m.group(2)}항" if m.group(2) else "")


def _in_force(row: Mapping[str, Any], on: str, past: bool) -> str:
    eif = row.get("in_force_date")
    art = f"({_article(row['in_force_article'])})" if row.get("in_force_article") else ""
    if not eif:
        why = row.get("in_force_note")
        return "; 이 지식베이스는 이 조약이 해당 국가에 대하여 발효한 날짜를 도출하지 않는다" + (f"({why})" if why else "")
    if eif <= on:
        return f"; 이 조약은 {format_date_ko(eif)} 해당 국가에 대하여 발효하였다{art}"
    return (f"; 이 조약은 {format_date_ko(eif)} 해당 국가에 대하여 발효할 예정이었다{art}" if past
            else f"; 이 조약은 {format_date_ko(eif)} 해당 국가에 대하여 발효한다{art}")


def _clause(row: Mapping[str, Any], treaty: str, past: bool, on: str | None) -> str:
    """What the state did, after its name: '2016년 12월 6일(비준)부터 「…」의 당사국이다'."""
    status = row["status"]
    sig, con = format_date_ko(row.get("signature_date")), format_date_ko(row.get("consent_date"))
    ctype = ACTION_WORDS.get(row.get("consent_type") or "", (row.get("consent_type") or "").replace("_", " "))
    if status == "party":
        return (f"{con}" + (f"({ctype})" if ctype else "") + f"부터 {treaty}의 당사국"
                + ("이었다" if past else "이다") + (_in_force(row, on, past) if on else ""))
    if status == "signatory":
        return (f"{sig} {treaty}에 서명하였으나 당사국은 아니었다" if past
                else f"{sig} {treaty}에 서명하였으나 당사국은 아니다")
    if status == "not_party":
        return f"{treaty}의 당사국이 " + ("아니었다" if past else "아니다")
    if status == "withdrawn":
        wd = format_date_ko(row.get("withdrawal_date"))
        since = (f"(그 전에는 {con}부터" + (f" {ctype}에 의하여" if ctype else "") + " 당사국이었다)") if con else ""
        return f"{wd}부로 {treaty}에서 탈퇴" + ("한 상태였다" if past else "하였다") + since
    if status == "not_applicable":
        return (f"국제노동기구(ILO) 회원국이 아니었으므로 {obj(treaty)} 비준할 수 없었다" if past
                else f"국제노동기구(ILO) 회원국이 아니므로 {obj(treaty)} 비준할 수 없다")
    return (f"{treaty}에 관하여 이 지식베이스에 완전한 기록이 없으므로 그 지위는 알 수 없었다" if past
            else f"{treaty}에 관하여 이 지식베이스에 완전한 기록이 없으므로 그 지위는 알 수 없다")


def note_sentences_ko(note: str | None) -> str:
    """The status row's note in Korean sentences (citation.note_sentences' twin)."""
    return _notes(note)


def _notes(note: str | None) -> str:
    if not note:
        return ""
    out = []
    for item in note.split(";"):
        m = _NOTE_ITEM.match(item)
        if m:
            word = ACTION_WORDS.get(m.group(1), m.group(1).replace("_", " "))
            out.append(f"{format_date_ko(m.group(2))}자 {topic(word)} 법적 효력이 없다.")
        elif item.strip():
            out.append(f"참고: {item.strip()}.")
    return " ".join(out)


def _source(row: Mapping[str, Any]) -> str:
    at_kind = "기준일" if row["status"] == "not_applicable" else "지위 기준일"
    src_as_at = format_date_ko(row.get("source_as_at"))
    extra = "; ".join(x for x in (row.get("source_symbol"), f"{at_kind} {src_as_at}" if src_as_at else None) if x)
    return f" 출처: {row.get('source_url') or ''}" + (f" ({extra})" if extra else "") + "."


def _version(version: str | None) -> str:
    return f" KB 버전 {version}." if version else ""


def _pointer(body: str, inst: Mapping[str, Any], version: str | None) -> str:
    url = inst.get("url") or ""
    return body + (f" 수탁자의 기록: {url}." if url else "") + _version(version)


def _later_action(a: Mapping[str, Any]) -> str:
    """'2018년 3월 17일의 탈퇴 통고(<문서 기호>; 2019년 3월 17일 효력 발생)'."""
    bits = [a["symbol"]] if a.get("symbol") else []
    if a.get("effective_on") and a["effective_on"] != a.get("date"):
        bits.append(f"{format_date_ko(a['effective_on'])} 효력 발생")
    word = ACTION_WORDS.get(a["type"], a["type"].replace("_", " "))
    return f"{format_date_ko(a['date'])}의 {word}" + (f"({'; '.join(bits)})" if bits else "")


def format_citation_ko(row: Mapping[str, Any], inst: Mapping[str, Any], as_of: str, date: str, past: bool,
                       version: str | None = None, later_event: bool = False,
                       later_actions: list[Mapping[str, Any]] | None = None,
                       state_name: str | None = None, title_ko: str | None = None) -> str:
    """The Korean plain sentence for one status_on row. `date`/`past`: what the English sentence speaks
    for (citation.speaks_for); the other arguments as citation.format_citation's."""
    state = state_name or row["state_name"]
    treaty = _treaty(inst, title_ko, reference=True)
    if row["status"] == "not_yet_adopted":
        body = (f"{format_date_ko(as_of)} 당시 {topic(_treaty(inst, title_ko, False))} 아직 채택되지 않았다"
                f"({format_date_ko(inst.get('adopted'))} 채택).")
        return _pointer(body, inst, version)
    if row.get("beyond_record") and not later_event:
        known = row["known_to"]
        src_at = row.get("source_as_at")
        if inst.get("regime") == "ILO" and row["status"] in ("party", "withdrawn") and src_at and src_at < known:
            known = src_at
        pub = _publisher(row.get("source_title"))
        text = f"{subj(pub)} {format_date_ko(known)} 기록한 바에 따르면, {topic(state)} {_clause(row, treaty, True, known)}."
        note = _notes(row.get("note"))
        if note:
            text += " " + note
        if later_actions:
            named = "; ".join(_later_action(a) for a in later_actions)
            text += (f" 그 이후 이 지식베이스는 이 조약에 관한 {state}의 행위로 {named}만을 기록하고 있으므로, "
                     f"그 밖에 {format_date_ko(as_of)}에도 이 상태가 유지되었는지는 말할 수 없다.")
        else:
            text += (f" 이 지식베이스는 그 이후 이 조약에 관한 {state}의 행위를 기록하고 있지 않으므로, "
                     f"{format_date_ko(as_of)}에도 이 상태가 유지되었는지는 말할 수 없다.")
        return text + _source(row) + _version(version)
    if row["status"] == "unknown" and not row.get("source_url"):
        body = (f"{format_date_ko(date)} 현재 {treaty}에 관한 {state}의 지위는 알 수 없다: "
                f"이 지식베이스는 그 행위에 관한 완전한 기록을 보유하고 있지 않다.")
        return _pointer(body, inst, version)
    pub = _publisher(row.get("source_title"))
    opener = f"{pub}에 따르면, {format_date_ko(date)}" + (" 당시" if past else " 현재")
    text = f"{opener} {topic(state)} {_clause(row, treaty, past, date)}."
    note = _notes(row.get("note"))
    if later_event and row.get("beyond_record"):
        note = (note + " " if note else "") + (f"이 지위는 이 지식베이스가 기록한 그 이후의 사건에 근거한다. 이 조약에 관한 "
                                                f"그 밖의 기록은 {format_date_ko(row.get('known_to'))} 기준이다.")
    if note:
        text += " " + note
    return text + _source(row) + _version(version)


def cite_row_ko(conn: sqlite3.Connection, state_id: str, instrument_id: str, as_of: str) -> str:
    """The Korean plain sentence for `state_id`'s status on `instrument_id` on `as_of` (ids as stored)."""
    row, inst, same, later_event, later_actions = cite_facts(conn, state_id, instrument_id, as_of)
    date, past = speaks_for(row, as_of, same)
    name, title = korean_names(conn, state_id, instrument_id)
    return format_citation_ko(row, inst, as_of, date, past, build_version(conn), later_event, later_actions, name, title)


def citations_ko_for_state(conn: sqlite3.Connection, state_id: str, as_of: str) -> dict[str, str]:
    """{instrument id: the Korean plain sentence} for every instrument (citation.citations_for_state's
    plain style, in Korean)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM instruments ORDER BY sort_order")]
    return {i: cite_row_ko(conn, state_id, i, as_of) for i in ids}
