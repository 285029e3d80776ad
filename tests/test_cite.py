"""Citations: exact sentences, read from status_on.sql, dated by the source's as-at date."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from kb.cli import cite_command
from kb.query import QueryError, cite, version
from kb.query.citation import CiteError, cite_row, format_date, state_phrase

UNTC = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={}&chapter=4&clang=_en"

CAT_PLAIN = (
    "As of 3 February 2026, according to the UN Treaty Collection, the Democratic People's Republic of Korea "
    "is not a party to the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment "
    "(New York, 10 December 1984; United Nations, Treaty Series, vol. 1465, p. 85). "
    f"Source: {UNTC.format('IV-9')} (status as at 3 February 2026).")

ICCPR_PLAIN = (
    "As of 3 February 2026, according to the UN Treaty Collection, the Democratic People's Republic of Korea "
    "has been a party to the International Covenant on Civil and Political Rights "
    "(New York, 16 December 1966; United Nations, Treaty Series, vol. 999, p. 171) since 14 September 1981 (accession); "
    "it entered into force for it on 14 December 1981 (article 49(2)). "
    "Its notification of withdrawal of 25 August 1997 has no legal effect. "
    f"Source: {UNTC.format('IV-4')} (status as at 3 February 2026).")


def V(conn) -> str:
    """Every citation ends with the KB version it was made from."""
    return f" KB version {version(conn)}."


@pytest.fixture(scope="module")
def conn(built_db):
    c = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    yield c
    c.close()


def test_cat_not_party(conn):
    assert cite(conn, "PRK", "CAT", "2026-02-03", "plain") == CAT_PLAIN + V(conn)
    assert version(conn).startswith("2026-02-03+") and len(version(conn)) == 19


def test_iccpr_party_with_void_withdrawal(conn):
    assert cite(conn, "PRK", "ICCPR", "2026-02-03", "plain") == ICCPR_PLAIN + V(conn)


def test_later_date_speaks_for_the_source_date_not_today(conn):
    # Asking on a day after the record (e.g. today) never passes that day off as live: the sentence says what was
    # recorded on the source's date, and that the KB cannot say whether it still held.
    assert cite(conn, "PRK", "CAT", "2026-11-28", "plain") == (
        "As recorded by the UN Treaty Collection on 3 February 2026, the Democratic People's Republic of Korea "
        "was not a party to the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment "
        "(New York, 10 December 1984; United Nations, Treaty Series, vol. 1465, p. 85). The knowledge base records no "
        "later event for the Democratic People's Republic of Korea on this instrument, so it cannot say whether this "
        "still held on 28 November 2026. "
        f"Source: {UNTC.format('IV-9')} (status as at 3 February 2026)." + V(conn))
    assert cite(conn, "PRK", "ICCPR", "2030-01-01", "plain") == (
        "As recorded by the UN Treaty Collection on 3 February 2026, the Democratic People's Republic of Korea "
        "had been a party to the International Covenant on Civil and Political Rights "
        "(New York, 16 December 1966; United Nations, Treaty Series, vol. 999, p. 171) since 14 September 1981 (accession); "
        "it entered into force for it on 14 December 1981 (article 49(2)). "
        "Its notification of withdrawal of 25 August 1997 has no legal effect. The knowledge base records no "
        "later event for the Democratic People's Republic of Korea on this instrument, so it cannot say whether this "
        "still held on 1 January 2030. "
        f"Source: {UNTC.format('IV-4')} (status as at 3 February 2026)." + V(conn))
    # Without a date the question is asked on the data's date (3 February 2026), not today.
    assert cite(conn, "PRK", "CAT") == CAT_PLAIN + V(conn)


def test_earlier_date_says_on_and_keeps_the_source_date(conn):
    assert cite(conn, "PRK", "CRPD", "2016-01-01", "plain") == (
        "On 1 January 2016, according to the UN Treaty Collection, the Democratic People's Republic of Korea "
        "had signed the Convention on the Rights of Persons with Disabilities "
        "(New York, 13 December 2006; United Nations, Treaty Series, vol. 2515, p. 3) on 3 July 2013 but was not a party. "
        f"Source: {UNTC.format('IV-15')} (status as at 3 February 2026)." + V(conn))
    # The 1997 notification is only mentioned once it has been made.
    assert "withdrawal" not in cite(conn, "PRK", "ICCPR", "1990-01-01", "plain")
    assert cite(conn, "PRK", "ICCPR", "1990-01-01", "plain").startswith(
        "On 1 January 1990, according to the UN Treaty Collection, the Democratic People's Republic of Korea had been a party")


def test_party_since_consent_date(conn):
    assert ("has been a party to the Convention on the Rights of Persons with Disabilities "
            "(New York, 13 December 2006; United Nations, Treaty Series, vol. 2515, p. 3) since 6 December 2016 (ratification); "
            "it entered into force for it on 5 January 2017 (article 45(2)).") \
        in cite(conn, "PRK", "CRPD", "2026-02-03")


def test_in_force_wording_in_every_style(conn):
    # Between the deposit and the entry into force for the state, the sentence says it was still to come.
    assert ("had been a party to the Convention on the Rights of Persons with Disabilities "
            "(New York, 13 December 2006; United Nations, Treaty Series, vol. 2515, p. 3) since 6 December 2016 (ratification); "
            "it was to enter into force for it on 5 January 2017 (article 45(2)).") in cite(conn, "PRK", "CRPD", "2016-12-20")
    assert ("As of 3 February 2026, the Democratic People's Republic of Korea has been a party to it since 6 December 2016 "
            "(ratification); it entered into force for it on 5 January 2017 (article 45(2)): UN Treaty Collection") \
        in cite_row(conn, "PRK", "CRPD", "2026-02-03", "oscola")
    assert ("since 6 December 2016 (ratification); it entered into force for it on 5 January 2017 (article 45(2)). "
            "Source status as at 3 February 2026.},") in cite_row(conn, "PRK", "CRPD", "2026-02-03", "bibtex")
    # Where the KB does not derive the date (a succession), the sentence says so and why.
    assert ("since 22 February 1993 (succession); this knowledge base does not derive the date it entered into force "
            "for it (succession: it takes effect from the date of succession, which the depositary's grid does not give).") \
        in cite(conn, "CZE", "ICCPR", "2026-02-03")


def test_not_applicable_ilo(conn):
    text = cite(conn, "PRK", "C087", "2025-02-01")
    assert text.startswith("As of 1 February 2025, according to Wikipedia, the Democratic People's Republic of Korea "
                           "is not a member of the International Labour Organization and so cannot ratify the "
                           "Freedom of Association and Protection of the Right to Organise Convention")
    assert text.endswith("(as at 1 February 2025)." + V(conn))
    # The data's date (3 February 2026) is after the ILO member list's: as recorded on its date.
    assert cite(conn, "PRK", "C087").startswith(
        "As recorded by Wikipedia on 1 February 2025, the Democratic People's Republic of Korea was not a member of the "
        "International Labour Organization and so could not ratify the Freedom of Association")


# The hand-written OSCOLA and BibTeX of the country page's Cite boxes (kb cite renders those styles with the
# official CSL styles: tests/test_csl.py).
def test_oscola(conn):
    assert cite_row(conn, "PRK", "CAT", "2026-02-03", "oscola") == (
        "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment "
        "(adopted 10 December 1984, entered into force 26 June 1987) 1465 UNTS 85. "
        "As of 3 February 2026, the Democratic People's Republic of Korea is not a party to it: "
        "UN Treaty Collection, 'Chapter IV, IV-9: Convention against Torture, status' (status as at 3 February 2026) "
        f"<{UNTC.format('IV-9')}>." + V(conn))


def test_bibtex(conn):
    text = cite_row(conn, "PRK", "ICCPR", "2026-02-03", "bibtex")
    assert text.startswith("@misc{PRK-ICCPR-2026-02-03,\n")
    assert "  author = {{UN Treaty Collection}},\n" in text
    assert f"  howpublished = {{\\url{{{UNTC.format('IV-4')}}}}},\n" in text
    assert "no legal effect" in text and text.endswith(f"  version = {{KB version {version(conn)}}},\n}}")
    assert text.count("{") == text.count("}")


def test_errors(conn):
    with pytest.raises(QueryError, match=r"^unknown instrument 'NOPE'; see `kb instruments`$"):
        cite(conn, "PRK", "NOPE", "2026-02-03")
    with pytest.raises(QueryError, match=r"^unknown state 'XXX'"):
        cite(conn, "XXX", "CAT", "2026-02-03")
    with pytest.raises(QueryError, match=r"^unknown style 'mla': use one of plain, oscola, bluebook, chicago, apa, "
                                         r"ris, bibtex, csl-json$"):
        cite(conn, "PRK", "CAT", "2026-02-03", "mla")
    assert issubclass(CiteError, QueryError)


def test_helpers():
    assert format_date("2026-02-03") == "3 February 2026"
    assert format_date("1998-06") == "June 1998"
    assert format_date("1998") == "1998"
    assert state_phrase("Democratic People's Republic of Korea") == "the Democratic People's Republic of Korea"
    assert state_phrase("Iran (Islamic Republic of)") == "Iran (Islamic Republic of)"
    assert state_phrase("France") == "France"
    assert state_phrase("United Kingdom of Great Britain and Northern Ireland").startswith("the ")


def test_cli(built_db):
    runner = CliRunner()
    r = runner.invoke(cite_command, ["North Korea", "CAT", "--as-of", "2026-02-03", "--db", str(built_db)])
    assert r.exit_code == 0, r.output
    v = V(sqlite3.connect(f"file:{built_db}?mode=ro", uri=True))
    assert r.output == CAT_PLAIN + v + "\n"
    r = runner.invoke(cite_command, ["prk", "iccpr", "--db", str(built_db)])  # default: today -> source's date
    assert r.output == ICCPR_PLAIN + v + "\n"
    r = runner.invoke(cite_command, ["PRK", "CAT", "--style", "oscola", "--as-of", "2026-02-03", "--db", str(built_db)])
    assert r.exit_code == 0 and r.output.startswith("Convention against Torture and Other Cruel")
    r = runner.invoke(cite_command, ["PRK", "CATT", "--db", str(built_db)])
    assert r.exit_code == 2 and "unknown instrument 'CATT'; did you mean CAT" in r.output
    r = runner.invoke(cite_command, ["Atlantis", "CAT", "--db", str(built_db)])
    assert r.exit_code == 2 and "unknown state 'Atlantis'" in r.output
    r = runner.invoke(cite_command, ["PRK", "CAT", "--as-of", "2026-02-30", "--db", str(built_db)])
    assert r.exit_code == 2


INST = {"id": "X", "title": "Example Convention", "adopted": "1990-05-01", "adopted_place": "Geneva",
        "unts_volume": 100, "unts_page": 7, "entry_into_force": "1991-01-01", "url": "https://example.org/x"}


def _row(**kw):
    base = {"state": "FRA", "state_name": "France", "instrument": "X", "status": "not_party", "signature_date": None,
            "consent_date": None, "consent_type": None, "withdrawal_date": None, "note": None,
            "source_url": "https://example.org/status", "source_title": "UN Treaty Collection, Example, status",
            "source_as_at": "2026-02-03", "source_symbol": None}
    base.update(kw)
    return base


def test_withdrawn_and_unknown_wording():
    from kb.query.citation import format_citation

    row = _row(status="withdrawn", consent_date="1992-03-04", consent_type="ratification", withdrawal_date="2020-01-01",
               source_symbol="C.N.1.2019.TREATIES-1")
    assert format_citation(row, INST, "2026-02-03") == (
        "As of 3 February 2026, according to the UN Treaty Collection, France has withdrawn from the Example Convention "
        "(Geneva, 1 May 1990; United Nations, Treaty Series, vol. 100, p. 7) with effect from 1 January 2020 "
        "(it had been a party since 4 March 1992, by ratification). "
        "Source: https://example.org/status (C.N.1.2019.TREATIES-1; status as at 3 February 2026).")
    row = _row(status="unknown", source_url=None, source_title=None, source_as_at=None)
    assert format_citation(row, INST, "2026-02-03") == (
        "The status of France with respect to the Example Convention (Geneva, 1 May 1990; United Nations, Treaty Series, "
        "vol. 100, p. 7) on 3 February 2026 is unknown: this knowledge base holds no complete record of its actions. "
        "Depositary's record: https://example.org/x.")
    # A status read later than the source's date but different from it there (a change taking effect
    # after the record) is not passed off as the source's: the sentence speaks for the date asked.
    assert format_citation(_row(), INST, "2027-01-01", same_status_at_source_date=False).startswith("On 1 January 2027,")


def test_version_in_every_style():
    from kb.query.citation import format_citation

    v = "2026-06-01+0123abcd"
    for status in ("not_party", "unknown"):
        row = _row(status=status) if status != "unknown" else _row(status="unknown", source_url=None,
                                                                      source_title=None, source_as_at=None)
        assert format_citation(row, INST, "2026-02-03", "plain", version=v).endswith(f" KB version {v}.")
        assert format_citation(row, INST, "2026-02-03", "oscola", version=v).endswith(f" KB version {v}.")
        assert format_citation(row, INST, "2026-02-03", "bibtex", version=v).endswith(f"  version = {{KB version {v}}},\n}}")
