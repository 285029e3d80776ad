"""Article references read from statements' words (kb/data/references.py), objections' effect on entry
into force, declarations that act as reservations in the obligations view, and the override table."""

from __future__ import annotations

import sqlite3

import pytest

import kb.query as q
from kb.data.references import InstrumentWords, opposes_entry_into_force, references_from_words

from .test_validate import errors

CEDAW = InstrumentWords.make("CEDAW", "convention", "Convention on the Elimination of All Forms of Discrimination against Women",
                             {"2", "2(a)", "2(f)", "9", "9(1)", "9(2)", "14", "14(2)", "14(2)(d)", "16", "16(1)", "16(1)(c)",
                              "16(1)(f)", "16(1)(h)", "16(2)", "19", "19(1)", "20", "28", "28(2)", "29", "29(1)", "29(2)", "30", "30(1)"}, {"28"})
OP = InstrumentWords.make("OP-CRC-AC", "optional_protocol", "Optional Protocol to the Convention on the Rights of the Child "
                          "on the involvement of children in armed conflict", {"3", "3(2)", "4"})


def read(text, inst=CEDAW, objection=False):
    return list(references_from_words(text, inst, objection).provisions)


def test_the_depositarys_forms_of_reference():
    assert read("reservation to article 9") == ["9"]
    assert read("with regard to articles 2 and 16") == ["2", "16"]
    assert read("not bound by paragraph 1 (a) of article 2") == []  # article 2 has no paragraph 1: not taken
    assert read("(article 19 (c)) and article 9") == ["9"]  # 19(c) is not in the text: another text's, not taken
    assert read("article 14, paragraph 2 (d), of the Convention") == ["14(2)(d)"]
    assert read("arts. 20 and 30(1)") == ["20", "30(1)"]
    assert read("paragraph 2 of article 9 and paragraph 1 of article 29") == ["9(2)", "29(1)"]
    assert read("article 16, paragraph 1 (c), (f) and (h)") == ["16(1)(c)", "16(1)(f)", "16(1)(h)"]
    assert read("article 16 (f)") == ["16(1)(f)"]  # the item sits in paragraph 1
    assert read("Article 2, paragraph 2 of Article 9 and article 16") == ["2", "9(2)", "16"]
    assert read("With reference to Article (9), Paragraph (2)") == ["9(2)"]
    assert read("In accordance with Article [20] of the Convention") == ["20"]


def test_references_to_other_texts_are_not_taken():
    assert read("article 19 of the Vienna Convention on the Law of Treaties") == []
    assert read("article 2 of the Constitution of the French Republic") == []
    assert read("article 18 of the Universal Declaration of Human Rights and article 9") == ["9"]
    assert read("article 2 of the International Covenant on Civil and Political Rights") == []
    # a convention's article quoted in a protocol's statement; the protocol's own
    assert read("article 38 of the Convention on the Rights of the Child", OP) == []
    assert read("Pursuant to article 3, paragraph 2, of the Optional Protocol to the Convention on the Rights of the Child "
                "on Involvement of Children in Armed Conflicts", OP) == ["3(2)"]
    # the instrument's own, named loosely
    assert read("article 9 of the said Convention") == ["9"]
    assert read("article 9 of the Convention to enact comparable legislation") == ["9"]
    # an article the text does not have: not taken, and the words' other bare references are doubted
    assert read("article 86 and article 9") == []
    assert read("article 86, and article 9 of the Convention") == ["9"]


def test_authority_and_the_rule_on_reservations():
    # "in accordance with article 29(2)" is the authority, kept only where nothing else is named
    assert read("in accordance with article 29, paragraph 2, it does not consider itself bound by paragraph 1 of article 29") == ["29(1)"]
    assert read("In accordance with article 29, paragraph 2, the Government declares") == ["29(2)"]
    # an objection citing the rule on reservations (article 28, which speaks of the object and purpose)
    assert read("incompatible with article 28, paragraph 2; the reservation to article 16", objection=True) == ["16"]
    assert read("the reservation to article 28", objection=False) == ["28"]


