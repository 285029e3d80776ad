"""The pages' message catalogues, kept by Babel.

    python scripts/i18n.py extract   write kb/web/locale/messages.pot from the templates and page modules
                                     (babel.cfg) and the vocabularies the pages put into words
    python scripts/i18n.py update    extract, then merge the template into every language's messages.po
                                     (new words arrive untranslated, changed ones fuzzy)
    python scripts/i18n.py --check   exit 1, saying what to do, unless messages.pot is current and every
                                     language's catalogue translates every message, none fuzzy, with the
                                     same placeholders as the English

The .po files are the source kept in the repository; kb/web/i18n.py compiles them in memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

LOCALE = ROOT / "kb" / "web" / "locale"
POT = LOCALE / "messages.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# A fixed header date: the template changes only when its messages do.
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def vocabularies() -> list[tuple[str, str]]:
    """The English words the page modules look up in tables at run time (so no gettext call names
    them): [(message, where)]."""
    from kb.data import schema
    from kb.query import citation
    from kb.web.pages import record, reservations, worldmap

    out: list[tuple[str, str]] = []
    for name, table in [("kb/web/pages/record.py STATUS_LABELS", record.STATUS_LABELS),
                        ("kb/web/pages/record.py KIND_WORDS", record.KIND_WORDS),
                        ("kb/web/pages/worldmap.py STATUS_WORDS", worldmap.STATUS_WORDS),
                        ("kb/web/pages/worldmap.py PROCEDURE_WORDS", worldmap.PROCEDURE_WORDS),
                        ("kb/query/citation.py MECHANISMS", citation.MECHANISMS),
                        ("kb/query/citation.py MANDATES", citation.MANDATES),
                        ("kb/query/citation.py SOURCE_KINDS", citation.SOURCE_KINDS)]:
        out += [(v, name) for v in table.values()]
    # Reservations by article: the words of reservations.py's tables (the KIND_WORDS pairs: heading, short form).
    for name in ["WORDS", "SCOPE_WORDS", "MAP_WORDS", "MAP_TITLES", "COMPARE_WORDS", "GROUPS"]:
        out += [(v, f"kb/web/pages/reservations.py {name}") for v in getattr(reservations, name).values()]
    out += [(w, "kb/web/pages/reservations.py KIND_WORDS") for pair in reservations.KIND_WORDS.values() for w in pair]
    # Codes the templates show through the `human` filter ("opt_out" reads "opt out").
    for name in ["ActionType", "LegalEffect", "EngagementKind", "AskAction", "AskResponse", "ProcedureKind",
                 "ProcedureMode", "StateKind"]:
        out += [(citation.humanize(v), f"kb/data/schema.py {name}") for v in typing.get_args(getattr(schema, name))]
    out += [(citation.humanize(v), "kb/query/sql/reporting_status.sql overdue")
            for v in ("overdue", "not_yet_due", "unknown")]
    out += [("procedure", "kb/web/templates/kb_country.html")]
    return out


def extract() -> Catalog:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    cat = Catalog(project="treaty-kb", version="", copyright_holder="", msgid_bugs_address="",
                  creation_date=FIXED_DATE, revision_date=FIXED_DATE, charset="utf-8")
    cat.fuzzy = False
    cat.header_comment = ("# The words of the treaty ratification knowledge base's pages: the template that\n"
                          "# scripts/i18n.py extracts from the templates, the page modules and their vocabularies.")
    for filename, lineno, message, comments, context in sorted(
            extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True),
            key=lambda m: (m[0], m[1])):
        cat.add(message, None, [(filename, lineno)], auto_comments=comments, context=context,
                flags=("python-format",) if isinstance(message, str) and PLACEHOLDER.search(message) else ())
    for message, where in vocabularies():
        if message and message not in cat:
            cat.add(message, None, [(where.split()[0], 0)], auto_comments=[where])
    return cat


def _po_bytes(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, cat, width=100, sort_output=False, include_lineno=False, omit_header=False)
    return buf.getvalue()


def _rel(path: Path) -> Path:
    """A path as the messages name it: from the repository's root (or the catalogues' folder)."""
    try:
        return path.relative_to(ROOT)
    except ValueError:
        return path.relative_to(LOCALE)


def languages() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/messages.po"))


def update() -> None:
    template = extract()
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(_po_bytes(template))
    print(f"wrote {_rel(POT)}: {len(template)} messages")
    for po in languages():
        with po.open("rb") as f:
            cat = read_po(f)
        cat.update(template, update_header_comment=False)
        cat.obsolete.clear()
        cat.revision_date = FIXED_DATE
        po.write_bytes(_po_bytes(cat))
        print(f"updated {_rel(po)}")


def _ids(cat: Catalog) -> set:
    return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in cat if m.id}


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text)) - {""}


def check() -> list[str]:
    problems = []
    fresh = extract()
    if not POT.is_file():
        return [f"{_rel(POT)} is missing: run `python scripts/i18n.py update`"]
    with POT.open("rb") as f:
        kept = read_po(f)
    if _ids(kept) != _ids(fresh):
        new, gone = _ids(fresh) - _ids(kept), _ids(kept) - _ids(fresh)
        problems.append(f"{_rel(POT)} is not current ({len(new)} messages new, {len(gone)} gone, e.g. "
                        f"{sorted(map(str, new or gone))[0][:80]}): run `python scripts/i18n.py update`, then translate")
    for po in languages():
        rel = _rel(po)
        with po.open("rb") as f:
            cat = read_po(f)
        if _ids(cat) != _ids(fresh):
            problems.append(f"{rel} does not hold the template's messages: run `python scripts/i18n.py update`")
        for m in cat:
            if not m.id:
                continue
            ids = [m.id] if isinstance(m.id, str) else list(m.id)
            strings = [m.string] if isinstance(m.string, str) else list(m.string)
            english = set().union(*(_placeholders(i) for i in ids))
            label = ids[0][:70]
            if m.fuzzy:
                problems.append(f"{rel}: {label!r} is marked fuzzy: check the translation and remove the flag")
            if not all(strings):
                problems.append(f"{rel}: {label!r} is not translated")
                continue
            for s in strings:
                if _placeholders(s) != english:
                    problems.append(f"{rel}: {label!r}: the translation's placeholders {sorted(_placeholders(s))} "
                                    f"differ from the English {sorted(english)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", nargs="?", choices=["extract", "update"])
    ap.add_argument("--check", action="store_true", help="check that the catalogues are current and complete")
    args = ap.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem(s)" if problems else "catalogues current and complete",
              file=sys.stderr if problems else sys.stdout)
        return 1 if problems else 0
    if args.command == "extract":
        cat = extract()
        POT.parent.mkdir(parents=True, exist_ok=True)
        POT.write_bytes(_po_bytes(cat))
        print(f"wrote {_rel(POT)}: {len(cat)} messages")
        return 0
    if args.command == "update":
        update()
        return 0
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
