"""`kb import untc DIR`: newer depositary pages, the change report, refusals, history, feeds, versions.

The snapshots (tests/untc_snapshots.py) are copies of the shared 2026-02-03 pages, re-dated to
1 June 2026 with one invented edit each, written to a temporary directory; the import runs on a
copy of data/.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

import kb.query as q
from kb.cli import main
from kb.db.build import build

from .conftest import DATA, TODAY
from .untc_snapshots import LATER, PAGES, snapshot

pytestmark = pytest.mark.skipif(not PAGES.exists(), reason="../shared/reference not present")

CAT_URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-9&chapter=4&clang=_en"


def kb(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def tree(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


def report(pages: Path, data: Path, *extra: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["import", "untc", str(pages), "--data", str(data), *extra], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def data(tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(DATA, d)
    return d


def header(instrument: str, mtdsg: str, file: str) -> str:
    return (f"Read 1 page:\n  {instrument} ({mtdsg}) from {file}: status as at 2026-02-03 -> {LATER}\n")


WROTE = "Wrote data/imported/untc/{0}.yaml, data/imported/untc/counts.yaml, data/treaties.yaml.\n" \
        "Next: review the report and `git diff data/`, run `kb validate`, commit, then `kb build`.\n"


# --------------------------------------------------------------------------- unchanged pages

def test_unchanged_pages_report_no_change_and_leave_data_byte_identical(data):
    before = tree(data)
    rc, out, err = report(PAGES, data)
    assert rc == 0 and err == ""
    assert out.splitlines()[0] == "Read 18 pages:"
    assert out.endswith("No change: the pages record the same facts as the KB.\n"
                        "Nothing written: data/ is up to date.\n")
    assert tree(data) == before
    rc, out, _ = report(PAGES, data, "--check", "--format", "json")
    assert (rc, json.loads(out)) == (0, [])


# --------------------------------------------------------------------------- each snapshot's report

def test_added_accession_report(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "added_accession")
    rc, out, err = report(pages, data)
    assert (rc, err) == (0, "")
    assert out == (header("CAT", "IV-9", "snapshot-added-accession.html")
                   + "Changes: 1 added, 0 removed, 0 changed\n"
                   "  added    CAT  PRK  accession  2026-05-01\n" + WROTE.format("CAT"))


def test_new_reservation_report(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "new_reservation")
    rc, out, err = report(pages, data)
    assert (rc, err) == (0, "")
    assert out == (header("CRPD", "IV-15", "snapshot-new-reservation.html")
                   + "Changes: 1 added, 0 removed, 0 changed\n"
                   "  added    CRPD  AUS  reservation  2026-04-15  article 18(2)\n" + WROTE.format("CRPD"))


def test_withdrawn_reservation_report(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "withdrawn_reservation")
    rc, out, err = report(pages, data)
    assert (rc, err) == (0, "")
    # the new footnote 99 is on Greece's name in the declarations: its reservation now cites it
    assert out == (header("ICCPR-OP2", "IV-12", "snapshot-withdrawn-reservation.html")
                   + "Changes: 1 added, 0 removed, 1 changed\n"
                   "  changed  ICCPR-OP2  GRC  reservation  1997-05-05  article 2\n"
                   "           source.footnote: (none) -> '99'\n"
                   "  added    ICCPR-OP2  GRC  withdrawal_of_reservation  2026-04-20  article 2\n"
                   + WROTE.format("ICCPR-OP2"))


def test_changed_date_report_and_json(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "changed_date")
    rc, out, err = report(pages, data, "--check", "--format", "json")
    assert (rc, err) == (1, "")  # --check: something would change
    assert json.loads(out) == [{
        "change": "changed", "state": "AUT", "instrument": "OP-CAT", "type": "ratification", "date": "2012-12-14",
        "article": None, "target_state": None,
        "before": {"date": "2012-12-04"}, "after": {"date": "2012-12-14"}}]
    rc, out, err = report(pages, data)
    assert (rc, err) == (0, "")
    assert out == (header("OP-CAT", "IV-9-b", "snapshot-changed-date.html")
                   + "Changes: 0 added, 0 removed, 1 changed\n"
                   "  changed  OP-CAT  AUT  ratification  2012-12-14\n"
                   "           date: '2012-12-04' -> '2012-12-14'\n" + WROTE.format("OP-CAT"))


REFUSED_ARM = (
    "kb import untc: refused, nothing written: the pages lack 1 fact the KB holds from the depositary:\n"
    "  OP-CEDAW  ARM  accession  2006-09-14  (data/imported/untc/OP-CEDAW.yaml:71)\n"
    "A missing row is more often a page or parsing fault than a withdrawal by the depositary: check the saved "
    "page; if the depositary's record really no longer has these facts, import again with --accept-removals.\n")


def test_dropped_participant_is_refused_then_accepted(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "dropped_participant")
    before = tree(data)
    rc, out, err = report(pages, data)
    assert rc == 1
    assert out == (header("OP-CEDAW", "IV-8-b", "snapshot-dropped-participant.html")
                   + "Changes: 0 added, 1 removed, 0 changed\n"
                   "  removed  OP-CEDAW  ARM  accession  2006-09-14\n")
    assert err == REFUSED_ARM
    assert tree(data) == before
    rc, out, _ = report(pages, data, "--format", "json")
    assert rc == 1 and json.loads(out) == [{
        "change": "removed", "state": "ARM", "instrument": "OP-CEDAW", "type": "accession", "date": "2006-09-14",
        "article": None, "target_state": None, "where": "data/imported/untc/OP-CEDAW.yaml:71"}]
    assert tree(data) == before
    rc, out, err = report(pages, data, "--accept-removals")
    assert (rc, err) == (0, "")
    assert out == (header("OP-CEDAW", "IV-8-b", "snapshot-dropped-participant.html")
                   + "Changes: 0 added, 1 removed, 0 changed\n"
                   "  removed  OP-CEDAW  ARM  accession  2006-09-14\n" + WROTE.format("OP-CEDAW"))
    assert "state: ARM" not in (data / "imported" / "untc" / "OP-CEDAW.yaml").read_text()


def test_changed_layout_is_refused_and_nothing_is_written_for_any_page(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "added_accession", "changed_layout")
    before = tree(data)
    rc, out, err = report(pages, data)
    assert (rc, out) == (1, "")
    assert err == (f"kb import untc: refused, nothing written: {pages}/snapshot-changed-layout.html: expected exactly "
                   "one participant grid (a table whose id ends in 'tblgrid'), found 0: compare the saved page with the "
                   "live one and save it again; if the depositary changed the page's layout, the importer "
                   "(kb/importers/untc.py) needs updating\n")
    assert tree(data) == before


# --------------------------------------------------------------------------- pages by content

def test_pages_are_recognised_by_content_not_name(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "added_accession", file_names={"added_accession": "iccpr.html"})
    rc, out, _ = report(pages, data, "--check")
    assert rc == 1 and "  CAT (IV-9) from iccpr.html" in out


def test_two_copies_of_one_page_and_foreign_pages_are_refused(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "added_accession")
    shutil.copy(PAGES / "cat.html", pages / "cat-again.html")
    rc, _, err = report(pages, data)
    assert rc == 1 and err == (f"kb import untc: refused, nothing written: {pages}: cat-again.html and "
                               "snapshot-added-accession.html are both the page of CAT: keep one\n")
    (pages / "cat-again.html").write_text("<html><body>Not a status page</body></html>")
    rc, _, err = report(pages, data)
    assert rc == 1 and err == (f"kb import untc: refused, nothing written: {pages}/cat-again.html: no MTDSG number "
                               "(mtdsg_no=...): not a UN Treaty Collection status page as the importer knows them\n")


def test_an_older_page_is_refused(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "added_accession")
    assert report(pages, data)[0] == 0
    before = tree(data)
    rc, _, err = report(PAGES, data)  # the 2026-02-03 pages are older than CAT's record now
    assert rc == 1 and err == (f"kb import untc: refused, nothing written: {PAGES}/cat.html: the page is as at "
                               "2026-02-03, older than the KB's record of CAT (as at 2026-06-01): save the current page\n")
    assert tree(data) == before


# --------------------------------------------------------------------------- history

def first_recorded(data: Path, instrument: str, state: str, type_: str) -> list[tuple[str, str]]:
    from kb.data.loader import load_text

    loaded = load_text("x", (data / "imported" / "untc" / f"{instrument}.yaml").read_bytes())
    return [(a["date"], a["first_recorded"], a["source"]["as_at"]) for a in loaded.data["actions"]
            if a["state"] == state and a["type"] == type_]


def test_first_recorded_is_kept_across_imports(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "added_accession")
    assert report(pages, data)[0] == 0
    # new: recorded by the 1 June 2026 page; old: first recorded 3 February 2026, source re-dated
    assert first_recorded(data, "CAT", "PRK", "accession") == [("2026-05-01", LATER, LATER)]
    assert first_recorded(data, "CAT", "FRA", "ratification") == [("1986-02-18", "2026-02-03", LATER)]
    # a second import of the same page changes nothing
    before = tree(data)
    rc, out, _ = report(pages, data)
    assert rc == 0 and "No change" in out and tree(data) == before
    # treaties.yaml: only CAT's status source is re-dated (one line)
    old_lines = (DATA / "treaties.yaml").read_text().splitlines()
    new_lines = (data / "treaties.yaml").read_text().splitlines()
    diff = [(i, a, b) for i, (a, b) in enumerate(zip(old_lines, new_lines), 1) if a != b]
    assert len(old_lines) == len(new_lines) and [(a, b) for _, a, b in diff] == [
        ("      as_at: 2026-02-03", f"      as_at: {LATER}")]
    assert old_lines[diff[0][0] - 3].endswith(f'"{CAT_URL}"') and old_lines[diff[0][0] - 4] == "    status_source:"


# --------------------------------------------------------------------------- curated corrections

def test_curated_correction_that_no_longer_matches_is_reported(tmp_path, data):
    cur = data / "actions" / "OP-CAT.yaml"
    cur.write_text("instrument: OP-CAT\nactions:\n  - state: AUT\n    type: ratification\n    date: 2012-12-04\n"
                   "    source:\n      url: https://example.org/status\n      title: Example\n      as_at: 2026-02-03\n")
    pages = snapshot(tmp_path / "pages", "changed_date")
    rc, out, err = report(pages, data)
    assert (rc, err) == (0, "")
    assert ("Review: data/actions/OP-CAT.yaml:3: the curated ratification of AUT dated 2012-12-04 corrected an "
            "imported action that the new OP-CAT page no longer has (the page now dates it 2012-12-14): review it "
            "(correct its date or remove it)\n") in out
    r = kb("validate", "--data", str(data), "--today", TODAY)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"data/imported/untc/OP-CAT.yaml:{first_line(data, 'OP-CAT', 'AUT', 'ratification') + 2}:11: second consent "
        "without an exit: AUT's ratification of OP-CAT on 2012-12-14 follows its ratification on 2012-12-04 "
        "(data/actions/OP-CAT.yaml:3) with no denunciation or withdrawal between them: one of them is wrong or "
        "duplicates the other (a curated correction must have the imported action's type and date to replace it); "
        "keep one",
        "1 error found; nothing was built."]


def first_line(data: Path, instrument: str, state: str, type_: str) -> int:
    lines = (data / "imported" / "untc" / f"{instrument}.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1)
                if line == f"  - state: {state}" and lines[i] == f"    type: {type_}")


# --------------------------------------------------------------------------- one combined snapshot, built

@pytest.fixture(scope="module")
def after(tmp_path_factory):
    """The four accepted snapshots imported together into a copy of data/, built."""
    tmp = tmp_path_factory.mktemp("after")
    d = tmp / "data"
    shutil.copytree(DATA, d)
    pages = snapshot(tmp / "pages", "added_accession", "new_reservation", "withdrawn_reservation", "changed_date")
    rc, out, err = report(pages, d)
    assert (rc, err) == (0, ""), err
    db = tmp / "kb.db"
    build(d, db, today=TODAY)
    return {"db": db, "data": d, "report": out}


def status(db: Path, state: str, instrument: str, as_of: str) -> tuple:
    r = q.status(q.connect(db), states=[state], instruments=[instrument], as_of=as_of)[0]
    return r["status"], r["consent_date"], r["consent_type"], r["known_to"]


def reserved(db: Path, state: str, instrument: str, article: str, as_of: str) -> list[tuple]:
    return [(o["kind"], o["accepted"], o["reason"]) for o in q.obligations(q.connect(db), state, as_of=as_of)
            if o["instrument"] == instrument and o["article"] == article and o["kind"] == "reservation"]


def test_combined_report(after):
    assert after["report"] == (
        "Read 4 pages:\n"
        f"  CAT (IV-9) from snapshot-added-accession.html: status as at 2026-02-03 -> {LATER}\n"
        f"  OP-CAT (IV-9-b) from snapshot-changed-date.html: status as at 2026-02-03 -> {LATER}\n"
        f"  ICCPR-OP2 (IV-12) from snapshot-withdrawn-reservation.html: status as at 2026-02-03 -> {LATER}\n"
        f"  CRPD (IV-15) from snapshot-new-reservation.html: status as at 2026-02-03 -> {LATER}\n"
        "Changes: 3 added, 0 removed, 2 changed\n"
        "  added    CAT  PRK  accession  2026-05-01\n"
        "  changed  OP-CAT  AUT  ratification  2012-12-14\n"
        "           date: '2012-12-04' -> '2012-12-14'\n"
        "  changed  ICCPR-OP2  GRC  reservation  1997-05-05  article 2\n"
        "           source.footnote: (none) -> '99'\n"
        "  added    ICCPR-OP2  GRC  withdrawal_of_reservation  2026-04-20  article 2\n"
        "  added    CRPD  AUS  reservation  2026-04-15  article 18(2)\n"
        "Wrote data/imported/untc/CAT.yaml, data/imported/untc/OP-CAT.yaml, data/imported/untc/ICCPR-OP2.yaml, "
        "data/imported/untc/CRPD.yaml, data/imported/untc/counts.yaml, data/treaties.yaml.\n"
        "Next: review the report and `git diff data/`, run `kb validate`, commit, then `kb build`.\n")


def test_status_before_and_after_the_new_accession(built_db, after):
    assert status(built_db, "PRK", "CAT", "2026-05-01") == ("not_party", None, None, "2026-02-03")
    assert status(after["db"], "PRK", "CAT", "2026-04-30") == ("not_party", None, None, LATER)
    assert status(after["db"], "PRK", "CAT", "2026-05-01") == ("party", "2026-05-01", "accession", LATER)
    # instruments whose pages were not imported keep their own date
    assert status(after["db"], "PRK", "ICCPR", "2026-05-01")[3] == "2026-02-03"


def test_status_before_and_after_the_changed_date(built_db, after):
    assert status(built_db, "AUT", "OP-CAT", "2012-12-10") == ("party", "2012-12-04", "ratification", "2026-02-03")
    assert status(after["db"], "AUT", "OP-CAT", "2012-12-10")[:3] == ("signatory", None, None)
    assert status(after["db"], "AUT", "OP-CAT", "2012-12-14") == ("party", "2012-12-14", "ratification", LATER)


def test_reservation_before_and_after(built_db, after):
    assert reserved(built_db, "AUS", "CRPD", "18(2)", "2026-05-01") == []
    assert reserved(after["db"], "AUS", "CRPD", "18(2)", "2026-04-14") == []
    assert reserved(after["db"], "AUS", "CRPD", "18(2)", "2026-04-15") == [("reservation", False, "reservation to article 18(2) in force since 2026-04-15")]


def test_withdrawn_reservation_before_and_after(built_db, after):
    assert reserved(built_db, "GRC", "ICCPR-OP2", "2", "2026-05-01") == [("reservation", False, "reservation to article 2 in force since 1997-05-05")]
    assert reserved(after["db"], "GRC", "ICCPR-OP2", "2", "2026-04-19") == [("reservation", False, "reservation to article 2 in force since 1997-05-05")]
    assert reserved(after["db"], "GRC", "ICCPR-OP2", "2", "2026-04-20") == [
        ("reservation", True, "reservation to article 2 withdrawn on 2026-04-20")]


def test_citation_and_known_to_follow_the_instruments_own_page(after):
    conn = q.connect(after["db"])
    version = q.version(conn)
    assert version.startswith(f"{LATER}+") and len(version) == len(LATER) + 9
    # Without a date: the data's date, now the newer page's (1 June 2026).
    assert q.data_date(conn) == LATER
    assert q.cite(conn, "PRK", "CAT") == (
        "As of 1 June 2026, according to the UN Treaty Collection, the Democratic People's Republic of Korea has been "
        "a party to the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment "
        "(New York, 10 December 1984; United Nations, Treaty Series, vol. 1465, p. 85) since 1 May 2026 (accession); "
        f"it entered into force for it on 31 May 2026 (article 27(2)). Source: {CAT_URL} (status as at 1 June 2026). KB version {version}.")
    # A later date is beyond the record: as recorded on the page's date.
    assert q.cite(conn, "PRK", "CAT", as_of="2026-11-28").startswith(
        "As recorded by the UN Treaty Collection on 1 June 2026, the Democratic People's Republic of Korea had been "
        "a party to the Convention against Torture")
    known = {r["id"]: r["known_to"] for r in q.instruments(conn)}
    assert (known["CAT"], known["CRPD"], known["ICCPR-OP2"], known["OP-CAT"], known["ICCPR"]) == (
        LATER, LATER, LATER, LATER, "2026-02-03")
    info = q.info(conn)
    assert info["version"] == version
    assert info["status_as_at"][0] == {"source": "UN Treaty Collection", "as_at": LATER,
                                       "instruments": ["ICCPR-OP2", "CAT", "OP-CAT", "CRPD"]}


# --------------------------------------------------------------------------- feeds

def fetch(db: Path, *paths: str):
    from kb.web.app import make_datasette

    async def run():
        ds = make_datasette(db)
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(run())


NEW_ENTRIES = [
    "Democratic People's Republic of Korea: accession to the Convention against Torture, 1 May 2026",
    "Greece: withdrawal of reservation (article 2) to the Second Optional Protocol to the International Covenant on Civil "
    "and Political Rights, 20 April 2026",
    "Australia: reservation (article 18(2)) to the Convention on the Rights of Persons with Disabilities, 15 April 2026",
    "Austria: ratification of the Optional Protocol to the Convention against Torture, 14 December 2012",
]


def test_atom_feed_lists_the_new_facts_first(after):
    (r,) = fetch(after["db"], "/changes.atom")
    assert r.status_code == 200 and r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    f = feedparser.parse(r.text)
    assert not f.bozo and f.version == "atom10"
    assert [e.title for e in f.entries[:4]] == NEW_ENTRIES
    e = f.entries[0]
    assert e.link == "http://localhost/country/PRK"
    assert e.id == "http://localhost/kb/actions?key=CAT%2FPRK%2F2026-05-01%2Faccession"
    assert e.updated == "2026-06-01T00:00:00+00:00" and e.published == "2026-05-01T00:00:00+00:00"
    assert e.summary == (
        f"{NEW_ENTRIES[0]}. Source: UN Treaty Collection, Chapter IV, IV-9: Convention against Torture and Other "
        "Cruel, Inhuman or Degrading Treatment or Punishment, status, status as at 1 June 2026: "
        f"{CAT_URL}. First recorded in the KB from the source as at 1 June 2026.")
    # the next entries were first recorded by the 2026-02-03 pages
    assert f.entries[4].updated == "2026-02-03T00:00:00+00:00"
    assert len(f.entries) == 50


def test_json_feed(after):
    (r,) = fetch(after["db"], "/changes.json")
    assert r.headers["content-type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(r.text)
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"] and isinstance(feed["items"], list)
    assert all(i["id"] and (i.get("content_text") or i.get("content_html")) for i in feed["items"])
    first = feed["items"][0]
    assert first["title"] == NEW_ENTRIES[0] and first["url"] == "http://localhost/country/PRK"
    assert first["date_published"] == "2026-06-01T00:00:00+00:00"
    assert first["_kb"]["source_as_at"] == LATER and first["_kb"]["recorded"] == LATER


def test_country_and_instrument_feeds(after):
    prk, cat, missing = fetch(after["db"], "/country/PRK/changes.atom", "/instrument/CAT/changes.atom",
                              "/country/XXX/changes.atom")
    f = feedparser.parse(prk.text)
    assert f.feed.title == "Democratic People's Republic of Korea: latest changes"
    assert f.entries[0].title == NEW_ENTRIES[0]
    assert all(e.title.startswith("Democratic People's Republic of Korea: ") for e in f.entries)
    g = feedparser.parse(cat.text)
    assert g.entries[0].title == NEW_ENTRIES[0] and all("Convention against Torture" in e.title for e in g.entries)
    assert missing.status_code == 404


def test_pages_advertise_feeds_and_version(after):
    home, country, inst = fetch(after["db"], "/", "/country/PRK", "/instrument/CAT")
    version = q.version(q.connect(after["db"]))
    for r in (home, country, inst):
        assert '<link rel="alternate" type="application/atom+xml" href="/changes.atom" title="Latest changes (Atom)">' in r.text
        assert f"KB version <strong>{version}</strong>" in r.text
        assert f'<a href="/download/kb-{version}.db">kb-{version}.db</a>' in r.text
    assert ('<link rel="alternate" type="application/atom+xml" href="/country/PRK/changes.atom" '
            'title="Democratic People&#39;s Republic of Korea: latest changes (Atom)">') in country.text
    assert '<link rel="alternate" type="application/atom+xml" href="/instrument/CAT/changes.atom"' in inst.text


def test_versioned_download(after):
    version = q.version(q.connect(after["db"]))
    ok, old = fetch(after["db"], f"/download/kb-{version}.db", "/download/kb-2026-02-03+00000000.db")
    assert ok.status_code == 200 and ok.headers["content-disposition"] == f'attachment; filename="kb-{version}.db"'
    assert ok.content == after["db"].read_bytes()
    assert old.status_code == 404 and f"/download/kb-{version}.db" in old.text


def test_kb_info(built_db):
    conn = q.connect(built_db)
    v = q.version(conn)
    r = kb("info", "--db", str(built_db), "--format", "json")
    got = json.loads(r.output)
    assert r.exit_code == 0 and got["version"] == v and got == q.info(conn)
    assert got["version"] == f"2026-02-03+{got['data_digest'][:8]}"
    assert [(g["source"], g["as_at"], len(g["instruments"])) for g in got["status_as_at"]] == [
        ("UN Treaty Collection", "2026-02-03", 18), ("Wikipedia", "2025-02-01", 11),
        ("UN Treaty Collection", "2015-03-14", 5)]
    assert got["counts"]["instruments"] == 34 and got["counts"]["actions"] == got["counts"]["imported_actions"] + got["counts"]["curated_actions"]
    r = kb("info", "--db", str(built_db))
    assert r.output.splitlines()[0] == f"version      {v}"
    assert "  UN Treaty Collection, as at 2026-02-03: 18 instruments (ICERD, ICESCR," in r.output