def test_every_statement_of_the_core_instruments_has_a_reference_or_a_scope(built_db):
    with sqlite3.connect(built_db) as c:
        assert c.execute("SELECT count(*) FROM statement_articles sa JOIN actions a ON a.id = sa.action_id"
                         " WHERE a.origin = 'imported' AND sa.type IN ('reservation', 'declaration', 'objection',"
                         " 'competence_declaration', 'opt_out') AND sa.scope = 'unstated'").fetchone() == (0,)
        note = c.execute("SELECT sa.note FROM statement_articles sa JOIN actions a ON a.id = sa.action_id"
                         " WHERE a.instrument_id = 'CEDAW' AND a.state_id = 'BRN' AND a.type = 'reservation'").fetchall()
        assert note == [("read from the statement's words: 'paragraph 2 of Article 9'; 'paragraph 1 of Article 29'",)] * 2
        general = c.execute("SELECT sa.note FROM statement_articles sa JOIN actions a ON a.id = sa.action_id"
                            " WHERE a.instrument_id = 'CEDAW' AND a.state_id = 'SWE' AND a.target_state_id = 'SAU'").fetchone()
        assert general == ("the objection's words name no article of the instrument: it concerns SAU's statements as a whole",)
        # the override table: France's objection to Saudi Arabia's reservations names 29(1) only to say it conforms
        fra = c.execute("SELECT sa.provision, sa.how, substr(sa.note, 1, 40) FROM statement_articles sa JOIN actions a"
                        " ON a.id = sa.action_id WHERE a.instrument_id = 'CEDAW' AND a.state_id = 'FRA'"
                        " AND a.target_state_id = 'SAU'").fetchall()
        assert fra == [("9(2)", "by_hand", "France objects to the reservation \"of ge")]
        assert c.execute("SELECT count(DISTINCT action_id) FROM statement_articles WHERE how = 'by_hand'").fetchone() == (10,)


def test_objections_and_entry_into_force(built_db, conn_q):
    # real objections: Germany's to Saudi Arabia's CEDAW reservations ("does not preclude t entry into force")
    deu = [o for r in q.reservations(conn_q, instrument="CEDAW", states="SAU") for o in r["objections"] if o["state"] == "DEU"]
    assert {o["opposes_entry_into_force"] for o in deu} == {False}
    with sqlite3.connect(built_db) as c:
        # Austria's objection to Lebanon's CEDAW reservations says nothing of entry into force: not stated
        got = c.execute("SELECT DISTINCT so.opposes_entry_into_force FROM statement_objections so JOIN actions a"
                        " ON a.id = so.objection_action_id WHERE a.instrument_id = 'CEDAW' AND a.state_id = 'AUT'"
                        " AND a.target_state_id = 'LBN'").fetchall()
        assert got == [(None,)]
        counts = dict(c.execute("SELECT coalesce(opposes_entry_into_force, -1), count(DISTINCT action_id)"
                                " FROM statement_articles WHERE type = 'objection' GROUP BY 1").fetchall())
        assert counts == {0: 592, -1: 78}  # no objection in the data opposes entry into force
    assert opposes_entry_into_force("This objection shall not preclude the entry into force of the Convention") is False
    assert opposes_entry_into_force("without precluding the entry into force of the Covenant between the two States") is False
    assert opposes_entry_into_force("The Government opposes the entry into force of the Convention between X and Y.") is True
    assert opposes_entry_into_force("It does not consider the Convention to be in force between the two States.") is True
    assert opposes_entry_into_force("The Government objects to the reservation.") is None
    assert opposes_entry_into_force(None) is None


def test_china_cedaw_29_1_declaration_counts_as_a_reservation_in_the_obligations(conn_q):
    rows = [r for r in q.obligations(conn_q, "CHN", as_of="2026-02-03") if r["instrument"] == "CEDAW" and r["kind"] == "reservation"]
    assert [(r["article"], r["accepted"], r["reason"]) for r in rows] == [
        ("29(1)", 0, "declaration acting as a reservation (it excludes the article's effect) to article 29(1) in force since 1980-11-04")]
    assert [r for r in q.obligations(conn_q, "CHN", as_of="1980-11-03") if r["kind"] == "reservation" and r["instrument"] == "CEDAW"] == []


@pytest.fixture(scope="module")
def conn_q(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


def test_override_table_is_validated(data_copy):
    (data_copy / "reference_overrides.yaml").write_text(
        "overrides:\n"
        "  - instrument: CEDAW\n    state: CHN\n    date: '1980-11-04'\n    type: reservation\n"
        "    references: ['29(1)']\n    reason: none such\n"
        "  - instrument: CEDAW\n    state: CHN\n    date: '1980-11-04'\n    type: declaration\n"
        "    references: ['29(4)', 'x y']\n    reason: bad references\n")
    assert errors(data_copy) == [
        "data/reference_overrides.yaml:3:12: no reservation of CEDAW by CHN on 1980-11-04 is in the data: check "
        "instrument, state, date, type and target_state against the statement's record, or remove the entry",
        "data/reference_overrides.yaml:12:18: references: provision 29(4) does not exist in CEDAW: check it against "
        "data/texts/CEDAW.yaml",
        "data/reference_overrides.yaml:12:27: references: 'x y' is not a provision: write it as the instrument numbers "
        "it, e.g. '29(1)' or '2(f)', or 'whole', 'general' or 'preamble'"]
