"""The plain citation sentence in Korean (`kb cite --lang ko`, kb.query.cite(lang="ko")) and the
instruments' Korean titles (data/treaties.yaml `titles`): exact sentences, the same facts as the English."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from kb.query import QueryError, cite, version
from kb.query.citation_ko import format_date_ko, korean_names, obj, subj, topic

from .test_validate import errors

UNTC = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={}&chapter=4&clang=_en"
ENGLISH = "(영문 명칭; 공식 한국어 번역 미기록)"


@pytest.fixture(scope="module")
def conn(built_db):
    c = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    yield c
    c.close()


def V(conn) -> str:
    return f" KB 버전 {version(conn)}."


def prk(conn) -> str:
    """The DPRK with its topic particle: its Korean name where the build records one, else the depositary's."""
    name = korean_names(conn, "PRK", "CAT")[0]
    return topic(name or "Democratic People's Republic of Korea")


def test_crpd_party_english_title_marked(conn):
    # No official Korean translation of the CRPD title could be read: the English title, marked as such.
    assert korean_names(conn, "PRK", "CRPD")[1] is None
    assert cite(conn, "PRK", "CRPD", "2026-02-03", lang="ko") == (
        f"유엔 조약집(UN Treaty Collection)에 따르면, 2026년 2월 3일 현재 {prk(conn)} 2016년 12월 6일(비준)부터 "
        f"「Convention on the Rights of Persons with Disabilities」{ENGLISH}(뉴욕, 2006년 12월 13일; "
        "United Nations Treaty Series 제2515권 3면)의 당사국이다; 이 조약은 2017년 1월 5일 해당 국가에 대하여 "
        f"발효하였다(제45조 제2항). 출처: {UNTC.format('IV-15')} (지위 기준일 2026년 2월 3일)." + V(conn))


def test_iccpr_party_with_void_withdrawal_notice(conn):
    assert cite(conn, "PRK", "ICCPR", "2026-02-03", lang="ko") == (
        f"유엔 조약집(UN Treaty Collection)에 따르면, 2026년 2월 3일 현재 {prk(conn)} 1981년 9월 14일(가입)부터 "
        "「시민적 및 정치적 권리에 관한 국제규약」(뉴욕, 1966년 12월 16일; United Nations Treaty Series 제999권 171면)의 "
        "당사국이다; 이 조약은 1981년 12월 14일 해당 국가에 대하여 발효하였다(제49조 제2항). "
        "1997년 8월 25일자 탈퇴 통고는 법적 효력이 없다. "
        f"출처: {UNTC.format('IV-4')} (지위 기준일 2026년 2월 3일)." + V(conn))


def test_cped_not_a_party(conn):
    assert cite(conn, "PRK", "CPED", "2026-02-03", lang="ko") == (
        f"유엔 조약집(UN Treaty Collection)에 따르면, 2026년 2월 3일 현재 {prk(conn)} "
        "「강제실종으로부터 모든 사람을 보호하기 위한 국제협약」(뉴욕, 2006년 12월 20일; United Nations Treaty Series "
        f"제2716권 3면)의 당사국이 아니다. 출처: {UNTC.format('IV-16')} (지위 기준일 2026년 2월 3일)." + V(conn))


def test_cped_before_adoption_did_not_yet_exist(conn):
    # "not yet adopted", never "not a party"
    assert cite(conn, "PRK", "CPED", "1990-01-01", lang="ko") == (
        "1990년 1월 1일 당시 「강제실종으로부터 모든 사람을 보호하기 위한 국제협약」은 아직 채택되지 않았다"
        f"(2006년 12월 20일 채택). 수탁자의 기록: {UNTC.format('IV-16')}." + V(conn))


def test_past_the_record_says_so(conn):
    text = cite(conn, "PRK", "ICCPR", "2026-11-28", lang="ko")
    assert text.startswith("유엔 조약집(UN Treaty Collection)이 2026년 2월 3일 기록한 바에 따르면, ")
    assert "당사국이었다" in text
    assert "2026년 11월 28일에도 이 상태가 유지되었는지는 말할 수 없다." in text


