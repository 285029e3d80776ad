"""`kb import untc` against hostile input: faults while writing, crashes between renames, pages
dated in the future or before their own contents, incomplete pages, another treaty's page.

Every refusal: exit 1, "nothing written", the page named, what to do; data/ byte-identical.
Pages are made from the shared 2026-02-03 pages (tests/untc_snapshots.py); the import runs on a
copy of data/.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kb.importers.update as UP
from kb.cli import main

from .conftest import DATA, TODAY
from .untc_snapshots import AS_AT_NEW, AS_AT_OLD, LATER, PAGES, snapshot

pytestmark = pytest.mark.skipif(not PAGES.exists(), reason="../shared/reference not present")

REFUSED = "kb import untc: refused, nothing written: "


def tree(d: Path) -> dict[str, str]:
    """Every file under d (hidden ones too), by content."""
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


def run(pages: Path, data: Path, *extra: str, env: dict | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["import", "untc", str(pages), "--data", str(data), *extra], env=env,
                           catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def data(tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(DATA, d)
    return d


def page_dir(tmp_path: Path, name: str, text: str) -> Path:
    d = tmp_path / "pages"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def real(stem: str) -> str:
    return (PAGES / f"{stem}.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- all files or none

class Faults:
    """Counts every step of UP.FS; raises `exc` at step number `at` (1-based)."""

    def __init__(self, monkeypatch, at: int | None = None, exc: BaseException | None = None):
        self.at, self.exc, self.steps = at, exc, []
        for name in ("write", "replace", "link", "unlink"):
            orig = getattr(UP.FS, name)
            monkeypatch.setattr(UP.FS, name, staticmethod(self._wrap(name, orig)))

    def _wrap(self, name, orig):
        def step(*args):
            self.steps.append((name, Path(args[-1] if name != "write" else args[0]).name))
            if len(self.steps) == self.at:
                raise self.exc
            return orig(*args)
        return step


def two_page_plan(tmp_path: Path, data: Path) -> UP.Plan:
    pages = snapshot(tmp_path / "pages", "added_accession", "changed_date")
    return UP.plan(UP.find_pages(pages), data / "imported" / "untc", treaties=data / "treaties.yaml",
                   actions_dir=data / "actions", states_file=data / "states.yaml", root=data, today=TODAY)


def test_a_fault_at_every_write_and_rename_leaves_data_byte_identical(tmp_path, data, monkeypatch):
    p = two_page_plan(tmp_path, data)
    assert sorted(f.name for f in p.writes) == ["CAT.yaml", "OP-CAT.yaml", "counts.yaml", "treaties.yaml"]
    before = tree(data)
    # a dry run on a scratch copy: the steps up to the moment the import takes effect
    scratch = tmp_path / "scratch"
    shutil.copytree(data, scratch)
    with monkeypatch.context() as m:
        counter = Faults(m)
        UP.write(UP.plan(UP.find_pages(tmp_path / "pages"), scratch / "imported" / "untc",
                         treaties=scratch / "treaties.yaml", actions_dir=scratch / "actions",
                         states_file=scratch / "states.yaml", root=scratch, today=TODAY), scratch)
    steps = counter.steps[:[s[0] for s in counter.steps].index("unlink") + 1]
    assert [s[0] for s in steps] == ["write"] * 4 + ["link"] * 4 + ["write", "replace"] + ["replace"] * 4 + ["unlink"]
    assert steps[9] == ("replace", ".kb-import-journal.json") and steps[-1] == ("unlink", ".kb-import-journal.json")
    for at in range(1, len(steps) + 1):
        with monkeypatch.context() as m:
            Faults(m, at, OSError(errno.ENOSPC, "No space left on device"))
            with pytest.raises(UP.WriteFailed) as exc:
                UP.write(p, data)
        assert str(exc.value).startswith("nothing written: "), (at, steps[at - 1], str(exc.value))
        assert str(exc.value).endswith("(No space left on device); data/ is as it was before the import: free "
                                       "space or fix the permissions, then run the import again")
        assert tree(data) == before, (at, steps[at - 1])
    # and then, with no fault, the same plan is written whole
    UP.write(p, data)
    assert tree(data) != before and not list(data.rglob("*.kb-import-*"))


def test_a_failed_rename_through_the_command(tmp_path, data, monkeypatch):
    pages = snapshot(tmp_path / "pages", "added_accession")
    before = tree(data)
    faults = Faults(monkeypatch, 7, OSError(errno.EROFS, "Read-only file system"))  # 3 writes, 3 links, then...
    rc, out, err = run(pages, data, "--today", TODAY)
    assert faults.steps[6] == ("write", ".kb-import-journal.json.kb-import-new")
    assert rc == 1
    assert err == (f"kb import untc: failed, nothing written: cannot write the journal {data.name}/.kb-import-journal.json "
                   "(Read-only file system); data/ is as it was before the import: free space or fix the permissions, "
                   "then run the import again\n")
    assert out.startswith("Read 1 page:") and "Wrote" not in out
    assert tree(data) == before


class Crash(BaseException):
    """The process dies here (power cut, kill -9): nothing after it runs."""


def test_a_crash_between_two_renames_is_undone_by_the_next_run(tmp_path, data, monkeypatch):
    p = two_page_plan(tmp_path, data)
    before = tree(data)
    with monkeypatch.context() as m:
        Faults(m, 12, Crash())  # the second of the four renames into place
        m.setattr(UP, "_rollback", lambda *a: [])  # a dead process rolls nothing back
        with pytest.raises(Crash):
            UP.write(p, data)
    after_crash = tree(data)
    assert after_crash != before and ".kb-import-journal.json" in after_crash
    changed = sorted(k for k in before if before[k] != after_crash.get(k))
    assert changed == ["imported/untc/CAT.yaml"]  # one file new, three old: inconsistent
    # --check does not touch it, and says what to do
    rc, out, err = run(PAGES, data, "--check", "--today", TODAY)
    assert (rc, out) == (1, "")
    assert err == (REFUSED + f"an interrupted import left {data.name}/.kb-import-journal.json: data/ may be partly "
                   "written; run the import without --check to restore data/ first\n")
    assert tree(data) == after_crash
    # the next import restores data/ first, then imports (the unchanged pages: nothing to write)
    rc, out, err = run(PAGES, data, "--today", TODAY)
    assert rc == 0
    assert err == "".join(f"Interrupted import undone: restored {data.name}/{f}\n" for f in (
        "imported/untc/CAT.yaml", "imported/untc/OP-CAT.yaml", "imported/untc/counts.yaml", "treaties.yaml"))
    assert out.endswith("No change: the pages record the same facts as the KB.\nNothing written: data/ is up to date.\n")
    assert tree(data) == before


def test_a_crash_before_the_journal_touches_no_file_and_its_leftovers_are_removed(tmp_path, data, monkeypatch):
    p = two_page_plan(tmp_path, data)
    before = tree(data)
    with monkeypatch.context() as m:
        Faults(m, 7, Crash())  # after the new texts and three backups, before the journal
        m.setattr(UP, "_rollback", lambda *a: [])
        with pytest.raises(Crash):
            UP.write(p, data)
    left = set(tree(data)) - set(before)
    assert left and all(".kb-import-" in k for k in left)
    assert {k: v for k, v in tree(data).items() if k in before} == before
    assert UP.recover(data, [data / "imported" / "untc"]) == []
    assert tree(data) == before


# --------------------------------------------------------------------------- the page's own date

def test_a_page_dated_in_the_future_is_refused_and_the_genuine_page_still_imports(tmp_path, data):
    pages = page_dir(tmp_path, "cat.html", real("cat").replace(AS_AT_OLD, "STATUS AS AT : 01-01-2099"))
    before = tree(data)
    rc, out, err = run(pages, data, "--today", TODAY)
    assert (rc, out) == (1, "")
    assert err == (REFUSED + f"{pages}/cat.html: the page says STATUS AS AT 2099-01-01, which is later than today "
                   f"({TODAY}): a status page cannot be dated in the future: save the page again from treaties.un.org "
                   "(to import as on another day, pass --today or set $KB_TODAY)\n")
    assert tree(data) == before
    rc, out, _ = run(PAGES, data, "--today", TODAY)
    assert rc == 0 and out.endswith("Nothing written: data/ is up to date.\n")


def test_today_comes_from_the_option_or_kb_today(tmp_path, data):
    pages = snapshot(tmp_path / "pages", "added_accession")
    rc, _, err = run(pages, data, "--check", env={"KB_TODAY": "2026-05-31"})
    assert rc == 1 and err == (REFUSED + f"{pages}/snapshot-added-accession.html: the page says STATUS AS AT {LATER}, "
                               "which is later than today (2026-05-31): a status page cannot be dated in the future: "
                               "save the page again from treaties.un.org (to import as on another day, pass --today "
                               "or set $KB_TODAY)\n")
    assert run(pages, data, "--check", "--today", LATER, env={"KB_TODAY": "2026-05-31"})[0] == 1  # 1: would change
    assert "later than today" not in run(pages, data, "--check", "--today", LATER)[2]
    rc, _, err = run(pages, data, "--today", "2026-13-01")
    assert rc == 2 and "Invalid value for --today: '2026-13-01' is not a date: month 13 does not exist" in err
    rc, _, err = run(pages, data, env={"KB_TODAY": "June"})
    assert rc == 2 and "Invalid value for $KB_TODAY: 'June' is not a date" in err


def test_a_page_dated_before_its_own_contents_is_refused(tmp_path, data):
    # the DPRK's accession of 1 May 2026 on a page still headed 3 February 2026
    text = (snapshot(tmp_path / "snap", "added_accession") / "snapshot-added-accession.html").read_text(encoding="utf-8")
    pages = page_dir(tmp_path, "cat.html", text.replace(AS_AT_NEW, AS_AT_OLD))
    before = tree(data)
    rc, out, err = run(pages, data, "--today", TODAY, "--accept-removals")
    assert (rc, out) == (1, "")
    assert err == (REFUSED + f"{pages}/cat.html: the page says STATUS AS AT 2026-02-03, but it records 1 action dated "
                   "later (the latest: PRK accession on 2026-05-01): its date and its contents disagree (an edited "
                   "page?): save the page again from treaties.un.org\n")
    assert tree(data) == before


# --------------------------------------------------------------------------- incomplete pages

INCOMPLETE = ("incomplete page: {what}; it was cut short while saving or downloading: save the whole page again from "
              "treaties.un.org (a whole status page ends with the page footer and </html>)\n")


def test_a_page_cut_anywhere_is_refused(tmp_path, data):
    text = real("cat_op")
    last_note = text.rindex('class="divNotesAll"')
    cuts = [len(text) * i // 20 for i in range(1, 20)]  # every 5%
    cuts += [last_note + 200, text.index("</div>", last_note) - 5, text.rindex("</html>"), len(text) - 3]
    before = tree(data)
    pages = tmp_path / "pages"
    pages.mkdir()
    for cut in cuts:
        (pages / "cat_op.html").write_text(text[:cut], encoding="utf-8")
        rc, out, err = run(pages, data, "--today", TODAY, "--accept-removals")
        assert (rc, out) == (1, ""), cut
        assert err == REFUSED + f"{pages}/cat_op.html: " + INCOMPLETE.format(what="it does not end with </html>"), cut
    assert tree(data) == before
    (pages / "cat_op.html").write_text("", encoding="utf-8")
    assert run(pages, data)[2] == REFUSED + f"{pages}/cat_op.html: " + INCOMPLETE.format(what="the file is empty")


def test_a_page_with_a_control_character_is_a_located_refusal_not_an_internal_error(tmp_path, data):
    text = real("cat")
    i = text.index("With a reservation on article 20.")
    pages = page_dir(tmp_path, "cat.html", text[:i] + "\x1b[2J" + text[i:])
    line, col = text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)
    before = tree(data)
    rc, out, err = run(pages, data, "--today", TODAY)
    assert (rc, out) == (1, "")
    assert err == REFUSED + (f"{pages}/cat.html:{line}:{col}: character U+001B (a control character) is not in a "
                             "status page: an edited or damaged page: save the page again from treaties.un.org\n")
    assert tree(data) == before


def test_a_page_with_bytes_that_are_not_utf8_is_refused_not_imported_with_replacement_characters(tmp_path, data):
    raw = (PAGES / "cat.html").read_bytes()
    i = raw.index(b"With a reservation on article 20.")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "cat.html").write_bytes(raw[:i] + b"caf\xe9 " + raw[i:])
    text = real("cat")  # as the importer reads it: universal newlines
    j = text.index("With a reservation on article 20.")
    line, col = text.count("\n", 0, j) + 1, j - text.rfind("\n", 0, j) + 3
    before = tree(data)
    rc, out, err = run(pages, data, "--today", TODAY)
    assert (rc, out) == (1, "")
    assert err == REFUSED + (f"{pages}/cat.html:{line}:{col}: bytes that are not UTF-8 are not in a status page: "
                             "an edited or damaged page: save the page again from treaties.un.org\n")
    assert tree(data) == before


def test_a_page_headed_with_a_date_that_does_not_exist_is_refused_in_one_line(tmp_path, data):
    text = real("cat").replace("STATUS AS AT : 03-02-2026", "STATUS AS AT : 31-02-2026")
    pages = page_dir(tmp_path, "cat.html", text)
    before = tree(data)
    rc, out, err = run(pages, data, "--today", TODAY)
    assert (rc, out) == (1, "")
    assert err == REFUSED + (f"{pages}/cat.html: header 'STATUS AS AT : 31-02-2026 10:16:18 EDT' names no real date: "
                             "an edited or damaged page: save the page again from treaties.un.org\n")
    assert tree(data) == before


def test_a_cut_page_closed_by_the_browser_is_refused(tmp_path, data):
    """A page saved while still loading: cut, then closed (as a browser serialises what it has)."""
    text = real("cat_op")
    last_note = text.rindex('class="divNotesAll"')
    closing = "</div></td></tr></table></div></form></body></html>\n"
    pages = tmp_path / "pages"
    pages.mkdir()
    before = tree(data)
    for cut, what in [
        (last_note + 300, "the end of the status section (the cell after the footnotes, id ..._tclnkNote) is "
                          "missing after the last footnote"),
        (text.index("Participant"), "the end of the status section (the cell after the footnotes, id "
                                    "..._tclnkNote) is missing"),  # before the page's links (its MTDSG number)
        (text.index("tblgrid") + 3000, "the end of the status section (the cell after the footnotes, id "
                                       "..._tclnkNote) is missing"),  # inside the participant grid
        (text.rindex("</form>"), "the end of the page's form (</form>) is missing"),
    ]:
        (pages / "cat_op.html").write_text(text[:cut] + closing.replace("</form>", "" if "form" in what else "</form>"),
                                           encoding="utf-8")
        rc, out, err = run(pages, data, "--today", TODAY, "--accept-removals")
        assert (rc, out, err) == (1, "", REFUSED + f"{pages}/cat_op.html: " + INCOMPLETE.format(what=what)), cut
    assert tree(data) == before


def test_a_page_without_the_text_of_a_footnote_it_cites_is_refused(tmp_path, data):
    text = real("cat_op")
    start = text.rindex("<div", 0, text.rindex('class="divNotesAll"'))
    end = text.index("</div>", text.rindex('class="divNotesAll"')) + len("</div>")
    assert "<a name='7'>7</a>" in text[start:end]
    pages = page_dir(tmp_path, "cat_op.html", text[:start] + text[end:])  # footnote 7 gone, the page otherwise whole
    rc, out, err = run(pages, data, "--today", TODAY, "--accept-removals")
    assert (rc, out) == (1, "")
    assert err == (REFUSED + f"{pages}/cat_op.html: " + INCOMPLETE.format(
        what="the text of footnote 7 is missing, though the page refers to it"))
    # a footnote whose number is there but not its text
    pages = page_dir(tmp_path, "cat_op.html", text[:text.index("<index></index>", start)] + "</div>" + text[end:])
    rc, _, err = run(pages, data, "--today", TODAY)
    assert rc == 1 and err == REFUSED + f"{pages}/cat_op.html: " + INCOMPLETE.format(what="footnote 7 has a number but no text")


def test_a_grid_row_citing_a_missing_footnote_is_refused(tmp_path, data):
    text = real("iccpr_op1")
    i = text.index("<a name='3'>3</a>")
    start, end = text.rindex("<div", 0, i), text.index("</div>", i) + len("</div>")
    pages = page_dir(tmp_path, "iccpr_op1.html", text[:start] + text[end:])
    rc, _, err = run(pages, data, "--today", TODAY)
    assert rc == 1 and err == (REFUSED + f"{pages}/iccpr_op1.html: incomplete page: Jamaica: footnote 3 is referenced "
                               "but its text is not on the page: save the whole page again from treaties.un.org\n")


# --------------------------------------------------------------------------- another treaty's page

def test_another_treatys_page_with_an_edited_number_is_refused(tmp_path, data):
    text = real("crc_op_ic").replace("mtdsg_no=IV-11-d", "mtdsg_no=IV-9-b")
    pages = page_dir(tmp_path, "op-cat.html", text)
    before = tree(data)
    rc, out, err = run(pages, data, "--today", TODAY, "--accept-removals")
    assert (rc, out) == (1, "")
    assert err == (REFUSED + f"{pages}/op-cat.html: the page's links say MTDSG IV-9-b (OP-CAT), but its title line "
                   "numbers it IV-11-d (11. d Optional Protocol to the Convention on the Rights of the Child on a "
                   "communications procedure): a page of another treaty, or an edited page: save OP-CAT's own page "
                   "from https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-9-b&chapter=4&clang=_en\n")
    # the title line's number edited too: the title itself gives it away
    pages = page_dir(tmp_path, "op-cat.html", text.replace("11. d\n", "9. b\n", 1))
    rc, out, err = run(pages, data, "--today", TODAY, "--accept-removals")
    assert (rc, out) == (1, "")
    assert err == (REFUSED + f"{pages}/op-cat.html: the page's title 'Optional Protocol to the Convention on the Rights "
                   "of the Child on a communications procedure' is not the title of OP-CAT in data/treaties.yaml "
                   "('Optional Protocol to the Convention against Torture and Other Cruel, Inhuman or Degrading "
                   "Treatment or Punishment'), though its links say MTDSG IV-9-b: a page of another treaty, or an "
                   "edited page: save OP-CAT's own page from "
                   "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-9-b&chapter=4&clang=_en "
                   "(if the depositary renamed the treaty, correct the title in data/treaties.yaml first)\n")
    assert tree(data) == before


def test_every_problem_of_every_page_is_reported_at_once(tmp_path, data):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(real("crc_op_ic").replace("mtdsg_no=IV-11-d", "mtdsg_no=IV-9-b")
                                  .replace("11. d\n", "9. b\n", 1), encoding="utf-8")
    (pages / "b.html").write_text(real("cat").replace(AS_AT_OLD, "STATUS AS AT : 01-01-2099"), encoding="utf-8")
    rc, _, err = run(pages, data, "--today", TODAY)
    lines = err.splitlines()
    assert rc == 1 and len(lines) == 3
    assert lines[0] == REFUSED + "2 problems:"
    assert lines[1].startswith(f"  {pages}/b.html: the page says STATUS AS AT 2099-01-01")
    assert lines[2].startswith(f"  {pages}/a.html: the page's title ")


def test_a_journal_that_cannot_be_trusted_is_refused_and_touches_nothing(tmp_path, data):
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("keep me")
    for planted in ("../elsewhere.txt", "../elsewhere.yaml", "/etc/hosts.yaml"):
        (data / ".kb-import-journal.json").write_text('{"files": [{"path": "%s", "existed": false}]}' % planted)
        assert run(PAGES, data, "--today", TODAY)[0] == 1 and victim.read_text() == "keep me"
    before = tree(data)
    rc, out, err = run(PAGES, data, "--today", TODAY)
    assert (rc, out) == (1, "")
    assert err == (REFUSED + "data/.kb-import-journal.json: an interrupted import's journal cannot be read (it names "
                   "a file that is not a .yaml file inside the directory): restore data/ from git (`git checkout -- data/`), then "
                   "delete the journal\n")
    assert tree(data) == before and victim.read_text() == "keep me"


def test_validate_names_an_interrupted_import(data_copy, cli):
    """What a crash between two renames leaves is named by `kb validate`, with what to do."""
    (data_copy / ".kb-import-journal.json").write_text("{}")
    (data_copy / "imported" / "untc" / ".CAT.yaml.kb-import-old").write_text("x")
    res = cli("validate", "--data", str(data_copy))
    assert res.exit_code == 1
    assert (".kb-import-journal.json:1:1: .kb-import-journal.json is left by an interrupted `kb import untc`: "
            "data/ may be partly written. Run `kb import untc` again (with any directory of saved pages): it first "
            "restores every file the import had replaced") in res.output
    assert ".CAT.yaml.kb-import-old is left by an interrupted `kb import untc`" in res.output
