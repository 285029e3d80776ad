"""Invented later snapshots of the UNTC status pages, for the tests of `kb import untc`.

Each is a copy of one of the shared 2026-02-03 pages (../shared/reference/untc-chapter-iv-2026-02-03)
with its STATUS AS AT header moved to 1 June 2026 and one edit: the facts they add are made up
for the tests and are never written to data/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ../shared/reference beside the repository, or $KB_REFERENCE (a checkout placed elsewhere)
REFERENCE = Path(os.environ.get("KB_REFERENCE") or ROOT.parent / "shared" / "reference")
PAGES = REFERENCE / "untc-chapter-iv-2026-02-03"
LATER = "2026-06-01"
AS_AT_OLD = "STATUS AS AT : 03-02-2026"
AS_AT_NEW = "STATUS AS AT : 01-06-2026"


def _once(text: str, old: str, new: str, regex: bool = False) -> str:
    n = len(re.findall(old, text)) if regex else text.count(old)
    assert n == 1, f"{old!r} occurs {n} times"
    return re.sub(old, new, text) if regex else text.replace(old, new)


def _parties(text: str, old: int, new: int) -> str:
    return _once(text, rf"Parties :(\s*){old}<", rf"Parties :\g<1>{new}<", regex=True)


def added_accession(text: str) -> str:
    """CAT: the DPRK accedes on 1 May 2026 (a new grid row; the header counts 176 parties)."""
    row = ("\t<tr class=\"trBGGrey\">\n\t\t<td>Democratic People's Republic of Korea<br></td>\n\t\t<td>&nbsp;</td>\n"
           "\t\t<td> &nbsp;1 May\t 2026 a<br></td>\n\t</tr>\n")
    text = _once(text, "\t<tr class=\"trBGGrey\">\n\t\t<td>Democratic Republic of the Congo<br></td>",
                 row + "\t<tr class=\"trBGGrey\">\n\t\t<td>Democratic Republic of the Congo<br></td>")
    return _parties(text, 175, 176)


def new_reservation(text: str) -> str:
    """CRPD: Australia's text gains a reservation to article 18(2), dated 15 April 2026."""
    old = "<p class='invisible'>Australia</p>"
    i = text.index(old)
    end = text.index("</div>", i)
    add = ("<p align=right>15 April 2026</p><p align=left><i>Reservation:<br></n></i></p>&nbsp;&nbsp;&nbsp;"
           "Australia does not consider itself bound by article 18, paragraph 2.<br></n><br>")
    return text[:end] + add + text[end:]


def withdrawn_reservation(text: str) -> str:
    """ICCPR-OP2: a new footnote 99 on Greece tells the withdrawal of its reservation to article 2."""
    text = _once(text, 'class="heading-two">Greece</div>',
                 "class=\"heading-two\">Greece <SUP><A onclick='ShowNoteAll()' href='#99' class='noteIndex'>99</A> "
                 "</SUP></div>")
    note = ("<div class=\"divNotesAll\" style=\"text-align: justify\"><a name='99'>99</a><index></index>On 20 April "
            "2026, the Government of Greece notified the Secretary-General that it had decided to withdraw its "
            "reservation to article 2 made upon ratification. (Refer to depositary notification "
            "C.N.99.2026.TREATIES-IV.12 of 22 April 2026.)<br><br></div>")
    i = text.index("<div id=\"ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_dgNotesAll_ctl02_divNote\">")
    return text[:i] + note + text[i:]


def changed_date(text: str) -> str:
    """OP-CAT: Austria's ratification is dated 14 December 2012 instead of 4 December 2012."""
    return _once(text, "<td>Austria<br></td>\n\t\t<td>25 Sep\t 2003 <br></td>\n\t\t<td> &nbsp;4 Dec\t 2012 <br></td>",
                 "<td>Austria<br></td>\n\t\t<td>25 Sep\t 2003 <br></td>\n\t\t<td>14 Dec\t 2012 <br></td>")


def dropped_participant(text: str) -> str:
    """OP-CEDAW: Armenia's row is gone (and the header counts 115 parties)."""
    text = _once(text, "\t<tr class=\"trBGGrey\">\n\t\t<td>Armenia<br></td>\n\t\t<td>&nbsp;</td>\n"
                       "\t\t<td>14 Sep\t 2006 a<br></td>\n\t</tr>\n", "")
    return _parties(text, 116, 115)


def changed_layout(text: str) -> str:
    """OP-ICESCR: the participant grid's id no longer ends in 'tblgrid'."""
    return _once(text, 'ContentPlaceHolderInnerPage_tblgrid"', 'ContentPlaceHolderInnerPage_tblParticipants"')


SCENARIOS = {  # name -> (page, edit)
    "added_accession": ("cat", added_accession),
    "new_reservation": ("crpd", new_reservation),
    "withdrawn_reservation": ("iccpr_op2", withdrawn_reservation),
    "changed_date": ("cat_op", changed_date),
    "dropped_participant": ("cedaw_op", dropped_participant),
    "changed_layout": ("icescr_op", changed_layout),
}


def snapshot(directory: Path, *names: str, file_names: dict[str, str] | None = None) -> Path:
    """Write the pages of the named scenarios into directory (named snapshot-<scenario>.html,
    not as the shared pages are named: the importer recognises pages by their content)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        stem, edit = SCENARIOS[name]
        text = (PAGES / f"{stem}.html").read_text(encoding="utf-8")
        text = edit(_once(text, AS_AT_OLD, AS_AT_NEW))
        fname = (file_names or {}).get(name, f"snapshot-{name.replace('_', '-')}.html")
        (directory / fname).write_text(text, encoding="utf-8")
    return directory