def test_english_is_unchanged_and_the_default(conn):
    assert cite(conn, "PRK", "CAT", "2026-02-03") == cite(conn, "PRK", "CAT", "2026-02-03", lang="en")
    assert cite(conn, "PRK", "CAT", "2026-02-03").startswith("As of 3 February 2026, according to the UN Treaty Collection")


def test_a_language_or_style_not_given_is_refused(conn):
    with pytest.raises(QueryError) as exc:
        cite(conn, "PRK", "CAT", "2026-02-03", lang="fr")
    assert (str(exc.value), exc.value.param) == ("unknown language 'fr': use one of en, ko", "lang")
    with pytest.raises(QueryError) as exc:
        cite(conn, "PRK", "CAT", "2026-02-03", style="oscola", lang="ko")
    assert (str(exc.value), exc.value.param) == (
        "the oscola style is given in English only: a citation in 'ko' is the plain sentence (style plain)", "style")


def test_cli(cli, built_db, conn):
    r = cli("cite", "PRK", "CPED", "--as-of", "1990-01-01", "--lang", "ko", "--db", str(built_db))
    assert r.exit_code == 0
    assert r.output == cite(conn, "PRK", "CPED", "1990-01-01", lang="ko") + "\n"
    r = cli("cite", "PRK", "CPED", "--lang", "ko", "--style", "bibtex", "--db", str(built_db))
    assert r.exit_code == 2
    assert "Invalid value for --style: the bibtex style is given in English only" in r.output
    r = cli("cite", "PRK", "CPED", "--lang", "fr", "--db", str(built_db))
    assert r.exit_code == 2 and "'fr' is not one of 'en', 'ko'" in r.output


@pytest.mark.parametrize("value,words", [
    ("2016-12-06", "2016년 12월 6일"), ("1998-06", "1998년 6월"), ("1998", "1998년"), ("", ""), (None, ""),
    ("not a date", "not a date"),
])
def test_korean_dates(value, words):
    assert format_date_ko(value) == words


def test_korean_dates_read_as_cldr_writes_them():
    babel_dates = pytest.importorskip("babel.dates")
    for d in ("2016-12-06", "1981-09-14", "2023-02-03"):
        assert format_date_ko(d) == babel_dates.format_date(dt.date.fromisoformat(d), "long", locale="ko")


def test_particles():
    assert [topic("대한민국"), topic("북한"), subj("유엔 조약집(UN Treaty Collection)"), obj("「협약」"),
            topic("Republic of Korea")] == ["대한민국은", "북한은", "유엔 조약집(UN Treaty Collection)이", "「협약」을",
                                            "Republic of Korea은(는)"]


def test_titles_built_with_their_sources(conn):
    rows = conn.execute("SELECT t.instrument_id, t.title, t.kind, s.url, s.as_at FROM instrument_titles t "
                        "JOIN sources s ON s.id = t.source_id WHERE t.lang = 'ko' ORDER BY t.instrument_id").fetchall()
    assert rows == [
        ("CPED", "강제실종으로부터 모든 사람을 보호하기 위한 국제협약", "official_copy",
         "https://uhr.humanrights.go.kr/pub/uhrstd/129", "2023-02-03"),
        ("CRC", "아동의 권리에 관한 협약", "secondary", "https://www.sarangbang.or.kr/writing/3704", "1991-12-20"),
        ("ICCPR", "시민적 및 정치적 권리에 관한 국제규약", "official",
         "https://www.law.go.kr/LSW/trtyMInfoP.do?trtySeq=231", "1990-06-13"),
        ("ICESCR", "경제적, 사회적 및 문화적 권리에 관한 국제규약", "official_copy",
         "https://uhr.humanrights.go.kr/pub/uhrstd/pair/line/111", "1990-07-10"),
    ]


def test_a_title_language_must_be_a_language_other_than_english(data_copy):
    path = data_copy / "treaties.yaml"
    text = path.read_text()
    text = text.replace("    titles:\n      ko:\n        text: 시민적 및 정치적", "    titles:\n      en:\n        text: 시민적 및 정치적", 1)
    path.write_text(text)
    line = text[:text.index("      en:\n        text: 시민적")].count("\n") + 1
    assert errors(data_copy) == [
        f"data/treaties.yaml:{line}:7: titles: 'en' is not a language to give a title in: use an ISO 639-1 code "
        "other than en (the English title is `title`), e.g. ko"]
